// Port of gai_table.py ('%-40s' % x is padEnd, '%3d' padStart; fam.name is AddressFamily[fam]).
import * as socket from "../../mod.ts";
import { AddressFamily, SocketKind } from "../../mod.ts";
import { print, repr, str } from "./_py.ts";

const FLAGS: [number, string][] = [
  [0, "0"],
  [socket.AI_PASSIVE, "AI_PASSIVE"],
  [socket.AI_NUMERICHOST, "AI_NUMERICHOST"],
  [socket.AI_CANONNAME, "AI_CANONNAME"],
  [socket.AI_NUMERICSERV, "AI_NUMERICSERV"],
  [socket.AI_V4MAPPED, "AI_V4MAPPED"],
];

async function show(
  host: string | null,
  port: number | string | null,
  { family = 0, type = 0, proto = 0, flags = 0, label = "" } = {},
) {
  let res;
  try {
    res = await socket.getaddrinfo(host, port, family, type, proto, flags);
  } catch (e) {
    if (!(e instanceof socket.gaierror)) throw e;
    print(`${(label || repr([host, port])).padEnd(40)} gaierror ${e.errno}: ${e.message}`); // str(e) is e.message (README rule 10)
    return;
  }
  print(`${(label || repr([host, port])).padEnd(40)} ${res.length} result(s)`);
  for (const [fam, kind, pr, canon, sa] of res) {
    print(
      `    ${AddressFamily[fam]!.padEnd(9)} ${SocketKind[kind]!.padEnd(11)} ${String(pr).padStart(3)} ${
        repr(canon).padEnd(12)
      } ${str(sa)}`,
    );
  }
}

await show("127.0.0.1", 80);
await show("127.0.0.1", "http", { type: socket.SOCK_STREAM });
await show("::1", "domain", { family: socket.AF_INET6 });
await show(null, 8080, { family: socket.AF_INET, type: socket.SOCK_DGRAM });
await show("localhost", 0, { family: socket.AF_INET, type: socket.SOCK_STREAM });
await show("localhost", null, { family: socket.AF_INET, proto: socket.IPPROTO_UDP });
for (const [flag, name] of FLAGS) {
  await show(null, 443, {
    family: socket.AF_INET6,
    type: socket.SOCK_STREAM,
    flags: flag,
    label: "None, 443 v6 " + name,
  });
  await show("127.0.0.1", 25, {
    family: socket.AF_INET,
    type: socket.SOCK_STREAM,
    flags: flag,
    label: "127.0.0.1, 25 " + name,
  });
}
const [INET, STREAM] = [socket.AF_INET, socket.SOCK_STREAM];
await show("localhost", 80, {
  family: INET,
  type: STREAM,
  flags: socket.AI_NUMERICHOST,
  label: "localhost numeric-only",
});
await show("127.0.0.1", "http", {
  family: INET,
  type: STREAM,
  flags: socket.AI_NUMERICSERV,
  label: "http numeric-serv",
});
await show("127.0.0.1", "no-such-svc", { family: INET, type: STREAM, label: "unknown service" });
await show("127.0.0.1", "domain", { family: socket.AF_INET6, label: "v4 literal as AF_INET6" });
await show("::1", 80, { family: INET, label: "v6 literal as AF_INET" });
await show("127.0.0.1", 80, { family: INET, type: socket.SOCK_RAW, label: "SOCK_RAW" });
await show("127.0.0.1", 80, { family: INET, type: STREAM, proto: socket.IPPROTO_UDP, label: "stream with UDP" });
await show("fe80::1%1", 80, { family: socket.AF_INET6, type: STREAM, label: "scoped v6" });
await show("0x7f.1", 80, { family: INET, type: STREAM, label: "inet_aton shorthand" });

for (
  const [sa, flags] of [
    [["127.0.0.1", 80], 0],
    [["127.0.0.1", 53], socket.NI_DGRAM],
    [["127.0.0.1", 80], socket.NI_NUMERICHOST],
    [["127.0.0.1", 22], socket.NI_NUMERICSERV | socket.NI_NUMERICHOST],
    [["::1", 443, 0, 0], socket.NI_NUMERICHOST],
    [["127.0.0.1", 65000], 0],
    [["127.0.0.1", 80], socket.NI_NAMEREQD],
  ] as [socket.AddressInput, number][]
) {
  try {
    print("getnameinfo", sa, flags, await socket.getnameinfo(sa as [string, number], flags));
  } catch (e) {
    if (!(e instanceof socket.OSError)) throw e;
    print("getnameinfo", sa, flags, e.name, e);
  }
}
print(
  await socket.gethostbyname("localhost"),
  await socket.gethostbyname("127.1"),
  await socket.gethostbyname("0"),
);
const ex = await socket.gethostbyname_ex("127.0.0.1");
print([ex[0], { toString: () => `[${ex[1].map(repr).join(", ")}]` }, {
  toString: () => `[${ex[2].map(repr).join(", ")}]`,
}]);
for (const bad of [["127.0.0.1"], ["127.0.0.1", "http"], ["127.0.0.1", 80, 0, 0, 0]]) {
  try {
    // @ts-ignore: the bad addresses are the point (Python checks them at run time)
    await socket.getnameinfo(bad, 0);
  } catch (e) {
    if (!(e instanceof TypeError || e instanceof socket.OSError)) throw e;
    print(bad, e instanceof TypeError ? "TypeError" : e.name, e.message);
  }
}

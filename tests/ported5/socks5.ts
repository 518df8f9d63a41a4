// Port of socks5.py (threads become tasks; the proxy awaits each client's task, as the original joins its
// thread; struct '!H' is byte math; socket.AddressFamily(family).name is the AddressFamily key).
import * as socket from "../../mod.ts";
import { ConnectionRefusedError, gaierror, OSError } from "../../mod.ts";
import { b, beq, bjoin, bupper, print, repr, str } from "../ported/_py.ts";

const log: string[] = [];

class EOFError extends Error {}

async function recv_exactly(sock: socket.Socket, n: number): Promise<Uint8Array> {
  let data = new Uint8Array(0);
  while (data.length < n) {
    const more = await sock.recv(n - data.length);
    if (!more.length) throw new EOFError("short read");
    data = bjoin([data, more]);
  }
  return data;
}

async function pipe(src: socket.Socket, dst: socket.Socket) {
  try {
    while (true) {
      const data = await src.recv(4096);
      if (!data.length) break;
      await dst.sendall(data);
    }
  } catch (e) {
    if (!(e instanceof OSError)) throw e;
  } finally {
    await dst.shutdown(socket.SHUT_WR).catch((e) => {
      if (!(e instanceof OSError)) throw e;
    });
  }
}

const u16 = (n: number) => new Uint8Array([n >> 8, n & 255]);

async function reply(conn: socket.Socket, code: number, addr: [string, number] = ["0.0.0.0", 0]) {
  await conn.sendall(bjoin([new Uint8Array([5, code, 0, 1]), socket.inet_aton(addr[0]), u16(addr[1])]));
}

const family_name = (f: number) => Object.entries(socket.AddressFamily).find(([, v]) => v === f)![0];

async function handle(conn: socket.Socket) {
  try {
    const [ver, nmethods] = await recv_exactly(conn, 2);
    const methods = await recv_exactly(conn, nmethods!);
    if (ver !== 5 || !methods.includes(0)) {
      await conn.sendall(new Uint8Array([5, 0xff]));
      log.push(`no acceptable method in ${repr(methods)}`);
      return;
    }
    await conn.sendall(new Uint8Array([5, 0]));
    const [, cmd, , atyp] = await recv_exactly(conn, 4);
    let host: string;
    if (atyp === 1) {
      host = socket.inet_ntoa(await recv_exactly(conn, 4));
    } else if (atyp === 3) {
      host = new TextDecoder().decode(await recv_exactly(conn, (await recv_exactly(conn, 1))[0]!));
    } else if (atyp === 4) {
      host = socket.inet_ntop(socket.AF_INET6, await recv_exactly(conn, 16));
    } else {
      await reply(conn, 8);
      log.push(`address type ${atyp} not supported`);
      return;
    }
    const p = await recv_exactly(conn, 2);
    const port = (p[0]! << 8) | p[1]!;
    if (cmd !== 1) {
      await reply(conn, 7);
      log.push(`command ${cmd} not supported`);
      return;
    }
    let infos;
    try {
      infos = await socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM);
    } catch (e) {
      if (!(e instanceof gaierror)) throw e;
      await reply(conn, 4);
      log.push(`cannot resolve ${repr(host)}: ${e.message}`);
      return;
    }
    const [family, , , , sockaddr] = infos[0]!;
    const [shost, sport] = sockaddr as [string, number];
    if (!(shost.startsWith("127.") || shost === "::1")) {
      await reply(conn, 2);
      log.push(`refusing ${shost}`);
      return;
    }
    let upstream: socket.Socket;
    try {
      upstream = await socket.create_connection([shost, sport], 5);
    } catch (e) {
      if (!(e instanceof ConnectionRefusedError)) throw e;
      await reply(conn, 5);
      log.push(`CONNECT ${host}: ${e.message}`);
      return;
    }
    upstream.settimeout(null);
    const bound = upstream.getsockname() as [string, number];
    await reply(conn, 0, family === socket.AF_INET ? bound : ["0.0.0.0", 0]);
    log.push(`CONNECT ${host} (${family_name(family)}) relaying`);
    const t = pipe(upstream, conn);
    await pipe(conn, upstream);
    await t;
    upstream.close();
  } catch (e) {
    if (!(e instanceof EOFError)) throw e;
    log.push(`client went away: ${e.message}`);
  } finally {
    conn.close();
  }
}

async function proxy(listener: socket.Socket, n: number) {
  for (let i = 0; i < n; i++) {
    const [conn] = await listener.accept();
    await handle(conn); // one client at a time keeps the log in order
  }
  listener.close();
}

async function echo_server(listener: socket.Socket, n: number) {
  for (let i = 0; i < n; i++) {
    const [conn] = await listener.accept();
    using _ = conn;
    while (true) {
      const data = await conn.recv(4096);
      if (!data.length) break;
      await conn.sendall(bupper(data));
    }
  }
}

const open_proxy = (port: number) => socket.create_connection(["127.0.0.1", port], 10);

async function connect_via(
  port: number,
  atyp: number,
  host: string,
  dport: number,
  methods = new Uint8Array([0]),
  cmd = 1,
) {
  const s = await open_proxy(port);
  await s.sendall(bjoin([new Uint8Array([5, methods.length]), methods]));
  const choice = await recv_exactly(s, 2);
  print("  method choice", choice);
  if (choice[1] === 0xff) {
    print("  proxy closes:", await s.recv(10));
    s.close();
    return null;
  }
  let addr: Uint8Array | null;
  if (atyp === 1) addr = socket.inet_aton(host);
  else if (atyp === 3) addr = bjoin([new Uint8Array([host.length]), b(host)]);
  else if (atyp === 4) addr = socket.inet_pton(socket.AF_INET6, host);
  else addr = null; // the proxy cannot know how long it is: send nothing more
  await s.sendall(bjoin([new Uint8Array([5, cmd, 0, atyp]), ...(addr === null ? [] : [addr, u16(dport)])]));
  const rep = await recv_exactly(s, 10);
  const code = rep[1];
  print("  reply code", code, "bound to loopback:", str(socket.inet_ntoa(rep.subarray(4, 8)).startsWith("127.")));
  if (code !== 0) {
    print("  then", await s.recv(10));
    s.close();
    return null;
  }
  return s;
}

const echo_l = socket.create_server(["127.0.0.1", 0]);
const echo6_l = socket.create_server(["::1", 0], { family: socket.AF_INET6 });
const proxy_l = socket.create_server(["127.0.0.1", 0]);
const closed = socket.create_server(["127.0.0.1", 0]);
const closed_port = (closed.getsockname() as [string, number])[1];
await closed[Symbol.asyncDispose]();
const [eport, e6port, pport] = [echo_l, echo6_l, proxy_l].map((l) => (l.getsockname() as [string, number])[1]) as [
  number,
  number,
  number,
];
const threads = [echo_server(echo_l, 2), echo_server(echo6_l, 1), proxy(proxy_l, 9)];

print("CONNECT 127.0.0.1 (IPv4 address)");
let s = (await connect_via(pport, 1, "127.0.0.1", eport))!;
await s.sendall(b("hello through socks"));
print("  echo:", await recv_exactly(s, 19));
await s.shutdown(socket.SHUT_WR);
print("  then EOF:", await s.recv(10));
s.close();
print("CONNECT localhost (domain name), a large payload");
s = (await connect_via(pport, 3, "localhost", eport, new Uint8Array([2, 0])))!;
const payload = bjoin(Array(5000).fill(new Uint8Array(26).map((_, i) => 97 + i)));
await s.sendall(payload);
await s.shutdown(socket.SHUT_WR);
const parts: Uint8Array[] = [];
while (true) {
  const data = await s.recv(65536);
  if (!data.length) break;
  parts.push(data);
}
const got = bjoin(parts);
print("  got back", got.length, "bytes, upper-cased:", str(beq(got, bupper(payload))));
s.close();
print("CONNECT ::1 (IPv6 address)");
s = (await connect_via(pport, 4, "::1", e6port))!;
await s.sendall(b("v6"));
print("  echo:", await recv_exactly(s, 2));
s.close();
print("CONNECT to a closed port");
await connect_via(pport, 1, "127.0.0.1", closed_port);
print("CONNECT outside loopback");
await connect_via(pport, 1, "192.0.2.1", 80);
print("BIND command");
await connect_via(pport, 1, "127.0.0.1", eport, undefined, 2);
print("address type 9");
await connect_via(pport, 9, "", 0);
print("only username/password offered");
await connect_via(pport, 1, "127.0.0.1", eport, new Uint8Array([2]));
print("greeting cut short");
s = await open_proxy(pport);
await s.sendall(new Uint8Array([5, 3, 0]));
await s.shutdown(socket.SHUT_WR);
print("  proxy closes:", await s.recv(10));
s.close();
await Promise.all(threads);
echo6_l.close();
print("proxy log:");
for (const line of log) print(" ", line);

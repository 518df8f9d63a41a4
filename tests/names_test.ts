// Differential tests: every case runs through pysocket and through CPython's
// socket module on this machine (one python3 process per test, JSON in and
// out), and the answers (values, or exception kind, errno and message) must
// be equal. A case that asks the resolver (a name, a reverse lookup) runs,
// on both sides, inside a network namespace: no DNS query leaves the machine
// (tests may use the network on loopback only), whatever /etc/hosts holds.

import assert from "node:assert/strict";
import { rng } from "./_twin.ts";
import * as pysocket from "../mod.ts";
import { missing } from "./_socket_fixtures.ts";
import { type Call, offline, ours, python, type Wire } from "./_names_driver.ts";
import { _set_lookup_for_tests } from "../_resolve.ts";

/** The CPython comparisons need python3 (skipped with a printed reason without it). */
const PY = { ignore: missing("python3") };

/**
 * Whether a call asks the resolver (a name, or a reverse lookup): such calls run only inside a network namespace
 * (`offline()`, both sides), so no query leaves the machine whatever its /etc/hosts holds; the rest (literals,
 * numeric flags, services, interfaces) run here.
 */
function asks_resolver([fn, args]: Call): boolean {
  const literal = (h: Wire | undefined): boolean =>
    h === null || h === undefined || typeof h !== "string" ||
    /^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+))*$/i.test(h) || /^[0-9a-f]*:[0-9a-f:.]*$/i.test(h);
  switch (fn) {
    case "getaddrinfo":
      return !literal(args[0]);
    case "getnameinfo": {
      const host = Array.isArray(args[0]) ? args[0][0] : null;
      return !(typeof args[1] === "number" && args[1] & pysocket.NI_NUMERICHOST) || !literal(host);
    }
    case "gethostbyname":
    case "gethostbyname_ex":
      return !(typeof args[0] === "string" && /^[0-9.]*[0-9]$/.test(args[0]));
    case "gethostbyaddr":
    case "getfqdn":
      return true;
    default:
      return false;
  }
}

/**
 * Compare both sides call by call; returns how many calls were compared. The calls that ask the resolver are
 * compared inside a network namespace (skipped, with a printed reason, where `unshare -n` is not permitted).
 */
async function differential(calls: Call[]): Promise<number> {
  const here = calls.filter((c) => !asks_resolver(c));
  const away = calls.filter(asks_resolver);
  const [py, ts] = await Promise.all([python(here), ours(here)]);
  assert.equal(py.length, here.length);
  here.forEach((c, i) => assert.deepEqual(ts[i], py[i], `${c[0]}(${JSON.stringify(c[1])})`));
  if (away.length === 0) return here.length;
  if (missing("unshare")) {
    console.log(`not compared: ${away.length} calls that ask the resolver (no network namespace here)`);
    return calls.length;
  }
  const [py2, ts2] = await offline(away);
  assert.equal(py2.length, away.length);
  // In the namespace the resolver cannot be reached, so a reverse lookup that /etc/hosts does not answer fails
  // "temporarily" in CPython (getnameinfo: EAI_AGAIN; gethostbyaddr: herror 2, TRY_AGAIN). Those rows are
  // about what a lookup that finds no name gives (the resolver answering NXDOMAIN, as it did when these rows ran
  // outside a namespace): for them the CPython answer compared is glibc's for "no name", which CPython shows as
  // getnameinfo's numeric host (its own answer with NI_NUMERICHOST, asked here: no lookup), EAI_NONAME with
  // NI_NAMEREQD, and herror(1, "Unknown host") from gethostbyaddr. (pysocket gives that "no name" answer for an
  // unreachable resolver too: the difference is noted in docs/development.md.)
  const no_name = away.map(([fn, args], i): Call | null => {
    const o = py2[i]!;
    if (!("err" in o)) return null;
    if (fn === "getnameinfo" && o.err[0] === "gaierror" && o.err[1] === pysocket.EAI_AGAIN) {
      return ["getnameinfo", [args[0]!, (args[1] as number) | pysocket.NI_NUMERICHOST]];
    }
    if (fn === "gethostbyaddr" && o.err[0] === "herror" && o.err[1] === 2) return ["gethostbyaddr", args];
    return null;
  });
  const numeric = no_name.filter((c): c is Call => c !== null && c[0] === "getnameinfo");
  assert.ok(numeric.every((c) => !asks_resolver(c)));
  const numeric_py = await python(numeric);
  let k = 0;
  away.forEach((c, i) => {
    let want = py2[i]!;
    const alt = no_name[i];
    if (alt && alt[0] === "gethostbyaddr") want = { err: ["herror", 1, "[Errno 1] Unknown host"] };
    else if (alt) {
      want = numeric_py[k++]!;
      if ((c[1][1] as number) & pysocket.NI_NAMEREQD && "ok" in want) {
        want = { err: ["gaierror", pysocket.EAI_NONAME, "[Errno -2] Name or service not known"] };
      }
    }
    assert.deepEqual(ts2[i], want, `${c[0]}(${JSON.stringify(c[1])}) (in a network namespace)`);
  });
  return calls.length;
}

// ---- generated address strings ------------------------------------------

function generated_addresses(): string[] {
  const r = rng(20240611);
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const v4part = (): string => {
    const n = pick([0, 1, 7, 10, 127, 255, 256, 999, int(256), int(256), int(256), int(256), 65535, 16777215]);
    return r() < 0.7 ? String(n) : pick([`0x${n.toString(16)}`, `0${n.toString(8)}`, `0X${n.toString(16)}`, `00${n}`]);
  };
  const hex = () => int(0x10000).toString(16);
  const group = (): string =>
    r() < 0.8
      ? pick([hex(), hex(), "0", "0000", "ffff", "FFFF", hex().padStart(4, "0")])
      : pick([`0${hex().padStart(4, "0")}`, "g1", ""]);
  const out: string[] = [];
  for (let i = 0; i < 120; i++) {
    const parts = Array.from({ length: pick([1, 2, 3, 4, 4, 4, 4, 4, 5]) }, v4part);
    let s = parts.join(".");
    if (r() < 0.3) s += pick([" ", " junk", "\t", ".", "x", "\n"]);
    out.push(r() < 0.1 ? pick(["+", " ", "-"]) + s : s);
  }
  for (let i = 0; i < 140; i++) {
    const n = pick([8, 8, 8, 7, 6, 3, 9, 2]);
    const groups = Array.from({ length: n }, group);
    if (r() < 0.5) {
      const at = int(n + 1);
      groups.splice(at, pick([0, 1, 2]), "");
      if (at === 0) groups.unshift("");
      if (at >= groups.length - 1) groups.push("");
    }
    let s = groups.join(":");
    if (r() < 0.25) s += `:${[int(256), int(256), int(300), int(256)].join(".")}`;
    if (r() < 0.1) s += pick(["%lo", "%1", ":", "::", ":::"]);
    out.push(s);
  }
  for (let i = 0; i < 60; i++) out.push([int(256), int(256), int(256), int(256)].join("."));
  for (let i = 0; i < 60; i++) {
    const words = Array.from({ length: 8 }, () => (r() < 0.4 ? "0" : hex()));
    const text = words.join(":");
    out.push(r() < 0.5 ? text : text.replace(/(^|:)0(:0)+(:|$)/, "::"));
  }
  return out;
}

const EDGE_ADDRESSES = [
  "127.1",
  "0x7f.0.0.1",
  "0177.0.0.1",
  "127.0.0.1 junk",
  "1",
  "4294967295",
  "4294967296",
  "0x",
  "08.1.1.1",
  "1.16777215",
  "1.16777216",
  "",
  " 1.2.3.4",
  "1.2.3.",
  "01.2.3.4",
  "1.2.3.4",
  "255.255.255.255",
  "::",
  "::1",
  "::2",
  "::0.0.0.2",
  "::1.2.3.4",
  "::ffff:1.2.3.4",
  "::ffff:0.0.0.0",
  "1:2:3:4:5:6:7::",
  "::1:2:3:4:5:6:7",
  "1:2:3:4:5:6:7:8::",
  "1::2::3",
  ":1::",
  "1:",
  "00000::1",
  "1:2:3:4:5:6:1.2.3.4",
  "1:2:3:4:5:6:7:1.2.3.4",
  "::01.2.3.4",
  "fe80::1%lo",
  "2001:db8::1",
  "2001:DB8:0:0:1:0:0:1",
  "2001:db8:0:0:0:0:2:1",
  "1.2.3.4::",
  ":::",
];

Deno.test("inet_pton(), inet_aton() and inet_ntop() agree with CPython on 420 generated addresses", PY, async () => {
  const strings = [...EDGE_ADDRESSES, ...generated_addresses()];
  assert.ok(strings.length >= 420);
  const calls: Call[] = [];
  for (const s of strings) {
    calls.push(["inet_pton", [pysocket.AF_INET, s]], ["inet_pton", [pysocket.AF_INET6, s]], ["inet_aton", [s]]);
  }
  const n = await differential(calls);
  // Round trip every accepted address through inet_ntop on both sides.
  const accepted = (await ours(calls)).flatMap((o, i) =>
    "ok" in o && calls[i]![0] === "inet_pton" ? [[calls[i]![1][0]!, o.ok] as Wire[]] : []
  );
  assert.ok(accepted.length > 50, `only ${accepted.length} accepted`);
  const m = await differential(accepted.map((args) => ["inet_ntop", args]));
  assert.ok(n + m > 1000);
});

Deno.test("inet_ntop() prints 200 random IPv6 addresses with zero runs as CPython does", PY, async () => {
  const r = rng(7);
  const calls: Call[] = [];
  for (let i = 0; i < 200; i++) {
    const b = Array.from({ length: 16 }, () => (r() < 0.6 ? 0 : Math.floor(r() * 256)));
    if (i % 10 === 0) b.splice(10, 2, 0xff, 0xff);
    calls.push(["inet_ntop", [pysocket.AF_INET6, { bytes: b }]]);
  }
  calls.push(["inet_ntop", [pysocket.AF_INET, { bytes: [1, 2, 3] }]]);
  calls.push(["inet_ntop", [pysocket.AF_INET6, { bytes: [1, 2, 3, 4] }]]);
  calls.push(["inet_ntop", [3, { bytes: [1, 2, 3, 4] }]]);
  calls.push(["inet_ntoa", [{ bytes: [10, 0, 0, 1] }]]);
  calls.push(["inet_ntoa", [{ bytes: [10, 0, 0] }]]);
  calls.push(["inet_pton", [3, "1.2.3.4"]]);
  await differential(calls);
});

Deno.test("htons(), htonl(), ntohs() and ntohl() agree with CPython, range errors included", PY, async () => {
  const values: Wire[] = [0, 1, 0x1234, 65535, 65536, -1, 2147483647, 2147483648, -2147483649, 4294967295];
  values.push({ int: "4294967296" }, { int: "18446744073709551616" }, { int: "-9223372036854775809" }, true);
  const calls: Call[] = [];
  for (const fn of ["htons", "ntohs", "htonl", "ntohl"]) for (const v of values) calls.push([fn, [v]]);
  calls.push(["htons", [1.5]], ["htonl", [1.5]], ["htons", ["1"]], ["htonl", ["1"]]);
  await differential(calls);
});

Deno.test("getservbyname(), getservbyport() and getprotobyname() agree with CPython", PY, async () => {
  const names = ["http", "www", "https", "ftp", "ssh", "smtp", "mail", "domain", "ntp", "HTTP", "nosuch", "telnet"];
  const calls: Call[] = [];
  for (const n of names) {
    calls.push(["getservbyname", [n]], ["getservbyname", [n, "tcp"]], ["getservbyname", [n, "udp"]]);
  }
  for (const p of [0, 1, 7, 21, 22, 25, 53, 80, 110, 123, 143, 443, 993, 5432, 8080, 65535, 65536, -1]) {
    calls.push(["getservbyport", [p]], ["getservbyport", [p, "tcp"]], ["getservbyport", [p, "udp"]]);
  }
  for (const p of ["ip", "IP", "tcp", "TCP", "udp", "icmp", "ipv6-icmp", "sctp", "nosuch"]) {
    calls.push(["getprotobyname", [p]]);
  }
  await differential(calls);
});

Deno.test("getservbyname() and getprotobyname() use the built-in table without --allow-read", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const script = `${dir}/fallback.ts`;
    await Deno.writeTextFile(
      script,
      `import { getprotobyname, getservbyname, getservbyport } from "${
        new URL("../mod.ts", import.meta.url).href
      }";\n` +
        `console.log(JSON.stringify([getservbyname("http"), getservbyname("ssh", "tcp"), getservbyport(25), ` +
        `getservbyname("domain", "udp"), getprotobyname("tcp")]));\n`,
    );
    const out = await new Deno.Command(Deno.execPath(), { args: ["run", "--no-prompt", script] }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.deepEqual(JSON.parse(new TextDecoder().decode(out.stdout)), [80, 22, "smtp", 53, 6]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("gethostname() and the interface functions agree with CPython", PY, async () => {
  const calls: Call[] = [["gethostname", []], ["if_nameindex", []]];
  for (const n of ["lo", "eth0", "nosuch"]) calls.push(["if_nametoindex", [n]]);
  for (const i of [0, 1, 2, 4, 99, -1]) calls.push(["if_indextoname", [i]]);
  await differential(calls);
});

Deno.test(
  "getaddrinfo() agrees with CPython for localhost, literals, services, flags and an unresolvable name",
  PY,
  async () => {
    const { AF_INET, AF_INET6, SOCK_STREAM, SOCK_DGRAM, SOCK_RAW } = pysocket;
    const { AI_PASSIVE, AI_NUMERICHOST, AI_NUMERICSERV, AI_CANONNAME, AI_ADDRCONFIG, AI_V4MAPPED, AI_ALL } = pysocket;
    // The rows with a name (localhost, LOCALHOST, "", "a..b", a scope that is no interface) ask the resolver:
    // differential() runs them inside a network namespace, so no lookup leaves the machine (an unresolvable
    // name is also compared in tests/names_safety_test.ts).
    const calls: Call[] = [];
    const hosts: Wire[] = ["localhost", "127.0.0.1", "::1", null];
    for (const h of hosts) {
      for (const port of [80, "http", "domain", null, "nosuch", "8080", -1, 70000]) {
        calls.push(["getaddrinfo", [h, port]]);
        calls.push(["getaddrinfo", [h, port, 0, SOCK_STREAM]]);
      }
      for (const family of [0, AF_INET, AF_INET6, 99]) {
        for (
          const flags of [0, AI_PASSIVE, AI_NUMERICHOST, AI_CANONNAME, AI_ADDRCONFIG, AI_V4MAPPED, AI_V4MAPPED | AI_ALL]
        ) {
          calls.push(["getaddrinfo", [h, 443, family, SOCK_STREAM, 0, flags]]);
        }
      }
      for (
        const [type, proto] of [[SOCK_DGRAM, 0], [SOCK_RAW, 0], [0, 17], [SOCK_STREAM, 17], [5, 0], [4, 0], [0, 99]]
      ) {
        calls.push(["getaddrinfo", [h, 53, 0, type!, proto!]]);
        calls.push(["getaddrinfo", [h, null, 0, type!, proto!]]);
      }
    }
    for (
      const h of ["127.1", "0x7f.1", "LOCALHOST", "fe80::1%lo", "fe80::1%1", "::1%lo", "fe80::1%nosuch", "", "a..b"]
    ) {
      calls.push(["getaddrinfo", [h, 80, 0, SOCK_STREAM, 0, AI_CANONNAME]]);
    }
    calls.push(["getaddrinfo", [null, null]], ["getaddrinfo", ["localhost", "ssh", 0, 0, 0, AI_NUMERICSERV]]);
    calls.push(["getaddrinfo", ["localhost", 80, 0, 0, 0, 0x800]], ["getaddrinfo", [null, 80, 0, 0, 0, AI_CANONNAME]]);
    calls.push(["getaddrinfo", ["localhost", " 80", 0, SOCK_STREAM]], ["getaddrinfo", [
      "localhost",
      "80 ",
      0,
      SOCK_STREAM,
    ]]);
    calls.push(["getaddrinfo", ["localhost", 1.5]], ["getaddrinfo", [1, 80]]);
    const n = await differential(calls);
    assert.ok(n > 245, String(n));
  },
);

Deno.test(
  "getnameinfo(), gethostbyname(), gethostbyname_ex(), gethostbyaddr() and getfqdn() agree with CPython",
  PY,
  async () => {
    const { NI_NUMERICHOST, NI_NUMERICSERV, NI_NAMEREQD, NI_DGRAM } = pysocket;
    const calls: Call[] = [];
    const addrs: Wire[] = [
      ["127.0.0.1", 22],
      ["127.0.0.1", 53],
      ["127.0.0.1", 12345],
      ["::1", 80, 0, 0],
      ["::1", 80],
      ["fe80::1", 80, 0, 1],
      ["fe80::1", 80, 0, 99],
      ["fd00::1", 80, 0, 1],
      ["127.0.0.1", 80, 0, 0],
      ["127.1", 80],
      ["localhost", 80],
      ["", 80],
      ["127.0.0.1", 70000],
      ["127.0.0.1", -1],
      ["::ffff:127.0.0.1", 80],
      ["127.0.0.1"],
      ["::1", 80, 1048576],
    ];
    for (const a of addrs) {
      for (
        const f of [0, NI_NUMERICHOST, NI_NUMERICSERV, NI_NUMERICHOST | NI_NUMERICSERV, NI_NAMEREQD, NI_DGRAM, 256]
      ) {
        calls.push(["getnameinfo", [a, f]]);
      }
    }
    for (const h of ["localhost", "127.0.0.1", "127.1", "::1", "", "<broadcast>", "nothing-here.invalid"]) {
      calls.push(["gethostbyname", [h]], ["gethostbyname_ex", [h]], ["gethostbyaddr", [h]], ["getfqdn", [h]]);
    }
    calls.push(["getfqdn", []], ["gethostbyaddr", ["0.0.0.0"]], ["gethostbyaddr", ["fe80::1%lo"]]);
    await differential(calls);
  },
);

Deno.test("if_addresses() lists every interface with its IP and MAC addresses", () => {
  const list = pysocket.if_addresses();
  const lo = list.find((i) => i.name === "lo");
  assert.ok(lo, JSON.stringify(list));
  assert.equal(lo.index, pysocket.if_nametoindex("lo"));
  assert.ok(lo.addresses.some((a) => a.family === pysocket.AF_INET && a.address === "127.0.0.1" && a.prefixlen === 8));
  for (const i of list) assert.match(i.mac, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
});

Deno.test("getaddrinfo() rejects with signal.reason when aborted", async () => {
  const reason = new Error("stop");
  // The resolver seam: a lookup that never answers (so the abort is what ends the call), and no query leaves the
  // machine whatever /etc/hosts holds.
  const asked: string[] = [];
  _set_lookup_for_tests((host) => {
    asked.push(host);
    return new Promise(() => {});
  });
  try {
    await assert.rejects(
      pysocket.getaddrinfo("localhost", 80, { signal: AbortSignal.abort(reason) }),
      (e) => e === reason,
    );
  } finally {
    _set_lookup_for_tests(null);
  }
  assert.ok(asked.every((h) => h === "localhost"), asked.join());
});

Deno.test("examples/interfaces.ts prints the interfaces and the well-known ports", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-prompt",
      "--allow-sys",
      "--allow-read",
      "--allow-net=localhost",
      new URL("../examples/interfaces.ts", import.meta.url).pathname,
    ],
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.match(text, /\blo\b/);
  assert.match(text, /127\.0\.0\.1/);
  assert.match(text, /00:00:00:00:00:00/);
  for (const line of [/http\s+80\/tcp/, /ssh\s+22\/tcp/, /ftp\s+21\/tcp/, /smtp\s+25\/tcp/, /domain\s+53\/udp/]) {
    assert.match(text, line);
  }
});

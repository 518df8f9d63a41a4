// adv18c: the pure functions beside CPython 3.11, fuzzed with seeded inputs: inet_aton/inet_ntoa/inet_pton/inet_ntop
// (odd forms: 1, 1.2, 0x7f.1, octal, trailing spaces, embedded IPv4, zones), htons/ntohl and friends with bad sizes and
// types, getservbyname/getservbyport/getprotobyname, getaddrinfo with numeric loopback hosts (or AI_NUMERICHOST) and
// getnameinfo on numeric loopback hosts. Each row's class, text and errno against python3 running the same call.
// A18c-4: a lone surrogate in a str argument CPython encodes as UTF-8 (inet_aton, inet_pton, getnameinfo's host,
//   getservbyname, getservbyport's and getprotobyname's protocol, getaddrinfo's port) is CPython's UnicodeEncodeError
//   (ValueError: RangeError); pysocket went on with the text (OSError, gaierror).
// A18c-5: getservbyport parses both arguments ("i|s": a C int, then the protocol) before the port's range check.
// A18c-6: getnameinfo: flags a C int, parsed first; flowinfo and scope_id unsigned, masked to 32 bits ("I": -1 is
//   4294967295, refused as flowinfo; 2**32 is 0).
// A18c-7: getaddrinfo's port is a C string (up to a NUL) and an empty service is none, after glibc's check that a
//   host or a service is given.
// A18c-8: glibc's getaddrinfo takes "*" as no host and as no service: pysocket looked the name "*" up.
// A18c-9: getaddrinfo parses family/type/proto/flags as C ints before the host and the port.
// A18c-10/11: an IPv4-mapped IPv6 literal asked for as AF_INET is its IPv4 address (getaddrinfo, and the AF_INET
//   address of connect/sendto/bind, as CPython's setipaddr gets it from glibc); pysocket refused it (EAI_ADDRFAMILY).
// A18c-13: an AF_UNIX str path or an interface name is encoded with the file system encoding (UTF-8,
//   surrogateescape): a lone surrogate outside U+DC80-U+DCFF is CPython's UnicodeEncodeError; pysocket bound a path
//   with U+FFFD in its place. A path with U+DC80-U+DCFF (CPython: raw bytes) or bytes that are not UTF-8 cannot be
//   given to Deno: refused with a RangeError (documented), where it was silently another path.
// A18c-18: an AF_INET tuple's host in one of inet_aton's forms (127.1, 0x7f.1, 2130706433, 0177.0.0.1) is that
//   address (CPython's setipaddr gets it from glibc's getaddrinfo, which reads them before any lookup); pysocket
//   handed it to the resolver as a name. On AF_INET6 such a host is EAI_ADDRFAMILY, as a dotted quad is; and an
//   AF_INET6 tuple's flowinfo is read as "I" (masked to 32 bits), as getnameinfo's (A18c-6).
// No row resolves a name: hosts are literals, None, "", "*", or anything with AI_NUMERICHOST; a resolver seam that
// throws guards pysocket's side. No row looks an address up in the DNS either: getnameinfo has NI_NUMERICHOST unless
// the host is 127.0.0.1 (in one of its forms: /etc/hosts answers). ADV18C_FULL=1 runs bigger tables.

import assert from "node:assert/strict";
import * as S from "../mod.ts";
import { _set_lookup_for_tests } from "../_resolve.ts";
import { PY_ENC_CLS, python_json, rng } from "./_twin.ts";

const FULL = Deno.env.get("ADV18C_FULL") === "1";

type V = unknown;

/** Calls as [function name, encoded args]: {s} str, {i} int (decimal text), {f} float, {b} bytes (hex), {n} None,
 * {t} bool, {l} tuple, {c} a socket module constant by name. */
const PY = `
import json, math, socket, sys
import socket as _sm
def dec(v):
    if isinstance(v, dict):
        k, x = next(iter(v.items()))
        if k == "s": return x
        if k == "i": return int(x)
        if k == "f": return float(x)
        if k == "b": return bytes.fromhex(x)
        if k == "ba": return bytearray.fromhex(x)
        if k == "n": return None
        if k == "t": return bool(x)
        if k == "l": return tuple(dec(y) for y in x)
        if k == "c": return getattr(_sm, x)
    return v
${PY_ENC_CLS}
out = []
for fn, args in json.load(sys.stdin):
    try:
        out.append(["ok", enc(getattr(_sm, fn)(*[dec(a) for a in args]))])
    except Exception as e:
        # An OSError's strerror and args too (gaierror, herror, OSError with or without an errno).
        out.append([cls(e), str(e), getattr(e, "errno", None), getattr(e, "strerror", "n/a"), [enc(a) for a in e.args]] if isinstance(e, OSError) else [cls(e), str(e), getattr(e, "errno", None)])
print(json.dumps(out))
`;

const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");

function dec(v: V): unknown {
  if (v && typeof v === "object" && !Array.isArray(v)) {
    const [k, x] = Object.entries(v)[0]!;
    if (k === "s") return x;
    if (k === "i") {
      const b = BigInt(x as string);
      return b >= -(2n ** 53n) + 1n && b <= 2n ** 53n - 1n ? Number(b) : b;
    }
    if (k === "f") return Number(x);
    if (k === "b") return new Uint8Array(((x as string).match(/../g) ?? []).map((h) => parseInt(h, 16)));
    if (k === "n") return null;
    if (k === "t") return Boolean(x);
    if (k === "l") return (x as V[]).map(dec);
    if (k === "c") return (S as Record<string, unknown>)[x as string];
  }
  return v;
}

function enc(r: unknown): unknown {
  if (r instanceof Uint8Array) return { b: hex(r) };
  if (Array.isArray(r)) return r.map(enc);
  return r;
}

/** python3's and pysocket's outcome of each row: ["ok", value] or [class, text, errno]. */
async function run_rows(rows: [string, V[]][]): Promise<[unknown[], unknown[]]> {
  const want = await python_json(PY, rows) as unknown[];
  _set_lookup_for_tests(() => {
    throw new Error("a name lookup in a pure row");
  });
  const got: unknown[] = [];
  try {
    for (const [fn, args] of rows) {
      try {
        const r = await (S as unknown as Record<string, (...a: unknown[]) => unknown>)[fn]!(...args.map(dec));
        got.push(["ok", enc(r)]);
      } catch (e) {
        const x = e as { name: string; message: string; errno?: number | null };
        const o = e as { strerror?: unknown; args?: unknown[] };
        got.push(
          e instanceof S.OSError
            ? [x.name, x.message, x.errno ?? null, o.strerror ?? null, (o.args ?? []).map(enc)]
            : [x.name, x.message, x.errno ?? null],
        );
      }
    }
  } finally {
    _set_lookup_for_tests(null);
  }
  return [want, got];
}

function assert_rows(rows: [string, V[]][], want: unknown[], got: unknown[]): void {
  const bad = rows.map((r, i) => [r, want[i], got[i]]).filter(([, w, g]) => JSON.stringify(w) !== JSON.stringify(g));
  assert.deepEqual(bad.slice(0, 8).map((b) => JSON.stringify(b)), [], `${bad.length} of ${rows.length} rows differ`);
}

function inet_rows(seed: number, n: number): [string, V[]][] {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const rows: unknown[] = [];
  const alpha = [
    ..."0123456789",
    "0x",
    "0X",
    "x",
    "a",
    "f",
    "g",
    ".",
    ".",
    ".",
    " ",
    "\t",
    "\n",
    "\v",
    "-",
    "+",
    ":",
    "::",
    "%",
    "%eth0",
    "%1",
    "4294967295",
    "4294967296",
    "256",
    "255",
    "0377",
    "0400",
    "018",
    "00",
    "0x100",
    "0xff",
    "\u00a0",
    "１",
    "\ud800",
    "\0",
    "18446744073709551616",
    "99999999999999999999",
  ];
  const v6parts = [
    "::",
    ":",
    "1",
    "ffff",
    "FFFF",
    "10000",
    "0",
    "00000",
    "1.2.3.4",
    "127.0.0.1",
    "1.2.3",
    "256.1.1.1",
    "%1",
    "%lo",
    "g",
    "fe80",
    "::ffff:",
    "1:2:3:4:5:6:7:8",
    "1:2:3:4:5:6:7",
    "1:2:3:4:5:6:7:8:9",
    ":::",
    " ",
  ];
  for (let i = 0; i < n; i++) {
    let s = "";
    for (let k = 0, n = 1 + Math.floor(r() * 8); k < n; k++) s += pick(alpha);
    let s6 = "";
    for (let k = 0, n = 1 + Math.floor(r() * 6); k < n; k++) s6 += pick(v6parts) + (r() < 0.5 ? ":" : "");
    const m = i % 6;
    if (m === 0) rows.push(["inet_aton", [{ s }]]);
    else if (m === 1) rows.push(["inet_pton", [{ c: "AF_INET" }, { s }]]);
    else if (m === 2) rows.push(["inet_pton", [{ c: "AF_INET6" }, { s: s6 }]]);
    else if (m === 3) {
      rows.push(["getaddrinfo", [{ s: r() < 0.5 ? s : s6 }, { i: "80" }, { i: "0" }, { c: "SOCK_STREAM" }, { i: "0" }, {
        c: "AI_NUMERICHOST",
      }]]);
    } else if (m === 4) {
      const n = pick([0, 1, 3, 4, 5, 15, 16, 17]);
      const b = Array.from({ length: n }, () => Math.floor(r() * 256).toString(16).padStart(2, "0")).join("");
      rows.push(["inet_ntop", [{ c: pick(["AF_INET", "AF_INET6", "AF_UNIX"]) }, { b }]]);
      rows.push(["inet_ntoa", [{ b }]]);
    } else {
      // NI_NUMERICHOST (1) always: these hosts are odd text, and one that parses (0.0.0.3, ::ffff:0.0.0.0, ...) would
      // otherwise be looked up in the DNS by CPython (a PTR query leaving the machine).
      rows.push(["getnameinfo", [{ l: [{ s: r() < 0.5 ? s : s6 }, { i: String(Math.floor(r() * 70000)) }] }, {
        i: String(pick([0, 1, 2, 3, 8, 10, 16, 0x100, -1]) | 1),
      }]]);
    }
  }
  return rows as [string, V[]][];
}

function misc_rows(seed: number, n: number): [string, V[]][] {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const ints = [
    "0",
    "1",
    "-1",
    "80",
    "65535",
    "65536",
    "2147483647",
    "2147483648",
    "-2147483648",
    "-2147483649",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "18446744073709551615",
    "18446744073709551616",
    "340282366920938463463374607431768211456",
    "-65536",
  ];
  const odd: unknown[] = [
    { f: "1.5" },
    { f: "nan" },
    { f: "inf" },
    { f: "-inf" },
    { s: "80" },
    { n: 1 },
    { t: true },
    { t: false },
    { b: "50" },
    { l: [] },
  ];
  const anyv = () => r() < 0.7 ? { i: pick(ints) } : pick(odd);
  const names = [
    "http",
    "HTTP",
    "ssh",
    "domain",
    "www",
    "www-http",
    "nosuch",
    "",
    "http\0",
    "h\ud800",
    "ｈｔｔｐ",
    "tcp",
    "echo",
    "discard",
    "ntp",
    "kerberos",
    "sunrpc",
    "x".repeat(300),
    "http ",
    " http",
  ];
  const protos = ["tcp", "udp", "TCP", "", "sctp", "ddp", "x", "tcp\0", "\udc80", "icmp", "ip", "IP", "ipv6-icmp"];
  const ports = [
    { s: "80" },
    { s: "http" },
    { s: "80\u0000x" },
    { s: "" },
    { s: "-1" },
    { s: "65536" },
    { s: " 80" },
    { s: "0x50" },
    { s: "080" },
    { s: "\ud800" },
    { b: "3830" },
    { i: "-1" },
    { i: "65536" },
    { i: "0" },
    { i: "9223372036854775808" },
    { f: "1.5" },
    { n: 1 },
    { s: "nosuchservice" },
    { s: "ssh" },
    { s: "domain" },
    { t: true },
  ];
  const hosts = [
    { s: "127.0.0.1" },
    { s: "::1" },
    { n: 1 },
    { s: "127.1" },
    { s: "0x7f.1" },
    { s: "0177.0.0.1" },
    { s: "::ffff:127.0.0.1" },
    { s: "127.0.0.1 " },
    { s: "::1%1" },
    { s: "::1%lo" },
    { b: "3132372e302e302e31" },
    { s: "" },
  ];
  const fams = ["AF_UNSPEC", "AF_INET", "AF_INET6", "AF_UNIX"],
    types = ["SOCK_STREAM", "SOCK_DGRAM", "SOCK_RAW", "SOCK_SEQPACKET"];
  const rows: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const m = i % 8;
    if (m === 0) rows.push([pick(["htons", "ntohs", "htonl", "ntohl"]), [anyv()]]);
    else if (m === 1) {
      rows.push([
        "getservbyname",
        r() < 0.3 ? [{ s: pick(names) }] : [{ s: pick(names) }, r() < 0.9 ? { s: pick(protos) } : pick(odd)],
      ]);
    } else if (m === 2) {
      rows.push(["getservbyport", r() < 0.3 ? [anyv()] : [anyv(), r() < 0.9 ? { s: pick(protos) } : pick(odd)]]);
    } else if (m === 3) rows.push(["getprotobyname", [r() < 0.9 ? { s: pick(protos) } : pick(odd)]]);
    else if (m === 4 || m === 5) {
      const h = pick(hosts);
      const flags = (r() < 0.5 ? 4 : 0) | (r() < 0.3 ? 1 : 0) | (r() < 0.3 ? 0x400 : 0) | (r() < 0.2 ? 2 : 0) |
        (r() < 0.1 ? 8 : 0) | (r() < 0.1 ? 0x10 : 0) | (r() < 0.05 ? 0x800 : 0);
      // A host that is not a literal only with AI_NUMERICHOST (never a lookup); null and "" are no lookup.
      rows.push(["getaddrinfo", [
        h,
        pick(ports),
        { c: pick(fams) },
        r() < 0.8 ? { c: pick(types) } : { i: pick(["0", "-1", "7", "2147483648"]) },
        { i: pick(["0", "0", "6", "17", "132", "-1", "256"]) },
        { i: String(flags | 4) },
      ]]);
    } else {
      const h = pick([
        { s: "127.0.0.1" },
        { s: "127.1" },
        { s: "::1" },
        { s: "::ffff:127.0.0.1" },
        { s: "127.0.0.1%1" },
        { s: "::1%1" },
        { s: "::1%lo" },
        { s: "x" },
        { s: "" },
        { b: "313237" },
        { i: "1" },
      ]);
      const p = r() < 0.8 ? { i: pick(["0", "22", "80", "65535", "65536", "-1", "53"]) } : pick(odd);
      let t: unknown[] = [h, p];
      if (r() < 0.3) t = [...t, { i: pick(["0", "1", "1048575", "1048576", "-1"]) }];
      if (r() < 0.2) t = [...t, { i: pick(["0", "1", "4294967295", "4294967296"]) }];
      if (r() < 0.05) t = [h];
      let f = pick([1, 1, 3, 2, 9, 11, 0x20, 0x100, -1, 8]);
      const hs = (h as { s?: string }).s ?? "";
      if (!(hs.startsWith("127") || hs === "")) f |= 1; // reverse lookups only for 127.x (/etc/hosts)
      rows.push(["getnameinfo", [r() < 0.95 ? { l: t } : pick(odd), { i: String(f) }]]);
    }
  }
  return rows as [string, V[]][];
}

Deno.test("adv18c pure: inet_aton/inet_pton/inet_ntop/inet_ntoa and numeric getaddrinfo/getnameinfo on odd text (A18c-4)", async () => {
  const rows = inet_rows(5, FULL ? 20000 : 2400);
  const [want, got] = await run_rows(rows);
  assert_rows(rows, want, got);
  assert.ok(want.filter((w) => (w as unknown[])[0] === "ok").length > 100, "some rows parse");
});

Deno.test("adv18c pure: byte order, services, protocols, getaddrinfo/getnameinfo arguments (A18c-4..10)", async () => {
  const rows: [string, V[]][] = [
    ...misc_rows(5, FULL ? 20000 : 2400),
    ["getaddrinfo", [{ s: "*" }, { i: "80" }, { c: "AF_INET" }, { c: "SOCK_STREAM" }, { i: "0" }, {
      c: "AI_NUMERICHOST",
    }]],
    ["getaddrinfo", [{ s: "*" }, { i: "80" }, { c: "AF_INET" }, { c: "SOCK_STREAM" }, { i: "0" }, { i: "5" }]],
    ["getaddrinfo", [{ s: "127.0.0.1" }, { s: "*" }, { c: "AF_INET" }, { c: "SOCK_STREAM" }, { i: "0" }, { i: "4" }]],
    ["getaddrinfo", [{ s: "*" }, { s: "*" }, { c: "AF_INET" }, { c: "SOCK_STREAM" }, { i: "0" }, { i: "4" }]],
    ["getaddrinfo", [{ b: "2a" }, { s: "" }, { c: "AF_INET6" }, { c: "SOCK_STREAM" }, { i: "0" }, { i: "4" }]],
    ["getaddrinfo", [{ s: "::ffff:127.0.0.1" }, { i: "80" }, { c: "AF_INET" }, { i: "0" }, { i: "0" }, { i: "6" }]],
    ["getaddrinfo", [{ s: "::ffff:127.0.0.1%lo" }, { i: "80" }, { c: "AF_INET" }, { i: "0" }, { i: "0" }, { i: "4" }]],
    ["getaddrinfo", [{ s: "fe80::1%nosuchif" }, { i: "80" }, { c: "AF_INET" }, { i: "0" }, { i: "0" }, { i: "4" }]],
    ["getaddrinfo", [{ s: "::127.0.0.1" }, { i: "80" }, { c: "AF_INET" }, { i: "0" }, { i: "0" }, { i: "4" }]],
  ];
  const [want, got] = await run_rows(rows);
  assert_rows(rows, want, got);
});

Deno.test("adv18c pure: an AF_INET address that is an IPv4-mapped literal is its IPv4 address, as CPython (A18c-11)", async () => {
  const hosts = [
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "::ffff:127.0.0.1%1",
    "::ffff:127.0.0.1%lo",
    "::1",
    "::127.0.0.1",
  ];
  const want = await python_json(
    `
import json, socket as s, sys
l = s.socket(); l.bind(("127.0.0.1", 0)); l.listen()
out = []
for h in json.load(sys.stdin):
    row = []
    c = s.socket(s.AF_INET)
    try: c.connect((h, l.getsockname()[1])); row.append(["connected", c.getpeername()[0]])
    except Exception as e: row.append([type(e).__name__, str(e)])
    c.close()
    u = s.socket(s.AF_INET, s.SOCK_DGRAM)
    try: u.bind((h, 0)); row.append(["bound", u.getsockname()[0]])
    except Exception as e: row.append([type(e).__name__, str(e)])
    try: row.append(["sent", u.sendto(b"x", (h, 9))])
    except Exception as e: row.append([type(e).__name__, str(e)])
    u.close()
    try: row.append(["ok", s.gethostbyname(h)])
    except Exception as e: row.append([type(e).__name__, str(e)])
    out.append(row)
l.close()
print(json.dumps(out))
`,
    hosts,
  );
  const l = S.socket();
  l.bind(["127.0.0.1", 0]);
  l.listen();
  const got: unknown[] = [];
  const err = (e: unknown) => [(e as Error).name, (e as Error).message];
  try {
    for (const h of hosts) {
      const row: unknown[] = [];
      const c = S.socket(S.AF_INET);
      try {
        await c.connect([h, (l.getsockname() as [string, number])[1]]);
        row.push(["connected", (c.getpeername() as [string, number])[0]]);
      } catch (e) {
        row.push(err(e));
      } finally {
        c.close();
      }
      const u = S.socket(S.AF_INET, S.SOCK_DGRAM);
      try {
        u.bind([h, 0]);
        row.push(["bound", (u.getsockname() as [string, number])[0]]);
      } catch (e) {
        row.push(err(e));
      }
      try {
        row.push(["sent", await u.sendto(new Uint8Array([120]), [h, 9])]);
      } catch (e) {
        row.push(err(e));
      } finally {
        u.close();
      }
      try {
        row.push(["ok", await S.gethostbyname(h)]);
      } catch (e) {
        row.push(err(e));
      }
      got.push(row);
    }
  } finally {
    l.close();
  }
  assert.deepEqual(got, want);
});

Deno.test("adv18c pure: a lone surrogate in an AF_UNIX path or an interface name is CPython's UnicodeEncodeError (A18c-13)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "adv18c_" });
  const paths = [
    "x\ud800",
    "x\udc80\ud800y",
    "x\ud800\ud801",
    "x\udc80\ud800\udc81",
    "\u{10000}\ud800",
    "\udfff\u{1F600}",
    "ok\u{1F600}",
    "x\udc80",
    "x\udcff",
  ];
  try {
    await Deno.mkdir(dir + "/py");
    const again = await python_json(
      `
import json, os, socket as s, sys
d, paths = json.load(sys.stdin)
out = []
for p in paths:
    row = []
    for op in ("connect", "bind"):
        u = s.socket(s.AF_UNIX)
        try: getattr(u, op)(os.path.join(d, p)); row.append(["ok"])
        except Exception as e: row.append(["ValueError" if isinstance(e, ValueError) else type(e).__name__, str(e)])
        finally: u.close()
    out.append(row)
for n in ["lo\\ud800", "lo\\udfff\\ud800", "lo\\udc80"]:
    try: out.append(["ok", s.if_nametoindex(n)])
    except Exception as e: out.append(["ValueError" if isinstance(e, ValueError) else type(e).__name__, str(e)])
print(json.dumps(out))
`,
      [dir + "/py", paths],
    );
    assert.ok(Array.isArray(again), `python3 twin: ${JSON.stringify(again)}`);
    await Deno.mkdir(dir + "/ps");
    const got: unknown[] = [];
    // Positions count from the start of the path: the twin joined the same directory length (py/ and ps/).
    for (const p of paths) {
      const row: unknown[] = [];
      for (const op of ["connect", "bind"] as const) {
        const u = S.socket(S.AF_UNIX);
        try {
          if (op === "bind") u.bind(`${dir}/ps/${p}`);
          else await u.connect(`${dir}/ps/${p}`);
          row.push(["ok"]);
        } catch (e) {
          row.push([e instanceof RangeError ? "ValueError" : (e as Error).name, (e as Error).message]);
        } finally {
          u.close();
        }
      }
      got.push(row);
    }
    for (const n of ["lo\ud800", "lo\udfff\ud800", "lo\udc80"]) {
      try {
        got.push(["ok", S.if_nametoindex(n)]);
      } catch (e) {
        got.push([e instanceof RangeError ? "ValueError" : (e as Error).name, (e as Error).message]);
      }
    }
    // Documented limit: a path with U+DC80-U+DCFF (CPython: raw bytes 0x80-0xff) cannot be given to Deno: refused.
    const expected = (again as unknown[]).map((w, i) => {
      const p = paths[i];
      if (p === undefined || !/[\udc80-\udcff]/.test(p.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ""))) return w;
      if (JSON.stringify(w).includes("surrogates not allowed")) return w;
      const msg = "AF_UNIX path: bytes that are not UTF-8 (or U+DC80-U+DCFF escapes of them) cannot be passed to Deno";
      return [["ValueError", msg], ["ValueError", msg]];
    });
    assert.deepEqual(got, expected);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("adv18c pure: inet_aton's forms are addresses in AF_INET tuples; AF_INET6 flowinfo is masked (A18c-18, A18c-6)", async () => {
  const v4 = ["127.1", "0x7f.1", "2130706433", "0177.0.0.1", "127.0.1", "0x7f000001"];
  const want = await python_json(
    `
import json, socket as s, sys
v4 = json.load(sys.stdin)
def err(e): return ["ValueError" if isinstance(e, (ValueError, OverflowError)) else type(e).__name__, str(e)]
out = []
l = s.socket(); l.bind(("127.0.0.1", 0)); l.listen(); port = l.getsockname()[1]
for h in v4:
    row = []
    c = s.socket()
    try: c.connect((h, port)); row.append(["connected", c.getpeername()[0]])
    except Exception as e: row.append(err(e))
    c.close()
    d = s.socket(s.AF_INET, s.SOCK_DGRAM)
    try: row.append(["sent", d.sendto(b"x", (h, 9))])
    except Exception as e: row.append(err(e))
    d.close()
    out.append(row)
l.close()
l = s.socket(s.AF_INET6); l.bind(("::1", 0)); l.listen(); port = l.getsockname()[1]
for a in [("::1", port, 2**32, 0), ("::1", port, -1, 0), ("::1", port, 2**32 + 5, 0), ("127.1", port), ("0x7f.1", port), ("127.0.0.1", port), ("::1", 2**31)]:
    c = s.socket(s.AF_INET6)
    try: c.connect(a); out.append(["connected", c.getpeername()[0]])
    except Exception as e: out.append(err(e))
    c.close()
l.close()
print(json.dumps(out))
`,
    v4,
  );
  const seen: string[] = [];
  _set_lookup_for_tests((h) => {
    seen.push(h);
    return Promise.reject(new S.gaierror(-2));
  });
  const got: unknown[] = [];
  const err = (e: unknown) => [e instanceof RangeError ? "ValueError" : (e as Error).name, (e as Error).message];
  try {
    const l = S.socket();
    l.bind(["127.0.0.1", 0]);
    l.listen();
    let port = (l.getsockname() as [string, number])[1];
    for (const h of v4) {
      const row: unknown[] = [];
      const c = S.socket();
      try {
        await c.connect([h, port]);
        row.push(["connected", (c.getpeername() as [string, number])[0]]);
      } catch (e) {
        row.push(err(e));
      } finally {
        c.close();
      }
      const d = S.socket(S.AF_INET, S.SOCK_DGRAM);
      try {
        row.push(["sent", await d.sendto(new Uint8Array([120]), [h, 9])]);
      } catch (e) {
        row.push(err(e));
      } finally {
        d.close();
      }
      got.push(row);
    }
    l.close();
    const l6 = S.socket(S.AF_INET6);
    l6.bind(["::1", 0]);
    l6.listen();
    port = (l6.getsockname() as unknown as [string, number])[1];
    const rows: unknown[][] = [
      ["::1", port, 2 ** 32, 0],
      ["::1", port, -1, 0],
      ["::1", port, 2 ** 32 + 5, 0],
      ["127.1", port],
      ["0x7f.1", port],
      ["127.0.0.1", port],
      ["::1", 2 ** 31],
    ];
    for (const a of rows) {
      const c = S.socket(S.AF_INET6);
      try {
        await c.connect(a as [string, number]);
        got.push(["connected", (c.getpeername() as unknown as [string, number])[0]]);
      } catch (e) {
        got.push(err(e));
      } finally {
        c.close();
      }
    }
    l6.close();
  } finally {
    _set_lookup_for_tests(null);
  }
  assert.deepEqual(got, want);
  assert.deepEqual(seen, [], "no literal went to the resolver");
});

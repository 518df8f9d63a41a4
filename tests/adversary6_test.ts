// Adversary round 6 (adv6), against round four's changes, CPython 3.11 as the oracle (each test runs its twin):
//   A6-1: a TCP connect to port 0 raised Deno's RangeError "Invalid port (out of range): 0" (CPython:
//         ConnectionRefusedError; connect_ex 111). create_connection((host, None)), (host, "") and
//         (host, 65536), whose getaddrinfo port is 0 since A4-3, met it too.
//   A6-2: create_connection(source_address=[]) raised TypeError (CPython: `if source_address:` binds nothing);
//         getaddrinfo(host, true) took the bool as port 1 (CPython: OSError "Int or String expected").
//   A6-3: socketpair(AF_UNIX, ...) took protocol -1 (CPython: EPROTONOSUPPORT), refused PF_UNIX (1) as a
//         protocol (Linux takes 0 or 1), and an unknown type was EOPNOTSUPP (CPython: ESOCKTNOSUPPORT, also
//         socket(fam, 0 or 7), which was EINVAL).
//   A6-4: timeouts: select.select() and DefaultSelector.select() refused a bool (a Python int); serve_forever()
//         a bool or a bigint; handle_request() threw JS's "Cannot mix BigInt" for a bigint server timeout and
//         waited on a string one (CPython: TypeError); a bigint past int64 nanoseconds had the float's message
//         (CPython's int one: "timestamp too large to convert to C _PyTime_t").
// Python's ValueError and OverflowError are RangeErrors here: the tables compare "RangeError" and the message.

import assert from "node:assert/strict";
import * as m from "../mod.ts";
import { DefaultSelector, EVENT_READ, select } from "../selectors.ts";
import { BaseRequestHandler, TCPServer } from "../socketserver.ts";
import { test_needing } from "./_socket_fixtures.ts";
import { cpython } from "./_twin.ts";

const test = test_needing("python3");
const OPTS = { sanitizeOps: false, sanitizeResources: false };

/** `[class, message]` of what a call raised, Python's ValueError/OverflowError as RangeError. */
function outcome(e: unknown): [string, string] {
  const er = e as Error;
  return [er.name.replace(/^(ValueError|OverflowError)$/, "RangeError"), er.message];
}
const PY_OUTCOME = `
def outcome(e):
    n = type(e).__name__
    return ["RangeError" if n in ("ValueError", "OverflowError") else n, str(e)]
`;

test(
  "adversary6: create_connection() addresses, timeouts and source addresses as CPython (A6-1, A6-2)",
  OPTS,
  async () => {
    using l = m.create_server(["127.0.0.1", 0]);
    const port = l.getsockname()[1];
    // [label, address, keywords]; "PORT" is the listener's port, {b} bytes, {bool} a bool, {i} a Python int
    // (a number here), "inf"/"-inf" a float.
    const cases: [string, unknown, Record<string, unknown>][] = [
      ["port None (0)", ["127.0.0.1", null], { timeout: 5 }],
      ["port '' (0)", ["127.0.0.1", ""], { timeout: 5 }],
      ["port 65536 (0)", ["127.0.0.1", 65536], { timeout: 5 }],
      ["port '70000'", ["127.0.0.1", "70000"], { timeout: 5 }],
      ["port -65536", ["127.0.0.1", -65536], { timeout: 5 }],
      ["port 2**32+1", ["127.0.0.1", { i: "4294967297" }], { timeout: 5 }],
      ["port 2**64", ["127.0.0.1", { i: "18446744073709551616" }], {}],
      ["port bool", ["127.0.0.1", { bool: true }], { timeout: 5 }],
      ["port '0x50'", ["127.0.0.1", "0x50"], { timeout: 5 }],
      ["host bytes", [{ b: "127.0.0.1" }, "PORT"], {}],
      ["host empty bytes", [{ b: "" }, "PORT"], {}],
      ["IPv6 4-tuple", ["::1", "PORT", 0, 0], {}],
      ["timeout -1", ["127.0.0.1", "PORT"], { timeout: -1 }],
      ["timeout inf", ["127.0.0.1", "PORT"], { timeout: "inf" }],
      ["timeout 1e300", ["127.0.0.1", "PORT"], { timeout: 1e300 }],
      ["timeout str", ["127.0.0.1", "PORT"], { timeout: "5" }],
      ["timeout True", ["127.0.0.1", "PORT"], { timeout: { bool: true } }],
      ["timeout None", ["127.0.0.1", "PORT"], { timeout: null }],
      ["source ok", ["127.0.0.1", "PORT"], { source_address: ["127.0.0.1", 0] }],
      ["source empty tuple", ["127.0.0.1", "PORT"], { source_address: [] }],
      ["source empty str", ["127.0.0.1", "PORT"], { source_address: "" }],
      ["source empty bytes", ["127.0.0.1", "PORT"], { source_address: { b: "" } }],
      ["source str port", ["127.0.0.1", "PORT"], { source_address: ["127.0.0.1", "0"] }],
      ["source port 70000", ["127.0.0.1", "PORT"], { source_address: ["127.0.0.1", 70000] }],
      ["source IPv6 for IPv4", ["127.0.0.1", "PORT"], { source_address: ["::1", 0] }],
      ["source 3 items", ["127.0.0.1", "PORT"], { source_address: ["127.0.0.1", 0, 0] }],
      ["source None host", ["127.0.0.1", "PORT"], { source_address: [null, 0] }],
      ["source bytes host", ["127.0.0.1", "PORT"], { source_address: [{ b: "127.0.0.1" }, 0] }],
    ];
    const want = await cpython(
      PY_OUTCOME + `
port = ${port}
def conv(x):
    if isinstance(x, list): return tuple(conv(v) for v in x)
    if isinstance(x, dict):
        if "b" in x: return x["b"].encode()
        if "i" in x: return int(x["i"])
        if "bool" in x: return bool(x["bool"])
    if x == "PORT": return port
    if x in ("inf", "-inf"): return float(x)
    return x
out = []
for label, addr, kw in json.loads(${JSON.stringify(JSON.stringify(cases))}):
    try:
        s = create_connection(conv(addr), **{k: conv(v) for k, v in kw.items()})
        out.append([label, "connected", s.gettimeout()])
        s.close()
    except Exception as e:
        out.append([label] + outcome(e))
print(json.dumps(out))
`,
    );
    const conv = (x: unknown): unknown => {
      if (Array.isArray(x)) return x.map(conv);
      if (x !== null && typeof x === "object") {
        const o = x as { b?: string; i?: string; bool?: boolean };
        if (o.b !== undefined) return new TextEncoder().encode(o.b);
        if (o.i !== undefined) return Number(o.i);
        return Boolean(o.bool);
      }
      if (x === "PORT") return port;
      if (x === "inf" || x === "-inf") return Number(x.replace("inf", "Infinity"));
      return x;
    };
    const got: unknown[] = [];
    for (const [label, addr, kw] of cases) {
      const k = Object.fromEntries(Object.entries(kw).map(([n, v]) => [n, conv(v)]));
      try {
        const s = await m.create_connection(
          conv(addr) as [string, number],
          k as unknown as m.CreateConnectionOptions,
        );
        got.push([label, "connected", s.gettimeout()]);
        s.close();
      } catch (e) {
        got.push([label, ...outcome(e)]);
      }
    }
    assert.deepEqual(got, want);
  },
);

test("adversary6: connect() and connect_ex() to port 0 are refused, TCP and UDP, as CPython (A6-1)", OPTS, async () => {
  const want = await cpython(
    PY_OUTCOME + `
out = []
for fam, host in ((AF_INET, "127.0.0.1"), (AF_INET6, "::1")):
    s = socket(fam)
    try: s.connect((host, 0)); out.append("connected")
    except Exception as e: out.append(outcome(e))
    s.close()
    s = socket(fam); out.append(s.connect_ex((host, 0))); s.close()
    s = socket(fam); s.bind((host, 0))
    try: s.connect((host, 0)); out.append("connected")
    except Exception as e: out.append(outcome(e))
    s.close()
print(json.dumps(out))
`,
  );
  const got: unknown[] = [];
  for (const [fam, host] of [[m.AF_INET, "127.0.0.1"], [m.AF_INET6, "::1"]] as const) {
    let s = m.socket(fam);
    try {
      await s.connect([host, 0]);
      got.push("connected");
    } catch (e) {
      got.push(outcome(e));
    }
    s.close();
    s = m.socket(fam);
    got.push(await s.connect_ex([host, 0]));
    s.close();
    s = m.socket(fam);
    s.bind([host, 0]);
    try {
      await s.connect([host, 0]);
      got.push("connected");
    } catch (e) {
      got.push(outcome(e));
    }
    s.close();
  }
  assert.deepEqual(got, want);
});

test("adversary6: getaddrinfo() refuses a bool port as CPython (A6-2)", OPTS, async () => {
  const want = await cpython(
    PY_OUTCOME + `
out = []
for p in (True, False):
    try: getaddrinfo("127.0.0.1", p); out.append("ok")
    except Exception as e: out.append(outcome(e))
print(json.dumps(out))
`,
  );
  const got: unknown[] = [];
  for (const p of [true, false]) {
    try {
      await m.getaddrinfo("127.0.0.1", p as unknown as number);
      got.push("ok");
    } catch (e) {
      got.push(outcome(e));
    }
  }
  assert.deepEqual(got, want);
});

test(
  "adversary6: socketpair(AF_UNIX) protocols and types, socket() of an unknown type, as CPython (A6-3)",
  OPTS,
  async () => {
    const { AF_UNIX, AF_INET, SOCK_STREAM, SOCK_DGRAM } = m;
    const pairs: [number, number, number][] = [
      [AF_UNIX, SOCK_STREAM, -1],
      [AF_UNIX, SOCK_DGRAM, -1],
      [AF_UNIX, 0, -1],
      [AF_UNIX, SOCK_STREAM, 1],
      [AF_UNIX, SOCK_DGRAM, 1],
      [AF_UNIX, SOCK_STREAM, 2],
      [AF_UNIX, 0, 0],
      [AF_UNIX, 4, 0],
      [AF_UNIX, 6, 0],
      [AF_UNIX, 7, 0],
      [AF_UNIX, 10, 0],
      [AF_UNIX, 15, 0],
    ];
    const singles: [number, number, number][] = [
      [AF_UNIX, SOCK_STREAM, 1],
      [AF_UNIX, SOCK_DGRAM, 1],
      [AF_UNIX, SOCK_STREAM, 2],
      [AF_UNIX, 0, 0],
      [AF_INET, 0, 0],
      [AF_INET, 7, 0],
      [AF_UNIX, 6, 0],
      [AF_UNIX, 11, 0],
      [AF_INET, 999, 0],
    ];
    const want = await cpython(
      PY_OUTCOME + `
out = []
for f, t, p in json.loads(${JSON.stringify(JSON.stringify(pairs))}):
    try:
        a, b = socketpair(f, t, p)
        out.append(["ok", a.family, a.type, a.proto]); a.close(); b.close()
    except Exception as e: out.append(outcome(e))
for f, t, p in json.loads(${JSON.stringify(JSON.stringify(singles))}):
    try:
        s = socket(f, t, p); out.append(["ok", s.family, s.type, s.proto]); s.close()
    except Exception as e: out.append(outcome(e))
print(json.dumps(out))
`,
    );
    const got: unknown[] = [];
    for (const [f, t, p] of pairs) {
      try {
        const [a, b] = await m.socketpair(f, t, p);
        got.push(["ok", a.family, a.type, a.proto]);
        a.close();
        b.close();
      } catch (e) {
        got.push(outcome(e));
      }
    }
    for (const [f, t, p] of singles) {
      try {
        const s = m.socket(f, t, p);
        got.push(["ok", s.family, s.type, s.proto]);
        s.close();
      } catch (e) {
        got.push(outcome(e));
      }
    }
    assert.deepEqual(got, want);
  },
);

test(
  "adversary6: bool, bigint, negative and string timeouts in every waiting call, as CPython (A6-4)",
  OPTS,
  async () => {
    // [label, value as the twin writes it, value here]
    const values: [string, string, unknown][] = [
      ["-1", "-1", -1],
      ["-0.001", "-0.001", -0.001],
      ["True", "True", true],
      ["False", "False", false],
      ["int 0", "0", 0n],
      ["int -1", "-1", -1n],
      ["int 9223372036", "9223372036", 9223372036n],
      ["int 9223372037", "9223372037", 9223372037n],
      ["int 2**63", "2**63", 2n ** 63n],
      ["int -2**63", "-2**63", -(2n ** 63n)],
      ["str", "'1'", "1"],
    ];
    const want = await cpython(
      PY_OUTCOME + `
import selectors, socketserver
a, b = socketpair(); a.sendall(b"x")
sel = selectors.DefaultSelector(); sel.register(b, selectors.EVENT_READ)
c, d = socketpair(); sel2 = selectors.DefaultSelector(); sel2.register(d, selectors.EVENT_READ)
srv = socketserver.TCPServer(("127.0.0.1", 0), socketserver.BaseRequestHandler)
s = socket()
def positive(t):
    return isinstance(t, (int, float)) and t > 0
out = []
for label, expr in json.loads(${JSON.stringify(JSON.stringify(values.map(([l, p]) => [l, p])))}):
    t = eval(expr)
    row = [label]
    def o(fn):
        try: fn(); row.append("ok")
        except Exception as e: row.append(outcome(e))
    o(lambda: select.select([b], [], [], t))
    o(lambda: None if positive(t) else select.select([d], [], [], t))  # (a valid positive one would wait)
    o(lambda: sel.select(t))
    o(lambda: None if positive(t) else sel2.select(t))
    o(lambda: s.settimeout(t))
    o(lambda: None if positive(t) else (setattr(srv, "timeout", t), srv.handle_request()))
    o(lambda: setdefaulttimeout(t))
    setdefaulttimeout(None)
    out.append(row)
for t in (True, 1):
    threading.Timer(0.05, srv.shutdown).start()
    srv.serve_forever(t)
    out.append("served")
for t in ("1", (1,)):  # (a JS array is a Python tuple)
    try: srv.serve_forever(t)
    except Exception as e: out.append(outcome(e))
srv.server_close()
print(json.dumps(out))
`,
    );
    const [a, b] = await m.socketpair();
    await a.sendall(new Uint8Array([120]));
    using sel = new DefaultSelector();
    sel.register(b, EVENT_READ);
    const [c, d] = await m.socketpair();
    using sel2 = new DefaultSelector();
    sel2.register(d, EVENT_READ);
    const srv = new TCPServer(["127.0.0.1", 0], BaseRequestHandler);
    using s = m.socket();
    const got: unknown[] = [];
    try {
      for (const [label, , t] of values) {
        const row: unknown[] = [label];
        const o = async (fn: () => unknown) => {
          try {
            await fn();
            row.push("ok");
          } catch (e) {
            row.push(outcome(e));
          }
        };
        const positive = (typeof t === "number" && t > 0) || (typeof t === "bigint" && t > 0n);
        const tt = t as number;
        await o(() => select([b], [], [], tt));
        await o(() => positive ? null : select([d], [], [], tt));
        await o(() => sel.select(tt));
        await o(() => positive ? null : sel2.select(tt));
        await o(() => s.settimeout(tt));
        await o(() => {
          if (positive) return null;
          srv.timeout = tt;
          return srv.handle_request();
        });
        await o(() => m.setdefaulttimeout(tt));
        m.setdefaulttimeout(null);
        got.push(row);
      }
      for (const t of [true, 1n]) {
        const timer = setTimeout(() => srv.shutdown(), 50);
        try {
          await srv.serve_forever(t as unknown as number);
          got.push("served");
        } catch (e) {
          clearTimeout(timer);
          got.push(outcome(e));
        }
      }
      for (const t of ["1", [1]]) {
        try {
          await srv.serve_forever(t as unknown as number);
          got.push("served");
        } catch (e) {
          got.push(outcome(e));
        }
      }
    } finally {
      m.setdefaulttimeout(null);
      await srv.server_close();
      for (const x of [a, b, c, d]) x.close();
    }
    assert.deepEqual(got, want);
  },
);

test(
  "adversary6: recvmsg(0) of a datagram is MSG_TRUNC, negative sizes and sendto()'s arguments as CPython (A6-5)",
  OPTS,
  async () => {
    const want = await cpython(
      PY_OUTCOME + `
a = socket(AF_INET, SOCK_DGRAM); a.bind(("127.0.0.1", 0))
b = socket(AF_INET, SOCK_DGRAM); b.bind(("127.0.0.1", 0)); b.connect(a.getsockname())
out = []
def o(fn):
    try:
        r = fn(); out.append(["ok", r[0].decode() if isinstance(r[0], bytes) else r[0], r[2]])
    except Exception as e: out.append(outcome(e))
b.send(b"hello"); o(lambda: a.recvmsg(0))
b.send(b""); o(lambda: a.recvmsg(0))
b.send(b"hello"); o(lambda: a.recvmsg_into([bytearray(0)]))
o(lambda: a.recvmsg(-1))
o(lambda: a.recvmsg(4, -1))
o(lambda: a.recvmsg(-1, -1))
o(lambda: a.recvmsg_into([bytearray(2)], -1))
def p(fn):
    try: out.append(["ok", fn()])
    except Exception as e: out.append(outcome(e))
p(lambda: a.sendto(b"x"))
p(lambda: a.sendto(b"x", 0, b.getsockname(), 5))
p(lambda: a.sendto(b"x", 0, b.getsockname(), 5, 6))
p(lambda: a.sendto(b"x", None, b.getsockname()))
p(lambda: a.sendto(b"x", "0", b.getsockname()))
p(lambda: a.sendto(b"x", b.getsockname()))
p(lambda: a.sendto(b"x", 0, b.getsockname()))
print(json.dumps(out))
`,
    );
    const a = m.socket(m.AF_INET, m.SOCK_DGRAM);
    a.bind(["127.0.0.1", 0]);
    const b = m.socket(m.AF_INET, m.SOCK_DGRAM);
    b.bind(["127.0.0.1", 0]);
    await b.connect(a.getsockname());
    const got: unknown[] = [];
    const o = async (fn: () => Promise<[Uint8Array | number, unknown, number, unknown]>) => {
      try {
        const r = await fn();
        got.push(["ok", r[0] instanceof Uint8Array ? new TextDecoder().decode(r[0]) : r[0], r[2]]);
      } catch (e) {
        got.push(outcome(e));
      }
    };
    const te = (s: string) => new TextEncoder().encode(s);
    // deno-lint-ignore no-explicit-any
    const A = a as any;
    try {
      await b.send(te("hello"));
      await o(() => a.recvmsg(0));
      await b.send(te(""));
      await o(() => a.recvmsg(0));
      await b.send(te("hello"));
      await o(() => a.recvmsg_into([new Uint8Array(0)]));
      await o(() => a.recvmsg(-1));
      await o(() => a.recvmsg(4, -1));
      await o(() => a.recvmsg(-1, -1));
      await o(() => a.recvmsg_into([new Uint8Array(2)], -1));
      const p = async (fn: () => Promise<unknown>) => {
        try {
          got.push(["ok", await fn()]);
        } catch (e) {
          got.push(outcome(e));
        }
      };
      await p(() => A.sendto(te("x")));
      await p(() => A.sendto(te("x"), 0, b.getsockname(), 5));
      await p(() => A.sendto(te("x"), 0, b.getsockname(), 5, 6));
      await p(() => A.sendto(te("x"), null, b.getsockname()));
      await p(() => A.sendto(te("x"), "0", b.getsockname()));
      await p(() => a.sendto(te("x"), b.getsockname()));
      await p(() => a.sendto(te("x"), 0, b.getsockname()));
      // (the trailing { signal } is pysocket's own, beside CPython's two forms)
      await p(() => a.sendto(te("x"), b.getsockname(), { signal: AbortSignal.timeout(5000) }));
      await p(() => a.sendto(te("x"), 0, b.getsockname(), { signal: AbortSignal.timeout(5000) }));
    } finally {
      a.close();
      b.close();
    }
    assert.deepEqual(got, [...(want as unknown[]), ["ok", 1], ["ok", 1]]);
  },
);

test(
  "adversary6: a socket file's readable()/writable()/fileno() once closed, an autobound socket's bind(''), sendfile()'s negative offset, as CPython (A6-6)",
  OPTS,
  async () => {
    const modes: [string, number | null][] = [
      ["rb", null],
      ["wb", null],
      ["r", null],
      ["w", null],
      ["rb", 0],
      ["wb", 0],
      ["rwb", null],
      ["rw", null],
      ["rwb", 0],
    ];
    const want = await cpython(
      PY_OUTCOME + `
import tempfile
x, y = socketpair()
out = []
def o(fn):
    try:
        r = fn(); out.append(["ok", type(r).__name__])
    except Exception as e:
        out.append(outcome(e))
for mode, buf in json.loads(${JSON.stringify(JSON.stringify(modes))}):
    f = x.makefile(mode, buffering=buf)
    o(f.fileno)
    f.close()
    o(f.readable); o(f.writable); o(f.fileno)
u = socket(AF_UNIX); u.bind(""); name = u.getsockname()
o(lambda: u.bind("")); out.append(u.getsockname() == name)
u.listen(); o(lambda: u.bind(b"")); out.append(u.getsockname() == name)
d = socket(AF_UNIX, SOCK_DGRAM); d.bind(""); name = d.getsockname()
o(lambda: d.bind("")); out.append(d.getsockname() == name)
o(lambda: d.bind(os.path.join(tempfile.mkdtemp(), "s")))
path = os.path.join(tempfile.mkdtemp(), "f")
with open(path, "wb") as fh: fh.write(b"0123456789")
with open(path, "rb") as fh: o(lambda: x.sendfile(fh, -1))
print(json.dumps(out))
`,
    );
    const [x, y] = await m.socketpair();
    const got: unknown[] = [];
    const o = (fn: () => unknown) => {
      try {
        const r = fn();
        got.push([
          "ok",
          typeof r === "number" ? "int" : typeof r === "boolean" ? "bool" : r === undefined ? "NoneType" : typeof r,
        ]);
      } catch (e) {
        got.push(outcome(e));
      }
    };
    const dir = Deno.makeTempDirSync({ prefix: "pysocket-adv6-" });
    try {
      for (const [mode, buf] of modes) {
        const f = x.makefile(mode as "rb", buf === null ? {} : { buffering: buf });
        o(() => f.fileno());
        await f.close();
        o(() => f.readable());
        o(() => f.writable());
        o(() => f.fileno());
      }
      using u = m.socket(m.AF_UNIX);
      u.bind("");
      let name = u.getsockname();
      o(() => u.bind(""));
      got.push(u.getsockname() === name);
      u.listen();
      o(() => u.bind(new Uint8Array(0)));
      got.push(u.getsockname() === name);
      using d = m.socket(m.AF_UNIX, m.SOCK_DGRAM);
      d.bind("");
      name = d.getsockname();
      o(() => d.bind(""));
      got.push(d.getsockname() === name);
      o(() => d.bind(`${dir}/s`));
      Deno.writeTextFileSync(`${dir}/f`, "0123456789");
      using fh = Deno.openSync(`${dir}/f`);
      try {
        await x.sendfile(fh, -1);
        got.push(["ok", "int"]);
      } catch (e) {
        got.push(outcome(e));
      }
    } finally {
      x.close();
      y.close();
      Deno.removeSync(dir, { recursive: true });
    }
    assert.deepEqual(got, want);
  },
);

test_needing("python3", "openssl")(
  "adversary6: load_cert_chain()/load_verify_locations() path types, capath and DER cadata with junk, as CPython (A6-7)",
  OPTS,
  async () => {
    const { localhost_cert } = await import("./_ssl_fixtures.ts");
    const { PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER, SSLContext, PEM_cert_to_DER_cert } = await import("../ssl.ts");
    const { cert, key } = await localhost_cert("pysocket_adv6_");
    const der = PEM_cert_to_DER_cert(Deno.readTextFileSync(cert));
    const junk = new Uint8Array([...der, 106, 117, 110, 107]);
    const want = await cpython(
      PY_OUTCOME + `
import ssl, base64
cert, key = ${JSON.stringify(cert)}, ${JSON.stringify(key)}
der = ssl.PEM_cert_to_DER_cert(open(cert).read())
out = []
def o(fn):
    try: fn(); out.append("ok")
    except Exception as e: out.append([*outcome(e), getattr(e, "errno", None)])
srv = lambda: ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
cli = lambda: ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
o(lambda: srv().load_cert_chain(cert.encode(), key.encode()))
o(lambda: srv().load_cert_chain(cert, 5))
o(lambda: srv().load_cert_chain(5))
o(lambda: cli().load_verify_locations(5))
o(lambda: cli().load_verify_locations(None, 5))
o(lambda: cli().load_verify_locations(cert.encode()))
o(lambda: cli().load_verify_locations(None, "/nonexistent-pysocket-adv6"))
o(lambda: cli().load_verify_locations(None, cert))
o(lambda: cli().load_verify_locations(cadata=der))
o(lambda: cli().load_verify_locations(cadata=der + der))
o(lambda: cli().load_verify_locations(cadata=der + b"junk"))
print(json.dumps(out))
`,
    );
    const got: unknown[] = [];
    const o = (fn: () => void) => {
      try {
        fn();
        got.push("ok");
      } catch (e) {
        got.push([...outcome(e), (e as { errno?: number | null }).errno ?? null]);
      }
    };
    const te = new TextEncoder();
    const srv = () => new SSLContext(PROTOCOL_TLS_SERVER);
    const cli = () => new SSLContext(PROTOCOL_TLS_CLIENT);
    // deno-lint-ignore no-explicit-any
    const bad = 5 as any;
    o(() => srv().load_cert_chain(te.encode(cert) as unknown as string, te.encode(key) as unknown as string));
    o(() => srv().load_cert_chain(cert, bad));
    o(() => srv().load_cert_chain(bad));
    o(() => cli().load_verify_locations(bad));
    o(() => cli().load_verify_locations(null, bad));
    o(() => cli().load_verify_locations(te.encode(cert) as unknown as string));
    o(() => cli().load_verify_locations(null, "/nonexistent-pysocket-adv6"));
    o(() => cli().load_verify_locations(null, cert));
    o(() => cli().load_verify_locations(null, null, der));
    o(() => cli().load_verify_locations(null, null, new Uint8Array([...der, ...der])));
    o(() => cli().load_verify_locations(null, null, junk));
    assert.deepEqual(got, want);
  },
);

test(
  "adversary6: create_connection() racing two families to port 0: every attempt refused, as CPython's connects (A6-1)",
  OPTS,
  async () => {
    const { _set_lookup_for_tests } = await import("../_resolve.ts");
    // A name that resolves to ::1 and 127.0.0.1 (Happy Eyeballs' own Deno.connect path); CPython's twin connects to
    // each address itself (its resolver has no such name).
    const want = await cpython(
      PY_OUTCOME + `
out = []
for host in ("::1", "127.0.0.1"):
    try: create_connection((host, None), timeout=5); out.append("connected")
    except Exception as e: out.append(outcome(e))
print(json.dumps(out))
`,
    );
    _set_lookup_for_tests((host) =>
      host === "dual.test"
        ? Promise.resolve([{ address: "::1", family: 6 }, { address: "127.0.0.1", family: 4 }])
        : Promise.reject(new m.gaierror(-2))
    );
    try {
      await m.create_connection(["dual.test", null as unknown as number], { timeout: 5, all_errors: true });
      assert.fail("connected to port 0");
    } catch (e) {
      assert.ok(e instanceof AggregateError, String(e));
      assert.deepEqual(e.errors.map(outcome), want);
    } finally {
      _set_lookup_for_tests(null);
    }
  },
);

test(
  "adversary6: a binary socket file's mode is its SocketIO's ('br' and 'b' read 'rb'), as CPython (A6-6)",
  OPTS,
  async () => {
    const modes: [string, number | null][] = [
      ["br", null],
      ["br", 0],
      ["bw", null],
      ["b", null],
      ["b", 0],
      ["rbb", null],
      ["wb", 0],
      ["rwb", 0],
      ["bwr", 0],
      ["w", null],
      ["wr", null],
      ["r", null],
    ];
    const want = await cpython(`
x, y = socketpair()
out = [x.makefile(m, buffering=b).mode for m, b in json.loads(${JSON.stringify(JSON.stringify(modes))})]
print(json.dumps(out))
`);
    const [x, y] = await m.socketpair();
    try {
      const got = modes.map(([mode, b]) => x.makefile(mode as "rb", b === null ? {} : { buffering: b }).mode);
      assert.deepEqual(got, want);
    } finally {
      x.close();
      y.close();
    }
  },
);

test(
  "adversary6: create_connection() racing two families with a bigint, bool or bad timeout, as CPython (A6-4)",
  OPTS,
  async () => {
    const { _set_lookup_for_tests } = await import("../_resolve.ts");
    using l = m.create_server(["127.0.0.1", 0]);
    const port = l.getsockname()[1];
    // [Python expression, value here]; the twin connects to the listener by a name (localhost), pysocket by a
    // name resolving to ::1 and 127.0.0.1 (Happy Eyeballs' own path, whose timers did arithmetic on a bigint).
    const values: [string, unknown][] = [
      ["5", 5n],
      ["True", true],
      ["-1", -1n],
      ["2**63", 2n ** 63n],
      ["-1", -1],
      ["'5'", "5"],
    ];
    const want = await cpython(
      PY_OUTCOME + `
out = []
for expr in json.loads(${JSON.stringify(JSON.stringify(values.map(([p]) => p)))}):
    try:
        s = create_connection(("127.0.0.1", ${port}), timeout=eval(expr)); out.append(["ok", s.gettimeout()]); s.close()
    except Exception as e: out.append(outcome(e))
print(json.dumps(out))
`,
    );
    _set_lookup_for_tests((host) =>
      host === "dual.test"
        ? Promise.resolve([{ address: "::1", family: 6 }, { address: "127.0.0.1", family: 4 }])
        : Promise.reject(new m.gaierror(-2))
    );
    const got: unknown[] = [];
    try {
      for (const [, t] of values) {
        try {
          const s = await m.create_connection(["dual.test", port], { timeout: t as number });
          got.push(["ok", s.gettimeout()]);
          s.close();
        } catch (e) {
          got.push(outcome(e));
        }
      }
    } finally {
      _set_lookup_for_tests(null);
    }
    assert.deepEqual(got, want);
  },
);

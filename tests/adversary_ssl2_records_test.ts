// The second security adversary: a hostile TLS peer after the handshake.
// A python3 server shakes hands through ssl.MemoryBIO over a plain socket,
// so it can then write any bytes: garbage after a good record, a record cut
// short then FIN, a record cut by a close_notify, an over-long record (with
// and without its body), a bare record header then silence, plain text
// after close_notify, a fatal alert, FIN or a reset without close_notify.
// A CPython client and a pysocket client read from the same server
// (suppress_ragged_eofs both ways, TLS 1.2 and 1.3): the same bytes, then
// the same class of ending, each within seconds (never a hang).

import assert from "node:assert/strict";
import { create_connection } from "../mod.ts";
import { create_default_context } from "../ssl.ts";
import { test_needing } from "./_socket_fixtures.ts";
import { python_server } from "./_ssl_fixtures.ts";
import { CertShop } from "./_adversary2.ts";
import { pooled } from "./_twin.ts";

const test = test_needing("python3", "openssl");

const EVIL = `
import socket, ssl, sys, time, struct
d, mode, ver = sys.argv[1], sys.argv[2], sys.argv[3]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(f"{d}/good.pem", f"{d}/good.key")
ctx.maximum_version = ssl.TLSVersion.TLSv1_2 if ver == "1.2" else ssl.TLSVersion.TLSv1_3
srv = socket.create_server(("127.0.0.1", 0))
print(srv.getsockname()[1], flush=True)
srv.settimeout(20)
c, _ = srv.accept()
c.settimeout(10)
i, o = ssl.MemoryBIO(), ssl.MemoryBIO()
s = ctx.wrap_bio(i, o, server_side=True)
while True:
    try:
        s.do_handshake(); break
    except ssl.SSLWantReadError:
        c.sendall(o.read()); b = c.recv(65536)
        if not b: sys.exit(0)
        i.write(b)
c.sendall(o.read())
time.sleep(0.3)  # the client's TLS 1.3 tickets and Finished are read and dropped
def rec(data):
    s.write(data); return o.read()
def notify():
    try: s.unwrap()
    except ssl.SSLWantReadError: pass
    return o.read()
good = rec(b"hello")
if mode == "garbage": c.sendall(good + bytes(range(7, 107)))
elif mode == "truncated":
    r = rec(b"world"); c.sendall(good + r[:len(r) // 2]); c.shutdown(socket.SHUT_WR)
elif mode == "notify_mid":
    r = rec(b"world"); c.sendall(good + r[:len(r) // 2] + notify()); c.shutdown(socket.SHUT_WR)
elif mode == "huge": c.sendall(good + bytes([23, 3, 3]) + struct.pack(">H", 18689) + b"\\0" * 18689)
elif mode == "hdr_only": c.sendall(good + bytes([23, 3, 3, 0xff, 0xff]))
elif mode == "after_notify": c.sendall(good + notify() + b"PLAINTEXT AFTER CLOSE_NOTIFY")
elif mode == "half_stall":
    r = rec(b"world"); c.sendall(good + r[:len(r) // 2])
elif mode == "notify_fin": c.sendall(good + notify()); c.shutdown(socket.SHUT_WR)
elif mode == "alert": c.sendall(good + bytes([21, 3, 3, 0, 2, 2, 40]))
elif mode == "fin": c.sendall(good); c.shutdown(socket.SHUT_WR)
elif mode == "rst":
    c.sendall(good); time.sleep(0.3)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); c.close(); sys.exit(0)
time.sleep(10)  # killed once its client is done: only a client that waits sees this end
`;

const PY_CLIENT = `
import socket, ssl, sys, json
d, port, supp = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); c.load_verify_locations(f"{d}/ca.crt")
s = c.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=3), server_hostname="localhost", suppress_ragged_eofs=supp)
out = []
for _ in range(4):
    try:
        b = s.recv(100); out.append(["data", b.decode("latin1")])
        if not b: break
    except Exception as e:
        out.append([type(e).__name__]); break
print(json.dumps(out))
`;

/** What CPython's error class is for pysocket's (SSLError subclasses kept; TimeoutError is CPython's socket.timeout). */
function cls(e: unknown): string {
  return (e as Error).constructor.name;
}

async function pysocket_reads(dir: string, port: number, supp: boolean): Promise<unknown[]> {
  const ctx = create_default_context({ cafile: `${dir}/ca.crt` });
  const s = await ctx.wrap_socket(await create_connection(["127.0.0.1", port], 3), {
    server_hostname: "localhost",
    suppress_ragged_eofs: supp,
  });
  const out: unknown[] = [];
  try {
    for (let i = 0; i < 4; i++) {
      try {
        const b = await s.recv(100);
        out.push(["data", new TextDecoder("latin1").decode(b)]);
        if (!b.length) break;
      } catch (e) {
        out.push([cls(e)]);
        break;
      }
    }
  } finally {
    s.close();
  }
  return out;
}

let shop: CertShop | null = null;
async function certs(): Promise<CertShop> {
  if (shop) return shop;
  const s = await CertShop.open("pysocket_adv2_rec_");
  await s.leaf("good", "/CN=localhost", "ca", ["subjectAltName=DNS:localhost", "extendedKeyUsage=serverAuth"]);
  return shop = s;
}

/** One row: CPython's client and pysocket's, each against its own hostile server; the difference or null. */
async function row(ver: string, mode: string, supp: boolean): Promise<string | null> {
  const s = await certs();
  const twin = async () => {
    const py_srv = await python_server(EVIL, s.dir, mode, ver);
    try {
      const py = await new Deno.Command("python3", {
        args: ["-c", PY_CLIENT, s.dir, py_srv.first, supp ? "1" : "0"],
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(20_000),
      }).output();
      return JSON.parse(new TextDecoder().decode(py.stdout).trim() || "null");
    } finally {
      py_srv.kill();
      await py_srv.rest();
    }
  };
  const ours = async () => {
    const ts_srv = await python_server(EVIL, s.dir, mode, ver);
    try {
      const t0 = performance.now();
      const got = await pysocket_reads(s.dir, Number(ts_srv.first), supp);
      return [got, performance.now() - t0] as const;
    } finally {
      ts_srv.kill();
      await ts_srv.rest();
    }
  };
  const [want, [got, ms]] = await Promise.all([twin(), ours()]);
  const what = `TLS ${ver} ${mode} suppress_ragged_eofs=${supp}`;
  assert.ok(ms < 10_000, `${what}: took ${ms} ms`);
  return JSON.stringify(got) !== JSON.stringify(want)
    ? `${what}: pysocket ${JSON.stringify(got)}, CPython ${JSON.stringify(want)}`
    : null;
}

/**
 * Each row once per process: the S4/S5/S6 tests below re-check rows the first test already ran (when fixed), and
 * get the same outcome from the same run.
 */
const rows = new Map<string, Promise<string | null>>();
function row_once(ver: string, mode: string, supp: boolean): Promise<string | null> {
  const k = `${ver} ${mode} ${supp}`;
  let p = rows.get(k);
  if (!p) rows.set(k, p = row(ver, mode, supp));
  return p;
}

/**
 * Run each (mode, suppress_ragged_eofs) on TLS 1.3 and 1.2 against CPython's client; the differences. The rows are
 * independent (each has its own two servers and clients), so six run at a time: most of a row is waiting (a
 * hdr_only row waits out both clients' 3 s timeouts).
 */
async function compare(cases: [string, boolean][]): Promise<string[]> {
  await certs();
  const all = ["1.3", "1.2"].flatMap((ver) => cases.map(([mode, supp]) => [ver, mode, supp] as const));
  const diffs = await pooled(all, 6, ([ver, mode, supp]) => row_once(ver, mode, supp));
  console.log(`${cases.length * 2} hostile endings compared with CPython`);
  return diffs.filter((d): d is string => d !== null);
}

const both = (...modes: string[]): [string, boolean][] =>
  modes.flatMap((m) => [[m, true], [m, false]] as [string, boolean][]);

/** Set each to true once PROPOSED_S4_S5_S6.diff (or an equivalent) is merged. */
const S4_FIXED = true;
const S5_FIXED = true;
const S6_FIXED = true;

/** S4: a good record followed in the same read by a bad one (its plaintext must come out first). */
const S4: [string, boolean][] = both("garbage", "huge", "hdr_only", "alert");
/**
 * S4's last case, a record cut short by a close_notify: the bad "record" looks like whole application data by its
 * header and length. Fixed in round seventeen (F16-1): no pass of Deno's TLS engine completes two records
 * (_tls.ts CipherDuplex.#cut), so the good record's plaintext is read first.
 */
const S4_CUT_BY_NOTIFY: [string, boolean][] = both("notify_mid");
/** S5: suppress_ragged_eofs=False and an EOF without close_notify (a truncation must raise SSLEOFError). */
const S5: [string, boolean][] = [["truncated", false], ["fin", false]];
/** S6: a reset after the handshake reads as CPython's ragged EOF. */
const S6: [string, boolean][] = both("rst");

test("adversary2: a hostile TLS peer's endings that pysocket already reads as CPython does (close_notify with or without FIN, plain text after it, FIN and cut records with suppress_ragged_eofs)", async () => {
  const cases: [string, boolean][] = [
    ...both("after_notify", "notify_fin"),
    ["truncated", true],
    ["fin", true],
    ...(S4_FIXED ? S4 : []),
    ...(S5_FIXED ? S5 : []),
    ...(S6_FIXED ? S6 : []),
  ];
  assert.deepEqual(await compare(cases), []);
});

function finding(fixed: boolean, why: string): boolean {
  if (!fixed) console.log(`ignored: ${why}`);
  return !fixed;
}

Deno.test({
  name:
    "adversary2: the plaintext of a good record is read before the error of a bad record that follows it (garbage, cut by close_notify, over-long, a bare header, a fatal alert)",
  ignore: finding(
    S4_FIXED,
    "finding S4: _tls.ts raw_duplex feeds Deno's TLS engine good and bad records in one chunk and it drops the good plaintext (PROPOSED_S4_S5_S6.diff)",
  ),
  async fn() {
    assert.deepEqual(await compare(S4), []);
  },
});

Deno.test({
  name:
    "adversary2: a good record, then a record cut short by a close_notify: its plaintext is read first (as CPython)",
  ignore: finding(
    true,
    "finding S4 (cut by close_notify): a truncated record that looks like whole application data was handed to Deno's TLS engine with the good record ahead of it, which then lost the good plaintext",
  ),
  async fn() {
    assert.deepEqual(await compare(S4_CUT_BY_NOTIFY), []);
  },
});

Deno.test({
  name:
    "adversary2: with suppress_ragged_eofs=False, an EOF without close_notify (a truncation) raises SSLEOFError on a client, as CPython",
  ignore: finding(
    S5_FIXED,
    "finding S5: _tls.ts TlsTransport takes node:tls's 'end' for close_notify, but Deno emits it for a plain FIN too (PROPOSED_S4_S5_S6.diff)",
  ),
  async fn() {
    assert.deepEqual(await compare(S5), []);
  },
});

Deno.test({
  name:
    "adversary2: a reset after the handshake reads as CPython's ragged EOF (b'' by default, SSLEOFError with suppress_ragged_eofs=False)",
  ignore: finding(
    S6_FIXED,
    "finding S6: _tls.ts TlsTransport.read raises ConnectionResetError where CPython 3.11 reads a ragged EOF (PROPOSED_S4_S5_S6.diff)",
  ),
  async fn() {
    assert.deepEqual(await compare(S6), []);
  },
});

const PY_STALL = `
import socket, ssl, sys, json
d, port = sys.argv[1], int(sys.argv[2])
c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); c.load_verify_locations(f"{d}/ca.crt")
s = c.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=3), server_hostname="localhost")
out = [s.recv(100).decode()]
s.settimeout(0)
for t in (0, 0.5):
    s.settimeout(t)
    try:
        out.append(["data", s.recv(100).decode()])
    except Exception as e:
        out.append([type(e).__name__, str(e)])
print(json.dumps(out))
`;

test("adversary2: half a record then silence: a non-blocking recv raises SSLWantReadError and a timed one times out, as CPython's (never b'' or a hang)", async () => {
  const s = await certs();
  // The two versions are independent; each runs CPython's client and pysocket's at once, each with its own server.
  await Promise.all(["1.3", "1.2"].map(async (ver) => {
    const twin = async () => {
      const py_srv = await python_server(EVIL, s.dir, "half_stall", ver);
      try {
        const py = await new Deno.Command("python3", {
          args: ["-c", PY_STALL, s.dir, py_srv.first],
          stdout: "piped",
          signal: AbortSignal.timeout(20_000),
        }).output();
        // CPython's texts end with the C line that raised, "(_ssl.c:2580)"; pysocket's say the same (S12, fixed).
        return JSON.parse(new TextDecoder().decode(py.stdout).trim()) as unknown[];
      } finally {
        py_srv.kill();
        await py_srv.rest();
      }
    };
    const ours = async () => {
      const ts_srv = await python_server(EVIL, s.dir, "half_stall", ver);
      try {
        const ctx = create_default_context({ cafile: `${s.dir}/ca.crt` });
        const t = await ctx.wrap_socket(await create_connection(["127.0.0.1", Number(ts_srv.first)], 3), {
          server_hostname: "localhost",
        });
        try {
          const got: unknown[] = [new TextDecoder().decode(await t.recv(100))];
          for (const timeout of [0, 0.5]) {
            t.settimeout(timeout);
            try {
              got.push(["data", new TextDecoder().decode(await t.recv(100))]);
            } catch (e) {
              got.push([cls(e), (e as Error).message]);
            }
          }
          return got;
        } finally {
          t.close();
        }
      } finally {
        ts_srv.kill();
        await ts_srv.rest();
      }
    };
    const [want, got] = await Promise.all([twin(), ours()]);
    assert.deepEqual(got, want, `TLS ${ver}`);
  }));
});

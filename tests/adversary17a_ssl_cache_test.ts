// Issue 17 (perf11) keeps the certificate checks that depend on the certificates alone across handshakes: the path
// from a leaf through the issuer it was sent with to the context's CAs (keyed by leaf, that issuer, the CAs and the
// partial-chain flag), the extensions/purpose, security level and name constraints per path (and client or server
// side), the host match per leaf and name. adv17a's rows against that cache: ONE set of contexts used again and
// again, interleaved, each verdict compared with CPython's for the same sequence (python3 twin, run at the same
// time against the same python3 servers):
// - the same leaf sent with its intermediate, then alone, then with it again (the issuer as sent is in the key);
// - a context trusting only the intermediate, with and without VERIFY_X509_PARTIAL_CHAIN (the flag is in the key);
// - a context that refused, then trusts after load_verify_locations (the CAs are in the key), while another keeps
//   its own verdicts; a root of the same name with another key trusts nothing the real root signed;
// - host names that match and do not, an IP address, check_hostname off and on again;
// - ONE PROTOCOL_TLS context used as a client and as a server with leaves good for one purpose only (the side is in
//   the key: a clientAuth-only leaf passes as a client certificate and fails as a server's, and back);
// - a leaf that expires between two handshakes, on both sides (the dates are read every handshake).
// Each of these was checked by breaking the key it covers in _ssl_session.ts (see docs in the report adv17a.md).

import assert from "node:assert/strict";
import { create_connection, create_server } from "../mod.ts";
import { CERT_REQUIRED, PROTOCOL_TLS, PROTOCOL_TLS_CLIENT, SSLContext, VERIFY_X509_PARTIAL_CHAIN } from "../ssl.ts";
import { python } from "./_ssl_fixtures.ts";
import { test_needing } from "./_socket_fixtures.ts";
import { make_certs17, outcome_of, PY_OUTCOME, py_servers } from "./_adversary17a.ts";

const test = test_needing("python3", "openssl");
const dec = new TextDecoder();
const PARTIAL = VERIFY_X509_PARTIAL_CHAIN;

type Step = (string | number | boolean)[];
const STEPS: Step[] = [
  ["new", "a", "client"],
  ["load", "a", "root"],
  ["new", "s", "tls"],
  // The short-lived leaf first (valid now), on both sides.
  ["conn", "a", "short", "localhost"],
  ["acc", "s", "short"],
  ["conn", "a", "leaf_int", "localhost"],
  ["conn", "a", "leaf", "localhost"],
  ["conn", "a", "leaf_int", "localhost"],
  ["conn", "a", "leaf", "localhost"],
  ["conn", "a", "leaf_int", "wrong.test"],
  ["conn", "a", "leaf_int", "LOCALHOST"],
  ["conn", "a", "leaf_int", "127.0.0.1"],
  ["conn", "a", "leaf_int", "127.0.0.2"],
  ["host", "a", false],
  ["conn", "a", "leaf_int", "wrong.test"],
  ["host", "a", true],
  ["conn", "a", "leaf_int", "wrong.test"],
  ["conn", "a", "nccn", "127.0.0.1"],
  ["cn", "a", false],
  ["conn", "a", "nccn", "127.0.0.1"],
  ["cn", "a", true],
  ["conn", "a", "nccn", "127.0.0.1"],
  ["conn", "a", "cli", "localhost"],
  ["conn", "a", "srv", "localhost"],
  ["new", "b", "client"],
  ["load", "b", "int"],
  ["conn", "b", "leaf_int", "localhost"],
  ["flags", "b", PARTIAL],
  ["conn", "b", "leaf_int", "localhost"],
  ["conn", "b", "leaf", "localhost"],
  ["flags", "b", 0],
  ["conn", "b", "leaf_int", "localhost"],
  ["conn", "b", "leaf", "localhost"],
  ["new", "c", "client"],
  ["load", "c", "other"],
  ["conn", "c", "leaf_int", "localhost"],
  ["conn", "a", "leaf_int", "localhost"],
  ["conn", "c", "leaf_int", "localhost"],
  ["load", "c", "root"],
  ["conn", "c", "leaf_int", "localhost"],
  ["new", "d", "client"],
  ["load", "d", "twin"],
  ["conn", "d", "direct", "localhost"],
  ["conn", "a", "direct", "localhost"],
  ["conn", "d", "direct", "localhost"],
  ["conn", "d", "leaf_int", "localhost"],
  ["new", "e", "client"],
  ["load", "e", "root"],
  ["load", "e", "pl0"],
  ["conn", "e", "leaf_int", "localhost"],
  ["conn", "e", "leaf_intx", "localhost"],
  ["conn", "e", "leaf_int", "localhost"],
  ["conn", "e", "leaf_intx", "localhost"],
  ["acc", "s", "leaf_intx"],
  ["new", "f", "client"],
  ["load", "f", "leaf"],
  ["load", "f", "root"],
  ["flags", "f", PARTIAL],
  ["conn", "f", "leaf_int", "localhost"],
  ["flags", "f", 0],
  ["conn", "f", "leaf_int", "localhost"],
  ["flags", "f", PARTIAL],
  ["conn", "f", "leaf_int", "localhost"],
  ["conn", "s", "cli", "localhost"],
  ["acc", "s", "cli"],
  ["conn", "s", "cli", "localhost"],
  ["acc", "s", "srv"],
  ["conn", "s", "srv", "localhost"],
  ["acc", "s", "srv"],
  ["acc", "s", "leaf_int"],
  ["acc", "s", "leaf"],
  ["acc", "s", "leaf_int"],
  ["acc", "s", "direct"],
  ["conn", "a", "short", "localhost"],
  ["acc", "s", "short"],
  ["expire"],
  ["conn", "a", "short", "localhost"],
  ["acc", "s", "short"],
  ["conn", "a", "leaf_int", "localhost"],
  ["acc", "s", "leaf_int"],
];

/** A python3 client presenting `${argv[2]}.pem` to argv[1]'s port (CERT_NONE: the server is not checked). */
const PY_CLIENT = `
import socket, ssl, sys
d, port, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
ctx.load_cert_chain(f"{d}/{name}.pem", f"{d}/{name}.key")
try:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw) as s:
            while s.recv(100): pass
except Exception:
    pass
`;

const PY_TWIN = `
import json, socket, ssl, sys, threading, time, warnings
warnings.simplefilter("ignore")
d, ports, steps, until = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3]), float(sys.argv[4])
${PY_OUTCOME}
ctxs, out = {}, []
srv = socket.create_server(("127.0.0.1", 0)); srv.settimeout(20)
def present(name):
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); c.check_hostname = False; c.verify_mode = ssl.CERT_NONE
    c.load_cert_chain(f"{d}/{name}.pem", f"{d}/{name}.key")
    try:
        with socket.create_connection(("127.0.0.1", srv.getsockname()[1]), timeout=10) as raw:
            with c.wrap_socket(raw) as s:
                while s.recv(100): pass
    except Exception:
        pass
for st in steps:
    op = st[0]
    try:
        if op == "new":
            if st[2] == "tls":
                c = ssl.SSLContext(ssl.PROTOCOL_TLS); c.load_cert_chain(d + "/direct.pem", d + "/direct.key")
                c.load_verify_locations(d + "/root.pem"); c.verify_mode = ssl.CERT_REQUIRED
            else: c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctxs[st[1]] = c; r = "."
        elif op == "load": ctxs[st[1]].load_verify_locations(d + "/" + st[2] + ".pem"); r = "."
        elif op == "flags": ctxs[st[1]].verify_flags = st[2]; r = "."
        elif op == "host": ctxs[st[1]].check_hostname = st[2]; r = "."
        elif op == "cn": ctxs[st[1]].hostname_checks_common_name = st[2]; r = "."
        elif op == "expire": time.sleep(max(0, until - time.time())); r = "."
        elif op == "conn":
            with socket.create_connection(("127.0.0.1", ports[st[2]]), timeout=10) as raw:
                with ctxs[st[1]].wrap_socket(raw, server_hostname=st[3]) as s:
                    r = "ok " + s.recv(100).decode()
        elif op == "acc":
            t = threading.Thread(target=present, args=(st[2],)); t.start()
            conn, _ = srv.accept(); conn.settimeout(10)
            try:
                with ctxs[st[1]].wrap_socket(conn, server_side=True) as s:
                    r = "ok " + ("cert" if s.getpeercert(True) else "none")
            finally:
                conn.close(); t.join(15)
    except Exception as e:
        r = res(e)
    out.append(r)
print(json.dumps(out))
`;

test("adv17a: one set of contexts, its CAs, flags and host check changed and its sides mixed between handshakes: every verdict is CPython's (the kept checks decide nothing the certificates, CAs, flags, side and clock do not)", async () => {
  // 20 s: the steps before the expiry take ~4 s on an idle 2-core machine, over 8 s on a loaded one.
  const certs = await make_certs17(20);
  const until = certs.short_until + 1500;
  const chains = ["nccn", "leaf_int", "leaf_intx", "leaf", "cli", "srv", "direct", "short"];
  const srv = await py_servers(certs, chains);
  const listener = await create_server(["127.0.0.1", 0]);
  try {
    // CPython's run, at the same time (the short leaf expires for both at once).
    const py = python(
      PY_TWIN,
      certs.dir,
      JSON.stringify(srv.ports),
      JSON.stringify(STEPS),
      String(until / 1000),
    );
    const ctxs: Record<string, SSLContext> = {};
    const got: string[] = [];
    for (const st of STEPS) {
      const [op, a, b, c] = st as [string, string, string | number | boolean, string];
      let r = ".";
      try {
        if (op === "new") {
          if (b === "tls") {
            const x = new SSLContext(PROTOCOL_TLS);
            x.load_cert_chain(`${certs.dir}/direct.pem`, `${certs.dir}/direct.key`);
            x.load_verify_locations(`${certs.dir}/root.pem`);
            x.verify_mode = CERT_REQUIRED;
            ctxs[a] = x;
          } else ctxs[a] = new SSLContext(PROTOCOL_TLS_CLIENT);
        } else if (op === "load") ctxs[a]!.load_verify_locations(`${certs.dir}/${b}.pem`);
        else if (op === "flags") ctxs[a]!.verify_flags = b as number;
        else if (op === "host") ctxs[a]!.check_hostname = b as boolean;
        else if (op === "cn") ctxs[a]!.hostname_checks_common_name = b as boolean;
        else if (op === "expire") await new Promise((res) => setTimeout(res, Math.max(0, until - Date.now())));
        else if (op === "conn") {
          const raw = await create_connection(["127.0.0.1", srv.ports[b as string]!], 10);
          try {
            const s = await ctxs[a]!.wrap_socket(raw, { server_hostname: c });
            r = "ok " + dec.decode(await s.recv(100));
            s.close();
          } catch (e) {
            raw.close();
            throw e;
          }
        } else if (op === "acc") {
          const peer = python(PY_CLIENT, certs.dir, String(listener.getsockname()[1]), b as string);
          const [conn] = await listener.accept();
          conn.settimeout(10);
          try {
            const s = await ctxs[a]!.wrap_socket(conn, { server_side: true });
            r = "ok " + (s.getpeercert(true) ? "cert" : "none");
            s.close();
          } catch (e) {
            conn.close();
            throw e;
          } finally {
            await peer;
          }
        }
      } catch (e) {
        r = outcome_of(e);
      }
      got.push(r);
    }
    const p = await py;
    assert.equal(p.code, 0, p.err);
    const want = JSON.parse(p.out.trim()) as string[];
    for (let i = 0; i < STEPS.length; i++) assert.equal(got[i], want[i], `step ${i}: ${JSON.stringify(STEPS[i])}`);
    // The sequence means what it says (CPython's own verdicts): codes per connection.
    const codes = want.filter((_, i) => STEPS[i]![0] === "conn" || STEPS[i]![0] === "acc").map((w) =>
      w.startsWith("ok") ? "ok" : w.split(" ")[1]
    );
    assert.deepEqual(codes, [
      ...["ok", "ok", "ok", "20", "ok", "20", "62", "ok", "ok", "64", "ok", "62", "47", "ok", "47", "26", "ok"], // a, s
      ...["2", "ok", "ok", "2", "2"], // b: the intermediate alone, partial chain on and off
      ...["20", "ok", "20", "ok"], // c, a, c, c after loading the root
      ...["20", "ok", "20", "20"], // d: the root's twin
      ...["ok", "25", "ok", "25", "20"], // e: the same leaf through the same intermediate cross-signed by a pathlen 0 root
      ...["ok", "ok", "ok"], // f: trusting the leaf itself and the root, partial chain on, off, on
      ...["26", "ok", "26", "26", "ok", "26", "ok", "20", "ok", "ok"], // s both ways
      ...["ok", "ok", "10", "10", "ok", "ok"], // the short leaf before and after it expired
    ]);
  } finally {
    listener.close();
    await srv.stop();
  }
});

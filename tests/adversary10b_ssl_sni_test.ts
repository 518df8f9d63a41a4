// adv10b: what a sni_callback's `ssl_socket.context = other` changes, against CPython (OpenSSL 3.0) serving the
// same python3 clients with the same callback: the certificate and CA store become the new context's, its ALPN
// protocols too (A10b-5), but the verify mode and the protocol versions stay the first context's, as OpenSSL's
// SSL_set_SSL_CTX keeps them (A10b-3: a swap to a context allowing TLS 1.2 downgraded a TLS 1.3-only server).
// A callback that raises or returns anything but None fails the server's handshake with CPython's
// `[SSL: CALLBACK_FAILED] callback failed` (A10b-4: the callback's own exception, or an invented text, came out).

import assert from "node:assert/strict";
import { create_server } from "../mod.ts";
import * as ssl from "../ssl.ts";
import { make_certs, python } from "./_ssl_fixtures.ts";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");

/** [server_hostname, client sends a certificate, client ALPN, client caps TLS at 1.2] */
type Case = [string, boolean, string[] | null, boolean];
const CASES: Case[] = [
  ["req.example", false, ["a"], false],
  ["req.example", true, ["a"], false],
  ["none.example", false, ["a"], false],
  ["noca.example", true, ["a"], false],
  ["alpn.example", false, ["a", "b"], false],
  ["alpn.example", false, ["b", "a"], false],
  ["noalpn.example", false, ["a", "b"], false],
  ["v12.example", false, null, false],
  ["v12.example", false, null, true],
  ["plain.example", false, null, true],
  ["client.example", false, null, false],
  ["raise.example", false, null, false],
  ["str.example", false, null, false],
  ["neg.example", false, null, false],
  ["big.example", false, null, false],
  ["deny.example", false, null, false],
  ["plain.example", true, ["a"], false],
];

const PY = `
import json, socket, ssl, sys, threading
d, mode = sys.argv[1], sys.argv[2]
CASES = json.loads(sys.argv[3])
def clients(port):
    out = []
    for h, cert, alpn, max12 in CASES:
        c = ssl.create_default_context(cafile=d + "/ca.pem"); c.check_hostname = False
        if cert: c.load_cert_chain(d + "/client.pem", d + "/client.key")
        if alpn: c.set_alpn_protocols(alpn)
        if max12: c.maximum_version = ssl.TLSVersion.TLSv1_2
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
                with c.wrap_socket(raw, server_hostname=h) as s:
                    s.sendall(b"x")
                    data = s.recv(10).decode()
                    out.append(["ok", s.version(), s.selected_alpn_protocol(), data])
        except OSError as e:
            out.append(["failed", type(e).__name__])
    return out
if mode == "client":
    print(json.dumps(clients(int(sys.argv[4])))); sys.exit()
def mk(verify=ssl.CERT_NONE, alpn=None, cafile=None, maxv=None, proto=ssl.PROTOCOL_TLS_SERVER, minv=None):
    c = ssl.SSLContext(proto)
    if proto == ssl.PROTOCOL_TLS_CLIENT: c.check_hostname = False
    c.load_cert_chain(d + "/server.pem", d + "/server.key")
    if cafile: c.load_verify_locations(d + "/" + cafile)
    c.verify_mode = verify
    if alpn: c.set_alpn_protocols(alpn)
    if maxv: c.maximum_version = maxv
    if minv: c.minimum_version = minv
    return c
if mode == "required": main = mk(ssl.CERT_REQUIRED, ["a"], "ca.pem")
elif mode == "tls13": main = mk(ssl.CERT_NONE, ["a"], None, None, ssl.PROTOCOL_TLS_SERVER, ssl.TLSVersion.TLSv1_3)
else: main = mk(ssl.CERT_NONE, ["a"])
others = {
    "req.example": mk(ssl.CERT_REQUIRED, ["a"], "ca.pem"),
    "none.example": mk(ssl.CERT_NONE, ["a"]),
    "noca.example": mk(ssl.CERT_REQUIRED, ["a"]),
    "alpn.example": mk(ssl.CERT_NONE, ["b", "c"]),
    "noalpn.example": mk(ssl.CERT_NONE),
    "v12.example": mk(ssl.CERT_NONE, ["a"], None, ssl.TLSVersion.TLSv1_2),
    "client.example": mk(ssl.CERT_NONE, ["a"], None, None, ssl.PROTOCOL_TLS_CLIENT),
}
def cb(sock, name, ctx):
    if name in others: sock.context = others[name]
    if name == "raise.example": raise ValueError("nope")
    if name == "str.example": return "x"
    if name == "neg.example": return -1
    if name == "big.example": return 300
    if name == "deny.example": return ssl.ALERT_DESCRIPTION_ACCESS_DENIED
main.sni_callback = cb
srv = socket.create_server(("127.0.0.1", 0))
res = []
def serve():
    for _ in CASES:
        raw, _a = srv.accept(); raw.settimeout(10)
        try:
            with main.wrap_socket(raw, server_side=True) as s:
                s.recv(1)
                res.append(["ok", s.version(), s.selected_alpn_protocol(), bool(s.getpeercert())])
                s.sendall(b"y")
        except OSError as e:
            res.append([type(e).__name__, str(e), getattr(e, "reason", None)]); raw.close()
t = threading.Thread(target=serve); t.start()
cl = clients(srv.getsockname()[1])
t.join()
print(json.dumps({"server": res, "clients": cl}))
`;

async function pysocket_server(dir: string, mode: string): Promise<{ server: unknown[]; clients: unknown[] }> {
  const mk = (
    verify = ssl.CERT_NONE,
    alpn: string[] | null = null,
    cafile: string | null = null,
    maxv: number | null = null,
    proto = ssl.PROTOCOL_TLS_SERVER,
    minv: number | null = null,
  ) => {
    const c = new ssl.SSLContext(proto);
    if (proto === ssl.PROTOCOL_TLS_CLIENT) c.check_hostname = false;
    c.load_cert_chain(`${dir}/server.pem`, `${dir}/server.key`);
    if (cafile) c.load_verify_locations(`${dir}/${cafile}`);
    c.verify_mode = verify;
    if (alpn) c.set_alpn_protocols(alpn);
    if (maxv) c.maximum_version = maxv;
    if (minv) c.minimum_version = minv;
    return c;
  };
  const main = mode === "required"
    ? mk(ssl.CERT_REQUIRED, ["a"], "ca.pem")
    : mode === "tls13"
    ? mk(ssl.CERT_NONE, ["a"], null, null, ssl.PROTOCOL_TLS_SERVER, ssl.TLSVersion.TLSv1_3)
    : mk(ssl.CERT_NONE, ["a"]);
  const others: Record<string, ssl.SSLContext> = {
    "req.example": mk(ssl.CERT_REQUIRED, ["a"], "ca.pem"),
    "none.example": mk(ssl.CERT_NONE, ["a"]),
    "noca.example": mk(ssl.CERT_REQUIRED, ["a"]),
    "alpn.example": mk(ssl.CERT_NONE, ["b", "c"]),
    "noalpn.example": mk(ssl.CERT_NONE),
    "v12.example": mk(ssl.CERT_NONE, ["a"], null, ssl.TLSVersion.TLSv1_2),
    "client.example": mk(ssl.CERT_NONE, ["a"], null, null, ssl.PROTOCOL_TLS_CLIENT),
  };
  main.sni_callback = (sock, name) => {
    if (name && others[name]) sock.context = others[name];
    if (name === "raise.example") throw new RangeError("nope");
    if (name === "str.example") return "x" as unknown as number;
    if (name === "neg.example") return -1;
    if (name === "big.example") return 300;
    if (name === "deny.example") return ssl.ALERT_DESCRIPTION_ACCESS_DENIED;
  };
  using l = create_server(["127.0.0.1", 0]);
  const server: unknown[] = [];
  const serving = (async () => {
    for (const _ of CASES) {
      const [raw] = await l.accept();
      raw.settimeout(10);
      try {
        using s = await main.wrap_socket(raw, { server_side: true });
        await s.recv(1);
        const pc = s.getpeercert();
        server.push(["ok", s.version(), s.selected_alpn_protocol(), Boolean(pc && Object.keys(pc).length)]);
        await s.sendall(new TextEncoder().encode("y"));
      } catch (e) {
        server.push([(e as Error).name, (e as Error).message, (e as { reason?: string }).reason ?? null]);
        raw.close();
      }
    }
  })();
  const [r] = await Promise.all([
    python(PY, dir, "client", JSON.stringify(CASES), String(l.getsockname()[1])),
    serving,
  ]);
  assert.equal(r.code, 0, r.err);
  return { server, clients: JSON.parse(r.out.trim().split("\n").at(-1)!) };
}

for (const mode of ["none", "required", "tls13"]) {
  test(`adversary10b: sni_callback swaps on a ${mode} server keep OpenSSL's per-connection policy (verify mode, versions), take the new context's certificate, CAs and ALPN, and fail as CPython's`, async () => {
    const certs = await make_certs();
    const ref = await python(PY, certs.dir, mode, JSON.stringify(CASES));
    assert.equal(ref.code, 0, ref.err);
    const want = JSON.parse(ref.out.trim().split("\n").at(-1)!) as { server: unknown[]; clients: unknown[][] };
    const got = await pysocket_server(certs.dir, mode);
    const diffs: string[] = [];
    CASES.forEach((c, i) => {
      let [gs, ws] = [got.server[i], want.server[i]] as unknown[][];
      let [gc, wc] = [got.clients[i], want.clients[i]] as unknown[][];
      // Documented (docs/limits.md): a swap to a context without ALPN keeps the first context's protocols.
      if (c[0] === "noalpn.example" && mode !== "required") {
        assert.deepEqual([gs![2], gc![2]], ["a", "a"]);
        assert.deepEqual([ws![2], wc![2]], [null, null]);
        gs = [...gs!.slice(0, 2), null, ...gs!.slice(3)];
        gc = [...gc!.slice(0, 2), null, ...gc!.slice(3)];
      }
      // Documented: a client a pysocket server refuses after the handshake (TLS 1.3) may have finished its own
      // handshake and reads EOF; with CPython it fails in the handshake. And no alert is sent on refusal.
      if (ws![0] !== "ok") {
        gc = [gc![0] === "ok" && gc![3] === "" ? "failed" : gc![0]];
        wc = [wc![0]];
      }
      if (JSON.stringify([gs, gc]) !== JSON.stringify([ws, wc])) {
        diffs.push(`${JSON.stringify(c)}: pysocket ${JSON.stringify([gs, gc])} CPython ${JSON.stringify([ws, wc])}`);
      }
    });
    assert.deepEqual(diffs, []);
  });
}

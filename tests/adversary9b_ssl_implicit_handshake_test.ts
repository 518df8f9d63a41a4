// adv9b: with do_handshake_on_connect=False, the first recv/recv_into/send/sendall drives the handshake, as
// CPython's SSL_read/SSL_write do: against a good server it returns the data, against one whose certificate is
// refused it raises CPython's SSLCertVerificationError, with the text naming the C line of the call that met it
// (_ssl.c:2580 for a read, 2427 for a write; pysocket said 1006, do_handshake's, for all), blocking and timed.

import assert from "node:assert/strict";
import { create_server } from "../mod.ts";
import { create_connection } from "../connection.ts";
import * as ssl from "../ssl.ts";
import { make_certs, python } from "./_ssl_fixtures.ts";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");

const OPS = ["recv", "recv_into", "send", "sendall"];

const PY = `
import json, socket, ssl, sys, threading, time
d = sys.argv[1]
c = ssl.create_default_context(cafile=d + "/ca.pem")
sc = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH); sc.load_cert_chain(d + "/server.pem", d + "/server.key")
bad = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH); bad.load_cert_chain(d + "/untrusted.pem", d + "/untrusted.key")
def att(f):
    try:
        r = f(); return ["ok", r.decode() if isinstance(r, bytes) else r]
    except Exception as e: return [type(e).__name__, str(e)]
l = socket.create_server(("127.0.0.1", 0))
out = {}
for mode in ["blocking", "timed"]:
  for srv in ["good", "bad"]:
    for op in json.loads(sys.argv[2]):
        s = socket.create_connection(l.getsockname()); a, _ = l.accept(); a.settimeout(5)
        def serve():
            try:
                x = (sc if srv == "good" else bad).wrap_socket(a, server_side=True); x.sendall(b"hello"); x.recv(1); x.close()
            except Exception: a.close()
        t = threading.Thread(target=serve); t.start()
        w = c.wrap_socket(s, server_hostname="localhost", do_handshake_on_connect=False)
        if mode == "timed": w.settimeout(5)
        f = {"recv": lambda: w.recv(5), "recv_into": lambda: w.recv_into(bytearray(5)), "send": lambda: w.send(b"x"),
             "sendall": lambda: w.sendall(b"x")}[op]
        out[mode + " " + srv + " " + op] = [att(f), att(w.version)]
        w.close(); t.join()
print(json.dumps(out))
`;

test("adversary9b: the first recv/recv_into/send/sendall drives the handshake and reports its failure as CPython's (text names the call's line)", async () => {
  const certs = await make_certs();
  const d = certs.dir;
  const c = ssl.create_default_context({ cafile: `${d}/ca.pem` });
  const sc = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH);
  sc.load_cert_chain(`${d}/server.pem`, `${d}/server.key`);
  const bad = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH);
  bad.load_cert_chain(`${d}/untrusted.pem`, `${d}/untrusted.key`);
  const att = async (f: () => unknown) => {
    try {
      const r = await f();
      return ["ok", r instanceof Uint8Array ? new TextDecoder().decode(r) : r ?? null];
    } catch (e) {
      return [(e as Error).name, (e as Error).message];
    }
  };
  using l = create_server(["127.0.0.1", 0]);
  const ours: Record<string, unknown> = {};
  for (const mode of ["blocking", "timed"]) {
    for (const srv of ["good", "bad"]) {
      for (const op of OPS) {
        const s = await create_connection(l.getsockname() as [string, number]);
        const [a] = await l.accept();
        a.settimeout(5);
        const served = (async () => {
          try {
            const x = await (srv === "good" ? sc : bad).wrap_socket(a, { server_side: true });
            await x.sendall(new TextEncoder().encode("hello"));
            await x.recv(1);
            x.close();
          } catch {
            a.close();
          }
        })();
        const w = await c.wrap_socket(s, { server_hostname: "localhost", do_handshake_on_connect: false });
        if (mode === "timed") w.settimeout(5);
        const f = {
          recv: () => w.recv(5),
          recv_into: () => w.recv_into(new Uint8Array(5)),
          send: () => w.send(new TextEncoder().encode("x")),
          sendall: () => w.sendall(new TextEncoder().encode("x")),
        }[op]!;
        ours[`${mode} ${srv} ${op}`] = [await att(f), await att(() => w.version())];
        w.close();
        await served;
      }
    }
  }
  const r = await python(PY, d, JSON.stringify(OPS));
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(ours, JSON.parse(r.out.trim().split("\n").at(-1)!));
});

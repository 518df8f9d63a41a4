// adv13a (A13a-7): empty and leading-dot server_hostname values are refused in CPython's order (SSLSocket._create's
// truthiness checks, then the idna codec, then _ssl.c): "" with check_hostname is "check_hostname requires
// server_hostname" (pysocket said "cannot be an empty string"), ".x"/"."/".." are the codec's "label empty or too
// long" (pysocket said "start with a leading dot"), and "" on a server-side wrap is _ssl.c's error, not "can only be
// specified in client mode". All refusals either way; the texts are CPython's now. Connected sockets (a socketpair),
// so CPython makes its SSL object at the wrap, as pysocket does.

import assert from "node:assert/strict";
import { socketpair } from "../mod.ts";
import * as ssl from "../ssl.ts";
import { make_certs, python } from "./_ssl_fixtures.ts";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");

const NAMES = ["", ".", ".x", "..", "x..y", "a.", "x"];

test("adversary13a A13a-7: server_hostname '' and leading dots are refused with CPython's texts, client and server side", async () => {
  const certs = await make_certs();
  const py = await python(
    `
import json, socket, ssl, sys
d = sys.argv[1]
out = []
for side in ("client", "client_nocheck", "server"):
    for h in json.loads(sys.argv[2]):
        a, b = socket.socketpair()
        if side == "server":
            c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); c.load_cert_chain(d + "/server.pem", d + "/server.key")
        else:
            c = ssl.create_default_context()
            if side == "client_nocheck": c.check_hostname = False
        try:
            c.wrap_socket(a, server_side=side == "server", server_hostname=h, do_handshake_on_connect=False).close()
            out.append("ok")
        except ValueError as e: out.append(str(e))
        a.close(); b.close()
print(json.dumps(out))
`,
    certs.dir,
    JSON.stringify(NAMES),
  );
  assert.equal(py.code, 0, py.err);
  const got: string[] = [];
  for (const side of ["client", "client_nocheck", "server"]) {
    for (const h of NAMES) {
      const [a, b] = await socketpair();
      let c: ssl.SSLContext;
      if (side === "server") {
        c = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
        c.load_cert_chain(certs.P("server.pem"), certs.P("server.key"));
      } else {
        c = ssl.create_default_context();
        if (side === "client_nocheck") c.check_hostname = false;
      }
      try {
        (await c.wrap_socket(a, { server_side: side === "server", server_hostname: h, do_handshake_on_connect: false }))
          .close();
        got.push("ok");
      } catch (e) {
        got.push(e instanceof RangeError ? e.message : String(e));
      }
      a.close();
      b.close();
    }
  }
  assert.deepEqual(got, JSON.parse(py.out));
});

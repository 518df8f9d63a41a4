// Python's repr() names the socket's class as `module.qualname` (a program's own subclass is `__main__.<name>`,
// a TLS socket `ssl.SSLSocket`), and settimeout()/setblocking() on a closed socket keep the value before raising
// EBADF. Each beside its CPython twin (adv13b's leftovers).

import assert from "node:assert/strict";
import { AF_INET, Socket, socket } from "../mod.ts";
import { create_default_context, SSLSocket } from "../ssl.ts";
import { attempt, cpython, pair } from "./_twin.ts";
import { make_certs } from "./_ssl_fixtures.ts";
import { missing, test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3");

/** A repr with its address numbers (fd, ports) blanked, so two processes' reprs compare. */
const shape = (r: string) => r.replace(/fd=\d+/, "fd=N").replace(/\d{4,5}\)/g, "P)");

test("repr: a subclass is __main__.<name>, closed or open, as CPython's", async () => {
  const py = await cpython(`
class My(socket):
    pass
s = My(); r1 = repr(s); s.close(); r2 = repr(s)
class Deeper(My):
    pass
d = Deeper(); d.bind(("127.0.0.1", 0)); r3 = repr(d); d.close()
p = socket(); p.close()
print(json.dumps([r1, r2, r3, repr(p)]))`) as string[];
  class My extends Socket {}
  class Deeper extends My {}
  const s = new My();
  const r1 = String(s);
  s.close();
  const d = new Deeper(AF_INET);
  d.bind(["127.0.0.1", 0]);
  const r3 = String(d);
  d.close();
  const p = socket();
  p.close();
  assert.deepEqual([r1, String(s), r3, String(p)].map(shape), py.map(shape));
});

test("settimeout()/setblocking() on a closed socket keep the value, then raise EBADF, as CPython's", async () => {
  const py = await cpython(`
s = socket(); s.close()
a = attempt(lambda: s.settimeout(5)); t1 = s.gettimeout()
b = attempt(lambda: s.setblocking(False)); t2 = s.gettimeout()
c = attempt(lambda: s.setblocking(True)); t3 = s.gettimeout()
print(json.dumps([a, t1, b, t2, c, t3]))`);
  const s = socket();
  s.close();
  const a = await attempt(() => s.settimeout(5));
  const t1 = s.gettimeout();
  const b = await attempt(() => s.setblocking(false));
  const t2 = s.gettimeout();
  const c = await attempt(() => s.setblocking(true));
  assert.deepEqual([a, t1, b, t2, c, s.gettimeout()], py);
});

Deno.test({
  name: "repr: an SSLSocket is ssl.SSLSocket, as CPython's",
  ignore: missing("openssl"),
  async fn() {
    const certs = await make_certs();
    using ab = await pair();
    const [a] = ab;
    const ctx = create_default_context({ cafile: certs.P("ca.pem") });
    const ss = await ctx.wrap_socket(a, { server_hostname: "localhost", do_handshake_on_connect: false });
    assert.ok(ss instanceof SSLSocket);
    assert.match(
      String(ss),
      /^<ssl\.SSLSocket fd=\d+, family=2, type=1, proto=0, laddr=\('127\.0\.0\.1', \d+\), raddr=/,
    );
    ss.close();
    assert.match(String(ss), /^<ssl\.SSLSocket \[closed\] fd=-1, family=2, type=1, proto=0>$/);
  },
});

// adv12a: TLS sockets under EPOLLET beside CPython: two records drained to SSLWantReadError, nothing new, a record
// after the drain, a record during the wait, a partial read (decrypted bytes left in the TLS layer: no new edge, as
// CPython's), then the peer's close after the drain (an EPOLLIN edge; recv reads b""). No edge is missed.

import assert from "node:assert/strict";
import * as socket from "../mod.ts";
import * as select from "../selectors.ts";
import { sleep, test_needing } from "./_socket_fixtures.ts";
import { cpython } from "./_twin.ts";

const test = test_needing("python3", "openssl");

const PY = `
import ssl
d = sys.argv[1]
cc = ssl.create_default_context(cafile=d + "/ca.pem")
sc = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH); sc.load_cert_chain(d + "/server.pem", d + "/server.key")
out = []
def show(l, v): out.append(l + ": " + json.dumps(v, separators=(",", ":")))
l = create_server(("127.0.0.1", 0))
c = create_connection(l.getsockname()); a, _ = l.accept(); l.close()
srv = []
t = threading.Thread(target=lambda: srv.append(sc.wrap_socket(a, server_side=True))); t.start()
w = cc.wrap_socket(c, server_hostname="localhost"); t.join(); s = srv[0]
def drain(s):
    got = b""
    for i in range(1000):
        try:
            x = s.recv(65536)
            if not x: return got.decode() + "+EOF"
            got += x
        except (ssl.SSLWantReadError, BlockingIOError): return got.decode() + "+EAGAIN"
    return got.decode()
def evs(r): return [e for _, e in r]
s.sendall(b"k"); w.recv(10)
s.setblocking(False)
ep = select.epoll(); ep.register(s.fileno(), select.EPOLLIN | select.EPOLLET)
w.sendall(b"hello"); w.sendall(b"world"); time.sleep(0.1)
show("two records", evs(ep.poll(5)))
show("partial", s.recv(3).decode())
t0 = time.time(); show("after a partial read", [evs(ep.poll(0.3)), time.time() - t0 > 0.2])
show("drain", drain(s))
show("nothing new", evs(ep.poll(0.05)))
w.sendall(b"again"); time.sleep(0.1)
show("new record", evs(ep.poll(5)))
show("drain 2", drain(s))
threading.Timer(0.05, lambda: w.sendall(b"later")).start()
t0 = time.time(); show("record during the wait", [evs(ep.poll(5)), time.time() - t0 < 3])
show("drain 3", drain(s))
w.close(); time.sleep(0.1)
show("close after the drain", evs(ep.poll(5)))
show("drain 4", drain(s))
s.close(); ep.close()
print(json.dumps(out))
`;

test("adversary12a: TLS under EPOLLET (records drained to SSLWantReadError, during the wait, a partial read, the peer's close) as CPython's", async () => {
  const ssl = await import("../ssl.ts");
  const { make_certs } = await import("./_ssl_fixtures.ts");
  const d = (await make_certs()).dir;
  const out: string[] = [];
  const show = (l: string, v: unknown) => out.push(l + ": " + JSON.stringify(v));
  const enc = (t: string) => new TextEncoder().encode(t);
  const cc = ssl.create_default_context({ cafile: `${d}/ca.pem` });
  const sc = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH);
  sc.load_cert_chain(`${d}/server.pem`, `${d}/server.key`);
  const l = socket.create_server(["127.0.0.1", 0]);
  const c = await socket.create_connection(l.getsockname() as [string, number]);
  const [a] = await l.accept();
  l.close();
  const [w, s] = await Promise.all([
    cc.wrap_socket(c, { server_hostname: "localhost" }),
    sc.wrap_socket(a, { server_side: true }),
  ]);
  const drain = async () => {
    let got = "";
    for (let i = 0; i < 1000; i++) {
      let x: Uint8Array;
      try {
        x = await s.recv(65536);
      } catch (e) {
        if (["SSLWantReadError", "BlockingIOError"].includes((e as Error).name)) return got + "+EAGAIN";
        throw e;
      }
      if (x.length === 0) return got + "+EOF";
      got += new TextDecoder().decode(x);
    }
    return got;
  };
  const evs = (r: [number, number][]) => r.map(([, e]) => e);
  await s.sendall(enc("k"));
  await w.recv(10);
  s.setblocking(false);
  const ep = select.epoll();
  ep.register(s.fileno(), select.EPOLLIN | select.EPOLLET);
  await w.sendall(enc("hello"));
  await w.sendall(enc("world"));
  await sleep(100);
  show("two records", evs(await ep.poll(5)));
  show("partial", new TextDecoder().decode(await s.recv(3)));
  let t0 = performance.now();
  show("after a partial read", [evs(await ep.poll(0.3)), performance.now() - t0 > 200]);
  show("drain", await drain());
  show("nothing new", evs(await ep.poll(0.05)));
  await w.sendall(enc("again"));
  await sleep(100);
  show("new record", evs(await ep.poll(5)));
  show("drain 2", await drain());
  setTimeout(() => void w.sendall(enc("later")), 50);
  t0 = performance.now();
  show("record during the wait", [evs(await ep.poll(5)), performance.now() - t0 < 3000]);
  show("drain 3", await drain());
  w.close();
  await sleep(100);
  show("close after the drain", evs(await ep.poll(5)));
  show("drain 4", await drain());
  s.close();
  ep.close();
  const py = await cpython(`sys.argv = ["x", ${JSON.stringify(d)}]\n` + PY);
  assert.deepEqual(out, py);
});

// fix19d (C3-3, C3-4, C3-9 and siblings): an SSLSocket's recv()/recv_into() counts, dup() and wrapping sockets that
// are not SOCK_STREAM, differential against CPython 3.11. With a session, CPython's recv() and recv_into() are SSL
// read(): recv(-1) raises "size should not be negative", and recv_into(buf, n) with n <= 0 or n > len(buf) reads up
// to len(buf); without one (unconnected) the plain socket's checks. dup() is NotImplementedError connected or not;
// a datagram socket (AF_INET, AF_UNIX) is NotImplementedError("only stream sockets are supported").

import assert from "node:assert/strict";
import { AF_INET, AF_UNIX, create_connection, create_server, SOCK_DGRAM, socket } from "../mod.ts";
import * as ssl from "../ssl.ts";
import { attempt, make_cpy_certs, twin } from "./_cpy_ssl.ts";
import { missing, test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");
const certs = (missing("openssl") ? undefined : await make_cpy_certs())!;

const PY = `
out = {}
sc = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); sc.load_cert_chain(SIGNED_CERTFILE)
l = socket.create_server((HOST, 0))
def run():
    a, _ = l.accept(); s = sc.wrap_socket(a, server_side=True)
    for _ in range(2): s.send(b"abcdefghijklmnop"); time.sleep(0.2)
    s.recv(1); s.close()
t = threading.Thread(target=run); t.start()
c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); c.check_hostname = False; c.verify_mode = ssl.CERT_NONE
u = c.wrap_socket(socket.socket())
out["unconnected recv -1"] = attempt(lambda: u.recv(-1))
out["unconnected recv_into -1"] = attempt(lambda: u.recv_into(bytearray(10), -1))
out["unconnected dup"] = attempt(lambda: u.dup())
u.close()
s = c.wrap_socket(socket.create_connection(l.getsockname())); s.settimeout(5)
out["recv -1"] = attempt(lambda: s.recv(-1))
for k, n in [("-1", -1), ("0", 0), ("11", 11), ("4", 4)]:
    b = bytearray(10)
    out["recv_into " + k] = attempt(lambda: [s.recv_into(b, n), bytes(b).rstrip(b"\\0").decode()])
out["recv_into empty 0"] = attempt(lambda: s.recv_into(bytearray(), 0))
out["dup"] = attempt(lambda: s.dup())
s.send(b"x"); s.close(); t.join(10); l.close()
out["udp"] = attempt(lambda: c.wrap_socket(socket.socket(socket.AF_INET, socket.SOCK_DGRAM)))
out["unix dgram"] = attempt(lambda: c.wrap_socket(socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)))
print(json.dumps(out))
`;

test("C3-3, C3-4, C3-9 and siblings: recv/recv_into counts, dup(), non-stream sockets, connected or not", async () => {
  const want = await twin(certs, PY);
  const out: Record<string, unknown> = {};
  const sc = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  sc.load_cert_chain(certs.P("keycert3.pem"));
  using l = create_server(["127.0.0.1", 0]);
  const served = (async () => {
    const [a] = await l.accept();
    const s = await sc.wrap_socket(a, { server_side: true });
    try {
      for (let i = 0; i < 2; i++) {
        await s.send(new TextEncoder().encode("abcdefghijklmnop"));
        await new Promise((r) => setTimeout(r, 200));
      }
      await s.recv(1);
    } finally {
      s.close();
    }
  })();
  const c = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  c.check_hostname = false;
  c.verify_mode = ssl.CERT_NONE;
  const u = await c.wrap_socket(socket());
  out["unconnected recv -1"] = await attempt(() => u.recv(-1));
  out["unconnected recv_into -1"] = await attempt(() => u.recv_into(new Uint8Array(10), -1));
  out["unconnected dup"] = await attempt(() => u.dup());
  u.close();
  const s = await c.wrap_socket(await create_connection(l.getsockname() as [string, number]));
  try {
    s.settimeout(5);
    out["recv -1"] = await attempt(() => s.recv(-1));
    for (const n of [-1, 0, 11, 4]) {
      const b = new Uint8Array(10);
      out[`recv_into ${n}`] = await attempt(async () => {
        const k = await s.recv_into(b, n);
        return [k, new TextDecoder().decode(b).replace(/\0+$/, "")];
      });
    }
    out["recv_into empty 0"] = await attempt(() => s.recv_into(new Uint8Array(0), 0));
    out.dup = await attempt(() => s.dup());
    await s.send(new TextEncoder().encode("x"));
  } finally {
    s.close();
  }
  await served;
  out.udp = await attempt(() => c.wrap_socket(socket(AF_INET, SOCK_DGRAM)));
  const ud = socket(AF_UNIX, SOCK_DGRAM);
  out["unix dgram"] = await attempt(() => c.wrap_socket(ud));
  ud.close();
  assert.deepEqual(out, want);
});

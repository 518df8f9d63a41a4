// port11's findings (the eighth batch of ported programs, tests/ported_more8_test.ts), each beside CPython.
//
// P11-1: Python Cookbook 11.2's bounded worker pool starts NWORKERS threads that all call serve_forever() on
// one TCPServer. Ported by the rules (a thread is a task), the second call rejected with "serve_forever() is
// already running", a text CPython never prints. Now a further serve_forever() joins the running loop and
// resolves when it ends. The class: every server class (TCP, Unix stream, UDP, Unix datagram), requests that
// must run at once (the pool's point: as many conversations as workers), and every way the loop ends
// (shutdown(), server_close()) resolving every joined call.
//
// P11-2: a StreamRequestHandler's settings (timeout, rbufsize, wbufsize, disable_nagle_algorithm) are class
// attributes in Python. README rule 8 makes a server's class attributes `static override` members; on a
// handler `static override` does not compile and a plain `static timeout = 5` was silently ignored (only the
// instance field `override timeout = 5` worked). Now a static member works as the instance field does.

import assert from "node:assert/strict";
import * as socket from "../mod.ts";
import { TimeoutError } from "../mod.ts";
import {
  BaseRequestHandler,
  type DatagramRequest,
  StreamRequestHandler,
  TCPServer,
  UDPServer,
  UnixDatagramServer,
  UnixStreamServer,
} from "../socketserver.ts";
import { cpython } from "./_twin.ts";
import { TempDir, test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3");
const enc = new TextEncoder();
const dec = new TextDecoder();

test({
  name: "P11-1: several serve_forever() calls on one server (a pool of workers) serve as CPython's threads do",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const py = await cpython(`
import socketserver
out = {}
class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        data = self.request.recv(100)
        self.request.sendall(data.upper())
class DEcho(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        sock.sendto(data.upper(), self.client_address)
d = tempfile.mkdtemp()
for name, cls, addr, fam, kind, h in [
        ("tcp", socketserver.TCPServer, ("127.0.0.1", 0), AF_INET, SOCK_STREAM, Echo),
        ("unix", socketserver.UnixStreamServer, os.path.join(d, "s"), AF_UNIX, SOCK_STREAM, Echo),
        ("udp", socketserver.UDPServer, ("127.0.0.1", 0), AF_INET, SOCK_DGRAM, DEcho),
        ("unixdg", socketserver.UnixDatagramServer, os.path.join(d, "dg"), AF_UNIX, SOCK_DGRAM, DEcho)]:
    srv = cls(addr, h)
    for _ in range(4):
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    got = []
    if kind == SOCK_STREAM:
        cs = [create_connection(srv.server_address) if fam == AF_INET else socket(AF_UNIX) for _ in range(4)]
        for c in cs:
            if fam == AF_UNIX: c.connect(srv.server_address)
        for i, c in enumerate(cs): c.sendall(b"worker %d" % i)
        for c in reversed(cs): got.append(c.recv(100).decode()); c.close()
    else:
        for i in range(4):
            c = socket(fam, SOCK_DGRAM)
            if fam == AF_UNIX: c.bind(os.path.join(d, "c%d" % i))
            c.sendto(b"datagram %d" % i, srv.server_address)
            got.append(c.recv(100).decode()); c.close()
    out[name] = got
    srv.server_close()
print(json.dumps(out))
`);
    class Echo extends BaseRequestHandler {
      override async handle() {
        const data = await this.request.recv(100);
        await this.request.sendall(enc.encode(dec.decode(data).toUpperCase()));
      }
    }
    class DEcho extends BaseRequestHandler<DatagramRequest> {
      override async handle() {
        const [data, sock] = this.request;
        await sock.sendto(enc.encode(dec.decode(data).toUpperCase()), this.client_address);
      }
    }
    using d = new TempDir();
    const out: Record<string, string[]> = {};
    const cases: [string, typeof TCPServer, socket.Address, number, number, typeof Echo | typeof DEcho][] = [
      ["tcp", TCPServer, ["127.0.0.1", 0], socket.AF_INET, socket.SOCK_STREAM, Echo],
      ["unix", UnixStreamServer, d.sock("s"), socket.AF_UNIX, socket.SOCK_STREAM, Echo],
      ["udp", UDPServer, ["127.0.0.1", 0], socket.AF_INET, socket.SOCK_DGRAM, DEcho],
      ["unixdg", UnixDatagramServer, d.sock("dg"), socket.AF_UNIX, socket.SOCK_DGRAM, DEcho],
    ];
    for (const [name, cls, addr, fam, kind, h] of cases) {
      const srv = new cls(addr, h);
      const workers = [0, 1, 2, 3].map(() => srv.serve_forever());
      const got: string[] = [];
      if (kind === socket.SOCK_STREAM) {
        const cs: socket.Socket[] = [];
        for (let i = 0; i < 4; i++) {
          const c = socket.socket(fam);
          await c.connect(srv.server_address);
          cs.push(c);
        }
        for (const [i, c] of cs.entries()) await c.sendall(enc.encode(`worker ${i}`));
        for (const c of [...cs].reverse()) {
          got.push(dec.decode(await c.recv(100)));
          c.close();
        }
      } else {
        for (let i = 0; i < 4; i++) {
          const c = socket.socket(fam, socket.SOCK_DGRAM);
          if (fam === socket.AF_UNIX) c.bind(d.sock(`c${i}`));
          await c.sendto(enc.encode(`datagram ${i}`), srv.server_address);
          got.push(dec.decode(await c.recv(100)));
          c.close();
        }
      }
      out[name] = got;
      // Every joined call ends with the loop: by shutdown() on TCP, by server_close() on the others.
      if (name === "tcp") await srv.shutdown();
      srv.server_close();
      const ended = await Promise.race([
        Promise.all(workers).then(() => true),
        new Promise<false>((r) => setTimeout(() => r(false), 10_000)),
      ]);
      assert.ok(ended, `${name}: a serve_forever() call did not end with the server`);
    }
    assert.deepEqual(out, py);
  },
});

test({
  name: "P11-2: a StreamRequestHandler's timeout and disable_nagle_algorithm as static members work as CPython's " +
    "class attributes (and as instance fields)",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const py = await cpython(`
import socketserver
res = []
class H(socketserver.StreamRequestHandler):
    timeout = 0.2
    disable_nagle_algorithm = True
    def handle(self):
        res.append(self.connection.getsockopt(IPPROTO_TCP, TCP_NODELAY) != 0)
        res.append(self.connection.gettimeout())
        try:
            self.rfile.readline()
            res.append("read")
        except TimeoutError as e:
            res.append(str(e))
srv = socketserver.TCPServer(("127.0.0.1", 0), H)
c = create_connection(srv.server_address)
srv.handle_request()
c.close(); srv.server_close()
print(json.dumps([res, res]))
`);
    const results: unknown[] = [];
    class Static extends StreamRequestHandler {
      static timeout = 0.2;
      static disable_nagle_algorithm = true;
      override async handle() {
        const res: unknown[] = [this.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) !== 0];
        res.push(this.connection.gettimeout());
        try {
          await this.rfile.readline();
          res.push("read");
        } catch (e) {
          if (!(e instanceof TimeoutError)) throw e;
          res.push(e.message);
        }
        results.push(res);
      }
    }
    class Instance extends Static {
      override timeout = 0.2;
      override disable_nagle_algorithm = true;
    }
    for (const h of [Static, Instance]) {
      await using srv = new TCPServer(["127.0.0.1", 0], h);
      const c = await socket.create_connection(srv.server_address as [string, number]);
      const served = srv.handle_request();
      // Bounded without the fix too: the client hangs up after 1 s (the handler then reads b'', "read").
      const timer = setTimeout(() => c.close(), 1000);
      await served;
      clearTimeout(timer);
      c.close();
    }
    assert.deepEqual(results, py);
  },
});

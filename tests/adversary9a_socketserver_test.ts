// adv9a: socketserver against CPython 3.11 (python3 twin in the same test): the order in which a server calls
// its overridable methods (verify_request refusing, a handler that raises, a handle_request() that times out),
// and the attributes servers and handlers start with. One difference is pinned: pysocket calls get_request()
// before a request is there (kept in flight across polls), so a handle_request() that times out has called it
// once (docs/limits.md, socketserver bullet).

import assert from "node:assert/strict";
import {
  AF_INET,
  create_connection,
  IPPROTO_TCP,
  SO_REUSEADDR,
  SOCK_DGRAM,
  socket,
  SOL_SOCKET,
  TCP_NODELAY,
} from "../mod.ts";
import {
  type Address,
  BaseRequestHandler,
  DatagramRequestHandler,
  type Request,
  StreamRequestHandler,
  TCPServer,
  UDPServer,
} from "../socketserver.ts";
import { cpython } from "./_twin.ts";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3");
// deno-lint-ignore no-explicit-any
type Loose = any; // requests are sockets or [data, socket] pairs
const te = new TextEncoder(), td = new TextDecoder();

test("adversary9a: a TCPServer calls its methods in CPython's order (verify_request False, a raising handler, a timeout)", async () => {
  const py = await cpython(PY7) as string[];
  const trace: string[] = [];
  class H extends BaseRequestHandler {
    override setup() {
      trace.push("setup");
    }
    override async handle() {
      trace.push("handle");
      const d = td.decode(await (this.request as Loose).recv(10));
      if (d === "boom") throw new Error("boom");
      await (this.request as Loose).sendall(te.encode(d.toUpperCase()));
    }
    override finish() {
      trace.push("finish");
    }
  }
  class S extends TCPServer {
    static override timeout = 0.3;
    override server_bind() {
      trace.push("server_bind");
      super.server_bind();
    }
    override server_activate() {
      trace.push("server_activate");
      super.server_activate();
    }
    override verify_request(_r: Request, _a: Address) {
      const ok = trace.length > 4;
      trace.push(`verify_request ${ok ? "True" : "False"}`);
      return ok;
    }
    override process_request(r: Request, a: Address) {
      trace.push("process_request");
      return super.process_request(r, a);
    }
    override finish_request(r: Request, a: Address) {
      trace.push("finish_request");
      return super.finish_request(r, a);
    }
    override shutdown_request(r: Request) {
      trace.push("shutdown_request");
      return super.shutdown_request(r);
    }
    override close_request(r: Request) {
      trace.push("close_request");
      return super.close_request(r);
    }
    override handle_error() {
      trace.push("handle_error");
    }
    override handle_timeout() {
      trace.push("handle_timeout");
    }
    override service_actions() {
      trace.push("service_actions");
    }
    override server_close() {
      trace.push("server_close");
      return super.server_close();
    }
    override get_request(o?: Loose) {
      trace.push("get_request");
      return super.get_request(o);
    }
  }
  const srv = new S(["127.0.0.1", 0], H);
  const addr = srv.server_address as [string, number];
  const client = async (msg: string) => {
    const c: Loose = await create_connection(addr);
    c.settimeout(5);
    await c.sendall(te.encode(msg));
    let r: string;
    try {
      r = `b'${td.decode(await c.recv(10))}'`;
    } catch (e) {
      r = (e as Error).name;
    }
    c.close();
    return r;
  };
  for (const msg of ["hi", "hi", "boom"]) {
    const p = client(msg);
    await srv.handle_request();
    trace.push(`-- ${await p}`);
  }
  await srv.handle_request();
  trace.push("-- timeout");
  await srv.server_close();
  // The one difference: the get_request() in flight when handle_request() timed out.
  const at = trace.lastIndexOf("get_request");
  assert.equal(trace[at + 1], "handle_timeout");
  assert.deepEqual([...trace.slice(0, at), ...trace.slice(at + 1)], py);
});

test("adversary9a: servers and handlers start with CPython's attributes (TCPServer, StreamRequestHandler, UDPServer, DatagramRequestHandler)", async () => {
  const py = await cpython(PY8);
  const R: Record<string, unknown> = {};
  const tn = (v: unknown) => Array.isArray(v) ? "tuple" : v instanceof Uint8Array ? "bytes" : typeof v;
  class H extends StreamRequestHandler {
    override timeout = 2;
    override disable_nagle_algorithm = true;
    override async handle() {
      const c: Loose = this.connection;
      R.stream = [
        this.rbufsize,
        this.wbufsize,
        this.timeout,
        this.connection === this.request,
        c.gettimeout(),
        c.getsockopt(IPPROTO_TCP, TCP_NODELAY) !== 0,
        (this.rfile as Loose).mode,
        null,
        tn(this.client_address),
        td.decode(await this.rfile.readline() as Uint8Array),
      ];
      await this.wfile.write(te.encode("ok\n"));
    }
  }
  const srv: Loose = new TCPServer(["127.0.0.1", 0], H);
  R.server = [
    srv.allow_reuse_address,
    srv.allow_reuse_port,
    srv.request_queue_size,
    srv.timeout,
    srv.address_family,
    srv.socket_type,
    srv.socket.getsockopt(SOL_SOCKET, SO_REUSEADDR),
    srv.socket.gettimeout(),
    tn(srv.server_address),
  ];
  let p = srv.handle_request();
  let c: Loose = await create_connection(srv.server_address);
  c.settimeout(5);
  await c.sendall(te.encode("line\n"));
  R.reply = td.decode(await c.recv(10));
  await p;
  c.close();
  srv.server_close();
  class D extends DatagramRequestHandler {
    override handle() {
      R.dgram = [
        tn(this.packet),
        this.socket === (this.server as Loose).socket,
        tn(this.request),
        td.decode(this.rfile.read()),
        tn(this.client_address),
      ];
    }
  }
  const u: Loose = new UDPServer(["127.0.0.1", 0], D);
  R["udp server"] = [u.max_packet_size, u.allow_reuse_address, u.socket_type, u.timeout];
  p = u.handle_request();
  c = socket(AF_INET, SOCK_DGRAM);
  c.settimeout(5);
  await c.sendto(te.encode("dgram"), u.server_address);
  await p;
  R["empty reply"] = td.decode((await c.recvfrom(10))[0]);
  u.server_close();
  c.close();
  assert.deepEqual(R, py);
});

const PY7 =
  'import socketserver\ntrace = []\nclass H(socketserver.BaseRequestHandler):\n    def setup(self): trace.append("setup")\n    def handle(self):\n        trace.append("handle")\n        d = self.request.recv(10)\n        if d == b"boom": raise ValueError("boom")\n        if d == b"stop": self.server._BaseServer__shutdown_request = True\n        self.request.sendall(d.upper())\n    def finish(self): trace.append("finish")\nclass S(socketserver.TCPServer):\n    timeout = 0.3\n    def server_bind(self): trace.append("server_bind"); super().server_bind()\n    def server_activate(self): trace.append("server_activate"); super().server_activate()\n    def verify_request(self, req, addr):\n        ok = len(trace) > 4\n        trace.append("verify_request %s" % ok); return ok\n    def process_request(self, req, addr): trace.append("process_request"); super().process_request(req, addr)\n    def finish_request(self, req, addr): trace.append("finish_request"); super().finish_request(req, addr)\n    def shutdown_request(self, req): trace.append("shutdown_request"); super().shutdown_request(req)\n    def close_request(self, req): trace.append("close_request"); super().close_request(req)\n    def handle_error(self, req, addr): trace.append("handle_error"); \n    def handle_timeout(self): trace.append("handle_timeout")\n    def service_actions(self): trace.append("service_actions")\n    def server_close(self): trace.append("server_close"); super().server_close()\n    def get_request(self): trace.append("get_request"); return super().get_request()\n    def fileno(self): return super().fileno()\nsrv = S(("127.0.0.1", 0), H)\naddr = srv.server_address\ndef client(msg):\n    c = create_connection(addr); c.settimeout(5); c.sendall(msg)\n    try: r = c.recv(10)\n    except Exception as e: r = type(e).__name__\n    c.close(); return r\nres = []\nt = threading.Thread(target=lambda: res.append(client(b"hi"))); t.start()\nsrv.handle_request(); t.join(); trace.append("-- %r" % res[-1])\nt = threading.Thread(target=lambda: res.append(client(b"hi"))); t.start()\nsrv.handle_request(); t.join(); trace.append("-- %r" % res[-1])\nt = threading.Thread(target=lambda: res.append(client(b"boom"))); t.start()\nsrv.handle_request(); t.join(); trace.append("-- %r" % res[-1])\nsrv.handle_request(); trace.append("-- timeout")\nsrv.server_close()\nprint(json.dumps(trace))\n';

const PY8 =
  'import socketserver\nR = {}\nclass H(socketserver.StreamRequestHandler):\n    timeout = 2; disable_nagle_algorithm = True\n    def handle(self):\n        R["stream"] = [self.rbufsize, self.wbufsize, self.timeout, self.connection is self.request, self.connection.gettimeout(),\n            self.connection.getsockopt(IPPROTO_TCP, TCP_NODELAY) != 0, self.rfile.mode, self.wfile.mode if hasattr(self.wfile, "mode") else None,\n            type(self.client_address).__name__, self.rfile.readline().decode()]\n        self.wfile.write(b"ok\\n")\nsrv = socketserver.TCPServer(("127.0.0.1", 0), H)\nR["server"] = [srv.allow_reuse_address, srv.allow_reuse_port, srv.request_queue_size, srv.timeout, srv.address_family, srv.socket_type, srv.socket.getsockopt(SOL_SOCKET, SO_REUSEADDR), srv.socket.gettimeout(), type(srv.server_address).__name__]\nt = threading.Thread(target=srv.handle_request); t.start()\nc = create_connection(srv.server_address); c.sendall(b"line\\n"); R["reply"] = c.recv(10).decode(); t.join(); c.close(); srv.server_close()\nclass D(socketserver.DatagramRequestHandler):\n    def handle(self):\n        R["dgram"] = [type(self.packet).__name__, self.socket is self.server.socket, type(self.request).__name__, self.rfile.read().decode(), type(self.client_address).__name__]\nu = socketserver.UDPServer(("127.0.0.1", 0), D)\nR["udp server"] = [u.max_packet_size, u.allow_reuse_address, u.socket_type, u.timeout]\nt = threading.Thread(target=u.handle_request); t.start()\nc = socket(AF_INET, SOCK_DGRAM); c.settimeout(5); c.sendto(b"dgram", u.server_address); t.join()\nR["empty reply"] = c.recvfrom(10)[0].decode(); u.server_close()\nprint(json.dumps(R))\n';

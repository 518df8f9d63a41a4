// Port of cb_tcp_server.py (handle() is async, `for line in self.rfile` is for await; a thread running
// serve_forever() is a task; class attributes are static members; TCPServer.allow_reuse_address = true
// changes the class for every later server, as in Python; a handler's class attributes are instance fields,
// `static override` does not compile: finding P11-2).
import * as socket from "../../mod.ts";
import { TimeoutError } from "../../mod.ts";
import { BaseRequestHandler, StreamRequestHandler, TCPServer, ThreadingTCPServer } from "../../socketserver.ts";
import { b, print } from "../ported/_py.ts";

class EchoHandler extends BaseRequestHandler {
  override async handle() {
    print("Got connection from", this.client_address[0]);
    while (true) {
      const msg = await this.request.recv(8192);
      if (!msg.length) break;
      await this.request.send(msg);
    }
  }
}

class LineEchoHandler extends StreamRequestHandler {
  override async handle() {
    print("Got connection from", this.client_address[0]);
    // this.rfile is a file-like object for reading
    for await (const line of this.rfile) {
      // this.wfile is a file-like object for writing
      await this.wfile.write(line);
    }
  }
}

let done: () => void = () => {};

class TimeoutEchoHandler extends StreamRequestHandler {
  override timeout = 0.3;
  override rbufsize = -1;
  override wbufsize = 0;
  override disable_nagle_algorithm = false;

  override async handle() {
    print("Got connection from", this.client_address[0]);
    try {
      for await (const line of this.rfile) await this.wfile.write(line);
    } catch (e) {
      if (!(e instanceof TimeoutError)) throw e;
      print("Timed out!");
    }
    done();
  }
}

const start = (serv: TCPServer) => serv.serve_forever();

async function stop(serv: TCPServer, t: Promise<void>) {
  await serv.shutdown();
  await t;
  serv.server_close();
}

// BaseRequestHandler
let serv = new TCPServer(["127.0.0.1", 0], EchoHandler);
let t = start(serv);
let s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
await s.connect(serv.server_address);
const sent = await s.send(b("Hello"));
const data = await s.recv(8192);
print(sent);
print(data);
s.close();
await stop(serv, t);

// StreamRequestHandler, then the same on ThreadingTCPServer
for (const cls of [TCPServer, ThreadingTCPServer]) {
  serv = new cls(["127.0.0.1", 0], LineEchoHandler);
  t = start(serv);
  s = await socket.create_connection(serv.server_address as [string, number]);
  const f = s.makefile("rb");
  await s.sendall(b("line one\nline two\n"));
  print(cls.name, await f.readline(), await f.readline());
  await s.sendall(b("no newline at the end"));
  await s.shutdown(socket.SHUT_WR);
  print(cls.name, await f.read());
  await f.close();
  s.close();
  await stop(serv, t);
}

// a bounded pool of workers on one TCPServer
const NWORKERS = 4;
serv = new TCPServer(["127.0.0.1", 0], EchoHandler);
for (let n = 0; n < NWORKERS; n++) {
  serv.serve_forever();
}
const clients: socket.Socket[] = [];
for (let n = 0; n < NWORKERS; n++) {
  clients.push(await socket.create_connection(serv.server_address as [string, number]));
}
for (const [n, c] of clients.entries()) await c.sendall(b(`worker test ${n}`));
const replies: [number, Uint8Array][] = [];
for (const [n, c] of [...clients.entries()].reverse()) replies.push([n, await c.recv(8192)]);
for (const [n, reply] of replies) print("pool reply", n, reply);
for (const c of clients) c.close();
serv.server_close();

// a handler with a timeout
const finished = new Promise<void>((r) => done = r);
serv = new TCPServer(["127.0.0.1", 0], TimeoutEchoHandler);
t = start(serv);
s = await socket.create_connection(serv.server_address as [string, number]);
await s.sendall(b("one line\n"));
print(await s.recv(100));
await finished;
print("after the timeout the server closed:", await s.recv(100));
s.close();
await stop(serv, t);

// bind_and_activate=False, then allow_reuse_address
serv = new TCPServer(["127.0.0.1", 0], EchoHandler, { bind_and_activate: false });
serv.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, true);
serv.server_bind();
serv.server_activate();
print("reuse set by hand:", serv.socket.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR));
serv.server_close();
TCPServer.allow_reuse_address = true;
serv = new TCPServer(["127.0.0.1", 0], EchoHandler);
print("allow_reuse_address:", serv.socket.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR));
t = start(serv);
{
  using s = await socket.create_connection(serv.server_address as [string, number]);
  await s.sendall(b("last"));
  print(await s.recv(100));
}
await stop(serv, t);

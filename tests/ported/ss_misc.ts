// Port of ss_misc.py (threads are tasks; sys.exc_info() is handle_error's third argument).
import * as socket from "../../mod.ts";
import * as socketserver from "../../socketserver.ts";
import { b, bjoin, bstrip, bupper, decode, join, print } from "./_py.ts";

class Handler extends socketserver.StreamRequestHandler {
  override async handle() {
    const line = bstrip(await this.rfile.readline() as Uint8Array); // cast: finding T2
    if (decode(line) === "boom") {
      throw new RangeError("handler failed on purpose"); // ValueError
    }
    if (decode(line) === "quit") {
      await this.wfile.write(b("bye\n"));
      void this.server.shutdown(); // threading.Thread(target=self.server.shutdown).start()
      return;
    }
    await this.wfile.write(bjoin([b("echo "), line, b("\n")]));
  }
}

class Server extends socketserver.ThreadingTCPServer {
  static override daemon_threads = true;

  override verify_request(_request: socketserver.Request, client_address: socketserver.Address) {
    return (client_address as [string, number])[0] === "127.0.0.1";
  }

  override handle_error(_request: socketserver.Request | null, _client_address: unknown, error?: unknown) {
    print("handle_error:", error instanceof RangeError ? "ValueError" : (error as Error).name, error);
  }
}

async function talk(addr: [string, number], line: Uint8Array) {
  using s = await socket.create_connection(addr);
  await s.sendall(bjoin([line, b("\n")]));
  return await s.makefile("rb").readline();
}

const server = new Server(["127.0.0.1", 0], Handler, false);
server.allow_reuse_address = true;
server.server_bind();
server.server_activate();
print("bound", server.server_address[0], server.socket.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR));
const t = server.serve_forever();
let alive = true;
t.finally(() => alive = false);
const addr = server.server_address as [string, number];
print(await talk(addr, b("hello")));
print(await talk(addr, b("boom")));
print(await talk(addr, b("quit")));
await join(t, 10);
print("serve_forever returned:", !alive);
server.server_close();

class DHandler extends socketserver.DatagramRequestHandler {
  override async handle() {
    const line = this.rfile.readline();
    print("datagram handler read", line, "rest", this.rfile.read());
    await this.wfile.write(bjoin([b("got "), bupper(line)]));
  }
}

{
  await using userver = new socketserver.UDPServer(["127.0.0.1", 0], DHandler);
  const c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  c.settimeout(5);
  await c.sendto(b("first line\nsecond"), userver.server_address);
  await userver.handle_request();
  print("udp reply", await c.recv(100));
  c.close();
}

// Port of ss_tls.py (threads become tasks; Thread(target=server.serve_forever, args=(0.05,)) is serve_forever(0.05)).
import * as socket from "../../mod.ts";
import * as socketserver from "../../socketserver.ts";
import * as ssl from "../../ssl.ts";
import type { Address } from "../../mod.ts";
import { b, bjoin, bstrip, decode, join, print } from "./_py.ts";

const [CERT, KEY] = [Deno.args[0]!, Deno.args[1]!];
const server_ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
server_ctx.load_cert_chain(CERT, KEY);
const client_ctx = ssl.create_default_context({ cafile: CERT });

class Handler extends socketserver.StreamRequestHandler {
  override async handle() {
    print("  handler:", this.request instanceof ssl.SSLSocket, (this.request as ssl.SSLSocket).version());
    for await (const line of this.rfile as AsyncIterable<Uint8Array>) { // cast: SocketFile is not typed by mode (finding T2)
      if (decode(bstrip(line)) === "quit") break;
      await this.wfile.write(bjoin([b("tls echo: "), line]));
    }
  }
}

class TLSServer extends socketserver.ThreadingTCPServer {
  static override allow_reuse_address = true;
  static override daemon_threads = true;

  override async get_request(): Promise<[socketserver.Request, Address]> {
    const [newsocket, fromaddr] = await this.socket.accept();
    return [await server_ctx.wrap_socket(newsocket, { server_side: true }), fromaddr];
  }
}

async function client(addr: [string, number], label: string) {
  using raw = await socket.create_connection(addr, { timeout: 10 });
  {
    using tls = await client_ctx.wrap_socket(raw, { server_hostname: "localhost" });
    const f = tls.makefile("rwb");
    for (const msg of [b("one\n"), b("two\n")]) {
      await f.write(msg);
      await f.flush();
      print(label, await f.readline());
    }
    await f.write(b("quit\n"));
    await f.flush();
    print(label, "EOF", await f.read());
    await f.close();
  }
}

for (const recipe of [1, 2]) {
  let server: socketserver.TCPServer;
  if (recipe === 1) {
    server = new TLSServer(["127.0.0.1", 0], Handler);
  } else {
    server = new socketserver.ThreadingTCPServer(["127.0.0.1", 0], Handler);
    server.socket = await server_ctx.wrap_socket(server.socket, { server_side: true });
  }
  {
    await using _server = server;
    const t = server.serve_forever(0.05);
    print("recipe", recipe, server.socket instanceof ssl.SSLSocket);
    const address = server.server_address as [string, number]; // cast: server_address is typed for every family
    await client(address, `recipe ${recipe}:`);
    await client(address, `recipe ${recipe} again:`);
    await server.shutdown();
    await join(t, 10);
  }
}
print("done");

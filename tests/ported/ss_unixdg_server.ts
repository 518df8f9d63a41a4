// Port of ss_unixdg_server.py (os.path.basename is the text after the last "/"; os.path.exists a statSync).
import * as socketserver from "../../socketserver.ts";
import { SocketKind } from "../../mod.ts";
import { b, bjoin, bupper, print, repr } from "./_py.ts";

const path = Deno.args[0]!;
const basename = (p: string) => p.slice(p.lastIndexOf("/") + 1);

class Handler extends socketserver.DatagramRequestHandler {
  override handle() {
    const data = this.rfile.read();
    print("from", basename(this.client_address as string), repr(data.subarray(0, 20)), data.length);
    this.wfile.write(bjoin([bupper(data), b(` (${data.length} bytes)`)]));
  }
}

{
  using server = new socketserver.UnixDatagramServer(path, Handler);
  print("listening on", server.server_address);
  print("type", SocketKind[server.socket.type], "timeout", server.timeout);
  server.timeout = 10;
  for (let _ = 0; _ < 4; _++) {
    await server.handle_request();
  }
}
let exists = true;
try {
  Deno.statSync(path);
} catch {
  exists = false;
}
print("file still there", exists);
Deno.removeSync(path);

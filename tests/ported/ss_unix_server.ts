// Port of ss_unix_server.py (os.unlink is Deno.removeSync, os.path.exists a statSync that may throw,
// threading.Thread(target=self.server.shutdown).start() is a shutdown() left running).
import * as socketserver from "../../socketserver.ts";
import { SocketKind } from "../../mod.ts";
import { AddressFamily } from "../../mod.ts";
import { b, bstrip, bupper, decode, print, repr } from "./_py.ts";

const server_address = Deno.args[0]!;
const exists = (p: string) => {
  try {
    Deno.statSync(p);
    return true;
  } catch {
    return false;
  }
};

// Make sure the socket does not already exist
try {
  Deno.removeSync(server_address);
} catch (e) {
  if (exists(server_address)) {
    throw e;
  }
}
Deno.writeTextFileSync(server_address, ""); // a stale file, as a crashed server leaves
Deno.removeSync(server_address);

class Handler extends socketserver.StreamRequestHandler {
  override async handle() {
    print("connection from", repr(this.client_address), "on", this.request.getsockname() === server_address);
    for await (const line of this.rfile as AsyncIterable<Uint8Array>) { // cast: SocketFile is not typed by mode (finding T2)
      if (decode(bstrip(line)) === "quit") {
        await this.wfile.write(b("bye\n"));
        this.server.shutdown();
        break;
      }
      await this.wfile.write(bupper(line));
    }
  }
}

class Server extends socketserver.ThreadingUnixStreamServer {
  static override daemon_threads = true;
}

{
  await using server = new Server(server_address, Handler);
  print("listening on", server.server_address);
  print("family", AddressFamily[server.socket.family], "type", SocketKind[server.socket.type]);
  await server.serve_forever();
  print("serve_forever returned");
}

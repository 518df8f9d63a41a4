// Port of ss_tcp_server.py.
import * as socketserver from "../../socketserver.ts";
import { bstrip, bupper, print } from "./_py.ts";

class MyTCPHandler extends socketserver.StreamRequestHandler {
  data!: Uint8Array;

  override async handle() {
    // self.rfile is a file-like object created by the handler;
    // we can now use e.g. readline() instead of raw recv() calls
    this.data = bstrip(await this.rfile.readline() as Uint8Array); // cast: SocketFile is not typed by mode (finding T2)
    print(`${(this.client_address as [string, number])[0]} wrote:`);
    print(this.data);
    // Likewise, self.wfile is a file-like object used to write back
    // to the client
    await this.wfile.write(bupper(this.data));
  }
}

if (import.meta.main) {
  const [HOST, PORT] = ["localhost", Number(Deno.args[0])];

  // Create the server, binding to localhost on port 9999
  {
    await using server = new socketserver.TCPServer([HOST, PORT], MyTCPHandler);
    // Activate the server; this will keep running until you
    // interrupt the program with Ctrl-C
    await server.serve_forever();
  }
}

// Port of ss_tcp_base_server.py.
import * as socketserver from "../../socketserver.ts";
import { bstrip, bupper, print } from "./_py.ts";

class MyTCPHandler extends socketserver.BaseRequestHandler {
  /*
    The request handler class for our server.
  */
  data!: Uint8Array;

  override async handle() {
    // self.request is the TCP socket connected to the client
    this.data = bstrip(await this.request.recv(1024));
    print(`Received from ${(this.client_address as [string, number])[0]}:`);
    print(this.data);
    // just send back the same data, but upper-cased
    await this.request.sendall(bupper(this.data));
  }
}

if (import.meta.main) {
  const [HOST, PORT] = ["localhost", Number(Deno.args[0])];

  {
    await using server = new socketserver.TCPServer([HOST, PORT], MyTCPHandler);
    await server.serve_forever();
  }
}

// Port of ss_udp_server.py.
import * as socketserver from "../../socketserver.ts";
import { bstrip, bupper, print } from "./_py.ts";

class MyUDPHandler extends socketserver.BaseRequestHandler<socketserver.DatagramRequest> {
  /*
    This class works similar to the TCP handler class, except that
    self.request consists of a pair of data and client socket, and since
    there is no connection the client address must be given explicitly
    when sending data back via sendto().
  */

  override async handle() {
    const data = bstrip(this.request[0]);
    const socket = this.request[1];
    print(`${(this.client_address as [string, number])[0]} wrote:`);
    print(data);
    await socket.sendto(bupper(data), this.client_address);
  }
}

if (import.meta.main) {
  const [HOST, PORT] = ["localhost", Number(Deno.args[0])];
  {
    await using server = new socketserver.UDPServer([HOST, PORT], MyUDPHandler);
    await server.serve_forever();
  }
}

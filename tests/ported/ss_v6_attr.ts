// Port of ss_v6_attr.py, class attributes as instance fields (the README's porting rules name no other way).
import * as socket from "../../mod.ts";
import * as socketserver from "../../socketserver.ts";
import { print } from "./_py.ts";

class TCPServerV6 extends socketserver.TCPServer {
  override address_family = socket.AF_INET6;
  override allow_reuse_address = true;
}

{
  await using server = new TCPServerV6(["::1", 0], socketserver.StreamRequestHandler);
  print(server.socket.family === socket.AF_INET6, server.server_address[0], server.allow_reuse_address);
}

// Port of echo_client.py.
import * as socket from "../../mod.ts";
import { b, print, repr } from "./_py.ts";

const HOST = "localhost";
const PORT = Number(Deno.args[0]);
let data: Uint8Array;
{
  using s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  await s.connect([HOST, PORT]);
  await s.sendall(b("Hello, world"));
  data = await s.recv(1024);
}
print("Received", repr(data));

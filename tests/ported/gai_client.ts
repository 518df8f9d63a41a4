// Port of gai_client.py.
import * as socket from "../../mod.ts";
import { b, print, repr } from "./_py.ts";

const HOST = Deno.args[1]!;
const PORT = Number(Deno.args[0]);
let s: socket.Socket | null = null;
for (const res of await socket.getaddrinfo(HOST, PORT, socket.AF_UNSPEC, socket.SOCK_STREAM)) {
  const [af, socktype, proto, _canonname, sa] = res;
  try {
    s = socket.socket(af, socktype, proto);
  } catch (msg) {
    if (!(msg instanceof socket.OSError)) throw msg;
    s = null;
    continue;
  }
  try {
    await s.connect(sa);
  } catch (msg) {
    if (!(msg instanceof socket.OSError)) throw msg;
    s.close();
    s = null;
    continue;
  }
  break;
}
if (s === null) {
  print("could not open socket");
  Deno.exit(1);
}
let data: Uint8Array;
{
  using _s = s;
  await s.sendall(b("Hello, world"));
  data = await s.recv(1024);
}
print("Received", repr(data));

// Port of gai_server.py.
import * as socket from "../../mod.ts";
import { print } from "./_py.ts";

const HOST = Deno.args[1]!;
const PORT = Number(Deno.args[0]);
let s: socket.Socket | null = null;
for (
  const res of await socket.getaddrinfo(HOST, PORT, socket.AF_UNSPEC, socket.SOCK_STREAM, 0, socket.AI_PASSIVE)
) {
  const [af, socktype, proto, _canonname, sa] = res;
  try {
    s = socket.socket(af, socktype, proto);
  } catch (msg) {
    if (!(msg instanceof socket.OSError)) throw msg;
    s = null;
    continue;
  }
  try {
    s.bind(sa);
    s.listen(1);
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
const [conn, addr] = await s.accept();
{
  using _conn = conn;
  print("Connected by", addr);
  while (true) {
    const data = await conn.recv(1024);
    if (!data.length) break;
    await conn.send(data);
  }
}

// Port of ss_unixdg_client.py.
import * as socket from "../../mod.ts";
import { b, print } from "./_py.ts";

const server = Deno.args[0]!;
const me = server + ".client";
const basename = (p: string) => p.slice(p.lastIndexOf("/") + 1);
const sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
sock.bind(me);
sock.settimeout(10);
print("bound", basename(sock.getsockname() as string));
for (const msg of [b("hello"), b(""), b("x".repeat(3000)), b("quit")]) {
  await sock.sendto(msg, server);
  const [data, addr] = await sock.recvfrom(8192);
  print("reply", data.length, data.slice(0, 24), addr === server);
}
sock.close();
Deno.removeSync(me);
print("done");

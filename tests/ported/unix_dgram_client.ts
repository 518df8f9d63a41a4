// Port of unix_dgram_client.py (os.unlink is Deno.removeSync).
import * as socket from "../../mod.ts";
import { b, print } from "./_py.ts";

const server = Deno.args[0]!;
const me = server + ".client";
const c = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
c.bind(me);
for (const msg of [b("hello"), b("world")]) {
  await c.sendto(msg, server);
  const [data, addr] = await c.recvfrom(1024);
  print("reply", data, addr === server);
}
await c.sendto(b("quit"), server);
c.close();
Deno.removeSync(me);
print("client done");

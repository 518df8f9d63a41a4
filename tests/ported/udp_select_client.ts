// Port of udp_select_client.py.
import * as socket from "../../mod.ts";
import * as select from "../../selectors.ts";
import { b, print } from "./_py.ts";

const c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
await c.connect(["127.0.0.1", Number(Deno.args[0])]);
for (const msg of [b("one"), b("two"), b("three")]) {
  await c.send(msg);
  const [, w] = await select.select([], [c], [], 0);
  const [r] = await select.select([c], [], [], 5);
  print("readable", r.length === 1 && r[0] === c, "writable", w.length === 1 && w[0] === c);
  print("reply", await c.recv(100));
}
c.close();

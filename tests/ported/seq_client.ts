// Port of seq_client.py.
import * as socket from "../../mod.ts";
import { b, print, sleep } from "./_py.ts";

for (let n = 0; n < 2; n++) {
  const s = await socket.create_connection(["localhost", Number(Deno.args[0])]);
  for (const msg of [b("first"), b("second")]) {
    await s.sendall(msg);
    print("echo", await s.recv(100));
  }
  s.close();
  await sleep(0.3); // the server sees the close before the next connection
}

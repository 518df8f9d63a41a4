// Port of duplex_client.py (the sender thread is a task).
import * as socket from "../../mod.ts";
import { print } from "./_py.ts";

const N = 2 * 1024 * 1024;
const s = await socket.create_connection(["127.0.0.1", Number(Deno.args[0])]);

async function sender() {
  await s.sendall(new Uint8Array(N).map((_, i) => i % 256));
  print("sender done");
}

const t = sender();
let got = 0;
while (got < N) {
  const data = await s.recv(65536);
  if (!data.length) {
    break;
  }
  got += data.length;
}
await t;
print("echoed", got);
s.close();

// Port of cs_client.py.
import * as socket from "../../mod.ts";
import { b, bjoin, print } from "./_py.ts";

const PORT = Number(Deno.args[0]);
const chunks: Uint8Array[] = [];
{
  using s = await socket.create_connection(["localhost", PORT], { timeout: 10 });
  print("timeout", s.gettimeout() === 10);
  await s.sendall(b("hello from create_connection"));
  await s.shutdown(socket.SHUT_WR);
  while (true) {
    const data = await s.recv(4);
    if (!data.length) {
      break;
    }
    chunks.push(data);
  }
}
print(bjoin(chunks));

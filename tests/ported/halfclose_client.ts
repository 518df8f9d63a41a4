// Port of halfclose_client.py.
import * as socket from "../../mod.ts";
import { b, bjoin, print } from "./_py.ts";

for (const msg of [b("first request"), b("")]) {
  const s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  await s.connect(["127.0.0.1", Number(Deno.args[0])]);
  await s.sendall(msg);
  await s.shutdown(socket.SHUT_WR);
  try {
    await s.send(b("more"));
  } catch (e) {
    if (!(e instanceof socket.OSError)) throw e;
    print("send after SHUT_WR:", e.name, e);
  }
  let reply: Uint8Array = new Uint8Array(0);
  while (true) {
    const data = await s.recv(3);
    if (!data.length) {
      break;
    }
    reply = bjoin([reply, data]);
  }
  print("reply", reply, "again", await s.recv(10));
  s.close();
}

// Port of textfile_server.py.
import * as socket from "../../mod.ts";
import { print, sleep } from "./_py.ts";

const srv = socket.socket();
srv.bind(["127.0.0.1", Number(Deno.args[0])]);
srv.listen();
const [conn] = await srv.accept();
const pieces = [
  [..."alpha\r"],
  [..."\nbeta\rgam"],
  [..."ma\n"],
  [..."caf", "\xc3"],
  ["\xa9", ..."\r\n"],
  [..."last without newline"],
].map((p) => Uint8Array.from(p, (c) => c.charCodeAt(0)));
for (const piece of pieces) {
  await conn.sendall(piece);
  await sleep(0.05);
}
await conn.shutdown(socket.SHUT_WR);
print("server sent lines; reading records");
while (true) {
  const record = await conn.recv(8);
  if (!record.length) {
    break;
  }
  print("record piece", record.length);
}
conn.close();
srv.close();

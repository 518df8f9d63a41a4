// Port of line_client.py.
import * as socket from "../../mod.ts";
import { b, bstrip, print } from "./_py.ts";

const s = await socket.create_connection(["127.0.0.1", Number(Deno.args[0])]);
const f = s.makefile("rwb");
print(await f.readline());
for (const cmd of [b("ADD 1 2 3\r\n"), b("MUL 2 3\r\n"), b("\r\n"), b("ADD 40 2\n")]) {
  await f.write(cmd);
  await f.flush();
  if (bstrip(cmd).length) {
    print(bstrip(cmd), "->", await f.readline());
  }
}
await f.write(b("QUIT\r\n"));
await f.flush();
print(await f.readline());
print("eof", (await f.readline()).length === 0);
await f.close();
s.close();

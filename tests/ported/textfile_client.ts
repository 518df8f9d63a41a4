// Port of textfile_client.py.
import * as socket from "../../mod.ts";
import { b, print, repr } from "./_py.ts";

const s = await socket.create_connection(["127.0.0.1", Number(Deno.args[0])]);
const f = s.makefile("r", { encoding: "utf-8" });
for await (const line of f) {
  print(repr(line));
}
print("eof", repr(await f.readline()));
await f.close();
const buf = new Uint8Array(20);
const view = buf;
const n = await s.recv_into(view.subarray(5), 4);
print("recv_into after EOF", n, buf.slice(0, 10));
await s.sendall(b("R".repeat(20)));
s.close();

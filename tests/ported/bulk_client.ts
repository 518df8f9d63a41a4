// Port of bulk_client.py.
import * as socket from "../../mod.ts";
import { bjoin, decode, print } from "./_py.ts";

const hex = (buf: ArrayBuffer) => [...new Uint8Array(buf)].map((x) => x.toString(16).padStart(2, "0")).join("");

const payload = new Uint8Array(10 * 1024 * 1024).map((_, i) => i % 256);
const s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
await s.connect(["127.0.0.1", Number(Deno.args[0])]);
await s.sendall(payload);
await s.shutdown(socket.SHUT_WR);
let reply: Uint8Array = new Uint8Array(0);
while (true) {
  const chunk = await s.recv(1024);
  if (!chunk.length) {
    break;
  }
  reply = bjoin([reply, chunk]);
}
s.close();
const [n, digest] = decode(reply).split(/\s+/).filter((w) => w);
print("sent", payload.length, "server got", n, "match", digest === hex(await crypto.subtle.digest("SHA-256", payload)));

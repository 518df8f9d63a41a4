// Port of bulk_server.py (hashlib.sha256 is crypto.subtle, fed the whole input at the end).
import * as socket from "../../mod.ts";
import { bjoin, print } from "./_py.ts";

const hex = (buf: ArrayBuffer) => [...new Uint8Array(buf)].map((x) => x.toString(16).padStart(2, "0")).join("");

const srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
srv.bind(["127.0.0.1", Number(Deno.args[0])]);
srv.listen(1);
const [conn, _addr] = await srv.accept();
const h: Uint8Array[] = [];
let total = 0;
while (true) {
  const data = await conn.recv(65536);
  if (!data.length) {
    break;
  }
  h.push(data);
  total += data.length;
}
const digest = hex(await crypto.subtle.digest("SHA-256", bjoin(h)));
print("received", total, digest);
await conn.sendall(new TextEncoder().encode(`${total} ${digest}\n`));
conn.close();
srv.close();

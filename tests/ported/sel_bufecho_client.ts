// Port of sel_bufecho_client.py (hashlib.sha256 is crypto.subtle.digest).
import * as socket from "../../mod.ts";
import { b, beq, bjoin, print } from "./_py.ts";

const PORT = Number(Deno.args[0]);
const sha256 = async (x: Uint8Array<ArrayBuffer>) => new Uint8Array(await crypto.subtle.digest("SHA-256", x));
const hex = (x: Uint8Array) => [...x].map((c) => c.toString(16).padStart(2, "0")).join("");

{
  using s = await socket.create_connection(["127.0.0.1", PORT]);
  for (const n of [1, 10, 1000, 20000]) {
    const range = Uint8Array.from({ length: 256 }, (_, i) => i);
    const msg = bjoin([...Array(Math.floor(n / 256)).fill(range), b("x".repeat(n % 256))]);
    await s.sendall(msg);
    let got = new Uint8Array(0);
    while (got.length < msg.length) {
      const chunk = await s.recv(4096);
      if (!chunk.length) break;
      got = bjoin([got, chunk]);
    }
    print("ping-pong", n, beq(got, msg));
  }
}

const digests: Uint8Array[] = [];
for (let i = 0; i < 20000; i++) digests.push(await sha256(b(String(i)) as Uint8Array<ArrayBuffer>));
const payload = bjoin(digests);
{
  using s = await socket.create_connection(["127.0.0.1", PORT]);
  await s.sendall(payload);
  await s.shutdown(socket.SHUT_WR);
  const chunks: Uint8Array[] = [];
  while (true) {
    const chunk = await s.recv(65536);
    if (!chunk.length) break;
    chunks.push(chunk);
  }
  const echo = bjoin(chunks);
  print("bulk", payload.length, echo.length, beq(echo, payload));
  print("sha256", hex(await sha256(echo)).slice(0, 16));
}

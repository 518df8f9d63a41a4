// Port of finger_client.py (str.splitlines() on CRLF text is a split on \r?\n without the last empty piece).
import * as socket from "../../mod.ts";
import { b, bjoin, decode, print, repr } from "../ported/_py.ts";

const port = Number(Deno.args[0]);
for (const q of ["", "ada", "/W grace", "nobody", "ada@elsewhere.example", "x".repeat(300)]) {
  const chunks: Uint8Array[] = [];
  {
    using s = await socket.create_connection(["127.0.0.1", port], { timeout: 10 });
    await s.sendall(b(q + "\r\n"));
    while (true) {
      const data = await s.recv(1024);
      if (!data.length) break;
      chunks.push(data);
    }
  }
  print(`finger ${repr(q.slice(0, 20))}`);
  const lines = decode(bjoin(chunks)).split(/\r\n|\n|\r/);
  if (lines.at(-1) === "") lines.pop();
  for (const line of lines) print("  ", line);
}

// Port of http10_client.py (bytes.partition(b'\r\n\r\n') is an index search; hashlib is crypto.subtle).
import * as socket from "../../mod.ts";
import { b, bjoin, print, sleep } from "../ported/_py.ts";

const address: [string, number] = ["127.0.0.1", parseInt(Deno.args[0]!)];
const latin1 = new TextDecoder("latin1");
const sha256 = async (x: Uint8Array) =>
  [...new Uint8Array(await crypto.subtle.digest("SHA-256", x as Uint8Array<ArrayBuffer>))]
    .map((c) => c.toString(16).padStart(2, "0")).join("");

async function fetch(request: Uint8Array, pieces = 1) {
  const s = await socket.create_connection(address, 10);
  const step = Math.max(1, Math.floor(request.length / pieces));
  for (let i = 0; i < request.length; i += step) {
    await s.sendall(request.subarray(i, i + step));
    if (pieces > 1) await sleep(0.01);
  }
  const chunks: Uint8Array[] = [];
  while (true) {
    const data = await s.recv(8192);
    if (!data.length) break;
    chunks.push(data);
  }
  s.close();
  const response = bjoin(chunks);
  let cut = -1;
  for (let i = 0; i + 3 < response.length; i++) {
    if (response[i] === 13 && response[i + 1] === 10 && response[i + 2] === 13 && response[i + 3] === 10) {
      cut = i;
      break;
    }
  }
  const [head, body] = cut < 0
    ? [response, new Uint8Array(0)]
    : [response.subarray(0, cut), response.subarray(cut + 4)];
  const lines = latin1.decode(head).split("\r\n");
  print(lines[0]);
  for (const line of lines.slice(1)) print("  ", line);
  if (body.length > 60) print("   body:", body.length, "bytes, sha256", (await sha256(body)).slice(0, 16));
  else print("   body:", body);
}

await fetch(b("GET / HTTP/1.0\r\nHost: localhost\r\nUser-Agent: raw/1\r\n\r\n"));
await fetch(b("HEAD /big HTTP/1.0\r\n\r\n"));
await fetch(b("GET /big HTTP/1.0\r\nAccept: */*\r\n\r\n"));
await fetch(b("GET /robots.txt HTTP/1.0\r\nHost: x\r\n\r\n"), 40);
await fetch(b("GET /missing HTTP/1.0\r\n\r\n"));
await fetch(
  b("POST /echo HTTP/1.0\r\nContent-Type: text/plain\r\nContent-Length: 26\r\n\r\nabcdefghijklmnopqrstuvwxyz"),
  2,
);
await fetch(b("POST /echo HTTP/1.0\r\n\r\n"));
await fetch(b("DELETE / HTTP/1.0\r\n\r\n"));
await fetch(b("GARBAGE\r\n\r\n"));
await fetch(bjoin([b("GET / HTTP/1.0\r\nX-Long: "), b("a".repeat(70000)), b("\r\n\r\n")]));
await fetch(b("POST /echo HTTP/1.0\r\nContent-Length: 999999\r\n\r\n"));

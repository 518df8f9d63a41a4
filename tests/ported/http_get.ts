// Port of http_get.py.
import * as socket from "../../mod.ts";
import { bjoin, print } from "./_py.ts";

const [HOST, PORT] = ["127.0.0.1", Number(Deno.args[0])];
const path = Deno.args[1]!;
const s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
await s.connect([HOST, PORT]);
const request = `GET ${path} HTTP/1.0\r\nHost: ${HOST}\r\n\r\n`;
await s.sendall(new TextEncoder().encode(request));
let response: Uint8Array = new Uint8Array(0);
while (true) {
  const chunk = await s.recv(512);
  if (chunk.length === 0) {
    break;
  }
  response = bjoin([response, chunk]);
}
s.close();
const text = new TextDecoder("latin1").decode(response);
const cut = text.indexOf("\r\n\r\n");
const [head, body] = [text.slice(0, cut), response.subarray(cut + 4)];
const lines = head.split("\r\n");
print(lines[0]);
for (const line of lines.slice(1)) {
  const i = line.indexOf(": ");
  const [name, value] = [line.slice(0, i), line.slice(i + 2)];
  if (["Content-type", "Content-Length"].includes(name)) {
    print(name, "=", value);
  }
}
print(body.length, body.subarray(0, 40));

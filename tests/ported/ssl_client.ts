// Port of ssl_client.py.
import * as socket from "../../mod.ts";
import * as ssl from "../../ssl.ts";
import { b, list, print } from "./_py.ts";

/** bytes.split(sep): a list */
function bsplit(x: Uint8Array, sep: string): Uint8Array[] {
  return list(new TextDecoder("latin1").decode(x).split(sep).map((p) => Uint8Array.from(p, (c) => c.charCodeAt(0))));
}

const PORT = Number(Deno.args[0]);
const context = ssl.create_default_context();
context.load_verify_locations(Deno.args[1]!);
print(context.verify_mode === ssl.CERT_REQUIRED, context.check_hostname);
const conn = await context.wrap_socket(socket.socket(socket.AF_INET), { server_hostname: "localhost" });
await conn.connect(["localhost", PORT]);
const cert = conn.getpeercert();
print(cert!["subject"]);
print(conn.version());
await conn.sendall(b("HEAD /index.html HTTP/1.0\r\nHost: localhost\r\n\r\n"));
print(bsplit(await conn.recv(1024), "\r\n"));
conn.close();

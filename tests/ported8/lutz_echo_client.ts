// Port of lutz_echo_client.py (a generator of bytes is any Iterable<Uint8Array>).
import * as socket from "../../mod.ts";
import { b, print } from "../ported/_py.ts";

const serverHost = "127.0.0.1";
const serverPort = Number(Deno.args[0]);

async function run(message: Iterable<Uint8Array>) {
  const sockobj = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  await sockobj.connect([serverHost, serverPort]);
  for (const line of message) {
    await sockobj.send(line);
    const data = await sockobj.recv(1024);
    print("Client received:", data);
  }
  sockobj.close();
}

await run([b("Hello network world")]);
await run(["Spam", "Eggs", "Ham"].map((x) => b(x)));
await run([b("line one\n"), b("line two\n"), new Uint8Array([0, 0xff, ...b(" binary")])]);

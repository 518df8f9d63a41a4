// Port of udp_retx_client.py (enumerate is entries(); `raise ... from exc` is an Error with a cause).
import * as socket from "../../mod.ts";
import { b, bjoin, print, repr } from "./_py.ts";

const PORT = Number(Deno.args[0]);
const sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
await sock.connect(["127.0.0.1", PORT]);
let data = b("");
for (const [n, text] of [b("zero"), b("one"), b("two"), b("three"), b(""), b("five\nextra line")].entries()) {
  let delay = 0.8;
  for (let attempt = 0; attempt < 6; attempt++) {
    await sock.send(bjoin([b(`${n} `), text]));
    sock.settimeout(delay);
    try {
      data = await sock.recv(1024);
    } catch (exc) {
      if (!(exc instanceof socket.timeout)) throw exc;
      delay *= 2;
      print("request", n, "attempt", attempt, "failed:", exc.name, exc);
      if (delay > 12.0) {
        throw new Error("I think the server is down", { cause: exc });
      }
      continue;
    }
    break;
  }
  print("reply to", n, repr(data));
}
sock.settimeout(0.2);
try {
  print("unexpected", await sock.recv(1024));
} catch (e) {
  if (!(e instanceof socket.TimeoutError)) throw e;
  print("no stray replies:", e);
}
sock.close();

// Port of retry_client.py.
import * as socket from "../../mod.ts";
import { b, bstrip, print } from "./_py.ts";

const s = await socket.create_connection(["127.0.0.1", Number(Deno.args[0])]);
s.settimeout(0.8);
print("timeout", s.gettimeout(), "blocking", s.getblocking());

async function request(msg: Uint8Array, tries = 4) {
  for (let attempt = 1; attempt < tries + 1; attempt++) {
    await s.sendall(msg);
    let reply: Uint8Array;
    try {
      reply = await s.recv(1024);
    } catch (e) {
      if (!(e instanceof socket.timeout)) throw e;
      print(" ", bstrip(msg), "attempt", attempt, "timed out:", e.name, e, e.errno, e instanceof socket.OSError);
      continue;
    }
    return reply;
  }
  return null;
}

for (const msg of [b("A\n"), b("B\n"), b("SLOW\n"), b("C\n")]) {
  print(bstrip(msg), "->", await request(msg, 3));
}

s.settimeout(0);
try {
  await s.recv(10);
} catch (e) {
  if (!(e instanceof socket.BlockingIOError)) throw e;
  print("non-blocking:", e);
}
s.settimeout(null);
print("timeout", s.gettimeout(), "blocking", s.getblocking());
await s.shutdown(socket.SHUT_WR);
print("eof", await s.recv(10));
s.close();

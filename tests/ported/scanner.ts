// Port of scanner.py.
import * as socket from "../../mod.ts";
import { print } from "./_py.ts";

const target = "127.0.0.1";
print("Scanning", target);
let s!: socket.Socket;
for (const port of Deno.args.map((p) => Number(p))) {
  s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  socket.setdefaulttimeout(1);
  const result = await s.connect_ex([target, port]);
  if (result === 0) {
    print(`Port ${port} is open`);
  } else {
    print(`Port ${port} is closed (${result})`);
  }
  s.close();
}
try {
  s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  await s.connect([target, Number(Deno.args[1])]);
} catch (e) {
  if (e instanceof socket.ConnectionRefusedError) {
    print("connect:", e, e.errno, e.strerror);
  } else if (e instanceof socket.error) {
    print("socket.error:", e);
  } else throw e;
} finally {
  s.close();
}

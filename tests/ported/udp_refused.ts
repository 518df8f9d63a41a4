// Port of udp_refused.py.
import * as socket from "../../mod.ts";
import { b, print } from "./_py.ts";

const port = Number(Deno.args[0]);
const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
s.settimeout(2);
await s.connect(["127.0.0.1", port]);
print("peer", s.getpeername()[1] === port);
await s.send(b("anyone there?"));
try {
  print(await s.recv(100));
} catch (e) {
  if (e instanceof socket.ConnectionRefusedError) {
    print("recv:", e);
  } else if (e instanceof socket.TimeoutError) {
    print("recv timed out:", e);
  } else throw e;
}
const u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
u.settimeout(0.5);
await u.sendto(b("x"), ["127.0.0.1", port]);
try {
  print(await u.recvfrom(100));
} catch (e) {
  if (!(e instanceof socket.OSError)) throw e;
  print("unconnected recvfrom:", e.name, e);
}
s.close();
u.close();

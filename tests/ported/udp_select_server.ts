// Port of udp_select_server.py.
import * as socket from "../../mod.ts";
import * as select from "../../selectors.ts";
import { print } from "./_py.ts";

const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
s.bind(["127.0.0.1", Number(Deno.args[0])]);
s.setblocking(false);
try {
  await s.recvfrom(100);
} catch (e) {
  if (!(e instanceof socket.BlockingIOError)) throw e;
  print("nothing yet:", e);
}
let served = 0;
let idle = 0;
while (served < 3 && idle < 50) {
  const [r, _w, _x] = await select.select([s], [], [], 0.2);
  if (!r.length) {
    idle += 1;
    continue;
  }
  const [data, addr] = await s.recvfrom(100);
  print("from", addr![0], data); // `!`: finding T3
  await s.sendto(data.slice().reverse(), addr!);
  served += 1;
}
print("served", served);
s.close();

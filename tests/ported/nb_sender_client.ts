// Port of nb_sender_client.py.
import * as socket from "../../mod.ts";
import * as select from "../../selectors.ts";
import { print } from "./_py.ts";

const N = 4 * 1024 * 1024;
const payload = new Uint8Array(N).fill(0x78);
const s = await socket.create_connection(["127.0.0.1", Number(Deno.args[0])]);
s.setblocking(false);
let sent = 0;
let would_block = 0;
while (sent < N) {
  try {
    sent += await s.send(payload.subarray(sent, sent + 65536));
  } catch (e) {
    if (!(e instanceof socket.BlockingIOError)) throw e;
    would_block += 1;
    const [_r, w, _x] = await select.select([], [s], [], 10);
    if (!w.length) {
      print("not writable within 10 s");
      break;
    }
  }
}
print("sent", sent, "blocked at least once:", would_block > 0);
s.setblocking(true);
await s.shutdown(socket.SHUT_WR);
print("reply", await s.recv(100));
s.close();

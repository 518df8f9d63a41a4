// Port of reader_thread_client.py (the receiver thread is a task).
import * as socket from "../../mod.ts";
import { b, bjoin, join, print, sleep } from "./_py.ts";

const s = await socket.create_connection(["127.0.0.1", Number(Deno.args[0])]);
const received: Uint8Array[] = [];

async function receiver() {
  let total = 0;
  while (true) {
    const data = await s.recv(1024);
    if (!data.length) {
      break;
    }
    total += data.length;
    received.push(data);
  }
  print("receiver: EOF after", total, "bytes");
}

let alive = true;
const t = receiver().finally(() => alive = false);
for (let i = 0; i < 5; i++) {
  await s.sendall(b(`line ${i}\n`));
  await sleep(0.05);
}
for (let i = 0; i < 100; i++) {
  if (bjoin(received).length >= 35) {
    break;
  }
  await sleep(0.05);
}
print("echoed", bjoin(received).filter((c) => c === 0x0a).length, "lines");
await s.shutdown(socket.SHUT_RDWR);
await join(t, 10);
print("receiver alive:", alive);
s.close();

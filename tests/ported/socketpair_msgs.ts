// Port of socketpair_msgs.py (the child thread is a task).
import * as socket from "../../mod.ts";
import { b, bjoin, print } from "./_py.ts";

const [parent, child] = await socket.socketpair();
print(parent.family === socket.AF_UNIX, parent.type === socket.SOCK_STREAM);

async function child_main(sock: socket.Socket) {
  while (true) {
    const msg = await sock.recv(1024);
    if (!msg.length) {
      break;
    }
    await sock.sendall(bjoin([b("child got "), msg]));
  }
  sock.close();
}

const t = child_main(child);
for (const word of [b("one"), b("two"), b("three")]) {
  await parent.sendall(word);
  print(await parent.recv(1024));
}
await parent.shutdown(socket.SHUT_WR);
print("after shutdown:", await parent.recv(1024));
await t;
parent.close();

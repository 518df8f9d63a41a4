// Port of peer_gone.py.
import * as socket from "../../mod.ts";
import { b, print, sleep } from "./_py.ts";

const l = socket.create_server(["127.0.0.1", 0]);
for (const timeout of [null, 5]) {
  const c = await socket.create_connection(l.getsockname());
  const [s] = await l.accept();
  s.settimeout(timeout);
  c.close();
  await sleep(0.2);
  print("timeout", timeout, "recv:", await s.recv(10));
  let ok = 0;
  try {
    for (let i = 0; i < 20; i++) {
      await s.send(b("x".repeat(100)));
      ok += 1;
      await sleep(0.05);
    }
    print("no error");
  } catch (e) {
    if (!(e instanceof socket.OSError)) throw e;
    print("after", ok, "sends:", e.name, e);
  }
  try {
    await s.shutdown(socket.SHUT_RDWR);
    print("shutdown ok");
  } catch (e) {
    if (!(e instanceof socket.OSError)) throw e;
    print("shutdown:", e);
  }
  s.close();
}
const u = socket.socket();
try {
  await u.shutdown(socket.SHUT_RDWR);
} catch (e) {
  if (!(e instanceof socket.OSError)) throw e;
  print("shutdown unconnected:", e);
}
print(u.getsockname());

// Port of connect_timeout.py.
import * as socket from "../../mod.ts";
import { print } from "./_py.ts";

const l = socket.socket();
l.bind(["127.0.0.1", 0]);
l.listen(0);
const fill = [await socket.create_connection(l.getsockname())];
for (let i = 0; i < 3; i++) {
  const x = socket.socket();
  x.setblocking(false);
  await x.connect_ex(l.getsockname());
  fill.push(x);
}
try {
  await socket.create_connection(l.getsockname(), { timeout: 0.5 });
  print("connected?");
} catch (e) {
  if (!(e instanceof socket.TimeoutError)) throw e;
  print("create_connection:", e.name, e);
}
const s = socket.socket();
s.settimeout(0.3);
try {
  await s.connect(l.getsockname());
} catch (e) {
  if (!(e instanceof socket.TimeoutError)) throw e;
  print("connect:", e);
}
try {
  await s.connect(l.getsockname());
  print("second connect: connected");
} catch (e) {
  if (!(e instanceof socket.OSError)) throw e;
  print("second connect:", e.name, e);
}
print("connect_ex on a connecting socket:", await s.connect_ex(l.getsockname()));
s.close();
for (const x of fill) {
  x.close();
}
l.close();

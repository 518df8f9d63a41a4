// Port of errors.py.
import * as socket from "../../mod.ts";
import { b as bytes, print } from "./_py.ts";

const closed_port = Number(Deno.args[0]);

async function show(label: string, fn: () => unknown) {
  try {
    const r = await fn();
    print(label, "ok", r);
  } catch (e) {
    if (e instanceof socket.OSError) {
      print(label, e.name, e.errno, e);
    } else if (e instanceof RangeError || e instanceof TypeError) { // ValueError, OverflowError, TypeError
      print(label, e instanceof TypeError ? "TypeError" : "ValueError", e);
    } else throw e;
  }
}

const s = socket.socket();
await show("connect refused", () => s.connect(["127.0.0.1", closed_port]));
s.close();
await show("create_connection refused", () => socket.create_connection(["127.0.0.1", closed_port]));
await show("connect_ex refused", () => socket.socket().connect_ex(["127.0.0.1", closed_port]));
const a = socket.socket();
a.bind(["127.0.0.1", 0]);
a.listen();
const b = socket.socket();
await show("bind in use", () => b.bind(a.getsockname()));
b.close();
await show("bad family", () => socket.socket(12345));
const u = socket.socket();
await show("recv unconnected", () => u.recv(10));
await show("send unconnected", () => u.send(bytes("x")));
await show("getpeername unconnected", () => u.getpeername());
await show("accept not listening", () => u.accept());
u.close();
const c = await socket.create_connection(a.getsockname());
await show("connect again", () => c.connect(a.getsockname()));
await show("settimeout(-1)", () => c.settimeout(-1));
await show("recv(-1)", () => c.recv(-1));
// @ts-expect-error: a str where bytes are expected, as the Python program does
await show("send str", () => c.send("text"));
await show("bad port", () => socket.socket().connect(["127.0.0.1", 70000]));
// @ts-expect-error: a 1-tuple address, as the Python program does
await show("bad tuple", () => socket.socket().connect(["127.0.0.1"]));
c.close();
await show("recv closed", () => c.recv(10));
await show("send closed", () => c.send(bytes("x")));
await show("fileno closed", () => c.fileno());
await show("close twice", () => c.close());
await show("getsockname closed", () => c.getsockname());
const d = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
await show("sendto too big", () => d.sendto(bytes("x".repeat(70000)), ["127.0.0.1", closed_port]));
await show("sendto no address", () => d.send(bytes("x")));
await show("recvfrom nonblocking", () => {
  d.setblocking(false);
  return d.recvfrom(10);
});
d.close();
await show("socketpair AF_INET dgram", () => socket.socketpair(socket.AF_INET, socket.SOCK_DGRAM));
a.close();

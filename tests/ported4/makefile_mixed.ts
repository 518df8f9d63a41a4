// Port of makefile_mixed.py.
import * as socket from "../../mod.ts";
import { TimeoutError } from "../../mod.ts";
import { b, print } from "../ported/_py.ts";

const [a, b2] = await socket.socketpair();
a.settimeout(0.5);
await b2.sendall(b("HTTP/1.0 200 OK\r\n\r\nbody in the same segment"));
const f = a.makefile("rb");
print("status:", await f.readline(), "blank:", await f.readline());
try {
  print("recv:", await a.recv(100));
} catch (e) {
  if (!(e instanceof TimeoutError)) throw e;
  print("recv timed out: the body is in the file");
}
print("file:", await f.read1(100));
await b2.sendall(b("later bytes"));
print("recv:", await a.recv(100));
await f.close();
const raw = a.makefile("rb", 0);
await b2.sendall(b("one line\nand the rest"));
print("unbuffered:", await raw.readline(), await a.recv(100));
a.close();
b2.close();

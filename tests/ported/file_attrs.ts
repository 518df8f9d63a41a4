// Port of file_attrs.py (Python's ValueError is RangeError).
import * as socket from "../../mod.ts";
import { b, print, repr } from "./_py.ts";

const [a, b_] = await socket.socketpair();
const raw = a.makefile("rwb", 0);
print(raw.mode, raw.name === a.fileno(), raw.readable(), raw.writable(), raw.seekable(), raw.isatty());
print("write", await raw.write(b("raw bytes\n")));
const rb = b_.makefile("rb");
print(rb.mode, rb.closed, rb.readable(), rb.writable(), rb.name === b_.fileno());
print("readline", await rb.readline());
const wb = b_.makefile("wb");
print("writelines", await wb.writelines([b("one\n"), b("two\n"), b("three\n")]), await wb.flush());
const buf = new Uint8Array(8);
print("readinto", await raw.readinto(buf), buf);
print("read rest", await raw.read(6));
const tf = a.makefile("r", { encoding: "latin-1", newline: null });
print(tf.mode, tf.encoding, tf.errors, tf.line_buffering, tf.seekable());
await wb.write(new Uint8Array([...b("caf"), 0xe9, ...b("\r\nend\n")]));
await wb.flush();
print("text", repr(await tf.readline()), repr(await tf.readline()));
await tf.close();
print("closed", tf.closed, raw.closed, tf.name);
try {
  tf.seekable();
} catch (e) {
  if (!(e instanceof RangeError)) throw e;
  print("ValueError:", e.message);
}
try {
  await tf.readline();
} catch (e) {
  if (!(e instanceof RangeError)) throw e;
  print("ValueError:", e.message);
}
try {
  a.makefile("x");
} catch (e) {
  if (!(e instanceof RangeError)) throw e;
  print("ValueError:", e.message);
}
try {
  b_.makefile("r", 0);
} catch (e) {
  if (!(e instanceof RangeError)) throw e;
  print("ValueError:", e.message);
}
for (const f of [raw, rb, wb]) {
  await f.close();
}
a.close();
b_.close();
print("after close", a.fileno(), raw.closed);

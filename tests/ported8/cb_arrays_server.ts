// Port of cb_arrays_server.py (array.array('d') is a Float64Array, 'i' an Int32Array; memoryview(arr).cast('B')
// is a Uint8Array over the same buffer, and view[nsent:] is subarray).
import * as socket from "../../mod.ts";
import { AF_INET, SOCK_STREAM } from "../../mod.ts";
import { print } from "../ported/_py.ts";

async function send_from(arr: ArrayBufferView, dest: socket.Socket) {
  let view = new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
  while (view.length) {
    const nsent = await dest.send(view);
    view = view.subarray(nsent);
  }
}

const s = socket.socket(AF_INET, SOCK_STREAM);
s.bind(["127.0.0.1", Number(Deno.args[0])]);
s.listen(1);
print("array server on port", s.getsockname()[1]);
const arrays: [string, Float64Array | Int32Array][] = [
  ["d", Float64Array.from({ length: 1_000_000 }, (_, i) => i)],
  ["i", Int32Array.from({ length: 300_000 }, (_, i) => i - 150_000)],
  ["d", new Float64Array()],
];
for (const [typecode, arr] of arrays) {
  const [c] = await s.accept();
  await send_from(arr, c);
  print("sent", typecode, arr.length, "values,", arr.byteLength, "bytes");
  c.close();
}
s.close();

// Port of cb_arrays_client.py (recv_into() a Uint8Array over the typed array's buffer; a float prints as
// Python's repr of a float).
import * as socket from "../../mod.ts";
import { AF_INET, SOCK_STREAM } from "../../mod.ts";
import { print } from "../ported/_py.ts";

async function recv_into(arr: ArrayBufferView, source: socket.Socket) {
  let view = new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
  while (view.length) {
    const nrecv = await source.recv_into(view);
    view = view.subarray(nrecv);
  }
}

const pyval = (typecode: string, x: number) => typecode === "d" && Number.isInteger(x) ? `${x}.0` : String(x);
const pylist = (typecode: string, xs: ArrayLike<number>) => `[${Array.from(xs, (x) => pyval(typecode, x)).join(", ")}]`;

const port = Number(Deno.args[0]);
for (const [typecode, n] of [["d", 1_000_000], ["i", 300_000], ["d", 0]] as [string, number][]) {
  const c = socket.socket(AF_INET, SOCK_STREAM);
  await c.connect(["127.0.0.1", port]);
  const a = typecode === "d" ? new Float64Array(n) : new Int32Array(n);
  await recv_into(a, c);
  let total = 0;
  for (const x of a) total += x;
  print(
    typecode,
    a.length,
    pylist(typecode, a.subarray(0, 5)),
    pylist(typecode, a.subarray(-5)),
    a.length ? pyval(typecode, total) : "0",
  ); // sum([]) is the int 0
  print("then EOF:", await c.recv(1));
  c.close();
}

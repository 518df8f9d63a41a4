// Port of frames_client.py (struct is DataView; zlib.crc32 is the small table below).
import * as socket from "../../mod.ts";
import { b, bjoin, print, sleep } from "./_py.ts";

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of data) c = CRC_TABLE[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
const hex8 = (n: number) => n.toString(16).padStart(8, "0");

const s = await socket.create_connection(["127.0.0.1", Number(Deno.args[0])]);

function frame(payload: Uint8Array) {
  const head = new Uint8Array(4);
  new DataView(head.buffer).setUint32(0, payload.length);
  return bjoin([head, payload]);
}

async function read_reply(): Promise<[number, string]> {
  const head = await s.recv(4, socket.MSG_WAITALL);
  const n = new DataView(head.buffer, head.byteOffset, head.byteLength).getUint32(0);
  const body = await s.recv(n, socket.MSG_WAITALL);
  const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const [length, crc] = [dv.getUint32(0), dv.getUint32(4)];
  return [length, hex8(crc)];
}

let payloads = [
  b("hello"),
  b(""),
  b("x".repeat(70000)),
  bjoin(Array(4000).fill(Uint8Array.from({ length: 256 }, (_, i) => i))),
  new Uint8Array([0, 255, 0, 255, 0, 255]),
];
payloads = [...payloads.filter((p) => p.length), b("tail")];
await s.sendall(bjoin(payloads.slice(0, 3).map(frame)));
for (const p of payloads.slice(0, 3)) {
  print(await read_reply(), p.length, hex8(crc32(p)));
}
for (const p of payloads.slice(3)) {
  const data = frame(p);
  for (let i = 0; i < data.length; i += 300001) {
    await s.sendall(data.subarray(i, i + 300001));
    await sleep(0.05);
  }
  print(await read_reply(), p.length);
}
await s.sendall(frame(b("")));
print(await read_reply());
print("EOF", await s.recv(10));
s.close();

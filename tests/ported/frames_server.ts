// Port of frames_server.py (struct.pack/unpack('!I') is DataView; zlib.crc32 is the small table below;
// memoryview slices are subarray views of the same buffer; EOFError is an Error subclass).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { print } from "./_py.ts";

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

class EOFError extends Error {}

async function recv_exactly_into(sock: Socket, view: Uint8Array) {
  let got = 0;
  while (got < view.length) {
    const n = await sock.recv_into(view.subarray(got), view.length - got);
    if (n === 0) {
      throw new EOFError(`peer closed after ${got} of ${view.length} bytes`);
    }
    got += n;
  }
  return got;
}

const lsock = socket.socket();
lsock.bind(["127.0.0.1", Number(Deno.args[0])]);
lsock.listen(1);
print("listening on", lsock.getsockname());
const [conn] = await lsock.accept();
const buf = new Uint8Array(2 * 1024 * 1024);
const view = buf.subarray(0);
const header = new Uint8Array(4);
let frames = 0;
while (true) {
  try {
    await recv_exactly_into(conn, header.subarray(0));
  } catch (e) {
    if (!(e instanceof EOFError)) throw e;
    print("EOF:", e);
    break;
  }
  const length = new DataView(header.buffer).getUint32(0);
  if (length > buf.length) {
    print("frame too large", length);
    break;
  }
  await recv_exactly_into(conn, view.subarray(0, length));
  frames += 1;
  const crc = crc32(view.subarray(0, length));
  print(
    "frame",
    frames,
    "length",
    length,
    `crc ${crc.toString(16).padStart(8, "0")}`,
    view.slice(0, Math.min(length, 8)),
  );
  const reply = new Uint8Array(8);
  new DataView(reply.buffer).setUint32(0, length);
  new DataView(reply.buffer).setUint32(4, crc);
  const out = new Uint8Array(4 + reply.length);
  new DataView(out.buffer).setUint32(0, reply.length);
  out.set(reply, 4);
  await conn.sendall(out);
  if (length === 0) break;
}
conn.close();
lsock.close();
print("frames", frames);

// Port of binary.py (the server thread becomes a task; struct.Struct becomes DataView reads and writes in the
// same layouts: native 'I 2s f' is little-endian with two pad bytes, '!…' is big-endian without padding;
// Python's float and tuple repr are spelled out).
import * as socket from "../../mod.ts";
import { b, bjoin, print, repr } from "../ported/_py.ts";

const hexlify = (x: Uint8Array) => b([...x].map((c) => c.toString(16).padStart(2, "0")).join(""));
const pyfloat = (x: number) =>
  Number.isFinite(x) ? (Number.isInteger(x) && Math.abs(x) < 1e16 ? x.toFixed(1) : String(x)) : x > 0 ? "inf" : "-inf";
const tuple = (items: string[]) => `(${items.join(", ")})`;
const py_bool = (x: boolean) => (x ? "True" : "False");

class EOFError extends Error {}

const sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
sock.bind(["127.0.0.1", 0]);
sock.listen(1);
const server_address = sock.getsockname();
const log: string[] = [];

async function recv_exactly(conn: socket.Socket, n: number): Promise<Uint8Array> {
  let data: Uint8Array = new Uint8Array(0);
  while (data.length < n) {
    const more = await conn.recv(n - data.length);
    if (!more.length) {
      throw new EOFError(
        `was expecting ${n} bytes but only received ${data.length} bytes before the socket closed`,
      );
    }
    data = bjoin([data, more]);
  }
  return data;
}

const NATIVE_SIZE = 12; // struct.Struct('I 2s f').size
const RECORD_SIZE = 2 + 2 + 4 + 4 + 8 + 8 + 3 + 1 + 1; // '!hHiIqd3sx?'

function unpack_record(x: Uint8Array): string {
  const dv = new DataView(x.buffer, x.byteOffset, x.byteLength);
  return tuple([
    String(dv.getInt16(0)),
    String(dv.getUint16(2)),
    String(dv.getInt32(4)),
    String(dv.getUint32(8)),
    String(dv.getBigInt64(12)),
    pyfloat(dv.getFloat64(20)),
    repr(x.slice(28, 31)),
    py_bool(x[32] !== 0),
  ]);
}

function pack_record(r: [number, number, number, number, bigint, number, Uint8Array, boolean]): Uint8Array {
  const out = new Uint8Array(RECORD_SIZE);
  const dv = new DataView(out.buffer);
  dv.setInt16(0, r[0]);
  dv.setUint16(2, r[1]);
  dv.setInt32(4, r[2]);
  dv.setUint32(8, r[3]);
  dv.setBigInt64(12, r[4]);
  dv.setFloat64(20, r[5]);
  out.set(r[6].subarray(0, 3), 28);
  out[32] = r[7] ? 1 : 0;
  return out;
}

async function serve() {
  const [connection] = await sock.accept();
  try {
    const data = await connection.recv(NATIVE_SIZE);
    log.push(`received ${repr(hexlify(data))}`);
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    log.push(
      `unpacked: ${tuple([String(dv.getUint32(0, true)), repr(data.slice(4, 6)), pyfloat(dv.getFloat32(8, true))])}`,
    );
    const h = await recv_exactly(connection, 2);
    const count = (h[0]! << 8) | h[1]!;
    for (let i = 0; i < count; i++) log.push(`record: ${unpack_record(await recv_exactly(connection, RECORD_SIZE))}`);
    try {
      await recv_exactly(connection, 4);
    } catch (e) {
      if (!(e instanceof EOFError)) throw e;
      log.push(`EOFError: ${e.message}`);
    }
  } finally {
    connection.close();
  }
}

const t = serve();
const packed_data = new Uint8Array(NATIVE_SIZE);
{
  const dv = new DataView(packed_data.buffer);
  dv.setUint32(0, 1, true);
  packed_data.set(b("ab"), 4);
  dv.setFloat32(8, 2.7, true);
}
print("values =", tuple(["1", repr(b("ab")), pyfloat(2.7)]));
print("size =", NATIVE_SIZE, "format =", "I 2s f");
const client = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
await client.connect(server_address);
print(`sending ${repr(hexlify(packed_data))}`);
await client.sendall(packed_data);
const records: [number, number, number, number, bigint, number, Uint8Array, boolean][] = [
  [-1, 65535, -2147483648, 4294967295, -(2n ** 63n), 0.1, b("xyz"), true],
  [300, 1, 7, 8, 2n ** 40n, -1e300, new Uint8Array([0x61, 0, 0x62]), false],
  [0, 0, 0, 0, 0n, Infinity, new Uint8Array(0), true],
];
const data = bjoin([new Uint8Array([0, records.length]), ...records.map(pack_record)]);
print("records packed into", data.length, "bytes:", repr(hexlify(data.subarray(0, 16))));
for (let i = 0; i < data.length; i += 7) await client.sendall(data.subarray(i, i + 7));
await client.sendall(new Uint8Array([1, 2]));
client.close();
await t;
for (const line of log) print(line);
sock.close();

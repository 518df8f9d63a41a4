// The wire helpers both pb_server.py and pb_client.py define (each file has its own copy in Python): varints
// by arithmetic (a JavaScript bit operation would cut them to 32 bits), zigzag, keyed fields.
export function encode_varint(n: number): Uint8Array {
  const out: number[] = [];
  while (true) {
    const b = n % 128;
    n = Math.floor(n / 128);
    if (n) out.push(b | 0x80);
    else {
      out.push(b);
      return new Uint8Array(out);
    }
  }
}

export function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export function field(num: number, wire: number, value: number | Uint8Array): Uint8Array {
  const key = encode_varint(num * 8 + wire);
  if (wire === 0) return cat(key, encode_varint(value as number));
  if (wire === 2) return cat(key, encode_varint((value as Uint8Array).length), value as Uint8Array);
  return cat(key, value as Uint8Array);
}

export const zigzag = (n: number): number => n >= 0 ? 2 * n : -2 * n - 1;
export const zigzag_decode = (n: number): number => n % 2 ? -(n + 1) / 2 : n / 2;

/** struct.pack('<d' | '<q' | '<I', x). */
export function pack(fmt: "<d" | "<q" | "<I", x: number): Uint8Array {
  const b = new Uint8Array(fmt === "<I" ? 4 : 8);
  const dv = new DataView(b.buffer);
  if (fmt === "<d") dv.setFloat64(0, x, true);
  else if (fmt === "<q") dv.setBigInt64(0, BigInt(x), true);
  else dv.setUint32(0, x, true);
  return b;
}

/** struct.unpack('<d' | '<q' | '<I', b)[0]. */
export function unpack(fmt: "<d" | "<q" | "<I", b: Uint8Array): number {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (fmt === "<d") return dv.getFloat64(0, true);
  if (fmt === "<q") return Number(dv.getBigInt64(0, true));
  return dv.getUint32(0, true);
}

// The server name a TLS client asked for, read from its ClientHello as sent (RFC 6066 server_name): Deno's
// TLS engine hands a server's SNICallback the name lower-cased, where OpenSSL (and so CPython's sni_callback)
// gives it as the client wrote it.

/**
 * What {@linkcode client_hello_sni} found: the name, none (the hello has no host name), or more bytes needed; and
 * the signature algorithms the client offered, in its order (null: no such extension, or no ClientHello).
 */
export type SniScan = { name: string | null; sigalgs?: number[] | null } | null;

const HANDSHAKE = 22;
const CLIENT_HELLO = 1;
const SERVER_NAME = 0;
const HOST_NAME = 0;
const SIGNATURE_ALGORITHMS = 13;
/** The most ciphertext looked at: a ClientHello is far smaller; past this, give up (null name). */
export const SNI_SCAN_MAX = 64 * 1024;

/**
 * Reads the `host_name` of the server_name extension from the start of a
 * client's TLS byte stream (one or more handshake records). Returns null
 * while the ClientHello is not complete yet, `{ name: null }` when the
 * bytes are not a ClientHello or it names no host, else the name as sent
 * (ASCII; an A-label for an international name).
 */
export function client_hello_sni(bytes: Uint8Array): SniScan {
  // The handshake message may be split over several records: gather their bodies.
  const body: number[] = [];
  let need = -1;
  for (let off = 0; off + 5 <= bytes.length;) {
    if (bytes[off] !== HANDSHAKE) return { name: null };
    const len = (bytes[off + 3]! << 8) | bytes[off + 4]!;
    const end = off + 5 + len;
    for (let i = off + 5; i < Math.min(end, bytes.length); i++) body.push(bytes[i]!);
    if (need < 0 && body.length >= 4) {
      if (body[0] !== CLIENT_HELLO) return { name: null };
      need = 4 + ((body[1]! << 16) | (body[2]! << 8) | body[3]!);
    }
    if (need >= 0 && body.length >= need) return { name: host_name(body, need), sigalgs: sigalgs(body, need) };
    if (end > bytes.length) break;
    off = end;
  }
  return bytes.length >= SNI_SCAN_MAX ? { name: null } : null;
}

/** Where a whole ClientHello's (`m[0..end)`) extension of `want` type starts, and its length; null if absent. */
function extension(m: number[], end: number, want: number): [number, number] | null {
  const u16 = (i: number) => (m[i]! << 8) | m[i + 1]!;
  let i = 4 + 2 + 32; // header, legacy_version, random
  i += 1 + m[i]!; // session id
  i += 2 + u16(i); // cipher suites
  i += 1 + m[i]!; // compression methods
  if (i + 2 > end) return null;
  const ext_end = Math.min(end, i + 2 + u16(i));
  for (i += 2; i + 4 <= ext_end;) {
    const type = u16(i), len = u16(i + 2);
    i += 4;
    if (type === want) return i + len <= ext_end ? [i, len] : null;
    i += len;
  }
  return null;
}

/** The signature_algorithms a whole ClientHello offers, in the client's order, or null (C3-1). */
function sigalgs(m: number[], end: number): number[] | null {
  const at = extension(m, end, SIGNATURE_ALGORITHMS);
  if (at === null || at[1] < 2) return null;
  const [i, len] = at;
  const n = Math.min((m[i]! << 8) | m[i + 1]!, len - 2);
  const out: number[] = [];
  for (let j = i + 2; j + 1 < i + 2 + n; j += 2) out.push((m[j]! << 8) | m[j + 1]!);
  return out;
}

/** The host_name in a whole ClientHello message (`m[0..end)`), or null. */
function host_name(m: number[], end: number): string | null {
  const at = extension(m, end, SERVER_NAME);
  if (at === null) return null;
  const [i, len] = at;
  // server_name_list: length (2), then entries: name_type (1), length (2), name.
  for (let j = i + 2; j + 3 <= i + len;) {
    const n = (m[j + 1]! << 8) | m[j + 2]!;
    if (m[j] === HOST_NAME && j + 3 + n <= i + len) {
      let s = "";
      for (let k = j + 3; k < j + 3 + n; k++) {
        const c = m[k]!;
        if (c === 0 || c > 0x7e) return null; // not a name Deno's engine would pass on as is
        s += String.fromCharCode(c);
      }
      return s;
    }
    j += 3 + n;
  }
  return null;
}

/**
 * How many bytes of the stream `bytes` starts must be there before {@linkcode client_hello_sni} can say more
 * than it said of `bytes`: the end of the record its last byte falls in (or of the next record's header).
 * Lets a caller gathering a trickled hello parse once per record, not once per byte.
 */
export function record_end(bytes: Uint8Array): number {
  let off = 0;
  while (off + 5 <= bytes.length) {
    const end = off + 5 + ((bytes[off + 3]! << 8) | bytes[off + 4]!);
    if (end > bytes.length) return end;
    off = end;
  }
  return off + 5;
}

// Address text <-> bytes (inet_pton, inet_ntop, inet_aton, inet_ntoa) and byte
// order (htons, htonl, ntohs, ntohl), with glibc's parsing rules and CPython's
// exact errors. Strict literal parsing is shared with families/_ip.ts.

import { AF_INET, AF_INET6 } from "./constants.ts";
import { errno as E, OSError } from "./errors.ts";
import { ARITY, as_bytes, c_int, check_arity, check_utf8 } from "./_args.ts";
import { arg_type, format_ipv4, format_ipv6, parse_ipv4, parse_ipv6, py_type } from "./families/_ip.ts";
import type { Buffer } from "./types.ts";

const MAX_PART = [0xffffffff, 0xffffff, 0xffff, 0xff] as const;

/** ASCII isspace(), as glibc's inet_aton accepts it after the address. */
function is_space(c: string): boolean {
  return c === " " || c === "\t" || c === "\n" || c === "\v" || c === "\f" || c === "\r";
}

/** One number as strtoul(s, &end, 0) reads it from `i` (which is a digit): [value, end]. */
function strtoul0(s: string, i: number): [bigint, number] {
  let base = 10;
  let j = i;
  if (s[j] === "0") {
    if ((s[j + 1] === "x" || s[j + 1] === "X") && /[0-9a-fA-F]/.test(s[j + 2] ?? "")) {
      base = 16;
      j += 2;
    } else {
      base = 8;
    }
  }
  const digit = base === 16 ? /[0-9a-fA-F]/ : base === 8 ? /[0-7]/ : /[0-9]/;
  let v = 0n;
  while (j < s.length && digit.test(s[j]!)) {
    v = v * BigInt(base) + BigInt(parseInt(s[j]!, 16));
    j++;
  }
  return [v, j];
}

/**
 * Parse an IPv4 address in any of the classic forms glibc's `inet_aton`
 * accepts (`127.1`, `0x7f.0.0.1`, `0177.0.0.1`, `2130706433`). With `exact`
 * (glibc's `inet_aton_exact`, used by getaddrinfo) nothing may follow the
 * address; without it, whitespace and anything after it are ignored.
 */
export function parse_inet_aton(s: string, exact: boolean): Uint8Array<ArrayBuffer> | null {
  const parts: number[] = [];
  let i = 0;
  let val = 0n;
  for (;;) {
    if (!/[0-9]/.test(s[i] ?? "")) return null;
    const [v, end] = strtoul0(s, i);
    if (v > 0xffffffffn) return null;
    val = v;
    i = end;
    if (s[i] === ".") {
      if (parts.length > 2 || val > 0xffn) return null;
      parts.push(Number(val));
      i++;
    } else {
      break;
    }
  }
  if (i < s.length && (exact || !is_space(s[i]!))) return null;
  if (val > BigInt(MAX_PART[parts.length]!)) return null;
  let word = Number(val);
  const out = new Uint8Array(4);
  parts.forEach((p, k) => (out[k] = p));
  for (let k = 3; k >= parts.length; k--) {
    out[k] = word & 0xff;
    word = Math.floor(word / 256);
  }
  return out;
}

function check_str(v: unknown, fn: string, n: number): string {
  if (typeof v !== "string") {
    throw new TypeError(`${fn}() argument ${n} must be str, not ${arg_type(v)}`);
  }
  check_utf8(v);
  if (v.includes("\0")) throw new RangeError("embedded null character");
  return v;
}

function int_of(v: unknown, msg: () => string): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "boolean") return v ? 1n : 0n;
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
  throw new TypeError(msg());
}

/**
 * Convert an IP address from text to packed bytes, as Python's
 * `socket.inet_pton` (strict: four decimal parts for IPv4, no zone for
 * IPv6).
 *
 * @param address_family `AF_INET` or `AF_INET6`.
 * @param ip_string the address text.
 * @returns 4 or 16 bytes.
 * @throws {OSError} `illegal IP address string passed to inet_pton`, or
 *   `EAFNOSUPPORT` for another family.
 * @throws {TypeError} when `ip_string` is not a string.
 *
 * @example
 * ```ts
 * import { AF_INET6, inet_pton } from "@pysocket/socket";
 * console.log(inet_pton(AF_INET6, "::1")); // Uint8Array(16) [0, ..., 1]
 * ```
 *
 * @category Addresses and names
 */
export function inet_pton(address_family: number, ip_string: string): Uint8Array<ArrayBuffer> {
  check_arity(ARITY.inet_pton, arguments);
  // A C int, as CPython's "is"/"iy*" formats (OverflowError past 32 bits), then the family test (A24b-1).
  const af = BigInt(
    c_int(int_of(address_family, () => `'${py_type(address_family)}' object cannot be interpreted as an integer`)),
  );
  const s = check_str(ip_string, "inet_pton", 2);
  let out: Uint8Array<ArrayBuffer> | null;
  if (af === BigInt(AF_INET)) out = parse_ipv4(s);
  else if (af === BigInt(AF_INET6)) out = parse_ipv6(s);
  else throw new OSError(E.EAFNOSUPPORT);
  if (!out) throw new OSError(null, "illegal IP address string passed to inet_pton");
  return out;
}

/**
 * Convert a packed IP address to text, as Python's `socket.inet_ntop`
 * (IPv6 in RFC 5952 form, as glibc prints it).
 *
 * @param address_family `AF_INET` or `AF_INET6`.
 * @param packed_ip 4 or 16 bytes.
 * @returns the address text.
 * @throws {RangeError} for a wrong length or an unknown family (Python's ValueError).
 *
 * @example
 * ```ts
 * import { AF_INET, inet_ntop } from "@pysocket/socket";
 * console.log(inet_ntop(AF_INET, new Uint8Array([127, 0, 0, 1]))); // "127.0.0.1"
 * ```
 *
 * @category Addresses and names
 */
export function inet_ntop(address_family: number, packed_ip: Buffer): string {
  check_arity(ARITY.inet_ntop, arguments);
  // A C int, as CPython's "is"/"iy*" formats (OverflowError past 32 bits), then the family test (A24b-1).
  const af = BigInt(
    c_int(int_of(address_family, () => `'${py_type(address_family)}' object cannot be interpreted as an integer`)),
  );
  const b = as_bytes(packed_ip);
  if (af === BigInt(AF_INET)) {
    if (b.length !== 4) throw new RangeError("invalid length of packed IP address string");
    return format_ipv4(b);
  }
  if (af === BigInt(AF_INET6)) {
    if (b.length !== 16) throw new RangeError("invalid length of packed IP address string");
    return format_ipv6(b);
  }
  throw new RangeError(`unknown address family ${af}`);
}

/**
 * Convert an IPv4 address to 4 packed bytes, accepting every classic form
 * glibc's `inet_aton` does (`127.1`, `0x7f.0.0.1`, octal `0177.0.0.1`), as
 * Python's `socket.inet_aton`.
 *
 * @param ip_string the address text.
 * @returns 4 bytes.
 * @throws {OSError} `illegal IP address string passed to inet_aton`.
 *
 * @example
 * ```ts
 * import { inet_aton } from "@pysocket/socket";
 * console.log(inet_aton("127.1")); // Uint8Array(4) [127, 0, 0, 1]
 * ```
 *
 * @category Addresses and names
 */
export function inet_aton(ip_string: string): Uint8Array<ArrayBuffer> {
  check_arity(ARITY.inet_aton, arguments);
  const s = check_str(ip_string, "inet_aton", 1);
  const out = parse_inet_aton(s, false);
  if (!out) throw new OSError(null, "illegal IP address string passed to inet_aton");
  return out;
}

/**
 * Convert 4 packed bytes to a dotted-quad string, as Python's
 * `socket.inet_ntoa`.
 *
 * @param packed_ip 4 bytes.
 * @returns `a.b.c.d`.
 * @throws {OSError} `packed IP wrong length for inet_ntoa`.
 *
 * @example
 * ```ts
 * import { inet_ntoa } from "@pysocket/socket";
 * console.log(inet_ntoa(new Uint8Array([10, 0, 0, 1]))); // "10.0.0.1"
 * ```
 *
 * @category Addresses and names
 */
export function inet_ntoa(packed_ip: Buffer): string {
  check_arity(ARITY.inet_ntoa, arguments);
  const b = as_bytes(packed_ip);
  if (b.length !== 4) throw new OSError(null, "packed IP wrong length for inet_ntoa");
  return format_ipv4(b);
}

function short_arg(x: unknown, fn: string): number {
  const v = int_of(x, () => `'${py_type(x)}' object cannot be interpreted as an integer`);
  if (v >= 2n ** 63n || v < -(2n ** 63n)) throw new RangeError("Python int too large to convert to C long");
  if (v > 2n ** 31n - 1n) throw new RangeError("signed integer is greater than maximum");
  if (v < -(2n ** 31n)) throw new RangeError("signed integer is less than minimum");
  if (v < 0n) throw new RangeError(`${fn}: can't convert negative Python int to C 16-bit unsigned integer`);
  if (v > 0xffffn) throw new RangeError(`${fn}: Python int too large to convert to C 16-bit unsigned integer`);
  return Number(v);
}

function long_arg(x: unknown): number {
  const v = int_of(x, () => `expected int, ${py_type(x)} found`);
  if (v < 0n) throw new RangeError("can't convert negative value to unsigned int");
  if (v >= 2n ** 64n) throw new RangeError("Python int too large to convert to C unsigned long");
  if (v > 0xffffffffn) throw new RangeError("int larger than 32 bits");
  return Number(v);
}

const swap16 = (v: number): number => ((v & 0xff) << 8) | (v >> 8);
const swap32 = (v: number): number =>
  (((v & 0xff) << 24) >>> 0) + ((v & 0xff00) << 8) + ((v >>> 8) & 0xff00) + (v >>> 24);

/**
 * Host to network byte order, 16 bits, as Python's `socket.htons` on a
 * little-endian host.
 *
 * @param x an integer 0-65535.
 * @returns the byte-swapped value.
 * @throws {RangeError} for a value out of range (Python's OverflowError).
 *
 * @example
 * ```ts
 * import { htons } from "@pysocket/socket";
 * console.log(htons(1)); // 256
 * ```
 *
 * @category Addresses and names
 */
export function htons(x: number): number {
  check_arity(ARITY.htons, arguments);
  return swap16(short_arg(x, "htons"));
}

/**
 * Network to host byte order, 16 bits, as Python's `socket.ntohs`.
 *
 * @param x an integer 0-65535.
 * @returns the byte-swapped value.
 * @throws {RangeError} for a value out of range (Python's OverflowError).
 *
 * @example
 * ```ts
 * import { ntohs } from "@pysocket/socket";
 * console.log(ntohs(0x1234)); // 0x3412
 * ```
 *
 * @category Addresses and names
 */
export function ntohs(x: number): number {
  check_arity(ARITY.ntohs, arguments);
  return swap16(short_arg(x, "ntohs"));
}

/**
 * Host to network byte order, 32 bits, as Python's `socket.htonl`.
 *
 * @param x an integer 0-4294967295.
 * @returns the byte-swapped value.
 * @throws {RangeError} for a value out of range (Python's OverflowError).
 *
 * @example
 * ```ts
 * import { htonl } from "@pysocket/socket";
 * console.log(htonl(1)); // 16777216
 * ```
 *
 * @category Addresses and names
 */
export function htonl(x: number): number {
  check_arity(ARITY.htonl, arguments);
  return swap32(long_arg(x));
}

/**
 * Network to host byte order, 32 bits, as Python's `socket.ntohl`.
 *
 * @param x an integer 0-4294967295.
 * @returns the byte-swapped value.
 * @throws {RangeError} for a value out of range (Python's OverflowError).
 *
 * @example
 * ```ts
 * import { ntohl } from "@pysocket/socket";
 * console.log(ntohl(16777216)); // 1
 * ```
 *
 * @category Addresses and names
 */
export function ntohl(x: number): number {
  check_arity(ARITY.ntohl, arguments);
  return swap32(long_arg(x));
}

// What AF_INET and AF_INET6 share: port and host validation, and the strict
// literal parsers (inet_pton's rules) used to tell a literal from a name.

import { gaierror } from "../errors.ts";
import { EAI_ADDRFAMILY, EAI_NONAME } from "../constants.ts";
import { idna_encode } from "../_idna.ts";
import { parse_inet_aton } from "../_inet.ts";

/** Python's type name of a value, for TypeError messages. */
export function py_type(v: unknown): string {
  if (v === null || v === undefined) return "NoneType";
  if (typeof v === "string") return "str";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "bigint") return "int";
  if (Array.isArray(v)) return "tuple";
  if (v instanceof Uint8Array) return "bytes";
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return "bytearray";
  if (typeof v === "function") return "function";
  return (v as object).constructor?.name ?? "object";
}

/** A type's name as CPython's argument parsers print it in "must be X, not Y": None (not NoneType) for null. */
export function arg_type(v: unknown): string {
  return v === null || v === undefined ? "None" : py_type(v);
}

/** Python's "'X' object cannot be interpreted as an integer" check. */
export function as_int(v: unknown): number {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  throw new TypeError(
    `'${py_type(v)}' object cannot be interpreted as an integer`,
  );
}

/** Validate a port: an integer 0-65535 (OverflowError -> RangeError as Python). */
export function check_port(v: unknown, op: string): number {
  return check_port_range(as_int(v), op);
}

/** The port's range check alone: CPython makes it after setipaddr() (the host's family: A27-3). */
export function check_port_range(port: number, op: string): number {
  if (port < 0 || port > 65535) {
    throw new RangeError(`${op}(): port must be 0-65535.`);
  }
  return port;
}

/**
 * Validate a host: a string (bytes are decoded as ASCII, as Python accepts them). A non-ASCII string goes through
 * CPython's idna codec, as its address-tuple converter does (TypeError "encoding of hostname failed" when the codec
 * refuses; A17b-2: the name went to the resolver as given); an ASCII one and bytes are taken as they are.
 */
export function check_host(v: unknown): string {
  let host: string;
  if (typeof v === "string") {
    host = v;
    // deno-lint-ignore no-control-regex
    if (/[^\x00-\x7f]/.test(v)) {
      try {
        host = idna_encode(v);
      } catch {
        throw new TypeError("encoding of hostname failed");
      }
    }
  } else if (v instanceof Uint8Array) host = new TextDecoder().decode(v);
  else throw new TypeError(`str, bytes or bytearray expected, not ${py_type(v)}`);
  if (host.indexOf("\0") >= 0) throw new TypeError("host name must not contain null character");
  return host;
}

/** The last string is_ipv4() accepted: a program connects to the same literal again and again. */
let last_ipv4 = "";

/** True for what {@linkcode parse_ipv4} accepts, without allocating (literal checks on hot paths). */
export function is_ipv4(s: string): boolean {
  if (s === last_ipv4) return true;
  const n = s.length;
  if (n < 7 || n > 15) return false;
  let parts = 0, val = 0, digits = 0;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? s.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0) return false;
      parts++;
      val = digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits === 1 && val === 0) return false; // a leading zero
      val = val * 10 + c - 48;
      if (val > 255) return false;
      digits++;
    } else return false;
  }
  if (parts !== 4) return false;
  last_ipv4 = s;
  return true;
}

/** Parse a dotted-quad IPv4 literal exactly as inet_pton(AF_INET) does. */
export function parse_ipv4(s: string): Uint8Array<ArrayBuffer> | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p[0] === "0")) return null;
    const n = Number(p);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

/** Parse an IPv6 literal exactly as inet_pton(AF_INET6) does (no zone). */
export function parse_ipv6(s: string): Uint8Array<ArrayBuffer> | null {
  if (s.length === 0 || s.length > 45) return null;
  let head = s;
  let v4: Uint8Array | null = null;
  const lastColon = s.lastIndexOf(":");
  if (lastColon >= 0 && s.indexOf(".", lastColon) >= 0) {
    v4 = parse_ipv4(s.slice(lastColon + 1));
    if (!v4) return null;
    head = s.slice(0, lastColon + 1) + "0:0";
  }
  const dbl = head.indexOf("::");
  if (dbl !== head.lastIndexOf("::")) return null;
  const groups = (str: string): number[] | null => {
    if (str === "") return [];
    const out: number[] = [];
    for (const g of str.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  let words: number[];
  if (dbl >= 0) {
    const left = groups(head.slice(0, dbl));
    const right = groups(head.slice(dbl + 2));
    if (!left || !right || left.length + right.length > 7) return null;
    words = [
      ...left,
      ...new Array<number>(8 - left.length - right.length).fill(0),
      ...right,
    ];
  } else {
    const all = groups(head);
    if (!all || all.length !== 8) return null;
    words = all;
  }
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  if (v4) out.set(v4, 12);
  return out;
}

/** Format 4 bytes as a dotted quad. */
export function format_ipv4(b: Uint8Array): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

/** Format 16 bytes in RFC 5952 form, as glibc's inet_ntop (and CPython) print it. */
export function format_ipv6(b: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((b[2 * i]! << 8) | b[2 * i + 1]!);
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) forms, as glibc.
  if (words.slice(0, 5).every((w) => w === 0)) {
    const v4 = format_ipv4(b.subarray(12));
    if (words[5] === 0xffff) return `::ffff:${v4}`;
    if (words[5] === 0 && words[6] !== 0) return `::${v4}`;
  }
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) [bestStart, bestLen] = [i, j - i];
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(":");
  const left = hex.slice(0, bestStart).join(":");
  const right = hex.slice(bestStart + bestLen).join(":");
  return `${left}::${right}`;
}

/** True for what glibc's getaddrinfo reads as an IPv4 literal (inet_aton's forms, nothing after): A18c-18. */
export function is_ipv4_any(s: string): boolean {
  return is_ipv4(s) || (s.charCodeAt(0) >= 48 && s.charCodeAt(0) <= 57 && parse_inet_aton(s, true) !== null);
}

/** True for ::ffff:a.b.c.d. */
export function is_v4_mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

/**
 * An AF_INET host that is an IPv4-mapped IPv6 literal (`::ffff:127.0.0.1`, a numeric zone allowed) as its IPv4
 * address, as CPython's setipaddr() gets it from glibc's getaddrinfo(AF_INET) (A18c-11); a named zone is no
 * address there (gaierror EAI_NONAME); any other host as it is.
 */
export function inet_host_of(host: string): string {
  if (host.indexOf(":") < 0) {
    // glibc's getaddrinfo (CPython's setipaddr after a strict inet_pton) takes inet_aton's forms too: 127.1,
    // 0x7f.1, 2130706433, 0177.0.0.1 are that address, never a name to look up (A18c-18).
    if (is_ipv4(host) || !(host.charCodeAt(0) >= 48 && host.charCodeAt(0) <= 57)) return host;
    const v4 = parse_inet_aton(host, true);
    return v4 ? format_ipv4(v4) : host;
  }
  const z = host.indexOf("%");
  const b = parse_ipv6(z < 0 ? host : host.slice(0, z));
  if (b === null || !is_v4_mapped(b)) return host;
  if (z >= 0 && !(/^[0-9]+$/.test(host.slice(z + 1)) && BigInt(host.slice(z + 1)) <= 0xffffffffn)) {
    throw new gaierror(EAI_NONAME);
  }
  return format_ipv4(b.subarray(12));
}

/** Strip an IPv6 zone (`fe80::1%eth0` -> `fe80::1`). */
export function strip_zone(host: string): string {
  const i = host.indexOf("%");
  return i < 0 ? host : host.slice(0, i);
}

/** The family check shared by both IP adapters (see FamilyAdapter.is_literal). */
export function literal_check(
  host: string,
  mine: (h: string) => boolean,
  other: (h: string) => boolean,
): boolean {
  if (mine(host)) return true;
  if (other(host)) throw new gaierror(EAI_ADDRFAMILY);
  // No name has spaces, brackets or slashes: glibc's getaddrinfo finds none (CPython: gaierror EAI_NONAME).
  if (/[\s\[\]\/\\]/.test(host)) throw new gaierror(EAI_NONAME);
  return false;
}

/** True for fe80::/10 (link-local unicast) and ffx2:: (link-local multicast), whose zone matters. */
function is_link_local(b: Uint8Array): boolean {
  return (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) || (b[0] === 0xff && (b[1]! & 0x0f) === 0x02);
}

/**
 * The host Deno gets for an IPv6 endpoint, as CPython builds its sockaddr: a
 * zone written in the string (`fe80::1%eth0`) is parsed and dropped (a named
 * zone on a global address fails to parse: gaierror EAI_NONAME), and the
 * tuple's `scope_id` is the one used (`fe80::1%4` to Deno). Names and IPv4
 * literals pass unchanged.
 */
export function deno_host(hostname: string, scope_id: number): string {
  if (hostname.indexOf(":") < 0) return hostname; // an IPv4 literal or a name (the common case): no parse
  const z = hostname.indexOf("%");
  const host = z < 0 ? hostname : hostname.slice(0, z);
  const bytes = parse_ipv6(host);
  if (bytes === null) return hostname;
  if (z >= 0 && !/^\d+$/.test(hostname.slice(z + 1)) && !is_link_local(bytes)) {
    throw new gaierror(EAI_NONAME);
  }
  // The kernel reads scope_id for link-local addresses only (CPython passes any 32-bit value).
  return scope_id !== 0 && is_link_local(bytes) ? `${host}%${scope_id}` : host;
}

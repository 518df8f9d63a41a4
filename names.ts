/**
 * Names, addresses and ports, as Python's socket module has them:
 * `getaddrinfo`, `gethostbyname`, `gethostbyname_ex`, `gethostbyaddr`,
 * `getnameinfo`, `getfqdn`, `gethostname`, and the interface functions
 * `if_nameindex`, `if_nametoindex`, `if_indextoname` (plus the pysocket
 * extra `if_addresses`).
 *
 * Resolution goes through the system's getaddrinfo (Deno's `node:dns`
 * `lookup`), so /etc/hosts and nsswitch apply; literals, services, flags and
 * errors follow glibc's getaddrinfo exactly, as CPython shows them on Linux.
 *
 * @example
 * ```ts
 * import { getaddrinfo, SOCK_STREAM } from "@pysocket/socket";
 * for (const [family, type, proto, canonname, sockaddr] of await getaddrinfo("localhost", 80, 0, SOCK_STREAM)) {
 *   console.log(family, type, proto, canonname, sockaddr); // 2 1 6 "" ["127.0.0.1", 80]
 * }
 * ```
 * @module
 */

import {
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  AI_ADDRCONFIG,
  AI_ALL,
  AI_CANONNAME,
  AI_NUMERICHOST,
  AI_NUMERICSERV,
  AI_PASSIVE,
  AI_V4MAPPED,
  EAI_ADDRFAMILY,
  EAI_BADFLAGS,
  EAI_FAMILY,
  EAI_NONAME,
  EAI_SERVICE,
  EAI_SOCKTYPE,
  NI_DGRAM,
  NI_NAMEREQD,
  NI_NUMERICHOST,
  NI_NUMERICSERV,
  SOCK_DGRAM,
} from "./constants.ts";
import { errno as E, gaierror, herror, OSError } from "./errors.ts";
import { ARITY, bind_args, c_int, c_uint_mask, check_arity, check_utf8 } from "./_args.ts";
import { map_error } from "./_map_error.ts";
import { platform, require_deno } from "./_platform.ts";
import {
  arg_type,
  format_ipv4,
  format_ipv6,
  is_ipv4,
  is_v4_mapped,
  parse_ipv4,
  parse_ipv6,
  py_type,
} from "./families/_ip.ts";
import { parse_inet_aton } from "./_inet.ts";
import { idna_encode } from "./_idna.ts";
import { find_port, find_service } from "./_services.ts";
import { hosts_by_name, hosts_canonical_name, lookup_all, reverse_lookup } from "./_resolve.ts";
import type { Inet6Address, InetAddress, SignalOptions } from "./types.ts";

/**
 * One result of {@linkcode getaddrinfo}: `[family, type, proto, canonname, sockaddr]`.
 *
 * @category Addresses and names
 */
export type AddrInfo = [number, number, number, string, InetAddress | Inet6Address];

/**
 * getaddrinfo's host argument: a name, a literal, bytes, or null (Python's None).
 *
 * @category Addresses and names
 */
export type HostArg = string | Uint8Array | null | undefined;
/**
 * getaddrinfo's port argument: a number, a service name or numeric string, bytes, or null.
 *
 * @category Addresses and names
 */
export type PortArg = number | bigint | string | Uint8Array | null | undefined;

/**
 * Keywords of {@linkcode getaddrinfo}.
 *
 * @category Addresses and names
 */
export interface GetaddrinfoOptions extends SignalOptions {
  /** `AF_UNSPEC` (0), `AF_INET` or `AF_INET6`. */
  family?: number;
  /** `SOCK_STREAM`, `SOCK_DGRAM`, `SOCK_RAW`, or 0 for all. */
  type?: number;
  /** A protocol number, or 0. */
  proto?: number;
  /** `AI_*` flags. */
  flags?: number;
}

// glibc's gaih_inet_typeproto table: [socktype, protocol, name, default, protoany+noserv].
const TYPEPROTO: ReadonlyArray<readonly [number, number, string, boolean, boolean]> = [
  [1, 6, "tcp", true, false],
  [2, 17, "udp", true, false],
  [6, 33, "dccp", false, false],
  [2, 136, "udplite", false, false],
  [1, 132, "sctp", false, false],
  [5, 132, "sctp", false, false],
  [3, 0, "raw", true, true],
];

const AI_MASK = 0x7ff; // every flag glibc accepts, AI_IDN and friends included
const NI_MASK = 0xff;

/** Python's idna encoding of a host name (CPython's `idna` codec; see _idna.ts). */
const idna = idna_encode;

/** A C string's end: the resolver reads up to the first NUL (CPython passes the encoded name as a char *). */
const c_string = (s: string): string => {
  const i = s.indexOf("\0");
  return i < 0 ? s : s.slice(0, i);
};

function host_arg(v: unknown, fn: string): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return c_string(idna(v));
  if (v instanceof Uint8Array) return c_string(new TextDecoder("latin1").decode(v));
  throw new TypeError(`${fn}() argument 1 must be string or None`);
}

function port_arg(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  // CPython passes a C string: the resolver reads up to a NUL (A18c-7).
  if (typeof v === "string") {
    check_utf8(v); // PyUnicode_AsUTF8 (A18c-4)
    return c_string(v);
  }
  if (v instanceof Uint8Array) return c_string(new TextDecoder("latin1").decode(v));
  if ((typeof v === "number" && Number.isInteger(v)) || typeof v === "bigint") {
    const b = BigInt(v);
    if (b >= 2n ** 63n || b < -(2n ** 63n)) throw new RangeError("Python int too large to convert to C long");
    return b.toString();
  }
  throw new OSError(null, "Int or String expected");
}

/** glibc's `(int) strtoul(service, &end, 10)`, or null when text follows the number. */
function service_number(s: string): number | null {
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)$/.exec(s);
  if (!m) return s === "" ? 0 : null;
  let v = BigInt(m[2]!);
  if (v > 2n ** 64n - 1n) v = 2n ** 64n - 1n;
  if (m[1] === "-") v = (2n ** 64n - v) % 2n ** 64n;
  return Number(BigInt.asIntN(32, v));
}

/** Family presence for AI_ADDRCONFIG (loopback addresses do not count, as glibc). */
function configured_families(): { v4: boolean; v6: boolean } {
  try {
    let v4 = false, v6 = false;
    for (const i of Deno.networkInterfaces()) {
      if (i.family === "IPv4" && i.address !== "127.0.0.1") v4 = true;
      if (i.family === "IPv6" && i.address !== "::1") v6 = true;
    }
    return { v4, v6 };
  } catch {
    return { v4: true, v6: true }; // no --allow-sys: assume both, as if not asked
  }
}

const is_link_local = (b: Uint8Array) =>
  (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) || (b[0] === 0xff && ((b[1]! & 0x0f) === 1 || (b[1]! & 0x0f) === 2));

/** glibc's __inet6_scopeid_pton: an interface name (link-local only) or a number. */
function scope_of(bytes: Uint8Array, scope: string): number | null {
  if (is_link_local(bytes)) {
    const idx = interface_table().find(([, n]) => n === scope);
    if (idx) return idx[0];
  }
  if (/^[0-9]+$/.test(scope)) {
    const n = BigInt(scope);
    if (n <= 0xffffffffn) return Number(n);
  }
  return null;
}

interface Resolved {
  family: number;
  bytes: Uint8Array;
  scope: number;
}

function mapped(v4: Uint8Array): Uint8Array {
  const b = new Uint8Array(16);
  b[10] = 0xff;
  b[11] = 0xff;
  b.set(v4, 12);
  return b;
}

/** The core of getaddrinfo, after Python's argument conversion. */
async function gai(
  host: string | null,
  service: string | null,
  family: number,
  type: number,
  proto: number,
  flags: number,
  signal?: AbortSignal,
): Promise<AddrInfo[]> {
  // glibc's getaddrinfo: "*" is no host, no service (A18c-8); then an empty service is none, after the check
  // that one of them is given (A18c-7).
  if (host === "*") host = null;
  if (service === "*") service = null;
  if (host === null && service === null) throw new gaierror(EAI_NONAME);
  if (service === "") service = null;
  if (flags & ~AI_MASK) throw new gaierror(EAI_BADFLAGS);
  if ((flags & AI_CANONNAME) && host === null) throw new gaierror(EAI_BADFLAGS);
  if (family !== AF_UNSPEC && family !== AF_INET && family !== AF_INET6) throw new gaierror(EAI_FAMILY);
  if (flags & AI_ADDRCONFIG) {
    const seen = configured_families();
    if (family === AF_UNSPEC && (seen.v4 || seen.v6)) {
      if (seen.v4 !== seen.v6) family = seen.v4 ? AF_INET : AF_INET6;
    } else if ((family === AF_INET && !seen.v4) || (family === AF_INET6 && !seen.v6)) {
      throw new gaierror(EAI_NONAME);
    }
  }
  let num: number | null = null;
  if (service !== null) {
    num = service_number(service);
    if (num === null) {
      if (flags & AI_NUMERICSERV) throw new gaierror(EAI_NONAME);
      num = -1;
    }
  }
  // Socket type and protocol (gaih_inet).
  let tp: (typeof TYPEPROTO)[number] | null = null;
  if (type || proto) {
    tp = TYPEPROTO.find(([st, pr, , , any]) => (!type || type === st) && (!proto || any || proto === pr)) ?? null;
    if (!tp) throw new gaierror(type ? EAI_SOCKTYPE : EAI_SERVICE);
  }
  const tuples: [number, number, number][] = []; // [socktype, protocol, port]
  if (service !== null && tp?.[4]) throw new gaierror(EAI_SERVICE);
  if (service !== null && num! < 0) {
    const candidates = tp ? [tp] : TYPEPROTO.filter((t) => !t[4]);
    for (const t of candidates) {
      const e = find_service(service, t[2]);
      if (e) tuples.push([t[0], t[4] ? proto : t[1], e.port]);
    }
    if (tuples.length === 0) throw new gaierror(EAI_SERVICE);
  } else {
    const port = service === null ? 0 : num! & 0xffff;
    if (tp) tuples.push([tp[0], tp[4] ? proto : tp[1], port]);
    else for (const t of TYPEPROTO) if (t[3]) tuples.push([t[0], t[1], port]);
  }
  // Addresses.
  const addrs: Resolved[] = [];
  let canon = host ?? "";
  if (host === null) {
    const v6 = new Uint8Array(16), v4 = new Uint8Array(4);
    if (!(flags & AI_PASSIVE)) {
      v6[15] = 1;
      v4.set([127, 0, 0, 1]);
    }
    const both: Resolved[] = [{ family: AF_INET6, bytes: v6, scope: 0 }, { family: AF_INET, bytes: v4, scope: 0 }];
    if (flags & AI_PASSIVE) both.reverse();
    addrs.push(...both.filter((r) => family === AF_UNSPEC || r.family === family));
  } else {
    const v4 = parse_inet_aton(host, true);
    const pct = host.indexOf("%");
    const v6 = v4 ? null : parse_ipv6(pct < 0 ? host : host.slice(0, pct));
    if (v4) {
      if (family === AF_INET6 && (flags & AI_V4MAPPED)) addrs.push({ family: AF_INET6, bytes: mapped(v4), scope: 0 });
      else if (family === AF_INET6) throw new gaierror(EAI_ADDRFAMILY);
      else addrs.push({ family: AF_INET, bytes: v4, scope: 0 });
    } else if (v6) {
      // glibc: an IPv4-mapped literal asked for as AF_INET is its IPv4 address (its zone still parsed) (A18c-10).
      const as_v4 = family === AF_INET && is_v4_mapped(v6);
      if (family === AF_INET && !as_v4) throw new gaierror(EAI_ADDRFAMILY);
      const scope = pct < 0 ? 0 : scope_of(v6, host.slice(pct + 1));
      if (scope === null) throw new gaierror(EAI_NONAME);
      addrs.push(as_v4 ? { family: AF_INET, bytes: v6.slice(12), scope: 0 } : { family: AF_INET6, bytes: v6, scope });
    } else if (flags & AI_NUMERICHOST) {
      throw new gaierror(EAI_NONAME);
    } else {
      if (host === "") throw new gaierror(EAI_NONAME);
      const wait = <T>(p: Promise<T>): Promise<T> => signal ? abortable(p, signal) : p;
      const add = (list: { address: string; family: number }[], map4: boolean) => {
        for (const r of list) {
          const b4 = r.family === 4 ? parse_ipv4(r.address) : null;
          const b6 = r.family === 6 ? parse_ipv6(r.address.replace(/%.*/, "")) : null;
          if (b4) {
            addrs.push(
              map4 ? { family: AF_INET6, bytes: mapped(b4), scope: 0 } : { family: AF_INET, bytes: b4, scope: 0 },
            );
          } else if (b6) addrs.push({ family: AF_INET6, bytes: b6, scope: 0 });
        }
      };
      if (family === AF_INET6 && (flags & AI_V4MAPPED)) {
        let found6 = true;
        try {
          add(await wait(lookup_all(host, 6)), false);
        } catch (e) {
          if (!(e instanceof gaierror)) throw e;
          found6 = false;
        }
        if (!found6 || (flags & AI_ALL)) {
          try {
            add(await wait(lookup_all(host, 4)), true);
          } catch (e) {
            if (found6 || !(e instanceof gaierror)) throw e;
            throw e;
          }
        }
      } else {
        add(await wait(lookup_all(host, family === AF_INET ? 4 : family === AF_INET6 ? 6 : 0)), false);
      }
      if (addrs.length === 0) throw new gaierror(EAI_NONAME);
      // The hosts file is read only for AI_CANONNAME (node:dns gives no canonical name).
      canon = flags & AI_CANONNAME ? hosts_canonical_name(host) ?? host : host;
    }
  }
  const out: AddrInfo[] = [];
  for (const a of addrs) {
    for (const [st, pr, port] of tuples) {
      const sockaddr: InetAddress | Inet6Address = a.family === AF_INET
        ? [format_ipv4(a.bytes), port]
        : [format_ipv6(a.bytes), port, 0, a.scope];
      out.push([a.family, st, pr, out.length === 0 && (flags & AI_CANONNAME) ? canon : "", sockaddr]);
    }
  }
  return out;
}

function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * Resolve a host and port into the addresses to connect or bind to, as
 * Python's `socket.getaddrinfo`: a list of `[family, type, proto,
 * canonname, sockaddr]`. With `type` 0 there is one entry per socket type
 * (STREAM, DGRAM, RAW), as on Linux. Names go through the system resolver
 * (`/etc/hosts`, then DNS); literals include inet_aton's classic forms
 * (`127.1`) and IPv6 zones (`fe80::1%eth0`).
 *
 * @param host a name, an address literal, or null (loopback, or the
 *   wildcard with `AI_PASSIVE`).
 * @param port a number, a service name (`"http"`), a numeric string, or null.
 * @param family `AF_UNSPEC` (0), `AF_INET` or `AF_INET6`.
 * @param type `SOCK_STREAM`, `SOCK_DGRAM`, or 0.
 * @param proto a protocol number, or 0.
 * @param flags `AI_PASSIVE`, `AI_NUMERICHOST`, `AI_NUMERICSERV`,
 *   `AI_CANONNAME`, `AI_ADDRCONFIG`, `AI_V4MAPPED`, `AI_ALL`.
 * @param options any of the above by name, and `signal`.
 * @returns the list of 5-tuples.
 * @throws {gaierror} with an `EAI_*` errno, e.g. `[Errno -2] Name or service not known`.
 *
 * @example
 * ```ts
 * import { AF_INET, AI_PASSIVE, getaddrinfo, SOCK_STREAM } from "@pysocket/socket";
 * const infos = await getaddrinfo(null, "http", AF_INET, SOCK_STREAM, 0, AI_PASSIVE);
 * console.log(infos); // [[2, 1, 6, "", ["0.0.0.0", 80]]]
 * ```
 *
 * @category Addresses and names
 */
export async function getaddrinfo(
  host: HostArg,
  port: PortArg,
  family?: number | GetaddrinfoOptions,
  type?: number | GetaddrinfoOptions,
  proto?: number | GetaddrinfoOptions,
  flags?: number | GetaddrinfoOptions,
  options?: GetaddrinfoOptions,
): Promise<AddrInfo[]> {
  check_arity(ARITY.getaddrinfo, arguments);
  const a = bind_args("getaddrinfo", [host, port, family, type, proto, flags, options], [
    "host",
    "port",
    "family",
    "type",
    "proto",
    "flags",
  ]);
  // CPython: "OO|iiii" (family, type, proto and flags as C ints) first, then the host, then the port (A18c-9).
  const num = (k: string) => (a[k] === undefined ? 0 : c_int(a[k]));
  const [family_, type_, proto_, flags_] = [num("family"), num("type"), num("proto"), num("flags")];
  const h = host_arg(a.host, "getaddrinfo");
  const p = port_arg(a.port);
  return await gai(h, p, family_, type_, proto_, flags_, a.signal as AbortSignal | undefined);
}

/** CPython's setipaddr(): a literal, `<broadcast>`, '' or the first getaddrinfo result. */
async function setipaddr(name: string, af: number): Promise<Resolved> {
  if (name === "") {
    const [r] = await gai(null, "0", af, SOCK_DGRAM, 0, AI_PASSIVE);
    if (af === AF_UNSPEC) {
      const all = await gai(null, "0", af, SOCK_DGRAM, 0, AI_PASSIVE);
      if (all.length > 1) throw new OSError(null, "wildcard resolved to multiple address");
    }
    return resolved_of(r!);
  }
  if (name === "<broadcast>" || name === "255.255.255.255") {
    if (af !== AF_INET && af !== AF_UNSPEC) throw new OSError(E.EAFNOSUPPORT);
    return { family: AF_INET, bytes: new Uint8Array([255, 255, 255, 255]), scope: 0 };
  }
  const v4 = parse_ipv4(name);
  if (v4 && af !== AF_INET6) return { family: AF_INET, bytes: v4, scope: 0 };
  const v6 = parse_ipv6(name);
  if (v6 && af !== AF_INET) return { family: AF_INET6, bytes: v6, scope: 0 };
  const [r] = await gai(name, null, af, 0, 0, 0);
  return resolved_of(r!);
}

function resolved_of(r: AddrInfo): Resolved {
  const sa = r[4];
  return r[0] === AF_INET
    ? { family: AF_INET, bytes: parse_ipv4(sa[0])!, scope: 0 }
    : { family: AF_INET6, bytes: parse_ipv6(sa[0])!, scope: (sa as Inet6Address)[3] };
}

const text_of = (r: Resolved) => (r.family === AF_INET ? format_ipv4(r.bytes) : format_ipv6(r.bytes));

function name_arg(v: unknown, fn: string): string {
  const nul = () => new TypeError(`${fn}() argument 1 must be encoded string without null bytes, not ${py_type(v)}`);
  if (typeof v === "string") {
    const name = idna(v);
    if (name.includes("\0")) throw nul();
    return name;
  }
  if (v instanceof Uint8Array) {
    const name = new TextDecoder("latin1").decode(v);
    if (name.includes("\0")) throw nul();
    return name;
  }
  throw new TypeError(`${fn}() argument 1 must be str, bytes or bytearray, not ${arg_type(v)}`);
}

/**
 * The IPv4 address of a host, as Python's `socket.gethostbyname`.
 *
 * @param hostname a name or an IPv4 literal.
 * @param options `{ signal }`.
 * @returns the dotted-quad address.
 * @throws {gaierror} when the name does not resolve to IPv4.
 *
 * @example
 * ```ts
 * import { gethostbyname } from "@pysocket/socket";
 * console.log(await gethostbyname("localhost")); // "127.0.0.1"
 * ```
 *
 * @category Addresses and names
 */
export async function gethostbyname(hostname: string, options: SignalOptions = {}): Promise<string> {
  check_arity(ARITY.gethostbyname, arguments);
  const name = name_arg(hostname, "gethostbyname");
  const r = await maybe_abort(setipaddr(name, AF_INET), options.signal);
  return text_of(r);
}

function maybe_abort<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  return signal ? abortable(p, signal) : p;
}

/**
 * A host's name, aliases and IPv4 addresses, as Python's
 * `socket.gethostbyname_ex`: `[hostname, aliaslist, ipaddrlist]`. Names in
 * /etc/hosts report its official name and aliases; names resolved by DNS
 * report the name as given (Deno's resolver does not expose CNAMEs).
 *
 * @param hostname a name or an IPv4 literal.
 * @param options `{ signal }`.
 * @returns `[hostname, aliases, addresses]`.
 * @throws {gaierror} when the name does not resolve; {herror} for an empty name.
 *
 * @example
 * ```ts
 * import { gethostbyname_ex } from "@pysocket/socket";
 * console.log(await gethostbyname_ex("localhost")); // ["localhost", [], ["127.0.0.1"]]
 * ```
 *
 * @category Addresses and names
 */
export async function gethostbyname_ex(
  hostname: string,
  options: SignalOptions = {},
): Promise<[string, string[], string[]]> {
  check_arity(ARITY.gethostbyname_ex, arguments);
  const name = name_arg(hostname, "gethostbyname_ex");
  return await maybe_abort(
    (async (): Promise<[string, string[], string[]]> => {
      await setipaddr(name, AF_INET);
      if (name === "") throw new herror(3, "Unknown server error");
      // glibc's gethostbyname_r reads only a name of digits and dots as an address (__nss_hostname_digits_dots);
      // inet_aton's other forms ("0x7f.1", "::ffff:127.0.0.1") go to the resolver, as CPython's (A24b-2).
      const v4 = /^[0-9.]*[0-9]$/.test(name) ? parse_inet_aton(name, false) : null;
      if (v4) return [name, [], [format_ipv4(v4)]];
      let ips: string[];
      try {
        ips = parse_inet_aton(name, false) !== null || name.includes(":")
          ? (await lookup_all(name, 4)).map((r) => r.address)
          : (await gai(name, null, AF_INET, 1, 0, 0)).map((r) => r[4][0] as string);
      } catch (e) {
        if (e instanceof gaierror) throw new herror(1, "Unknown host");
        throw e;
      }
      ips = [...new Set(ips)];
      const h = hosts_by_name(name, 4);
      return h ? [h.name, h.aliases, ips] : [name, [], ips];
    })(),
    options.signal,
  );
}

/**
 * The name, aliases and address of a host given by address (or name), as
 * Python's `socket.gethostbyaddr`: `[hostname, aliaslist, ipaddrlist]`,
 * from /etc/hosts and then the system's reverse lookup.
 *
 * @param ip_address an IPv4 or IPv6 address (a name is resolved first).
 * @param options `{ signal }`.
 * @returns `[hostname, aliases, [address]]`.
 * @throws {herror} `[Errno 1] Unknown host` when no name is known.
 *
 * @example
 * ```ts
 * import { gethostbyaddr } from "@pysocket/socket";
 * console.log(await gethostbyaddr("127.0.0.1")); // ["localhost", [], ["127.0.0.1"]]
 * ```
 *
 * @category Addresses and names
 */
export async function gethostbyaddr(
  ip_address: string,
  options: SignalOptions = {},
): Promise<[string, string[], string[]]> {
  check_arity(ARITY.gethostbyaddr, arguments);
  const name = name_arg(ip_address, "gethostbyaddr");
  return await maybe_abort(
    (async (): Promise<[string, string[], string[]]> => {
      const r = await setipaddr(name, AF_UNSPEC);
      const ip = text_of(r);
      const found = await reverse_lookup(ip, r.bytes);
      if (!found) throw new herror(1, "Unknown host");
      return [found.name, found.aliases, [ip]];
    })(),
    options.signal,
  );
}

/** Python's str.strip() with no argument: the code points str.isspace() accepts, at either end. */
const PY_SPACE = "[\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const PY_STRIP = new RegExp(`^${PY_SPACE}+|${PY_SPACE}+$`, "g");

/**
 * A fully qualified name for `name` (default: this host), as Python's
 * `socket.getfqdn`: the first of the reverse lookup's names that contains a
 * dot, else its primary name, else `name` unchanged.
 *
 * @param name a host name or address; empty for this host.
 * @param options `{ signal }`.
 * @returns the name.
 *
 * @example
 * ```ts
 * import { getfqdn } from "@pysocket/socket";
 * console.log(await getfqdn("127.0.0.1")); // "localhost"
 * ```
 *
 * @category Addresses and names
 */
export async function getfqdn(name: string = "", options: SignalOptions = {}): Promise<string> {
  check_arity(ARITY.getfqdn, arguments);
  // A bytes name: CPython strips it (bytes.strip(): ASCII whitespace) and looks it up the same way (A24b-3).
  if (name as unknown instanceof Uint8Array) {
    name = new TextDecoder().decode(name as unknown as Uint8Array).replace(/^[\t-\r ]+|[\t-\r ]+$/g, "");
  }
  if (typeof name !== "string") {
    // CPython calls name.strip() first (an AttributeError there).
    throw new TypeError(`'${py_type(name)}' object has no attribute 'strip'`);
  }
  // Python's str.strip(): its whitespace (U+001C-U+001F and U+0085 too), not JS trim()'s (U+FEFF too) (A18c-3).
  let n = name.replace(PY_STRIP, "");
  if (!n || n === "0.0.0.0" || n === "::") n = gethostname();
  try {
    const [hostname, aliases] = await gethostbyaddr(n, options);
    for (const a of [hostname, ...aliases]) if (a.includes(".")) return a;
    return hostname;
  } catch (e) {
    if (e instanceof OSError) return n;
    throw e;
  }
}

/**
 * This host's name, as Python's `socket.gethostname` (needs `--allow-sys`).
 *
 * @returns the host name.
 * @throws {PermissionError} without `--allow-sys=hostname`.
 *
 * @example
 * ```ts
 * import { gethostname } from "@pysocket/socket";
 * console.log(gethostname().length > 0); // true
 * ```
 *
 * @category Addresses and names
 */
export function gethostname(): string {
  check_arity(ARITY.gethostname, arguments);
  require_deno("gethostname()");
  try {
    return Deno.hostname();
  } catch (e) {
    throw map_error(e, "gethostname");
  }
}

/**
 * Turn a socket address into a `[host, port]` pair of names, as Python's
 * `socket.getnameinfo`: the host by reverse lookup (numeric when unknown,
 * or an error with `NI_NAMEREQD`), the port by service name.
 *
 * @param sockaddr `[host, port]` or `[host, port, flowinfo, scope_id]`; the
 *   host must be a numeric address.
 * @param flags `NI_NUMERICHOST`, `NI_NUMERICSERV`, `NI_NAMEREQD`, `NI_DGRAM`, `NI_NOFQDN`.
 * @param options `{ signal }`.
 * @returns `[host, service]`.
 * @throws {gaierror} e.g. `EAI_NONAME` for a name with `NI_NAMEREQD` unknown.
 *
 * @example
 * ```ts
 * import { getnameinfo, NI_NUMERICHOST } from "@pysocket/socket";
 * console.log(await getnameinfo(["127.0.0.1", 22], NI_NUMERICHOST)); // ["127.0.0.1", "ssh"]
 * ```
 *
 * @category Addresses and names
 */
export async function getnameinfo(
  sockaddr: readonly unknown[],
  flags: number,
  options: SignalOptions = {},
): Promise<[string, string]> {
  check_arity(ARITY.getnameinfo, arguments);
  // CPython: "Oi" (flags a C int) first, then the tuple as "si|II" (port a C int; flowinfo and scope_id
  // unsigned, masked to 32 bits: -1 is 4294967295) (A18c-6).
  const fl = c_int(flags);
  if (!Array.isArray(sockaddr)) throw new TypeError("getnameinfo() argument 1 must be a tuple");
  const [host, port, flowinfo = 0, scope_id = 0] = sockaddr as unknown[];
  const bad = () => new TypeError("getnameinfo(): illegal sockaddr argument");
  if (sockaddr.length < 2 || sockaddr.length > 4 || typeof host !== "string") throw bad();
  check_utf8(host);
  if (host.includes("\0")) throw new RangeError("embedded null character");
  const p = c_int(port);
  const flow = c_uint_mask(flowinfo);
  const scope = c_uint_mask(scope_id);
  if (flow > 0xfffff) throw new RangeError("getnameinfo(): flowinfo must be 0-1048575.");
  const [res, ...more] = await gai(host, String(p), AF_UNSPEC, SOCK_DGRAM, 0, AI_NUMERICHOST);
  if (more.length > 0) throw new OSError(null, "sockaddr resolved to multiple addresses");
  if (res![0] === AF_INET && sockaddr.length !== 2) throw new OSError(null, "IPv4 sockaddr must be 2 tuple");
  if (fl & ~NI_MASK || fl < 0) throw new gaierror(EAI_BADFLAGS);
  const r = resolved_of(res!);
  if (r.family === AF_INET6) r.scope = scope;
  const rport = res![4][1];
  let hostname: string | null = null;
  if (!(fl & NI_NUMERICHOST)) {
    const found = await maybe_abort(reverse_lookup(text_of(r), r.bytes), options.signal);
    hostname = found?.name ?? null;
  }
  if (hostname === null) {
    if (fl & NI_NAMEREQD) throw new gaierror(EAI_NONAME);
    hostname = text_of(r);
    if (r.family === AF_INET6 && r.scope !== 0) {
      const ifname = is_link_local(r.bytes) ? interface_table().find(([i]) => i === r.scope)?.[1] : undefined;
      hostname += `%${ifname ?? r.scope}`;
    }
  }
  let serv = String(rport);
  if (!(fl & NI_NUMERICSERV)) serv = find_port(rport, fl & NI_DGRAM ? "udp" : "tcp")?.name ?? serv;
  return [hostname, serv];
}

// ---- interfaces ------------------------------------------------------

/**
 * [index, name] of every interface: from /sys/class/net on Linux (every
 * interface, as if_nameindex(3)); elsewhere from Deno.networkInterfaces()
 * (only interfaces with an address; the index is a link-local IPv6
 * address's scope id, which is the interface index, else a number after the
 * known ones, in Deno's order). Throws when unreadable.
 */
function read_interfaces(): [number, string][] {
  require_deno("if_nameindex()");
  if (!platform().sys_class_net) return interfaces_from_deno();
  const out: [number, string][] = [];
  for (const e of Deno.readDirSync("/sys/class/net")) {
    try {
      const idx = Number(Deno.readTextFileSync(`/sys/class/net/${e.name}/ifindex`).trim());
      if (Number.isInteger(idx)) out.push([idx, e.name]);
    } catch { /* vanished meanwhile */ }
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/** The interface that holds 127.0.0.1 or ::1, if any. */
function loopback_name(): string | null {
  return Deno.networkInterfaces().find((i) => i.address === "127.0.0.1" || i.address === "::1")?.name ?? null;
}

/** The interface table from Deno.networkInterfaces() (where there is no /sys/class/net). */
function interfaces_from_deno(): [number, string][] {
  const known = new Map<string, number>();
  const names: string[] = [];
  for (const i of Deno.networkInterfaces()) {
    if (!names.includes(i.name)) names.push(i.name);
    if (i.family === "IPv6" && i.scopeid && /^fe[89ab]/i.test(i.address) && !known.has(i.name)) {
      known.set(i.name, i.scopeid);
    }
  }
  // The loopback interface is index 1 on Linux, macOS and Windows alike.
  const lo = loopback_name();
  if (lo !== null && !known.has(lo) && ![...known.values()].includes(1)) known.set(lo, 1);
  let next = Math.max(0, ...known.values());
  const out: [number, string][] = names.map((n) => [known.get(n) ?? ++next, n]);
  return out.sort((a, b) => a[0] - b[0]);
}

/** The interface table, or [] when it cannot be read (for scope ids). */
function interface_table(): [number, string][] {
  try {
    return read_interfaces();
  } catch {
    return [];
  }
}

function interfaces_or_throw(op: string): [number, string][] {
  try {
    return read_interfaces();
  } catch (e) {
    throw map_error(e, op);
  }
}

/**
 * Every network interface as `[index, name]`, as Python's
 * `socket.if_nameindex`: read from /sys/class/net on Linux (Deno 2.9 asks
 * `--allow-all` for any read under /sys); on macOS and Windows from
 * `Deno.networkInterfaces()` (`--allow-sys`), which lists only interfaces
 * that have an address and gives no index: a link-local IPv6 address's
 * scope id stands for it, else a number after the known ones.
 *
 * @returns the list, by index.
 * @throws {PermissionError} without `--allow-all` (Linux) or `--allow-sys` (elsewhere).
 *
 * @example
 * ```ts
 * import { if_nameindex } from "@pysocket/socket";
 * console.log(if_nameindex()[0]); // [1, "lo"]
 * ```
 *
 * @category Addresses and names
 */
export function if_nameindex(): [number, string][] {
  check_arity(ARITY.if_nameindex, arguments);
  return interfaces_or_throw("if_nameindex");
}

/**
 * The index of a network interface, as Python's `socket.if_nametoindex`.
 *
 * @param if_name the interface name (`"lo"`, `"eth0"`).
 * @returns its index.
 * @throws {OSError} `no interface with this name`.
 *
 * @example
 * ```ts
 * import { if_nametoindex } from "@pysocket/socket";
 * console.log(if_nametoindex("lo")); // 1
 * ```
 *
 * @category Addresses and names
 */
export function if_nametoindex(if_name: string): number {
  check_arity(ARITY.if_nametoindex, arguments);
  let name: string;
  if (typeof if_name === "string") {
    check_utf8(if_name, true); // PyUnicode_FSConverter (A18c-13)
    name = if_name;
  } else if (if_name as unknown instanceof Uint8Array) {
    name = new TextDecoder().decode(if_name as unknown as Uint8Array);
  } else throw new TypeError(`expected str, bytes or os.PathLike object, not ${py_type(if_name)}`);
  if (name.includes("\0")) throw new RangeError("embedded null byte"); // PyUnicode_FSConverter (A24b-4)
  const hit = interfaces_or_throw("if_nametoindex").find(([, n]) => n === name);
  if (!hit) throw new OSError(null, "no interface with this name");
  return hit[0];
}

/**
 * The name of a network interface, as Python's `socket.if_indextoname`.
 *
 * @param if_index the interface index.
 * @returns its name.
 * @throws {OSError} `ENXIO` when there is no such interface.
 * @throws {RangeError} for a negative index (Python's OverflowError).
 *
 * @example
 * ```ts
 * import { if_indextoname } from "@pysocket/socket";
 * console.log(if_indextoname(1)); // "lo"
 * ```
 *
 * @category Addresses and names
 */
export function if_indextoname(if_index: number): string {
  check_arity(ARITY.if_indextoname, arguments);
  if (typeof if_index !== "number" && typeof if_index !== "bigint" && typeof if_index !== "boolean") {
    throw new TypeError("an integer is required");
  }
  if (typeof if_index === "number" && !Number.isInteger(if_index)) throw new TypeError("an integer is required");
  // A C unsigned long (OverflowError past 64 bits), then truncated to the unsigned int the call takes (A24b-5).
  const big = typeof if_index === "number"
    ? BigInt(if_index)
    : typeof if_index === "bigint"
    ? if_index
    : BigInt(+if_index);
  if (big < 0n) throw new RangeError("can't convert negative value to unsigned int");
  if (big >= 2n ** 64n) throw new RangeError("Python int too large to convert to C unsigned long");
  const i = Number(BigInt.asUintN(32, big));
  const hit = interfaces_or_throw("if_indextoname").find(([n]) => n === i);
  if (!hit) throw new OSError(E.ENXIO);
  return hit[1];
}

/**
 * One address of an interface, in {@linkcode InterfaceInfo}.
 *
 * @category Addresses and names
 */
export interface InterfaceAddress {
  /** `AF_INET` or `AF_INET6`. */
  family: number;
  /** The address. */
  address: string;
  /** The netmask, e.g. `255.0.0.0`. */
  netmask: string;
  /** The prefix length, e.g. 8. */
  prefixlen: number;
  /** The IPv6 scope id (0 for IPv4 and global addresses). */
  scope_id: number;
}

/**
 * One interface, as {@linkcode if_addresses} reports it.
 *
 * @category Addresses and names
 */
export interface InterfaceInfo {
  /** The interface name. */
  name: string;
  /** Its index, or null when /sys/class/net cannot be read. */
  index: number | null;
  /** Its MAC address (`00:00:00:00:00:00` for loopback). */
  mac: string;
  /** Its IP addresses. */
  addresses: InterfaceAddress[];
}

/**
 * pysocket extra (not in Python's socket module): every interface that has
 * an IP address, with its addresses and MAC address, from
 * `Deno.networkInterfaces()` (needs `--allow-sys`), joined with the
 * indexes of /sys/class/net when readable (with `--allow-all`), else the
 * scope id of the interface's link-local IPv6 address, else null.
 *
 * @returns the interfaces, by index when known.
 * @throws {PermissionError} without `--allow-sys=networkInterfaces`.
 *
 * @example
 * ```ts
 * import { if_addresses } from "@pysocket/socket";
 * for (const i of if_addresses()) console.log(i.name, i.mac, i.addresses.map((a) => a.address));
 * ```
 *
 * @category Addresses and names
 */
export function if_addresses(): InterfaceInfo[] {
  require_deno("if_addresses()");
  let list: Deno.NetworkInterfaceInfo[];
  try {
    list = Deno.networkInterfaces();
  } catch (e) {
    throw map_error(e, "if_addresses");
  }
  const table = interface_table();
  const by_name = new Map<string, InterfaceInfo>();
  for (const i of list) {
    let info = by_name.get(i.name);
    if (!info) {
      info = { name: i.name, index: table.find(([, n]) => n === i.name)?.[0] ?? null, mac: i.mac, addresses: [] };
      by_name.set(i.name, info);
    }
    info.addresses.push({
      family: i.family === "IPv4" ? AF_INET : AF_INET6,
      address: i.address,
      netmask: i.netmask,
      prefixlen: Number(i.cidr.split("/")[1] ?? 0),
      scope_id: i.scopeid ?? 0,
    });
    // Without /sys/class/net (Deno wants --allow-all for it), a link-local
    // IPv6 address's scope id is the interface index.
    if (info.index === null && i.family === "IPv6" && i.address.startsWith("fe80:") && i.scopeid) {
      info.index = i.scopeid;
    }
  }
  return [...by_name.values()].sort((a, b) => (a.index ?? Infinity) - (b.index ?? Infinity));
}

/**
 * Internal, for create_connection: `getaddrinfo(host, port, 0, type)` as CPython's create_connection calls it
 * (any host getaddrinfo takes, None included; any port it takes: a service name, a numeric string, an int
 * that glibc truncates to 16 bits).
 */
export function _getaddrinfo(
  host: unknown,
  port: unknown,
  type: number,
  signal?: AbortSignal,
): Promise<AddrInfo[]> {
  // A dotted quad with a stream type (create_connection's common case): gai()'s
  // answer without the detour (parse_ipv4 is strict, so the text is canonical).
  if (
    type === TYPEPROTO[0]![0] && typeof port === "number" && Number.isInteger(port) && port >= 0 &&
    port <= 0xffff && typeof host === "string" && is_ipv4(host)
  ) {
    return Promise.resolve([[AF_INET, type, TYPEPROTO[0]![1], "", [host, port]]]);
  }
  return gai(host_arg(host, "getaddrinfo"), port_arg(port), AF_UNSPEC, type, 0, 0, signal);
}

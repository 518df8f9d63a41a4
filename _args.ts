// Python's calling convention in TypeScript: positional parameters, then any
// of them (and the keyword-only ones) by name in one trailing plain object.

import { as_int, py_type } from "./families/_ip.ts";

/** True for a plain `{...}` object (not an address array, not bytes). */
export function is_plain_object(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Bind a call's arguments to Python's parameter names.
 * @param op function name for messages.
 * @param args the call's arguments.
 * @param names positional parameter names, in order.
 * @param kwonly keyword-only names (always includes `signal`).
 */
export function bind_args(
  op: string,
  args: readonly unknown[],
  names: readonly string[],
  kwonly: readonly string[] = [],
): Record<string, unknown> {
  // Every I/O call passes through here: count, do not copy.
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  let kw: Record<string, unknown> | null = null;
  if (n > 0 && is_plain_object(args[n - 1])) {
    kw = args[n - 1] as Record<string, unknown>;
    n--;
  }
  if (n > names.length) {
    throw new TypeError(
      `${op}() takes at most ${names.length} arguments (${n} given)`,
    );
  }
  const out: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const v = args[i];
    if (v !== undefined) out[names[i]!] = v;
  }
  if (kw === null) return out;
  for (const [k, v] of Object.entries(kw)) {
    if (v === undefined) continue;
    if (!names.includes(k) && !kwonly.includes(k) && k !== "signal") {
      throw new TypeError(`${op}() got an unexpected keyword argument '${k}'`);
    }
    if (k in out) {
      throw new TypeError(`${op}() got multiple values for argument '${k}'`);
    }
    out[k] = v;
  }
  if (out.signal !== undefined && !(out.signal instanceof AbortSignal)) {
    throw new TypeError(
      `${op}(): signal must be an AbortSignal, not ${py_type(out.signal)}`,
    );
  }
  return out;
}

/** A bytes-like argument as a Uint8Array view (no copy); TypeError as Python. */
export function as_bytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (ArrayBuffer.isView(v)) {
    return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  }
  if (
    v instanceof ArrayBuffer ||
    (typeof SharedArrayBuffer !== "undefined" && v instanceof SharedArrayBuffer)
  ) {
    return new Uint8Array(v);
  }
  throw new TypeError(`a bytes-like object is required, not '${py_type(v)}'`);
}

/**
 * How CPython words a call with too few or too many arguments, per function:
 * `o` (METH_O: "takes exactly one argument"), `exact` ("takes exactly N
 * arguments"), `range` ("takes at least/at most N arguments"), `clinic`
 * (as range, but a missing first argument is "missing required argument
 * 'x' (pos 1)"), `noargs`, `py` (a Python `def`: "missing N required
 * positional arguments" / "takes from N to M positional arguments but K were
 * given"; `self` counts for a method), `sendto` ("takes 2 or 3 arguments").
 */
export interface Arity {
  readonly name: string;
  readonly style: "o" | "exact" | "range" | "clinic" | "noargs" | "py" | "sendto";
  readonly min: number;
  readonly max: number;
  /** Parameter names (style "py", "clinic"): the names a trailing object may give. */
  readonly names?: readonly string[];
  /** A method written in Python (style "py"): `self` is counted. */
  readonly method?: boolean;
  /**
   * CPython takes no keyword for it and pysocket binds none by name: a trailing object naming a parameter
   * (any key but `signal`) raises CPython's "<nokw>() takes no keyword arguments" (a method's qualified name).
   */
  readonly nokw?: string;
}

/**
 * Check a call's argument count as CPython does; a TypeError in Python's words.
 * The common call (every required argument given positionally, none too many)
 * costs a few comparisons.
 * @param spec the function's arity.
 * @param args the call's `arguments`.
 */
export function check_arity(spec: Arity, args: ArrayLike<unknown>): void {
  const len = args.length;
  if (
    len >= spec.min && len <= spec.max + 1 &&
    (len <= spec.max || is_plain_object(args[len - 1]) || args[len - 1] === undefined) &&
    (spec.min === 0 || (args[spec.min - 1] !== undefined && !is_plain_object(args[spec.min - 1]))) &&
    !(spec.nokw && len > 0 && is_plain_object(args[len - 1]))
  ) return;
  arity_slow(spec, Array.from(args));
}

function arity_slow(spec: Arity, args: unknown[]): void {
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  let kw: Record<string, unknown> = {};
  if (n > 0 && is_plain_object(args[n - 1])) {
    kw = args[n - 1] as Record<string, unknown>;
    n--;
  }
  const keys = Object.keys(kw).filter((k) => k !== "signal" && kw[k] !== undefined);
  if (spec.nokw && keys.length > 0) throw new TypeError(`${spec.nokw}() takes no keyword arguments`);
  const total = n + keys.length;
  const s = (k: number) => k === 1 ? "" : "s";
  const { name, min, max } = spec;
  if (spec.style === "py") {
    const names = spec.names ?? [];
    const self = spec.method ? 1 : 0;
    if (n > max) {
      const takes = min === max ? `${max + self}` : `from ${min + self} to ${max + self}`;
      throw new TypeError(
        `${name}() takes ${takes} positional argument${min === max ? s(max + self) : "s"} but ${n + self} ${
          n + self === 1 ? "was" : "were"
        } given`,
      );
    }
    const missing = names.slice(0, min).filter((p, i) => i >= n && !(p in kw && kw[p] !== undefined));
    if (missing.length > 0) {
      const q = missing.map((p) => `'${p}'`);
      const list = q.length === 1
        ? q[0]
        : q.length === 2
        ? `${q[0]} and ${q[1]}`
        : `${q.slice(0, -1).join(", ")}, and ${q.at(-1)}`;
      throw new TypeError(
        `${name}() missing ${missing.length} required positional argument${s(missing.length)}: ${list}`,
      );
    }
    return;
  }
  if (spec.style === "noargs") {
    if (total > 0) throw new TypeError(`${name}() takes no arguments (${total} given)`);
    return;
  }
  if (spec.style === "o") {
    if (total !== 1) throw new TypeError(`${name}() takes exactly one argument (${total} given)`);
    return;
  }
  if (spec.style === "sendto") {
    if (total < min || total > max) throw new TypeError(`${name}() takes 2 or 3 arguments (${total} given)`);
    return;
  }
  if (spec.style === "exact") {
    if (total !== min) throw new TypeError(`${name}() takes exactly ${min} argument${s(min)} (${total} given)`);
    return;
  }
  if (total > max) throw new TypeError(`${name}() takes at most ${max} argument${s(max)} (${total} given)`);
  const first = spec.names?.[0];
  if (spec.style === "clinic" && first !== undefined && n === 0 && !(first in kw && kw[first] !== undefined)) {
    throw new TypeError(`${name}() missing required argument '${first}' (pos 1)`);
  }
  if (total < min) throw new TypeError(`${name}() takes at least ${min} argument${s(min)} (${total} given)`);
}

const o = (name: string): Arity => ({ name, style: "o", min: 1, max: 1 });
const exact = (name: string, k: number): Arity => ({ name, style: "exact", min: k, max: k });
const range = (name: string, min: number, max: number): Arity => ({ name, style: "range", min, max });
const noargs = (name: string): Arity => ({ name, style: "noargs", min: 0, max: 0 });
const py = (name: string, names: readonly string[], min: number, method = false): Arity => ({
  name,
  style: "py",
  min,
  max: names.length,
  names,
  method,
});

/** `spec`, taking no keywords (see {@linkcode Arity.nokw}). */
const kwless = (spec: Arity, name = spec.name): Arity => ({ ...spec, nokw: name });

/** CPython 3.11's arity of each public callable (its messages name them so). */
export const ARITY = {
  socket: py("socket.__init__", ["family", "type", "proto", "fileno"], 0, true),
  accept: py("socket.accept", [], 0, true),
  bind: kwless(o("socket.bind")),
  close: py("socket.close", [], 0, true),
  connect: o("socket.connect"),
  connect_ex: kwless(o("socket.connect_ex")),
  detach: py("socket.detach", [], 0, true),
  dup: py("socket.dup", [], 0, true),
  fileno: noargs("socket.fileno"),
  get_inheritable: py("socket.get_inheritable", [], 0, true),
  getblocking: noargs("socket.getblocking"),
  getpeername: noargs("socket.getpeername"),
  getsockname: noargs("socket.getsockname"),
  getsockopt: kwless(range("getsockopt", 2, 3), "socket.getsockopt"),
  gettimeout: noargs("socket.gettimeout"),
  listen: kwless(range("listen", 0, 1), "socket.listen"),
  makefile: py("socket.makefile", ["mode", "buffering"], 0, true),
  recv: range("recv", 1, 2),
  recv_into: { name: "recv_into", style: "clinic", min: 1, max: 3, names: ["buffer"] } as Arity,
  recvfrom: range("recvfrom", 1, 2),
  recvfrom_into: { name: "recvfrom_into", style: "clinic", min: 1, max: 3, names: ["buffer"] } as Arity,
  recvmsg: range("recvmsg", 1, 3),
  recvmsg_into: range("recvmsg_into", 1, 3),
  send: range("send", 1, 2),
  sendall: range("sendall", 1, 2),
  sendfile: py("socket.sendfile", ["file", "offset", "count"], 1, true),
  sendmsg: range("sendmsg", 1, 4),
  sendto: { name: "sendto", style: "sendto", min: 2, max: 3 } as Arity,
  set_inheritable: py("socket.set_inheritable", ["inheritable"], 1, true),
  setblocking: kwless(o("socket.setblocking")),
  setsockopt: kwless(exact("setsockopt", 3)),
  settimeout: kwless(o("socket.settimeout")),
  shutdown: kwless(o("socket.shutdown")),
  getaddrinfo: py("getaddrinfo", ["host", "port", "family", "type", "proto", "flags"], 2),
  getnameinfo: kwless(exact("getnameinfo", 2)),
  gethostbyname: kwless(exact("gethostbyname", 1)),
  gethostbyname_ex: kwless(exact("gethostbyname_ex", 1)),
  gethostbyaddr: kwless(exact("gethostbyaddr", 1)),
  getfqdn: py("getfqdn", ["name"], 0),
  inet_aton: kwless(exact("inet_aton", 1)),
  inet_ntoa: kwless(exact("inet_ntoa", 1)),
  inet_pton: kwless(exact("inet_pton", 2)),
  inet_ntop: kwless(exact("inet_ntop", 2)),
  htons: kwless(exact("htons", 1)),
  ntohs: kwless(exact("ntohs", 1)),
  htonl: kwless(o("_socket.htonl")),
  ntohl: kwless(o("_socket.ntohl")),
  getservbyname: kwless(range("getservbyname", 1, 2)),
  getservbyport: kwless(range("getservbyport", 1, 2)),
  getprotobyname: kwless(exact("getprotobyname", 1)),
  create_connection: py("create_connection", ["address", "timeout", "source_address"], 1),
  create_server: py("create_server", ["address"], 1),
  socketpair: py("socketpair", ["family", "type", "proto"], 0),
  setdefaulttimeout: kwless(o("_socket.setdefaulttimeout")),
  getdefaulttimeout: noargs("_socket.getdefaulttimeout"),
  gethostname: noargs("_socket.gethostname"),
  if_nametoindex: kwless(exact("if_nametoindex", 1)),
  if_indextoname: kwless(o("_socket.if_indextoname")),
  if_nameindex: noargs("_socket.if_nameindex"),
  has_dualstack_ipv6: py("has_dualstack_ipv6", [], 0),
  close_fd: kwless(o("_socket.close")),
  CMSG_LEN: kwless(exact("CMSG_LEN", 1)),
  CMSG_SPACE: kwless(exact("CMSG_SPACE", 1)),
  sethostname: kwless(exact("sethostname", 1)),
} as const;

/**
 * CPython's UTF-8 encoding of a `str` argument ("s" format, `PyUnicode_AsUTF8`): a lone surrogate cannot be encoded,
 * a UnicodeEncodeError (a ValueError: RangeError) with CPython's text, naming the run of surrogates it starts, by
 * code point position (A18c-4). With `escape` (the file system encoding's surrogateescape, as for an AF_UNIX path or
 * an interface name), U+DC80-U+DCFF at the start of a run stand for bytes and are skipped (A18c-13).
 */
export function check_utf8(s: string, escape = false): void {
  if (!LONE_SURROGATE.test(s)) return;
  const lone = (c: string) => c.length === 1 && c >= "\ud800" && c <= "\udfff";
  const cps = [...s];
  for (let i = 0; i < cps.length;) {
    if (!lone(cps[i]!)) {
      i++;
      continue;
    }
    let end = i;
    while (end < cps.length && lone(cps[end]!)) end++;
    let start = i;
    if (escape) { while (start < end && cps[start]! >= "\udc80" && cps[start]! <= "\udcff") start++; }
    if (start < end) {
      const what = end - start === 1
        ? `character '\\u${cps[start]!.charCodeAt(0).toString(16)}' in position ${start}`
        : `characters in position ${start}-${end - 1}`;
      throw new RangeError(`'utf-8' codec can't encode ${what}: surrogates not allowed`);
    }
    i = end;
  }
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** An int argument as CPython's "i" format reads it (a C int): OverflowError (RangeError) texts as CPython's. */
export function c_int(v: unknown): number {
  if (typeof v === "number" && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647) return v; // the usual case
  const n = typeof v === "bigint" ? v : BigInt(as_int(v));
  if (n >= 2n ** 63n || n < -(2n ** 63n)) throw new RangeError("Python int too large to convert to C long");
  if (n > 2147483647n) throw new RangeError("signed integer is greater than maximum");
  if (n < -2147483648n) throw new RangeError("signed integer is less than minimum");
  return Number(n);
}

/** An int argument as CPython's "I" format reads it (PyLong_AsUnsignedLongMask): its low 32 bits, no range error. */
export function c_uint_mask(v: unknown): number {
  if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 0xffffffff) return v; // the usual case
  return Number(BigInt.asUintN(32, typeof v === "bigint" ? v : BigInt(as_int(v))));
}

/** An int argument as CPython's "l" format (or PyLong_AsLong) reads it (a C long): OverflowError past 64 bits. */
export function c_long(v: unknown): number {
  if (typeof v === "number" && Number.isInteger(v) && v > -(2 ** 63) && v < 2 ** 63) return v; // the usual case
  const n = typeof v === "bigint" ? v : BigInt(as_int(v));
  if (n >= 2n ** 63n || n < -(2n ** 63n)) throw new RangeError("Python int too large to convert to C long");
  return Number(n);
}

/** An int argument as CPython's _PyLong_AsInt reads it (shutdown's how, socket()'s arguments): one message. */
export function c_int_as_int(v: unknown): number {
  if (typeof v === "number" && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647) return v; // the usual case
  const n = typeof v === "bigint" ? v : BigInt(as_int(v));
  if (n > 2147483647n || n < -2147483648n) throw new RangeError("Python int too large to convert to C int");
  return Number(n);
}

/** An int argument as CPython's "n" format reads it (a Py_ssize_t): OverflowError past 64 bits. */
export function c_ssize(v: unknown): number {
  if (typeof v === "number" && Number.isInteger(v) && v > -(2 ** 63) && v < 2 ** 63) return v; // the usual case
  const n = typeof v === "bigint" ? v : BigInt(as_int(v));
  if (n >= 2n ** 63n || n < -(2n ** 63n)) throw new RangeError("Python int too large to convert to C ssize_t");
  return Number(n);
}

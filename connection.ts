/**
 * Python's socket-module helpers that make connected or listening sockets:
 * `create_connection`, `create_server`, `socketpair`, `has_dualstack_ipv6`.
 *
 * @example
 * ```ts
 * import { create_connection, create_server } from "@pysocket/socket";
 * using srv = create_server(["127.0.0.1", 0]);
 * using c = await create_connection(srv.getsockname() as [string, number], 5);
 * console.log(c.gettimeout()); // 5
 * ```
 * @module
 */

import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  IPPROTO_TCP,
  MSG_WAITALL,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
} from "./constants.ts";
import { platform } from "./_platform.ts";
import { errno as E, from_errno, OSError } from "./errors.ts";
import { format_address } from "./families/types.ts";
import { ARITY, bind_args, check_arity } from "./_args.ts";
import { as_int, is_ipv4, py_type } from "./families/_ip.ts";
import { _getaddrinfo } from "./names.ts";
import { type Candidate, interleave, staggered_race } from "./_happy_eyeballs.ts";
import {
  _connect_literal,
  _default_timeout,
  _link_ends,
  _unnamed,
  getdefaulttimeout,
  Socket,
  socket,
} from "./socket.ts";
import type { Address, AddressInput, SignalOptions } from "./types.ts";

/**
 * Keywords of {@linkcode create_connection}.
 *
 * @category Sockets
 */
export interface CreateConnectionOptions extends SignalOptions {
  /** Seconds for each connect and for the new socket (null: blocking). */
  timeout?: number | null;
  /** A local `[host, port]` every attempt binds to before connecting (connects through Deno's `node:net`). */
  source_address?: readonly [string, number] | null;
  /** Raise an AggregateError of every attempt's error instead of the last. */
  all_errors?: boolean;
  /**
   * Happy Eyeballs (RFC 8305), as asyncio's option of the same name: when
   * the host resolves to both IPv6 and IPv4, attempts alternate families
   * (IPv6 first) and start this many seconds apart; the first to connect
   * wins and the others are closed. Default 0.25; null tries one address
   * after another, as Python's `socket.create_connection`.
   */
  happy_eyeballs_delay?: number | null;
}

const CREATE_CONNECTION_ARGS = ["address", "timeout", "source_address"] as const;
const CREATE_CONNECTION_KW = ["all_errors", "happy_eyeballs_delay"] as const;

/**
 * Connect to `[host, port]`, trying every address the host resolves to, as
 * Python's `socket.create_connection`. When the host resolves to both IPv6
 * and IPv4 addresses, the attempts race as Happy Eyeballs (RFC 8305):
 * interleaved by family, IPv6 first, staggered by `happy_eyeballs_delay`
 * (0.25 s), the first to connect wins and the others are closed.
 *
 * @param address `[host, port]`.
 * @param timeout seconds (default: `getdefaulttimeout()`), or null.
 * @param source_address a local `[host, port]` each attempt's socket binds to before connecting (as in
 *   Python, an attempt of the other family fails with gaierror).
 * @param options `{ all_errors, happy_eyeballs_delay, signal }` and any of the above by name.
 * @returns the connected socket (AF_INET or AF_INET6, so its addresses are
 *   IP addresses).
 * @throws {OSError} the last attempt's error, or an AggregateError with
 *   `all_errors`.
 *
 * @example
 * ```ts
 * import { create_connection, create_server } from "@pysocket/socket";
 * using srv = create_server(["127.0.0.1", 0]);
 * using c = await create_connection(srv.getsockname());
 * console.log(c.getpeername());
 * ```
 *
 * @category Sockets
 */
export function create_connection(
  address: readonly [string, number],
  timeout?: number | null | CreateConnectionOptions,
  source_address?: readonly [string, number] | null | CreateConnectionOptions,
  options?: CreateConnectionOptions,
): Promise<Socket<typeof AF_INET | typeof AF_INET6>> {
  // Not an async function itself: its frame (sized for the general path's locals) was most of what the common
  // call allocated. Every error still comes as a rejection, as from an async function.
  try {
    check_arity(ARITY.create_connection, arguments);
    if (
      source_address === undefined && options === undefined &&
      (timeout === undefined || timeout === null || typeof timeout === "number") &&
      Array.isArray(address) && address.length === 2 && typeof address[0] === "string" && is_ipv4(address[0]) &&
      Number.isInteger(address[1]) && address[1] >= 0 && address[1] <= 65535
    ) {
      // The common call, create_connection([dotted quad, port], timeout?): one address, nothing
      // to bind by name or resolve, so it is the general path's single attempt, done directly.
      return connect_literal(address[0], address[1], timeout === undefined ? getdefaulttimeout() : timeout);
    }
  } catch (e) {
    return Promise.reject(e);
  }
  return connect_general(address, timeout, source_address, options);
}

/** create_connection() to an IPv4 literal: one socket, one connect (a blocking one without an async frame). */
function connect_literal(host: string, port: number, timeout: number | null): Promise<Socket<typeof AF_INET>> {
  // getaddrinfo's protocol, as CPython's socket has
  return _connect_literal(socket(AF_INET, SOCK_STREAM, IPPROTO_TCP), host, port, timeout);
}

/** create_connection() in full: arguments bound by name, the host resolved, every address tried. */
async function connect_general(
  address: readonly [string, number],
  timeout?: number | null | CreateConnectionOptions,
  source_address?: readonly [string, number] | null | CreateConnectionOptions,
  options?: CreateConnectionOptions,
): Promise<Socket<typeof AF_INET | typeof AF_INET6>> {
  const a = bind_args(
    "create_connection",
    [
      address,
      timeout,
      source_address,
      options,
    ],
    CREATE_CONNECTION_ARGS,
    CREATE_CONNECTION_KW,
  );
  // CPython: `host, port = address`, then getaddrinfo(host, port, 0, SOCK_STREAM): a port may be a service
  // name or a numeric string (a port from argv), and the host None (loopback).
  const [host, port] = unpack2(a.address);
  // Without a timeout the fresh sockets keep the default as they got it (settimeout(getdefaulttimeout()) would round it
  // a second time, as it does in CPython: F19b-2).
  const given = "timeout" in a;
  let t = given ? (a.timeout as number | null) : getdefaulttimeout();
  const tv: unknown = t;
  if (typeof tv === "bigint") {
    // A Python int: as settimeout() would say it, then a number (Happy Eyeballs' timers do arithmetic on it).
    if (BigInt.asIntN(64, tv * 1_000_000_000n) !== tv * 1_000_000_000n) {
      throw new RangeError("timestamp too large to convert to C _PyTime_t");
    }
    t = Number(tv);
  } else if (typeof tv === "boolean") t = Number(tv);
  // CPython: `if source_address: sock.bind(source_address)`: an empty tuple, string or bytes binds nothing.
  const src = a.source_address;
  const empty = src === "" || ((Array.isArray(src) || src instanceof Uint8Array) && src.length === 0);
  const source = (empty ? null : src ?? null) as AddressInput | null;
  const signal = a.signal as AbortSignal | undefined;
  const delay = a.happy_eyeballs_delay === undefined ? 0.25 : a.happy_eyeballs_delay as number | null;
  if (delay !== null && (typeof delay !== "number" || !(delay >= 0))) {
    throw new RangeError("happy_eyeballs_delay must be a non-negative number or null");
  }
  // CPython makes each socket with getaddrinfo's (af, socktype, proto): proto 6 for TCP, seen in repr() and .proto.
  const targets: Candidate[] = (await _getaddrinfo(host, port, SOCK_STREAM, signal))
    .map(([family, , proto, , sockaddr]) => ({ family, proto, sockaddr }));
  let errors: unknown[] = [];
  if (delay !== null && t !== 0 && targets.length > 1 && new Set(targets.map((c) => c.family)).size > 1) {
    const r = await staggered_race(interleave(targets), delay, t, signal, source, given);
    if ("socket" in r) return r.socket as Socket<typeof AF_INET | typeof AF_INET6>;
    errors = r.errors;
  } else {
    for (const { family, proto, sockaddr } of targets) {
      const s = socket(family, SOCK_STREAM, proto ?? 0);
      try {
        if (given) s.settimeout(t);
        if (source) s.bind(source);
        await s.connect(sockaddr, signal ? { signal } : undefined);
        return s as Socket<typeof AF_INET | typeof AF_INET6>;
      } catch (e) {
        s.close();
        if (signal?.aborted) throw e;
        errors.push(e);
      }
    }
  }
  if (a.all_errors) {
    // str() of CPython's ExceptionGroup names the count of sub-exceptions.
    const n = errors.length;
    throw new AggregateError(errors, `create_connection failed (${n} sub-exception${n === 1 ? "" : "s"})`);
  }
  throw errors[errors.length - 1] ??
    new OSError(null, "getaddrinfo returns an empty list");
}

/**
 * Keywords of {@linkcode create_server}.
 *
 * @category Sockets
 */
export interface CreateServerOptions {
  /** AF_INET (default), AF_INET6 or AF_UNIX. */
  family?: number;
  /** listen() backlog. */
  backlog?: number | null;
  /** Set SO_REUSEPORT (needs --unstable-net; Linux only: RangeError elsewhere, where Deno would ignore it). */
  reuse_port?: boolean;
  /** Accept IPv4 and IPv6 on one socket (needs AF_INET6; RangeError where `::` is IPv6-only, as on Windows). */
  dualstack_ipv6?: boolean;
}

/**
 * Make a listening socket bound to `address`, as Python's
 * `socket.create_server`.
 *
 * @param address `[host, port]` (or a path for AF_UNIX).
 * @param options `{ family, backlog, reuse_port, dualstack_ipv6 }`.
 * @returns the listening socket, typed by its family (`getsockname()` of an
 *   AF_INET server is `[host, port]`).
 * @throws {RangeError} when `dualstack_ipv6` is asked without AF_INET6 or
 *   where the platform cannot honour it (Windows), and for `reuse_port`
 *   outside Linux (Python's `ValueError`).
 *
 * @example
 * ```ts
 * import { create_server } from "@pysocket/socket";
 * using srv = create_server(["127.0.0.1", 0], { backlog: 16 });
 * console.log(srv.getsockname()[0]); // 127.0.0.1
 * ```
 *
 * @category Sockets
 */
export function create_server<F extends number = typeof AF_INET>(
  address: AddressInput,
  options: CreateServerOptions & { family?: F } = {},
): Socket<F> {
  check_arity(ARITY.create_server, arguments);
  // `options` as given (its default would hide create_server({ address })).
  const a = bind_args("create_server", [address, arguments.length > 1 ? options : undefined], ["address"], [
    "family",
    "backlog",
    "reuse_port",
    "dualstack_ipv6",
  ]);
  const family = a.family === undefined ? AF_INET : as_int(a.family);
  if (a.reuse_port && !platform().reuse_port) {
    // CPython's own check where the platform has no SO_REUSEPORT; Deno ignores it outside Linux.
    throw new RangeError("SO_REUSEPORT not supported on this platform");
  }
  if (a.dualstack_ipv6) {
    if (!has_dualstack_ipv6()) throw new RangeError("dualstack_ipv6 not supported on this platform");
    if (family !== AF_INET6) throw new RangeError("dualstack_ipv6 requires AF_INET6 family");
  }
  const s = socket(family, SOCK_STREAM);
  try {
    s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1); // as CPython on POSIX (Deno's TCP listeners set it anyway)
    if (a.reuse_port) s.setsockopt(SOL_SOCKET, SO_REUSEPORT, 1);
    try {
      s.bind(a.address as AddressInput);
    } catch (err) {
      // CPython: raise error(err.errno, '%s (while attempting to bind on address %r)' % (err.strerror, address))
      if (!(err instanceof OSError) || err.errno === null || err.strerror === null) throw err;
      const Cls = from_errno(err.errno).constructor as new (code: number, str: string) => OSError;
      throw new Cls(
        err.errno,
        `${err.strerror} (while attempting to bind on address ${format_address(a.address as Address)})`,
      );
    }
    if (a.backlog === undefined || a.backlog === null) s.listen();
    else s.listen(as_int(a.backlog));
  } catch (e) {
    s.close();
    throw e;
  }
  return s as Socket<F>;
}

/** Bytes of the secret the connecting end sends to prove it is the pair's other end. */
const TOKEN_BYTES = 32;
/** Connections a socketpair() listener checks at once (strangers included). */
const MAX_PENDING = 256;
/** Seconds a socketpair() waits for its own other end to prove itself. */
const PAIR_SECONDS = 10;

/** Run between the pair's listen and its connect (tests only: strangers that connect first). */
let before_connect: ((address: AddressInput) => Promise<void>) | null = null;

/**
 * Internal, for tests only: `fn` runs after socketpair()'s listener is bound
 * and before its own end connects, so a test can connect strangers first
 * (null restores).
 */
export function _set_socketpair_hook_for_tests(fn: ((address: AddressInput) => Promise<void>) | null): void {
  before_connect = fn;
}

/** Constant-time comparison of two byte strings of the same length. */
function same_secret(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Python's equality of two addresses (tuples compare item by item). */
function same_address(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A fresh directory only this user may enter (mode 0700), short enough for a socket path in it. */
function private_dir(max_path: number): string {
  let dir = Deno.makeTempDirSync({ prefix: "pysocket-pair-" });
  if (new TextEncoder().encode(`${dir}/s`).length >= max_path) {
    Deno.removeSync(dir);
    dir = Deno.makeTempDirSync({ dir: "/tmp", prefix: "pysocket-pair-" });
  }
  Deno.chmodSync(dir, 0o700);
  return dir;
}

/**
 * Accept on `lst` until a connection sends `token` (and, for IP families, comes
 * from `a`'s address and reaches ours); strangers are closed. Candidates are
 * checked side by side, so a silent stranger never holds the pair up.
 */
function accept_authenticated(
  lst: Socket,
  a: Socket,
  token: Uint8Array,
  ip: boolean,
  signal: AbortSignal,
): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const pending = new Set<Socket>();
    let done = false;
    const finish = (winner: Socket | null, err?: unknown): void => {
      if (done) return;
      done = true;
      for (const c of pending) if (c !== winner) c.close();
      pending.clear();
      if (winner) resolve(winner);
      else reject(err);
    };
    const check = async (c: Socket): Promise<boolean> => {
      // An accepted socket gets the default timeout (0 or 1 ns under setdefaulttimeout): the token's wait is bounded
      // by the signal instead (F19b-1's sibling: a loaded run's token came after the tiny timeout, and no connection
      // proved to be the other end).
      c.settimeout(null);
      const got = await c.recv(TOKEN_BYTES, MSG_WAITALL, { signal });
      if (!same_secret(got, token)) return false;
      // CPython's check (CVE-2024-3219): each end's peer is the other end's own address.
      return !ip || (same_address(c.getpeername(), a.getsockname()) && same_address(a.getpeername(), c.getsockname()));
    };
    (async () => {
      while (!done) {
        // Strangers never end the wait (a flood of them would deny the pair); at most
        // MAX_PENDING are checked at once, the oldest (which had their chance to send
        // the token) closed first. The wait is bounded by PAIR_SECONDS.
        if (pending.size >= MAX_PENDING) {
          const oldest = pending.values().next().value!;
          pending.delete(oldest);
          oldest.close();
        }
        const [c] = await lst.accept({ signal });
        if (done) {
          c.close();
          return;
        }
        pending.add(c);
        check(c).then((ok) => {
          if (ok) finish(c);
          else if (pending.delete(c)) c.close();
        }, () => {
          if (pending.delete(c)) c.close();
        });
      }
    })().catch((e) => finish(null, signal.aborted ? signal.reason : e));
  });
}

/**
 * An AF_UNIX SOCK_DGRAM pair: two datagram sockets on private names (abstract
 * on Linux, else in a directory only the user can enter), each connected to
 * the other, so each receives only what the other sends (connected datagram
 * sockets drop other senders).
 */
async function dgram_pair(proto: number): Promise<[Socket, Socket]> {
  const facts = platform();
  let dir: string | null = null;
  const name = (end: string): string => {
    if (facts.abstract_names) {
      const rnd = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0"));
      return `\0pysocket-${rnd.join("")}`;
    }
    dir ??= private_dir(facts.unix_path_max);
    return `${dir}/${end}`;
  };
  const a = socket(AF_UNIX, SOCK_DGRAM, proto);
  const b = socket(AF_UNIX, SOCK_DGRAM, proto);
  try {
    a.bind(name("a"));
    b.bind(name("b"));
    await a.connect(b.getsockname());
    await b.connect(a.getsockname());
    _unnamed(a);
    _unnamed(b);
    return [a, b];
  } catch (e) {
    a.close();
    b.close();
    throw e;
  }
}

/**
 * Keywords of {@linkcode socketpair}: Python's parameters by name, and `signal`.
 *
 * @category Sockets
 */
export interface SocketpairOptions extends SignalOptions {
  /** The family (default: AF_UNIX where available). */
  family?: number | null;
  /** SOCK_STREAM (default) or SOCK_DGRAM. */
  type?: number;
  /** The protocol (0). */
  proto?: number;
}

/**
 * Two connected sockets, as Python's `socket.socketpair()`. Deno has no
 * `socketpair(2)`, so one end listens and the other connects, and the pair
 * is private as CPython's fallback is since CVE-2024-3219: the connecting
 * end sends a random secret that the listening end checks (in constant
 * time; for IP families each end's peer address must also be the other
 * end's own address), and any other process that connects first is closed,
 * never handed out as the peer. The listener is on an abstract Unix name
 * (Linux: no file), in a fresh directory only the user can enter (macOS and
 * other Unixes: `--allow-read` and `--allow-write` needed for it), or on
 * loopback (AF_INET, the default on Windows as in CPython, which has no
 * Unix sockets in Deno).
 *
 * @param family AF_UNIX (the default); on Windows AF_INET (the default
 *   there) or AF_INET6. As CPython on Linux and macOS, whose socketpair(2)
 *   pairs only AF_UNIX sockets, AF_INET and AF_INET6 raise EOPNOTSUPP there.
 * @param type SOCK_STREAM, or SOCK_DGRAM with AF_UNIX (which needs
 *   `--unstable-net`, as every datagram socket does), optionally or-ed with
 *   SOCK_NONBLOCK (both ends non-blocking) and SOCK_CLOEXEC.
 * @param proto 0.
 * @param options `{ signal }`.
 * @returns the pair `[a, b]`.
 * @throws {OSError} ECONNABORTED when no connection proves to be the other
 *   end within 10 s (strangers are closed and never end the wait early);
 *   EOPNOTSUPP for AF_INET/AF_INET6 outside Windows; EAFNOSUPPORT,
 *   EPROTONOSUPPORT, ESOCKTNOSUPPORT or EINVAL for a family, protocol or type
 *   socket(2) refuses (AF_UNIX takes protocol 0 or PF_UNIX; -1 is EPROTONOSUPPORT).
 *
 * @example
 * ```ts
 * import { socketpair } from "@pysocket/socket";
 * const [a, b] = await socketpair();
 * await a.sendall(new Uint8Array([42]));
 * console.log(await b.recv(1)); // Uint8Array [42]
 * a.close(); b.close();
 * ```
 *
 * @category Sockets
 */
export async function socketpair(
  family?: number | null | SocketpairOptions,
  type?: number | SocketpairOptions,
  proto?: number | SocketpairOptions,
  options?: SocketpairOptions,
): Promise<[Socket, Socket]> {
  check_arity(ARITY.socketpair, arguments);
  // Python's socketpair(type=SOCK_DGRAM): any parameter by name in a trailing object.
  const a = bind_args("socketpair", [family, type, proto, options], ["family", "type", "proto"]);
  family = (a.family ?? null) as number | null;
  type = (a.type ?? SOCK_STREAM) as number;
  proto = (a.proto ?? 0) as number;
  options = a.signal === undefined ? {} : { signal: a.signal as AbortSignal };
  const facts = platform();
  const fam = family === undefined || family === null ? facts.socketpair_family : as_int(family);
  const t = as_int(type);
  // socketpair(2) takes the type's flags SOCK_NONBLOCK and SOCK_CLOEXEC, no other bits (EINVAL, before the family).
  if ((t & ~0xf & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) !== 0) throw new OSError(E.EINVAL);
  if (facts.socketpair_family === AF_UNIX && fam !== AF_UNIX) {
    // As CPython on Linux and macOS, whose socketpair(2) pairs only AF_UNIX sockets: a family the kernel knows
    // (AF_INET, AF_INET6) makes its socket, then EOPNOTSUPP; the arguments socket(2) refuses get its error.
    // (Windows has no AF_UNIX pairs: CPython, and pysocket, join AF_INET ones there through loopback.)
    if (fam < 0) throw new OSError(E.EAFNOSUPPORT);
    try {
      socket(fam, t & 0xf, as_int(proto)).close();
    } catch (e) {
      if (e instanceof OSError && e.errno !== null && SOCKET_REFUSES.has(e.errno)) throw e;
    }
    throw new OSError(E.EOPNOTSUPP);
  }
  if (facts.socketpair_family === AF_UNIX) {
    // Linux's unix_create(): the protocol first (0 or PF_UNIX; -1 is no default here, unlike socket()), then
    // the type (SOCK_RAW and SOCK_SEQPACKET exist for AF_UNIX, but not in pysocket: EOPNOTSUPP below).
    const p = as_int(proto);
    if (p !== 0 && p !== AF_UNIX) throw new OSError(E.EPROTONOSUPPORT);
    if ((t & 0xf) > 10) throw new OSError(E.EINVAL); // past SOCK_PACKET
    if (![SOCK_STREAM, SOCK_DGRAM, 3, 5].includes(t & 0xf)) throw new OSError(E.ESOCKTNOSUPPORT);
  }
  return await socketpair_any_family(fam, type, proto, options);
}

/** What socket(2) itself says to a family, type or protocol (socketpair(2) says it first). */
const SOCKET_REFUSES = new Set([E.EAFNOSUPPORT, E.EPROTONOSUPPORT, E.ESOCKTNOSUPPORT, E.EINVAL, E.EPROTOTYPE]);

/**
 * socketpair() of any family, AF_INET and AF_INET6 too (through loopback): the pair Windows' CPython makes,
 * and the one that pysocket's own tests use for a TCP pair on every platform. Not exported by mod.ts.
 * @internal
 */
export async function socketpair_any_family(
  fam: number,
  type: number,
  proto: number,
  options: SignalOptions = {},
): Promise<[Socket, Socket]> {
  const facts = platform();
  const flags = as_int(type) & ~0xf;
  type = as_int(type) & 0xf; // SOCK_CLOEXEC means nothing without descriptors; SOCK_NONBLOCK is applied below
  const nonblocking = <T extends [Socket, Socket]>(pair: T): T => {
    // The ends meet blocking (a default timeout of 0 or 1 ns must not cut the pairing: F19b-1), then get the default
    // as socketpair(2)'s ends do in CPython.
    for (const s of pair) _default_timeout(s);
    if ((flags & SOCK_NONBLOCK) !== 0) { for (const s of pair) s.setblocking(false); }
    return pair;
  };
  if (type === SOCK_DGRAM) {
    if (fam === AF_UNIX) return nonblocking(await dgram_pair(proto));
    throw new OSError(E.EOPNOTSUPP); // as Linux: no datagram pairs outside AF_UNIX
  }
  if (type !== SOCK_STREAM) {
    throw new OSError(E.EOPNOTSUPP, null, {
      detail: "socketpair() supports SOCK_STREAM, and SOCK_DGRAM with AF_UNIX",
    });
  }
  const lst = socket(fam, type, proto);
  lst.settimeout(null);
  let dir: string | null = null;
  const stop = new AbortController();
  const signals = [stop.signal, AbortSignal.timeout(PAIR_SECONDS * 1000)];
  if (options.signal) signals.push(options.signal);
  const signal = AbortSignal.any(signals);
  try {
    // The address the other end connects to: the one bound (older Deno reports no path for an abstract name).
    let addr: AddressInput;
    if (fam === AF_UNIX) {
      if (facts.abstract_names) {
        const rnd = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0"));
        addr = `\0pysocket-${rnd.join("")}`;
      } else {
        dir = private_dir(facts.unix_path_max);
        addr = `${dir}/s`;
      }
      lst.bind(addr);
    } else {
      lst.bind(fam === AF_INET6 ? ["::1", 0] : ["127.0.0.1", 0]);
      addr = lst.getsockname() as AddressInput;
    }
    lst.listen();
    const token = crypto.getRandomValues(new Uint8Array(TOKEN_BYTES));
    if (before_connect) await before_connect(addr);
    const a = socket(fam, type, proto);
    a.settimeout(null);
    try {
      const sent = (async () => {
        await a.connect(addr, { signal });
        await a.sendall(token, { signal });
      })();
      sent.catch(() => stop.abort(new OSError(E.ECONNABORTED)));
      let b: Socket;
      try {
        b = await accept_authenticated(lst, a, token, fam !== AF_UNIX, signal);
      } catch (e) {
        if (options.signal?.aborted) throw options.signal.reason;
        await sent; // its own error first, if the connecting end failed
        if (e instanceof DOMException && e.name === "TimeoutError") {
          throw new OSError(E.ECONNABORTED, null, {
            detail: `socketpair(): no connection proved to be its other end within ${PAIR_SECONDS} s`,
          });
        }
        throw e;
      }
      await sent;
      if (fam === AF_UNIX) {
        // As socketpair(2)'s ends: no names (the listener's private name was only the way to meet).
        _unnamed(a);
        _unnamed(b);
        _link_ends(a, b); // (a TCP pair's ends found each other by their addresses)
      }
      return nonblocking([a, b]);
    } catch (e) {
      a.close();
      throw e;
    }
  } finally {
    stop.abort();
    lst.close();
    if (dir !== null) {
      try {
        Deno.removeSync(dir, { recursive: true });
      } catch { /* removed already */ }
    }
  }
}

/**
 * True when a socket can accept IPv4 and IPv6 on one `::` listener, as
 * Python's `socket.has_dualstack_ipv6()`: where IPv6 works and the platform
 * leaves `IPV6_V6ONLY` off (not on Windows, where Deno's `::` listeners are
 * IPv6-only: denoland/deno#36168).
 *
 * @returns whether dual-stack listening is available.
 *
 * @example
 * ```ts
 * import { has_dualstack_ipv6 } from "@pysocket/socket";
 * console.log(typeof has_dualstack_ipv6()); // "boolean"
 * ```
 *
 * @category Sockets
 */
export function has_dualstack_ipv6(): boolean {
  check_arity(ARITY.has_dualstack_ipv6, arguments);
  if (platform().v6only) return false;
  const deno = (globalThis as { Deno?: { listen?: typeof Deno.listen } }).Deno;
  if (typeof deno?.listen !== "function") return false;
  try {
    const l = deno.listen({ hostname: "::1", port: 0 });
    l.close();
    return true;
  } catch {
    return false;
  }
}

/**
 * True: pysocket supports IPv6 (Python's `socket.has_ipv6`).
 *
 * @example
 * ```ts
 * import { has_ipv6 } from "@pysocket/socket";
 * console.log(has_ipv6); // true
 * ```
 *
 * @category Sockets
 */
export const has_ipv6: boolean = true;

export type { Socket };

/** Python's `a, b = value` for a 2-item unpack: ValueError (RangeError) or TypeError as CPython raises them. */
function unpack2(value: unknown): [unknown, unknown] {
  let items: unknown[];
  if (typeof value === "string") items = [...value];
  else if (Array.isArray(value)) items = value;
  else if (value instanceof Uint8Array) items = [...value];
  else throw new TypeError(`cannot unpack non-iterable ${py_type(value)} object`);
  if (items.length > 2) throw new RangeError("too many values to unpack (expected 2)");
  if (items.length < 2) throw new RangeError(`not enough values to unpack (expected 2, got ${items.length})`);
  return [items[0], items[1]];
}

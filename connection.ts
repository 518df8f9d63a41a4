/**
 * Python's socket-module helpers that make connected or listening sockets:
 * `create_connection`, `create_server`, `socketpair`, `has_dualstack_ipv6`.
 *
 * @example
 * ```ts
 * import { create_connection, create_server } from "./mod.ts";
 * using srv = create_server(["127.0.0.1", 0]);
 * using c = await create_connection(srv.getsockname() as [string, number], 5);
 * console.log(c.gettimeout()); // 5
 * ```
 * @module
 */

import { AF_INET, AF_INET6, AF_UNIX, SO_REUSEADDR, SO_REUSEPORT, SOCK_STREAM, SOL_SOCKET } from "./constants.ts";
import { errno as E, OSError } from "./errors.ts";
import { bind_args } from "./_args.ts";
import { as_int, check_host, check_port, py_type } from "./families/_ip.ts";
import { _getaddrinfo } from "./names.ts";
import { type Candidate, interleave, staggered_race } from "./_happy_eyeballs.ts";
import { getdefaulttimeout, Socket, socket } from "./socket.ts";
import type { AddressInput, SignalOptions } from "./types.ts";

/** Keywords of {@linkcode create_connection}. */
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
 * @returns the connected socket.
 * @throws {OSError} the last attempt's error, or an AggregateError with
 *   `all_errors`.
 *
 * @example
 * ```ts
 * import { create_connection, create_server } from "./mod.ts";
 * using srv = create_server(["127.0.0.1", 0]);
 * using c = await create_connection(["127.0.0.1", (srv.getsockname() as [string, number])[1]]);
 * console.log(c.getpeername());
 * ```
 */
export async function create_connection(
  address: readonly [string, number],
  timeout?: number | null | CreateConnectionOptions,
  source_address?: readonly [string, number] | null | CreateConnectionOptions,
  options?: CreateConnectionOptions,
): Promise<Socket> {
  const a = bind_args("create_connection", [
    address,
    timeout,
    source_address,
    options,
  ], [
    "address",
    "timeout",
    "source_address",
  ], ["all_errors", "happy_eyeballs_delay"]);
  const addr = a.address;
  if (!Array.isArray(addr) || addr.length !== 2) {
    throw new TypeError(
      `create_connection(): address must be a (host, port) pair, not ${py_type(addr)}`,
    );
  }
  const host = check_host(addr[0]);
  const port = check_port(addr[1], "create_connection");
  const t = "timeout" in a ? (a.timeout as number | null) : getdefaulttimeout();
  const source = (a.source_address ?? null) as AddressInput | null;
  const signal = a.signal as AbortSignal | undefined;
  const delay = a.happy_eyeballs_delay === undefined ? 0.25 : a.happy_eyeballs_delay as number | null;
  if (delay !== null && (typeof delay !== "number" || !(delay >= 0))) {
    throw new RangeError("happy_eyeballs_delay must be a non-negative number or null");
  }
  const targets: Candidate[] = (await _getaddrinfo(host, port, SOCK_STREAM, signal))
    .map(([family, , , , sockaddr]) => ({ family, sockaddr }));
  let errors: unknown[] = [];
  if (delay !== null && t !== 0 && targets.length > 1 && new Set(targets.map((c) => c.family)).size > 1) {
    const r = await staggered_race(interleave(targets), delay, t, signal, source);
    if ("socket" in r) return r.socket;
    errors = r.errors;
  } else {
    for (const { family, sockaddr } of targets) {
      const s = socket(family, SOCK_STREAM);
      try {
        s.settimeout(t);
        if (source) s.bind(source);
        await s.connect(sockaddr, signal ? { signal } : undefined);
        return s;
      } catch (e) {
        s.close();
        if (signal?.aborted) throw e;
        errors.push(e);
      }
    }
  }
  if (a.all_errors) {
    throw new AggregateError(errors, "create_connection failed");
  }
  throw errors[errors.length - 1] ??
    new OSError(null, "getaddrinfo returns an empty list");
}

/** Keywords of {@linkcode create_server}. */
export interface CreateServerOptions {
  /** AF_INET (default), AF_INET6 or AF_UNIX. */
  family?: number;
  /** listen() backlog. */
  backlog?: number | null;
  /** Set SO_REUSEPORT (needs --unstable-net). */
  reuse_port?: boolean;
  /** Accept IPv4 and IPv6 on one socket (needs AF_INET6; Deno's `::` is always dual-stack). */
  dualstack_ipv6?: boolean;
}

/**
 * Make a listening socket bound to `address`, as Python's
 * `socket.create_server`.
 *
 * @param address `[host, port]` (or a path for AF_UNIX).
 * @param options `{ family, backlog, reuse_port, dualstack_ipv6 }`.
 * @returns the listening socket.
 * @throws {RangeError} when `dualstack_ipv6` is asked without AF_INET6.
 *
 * @example
 * ```ts
 * import { create_server } from "./mod.ts";
 * using srv = create_server(["127.0.0.1", 0], { backlog: 16 });
 * console.log(srv.getsockname()[0]); // 127.0.0.1
 * ```
 */
export function create_server(
  address: AddressInput,
  options: CreateServerOptions = {},
): Socket {
  const a = bind_args("create_server", [address, options], ["address"], [
    "family",
    "backlog",
    "reuse_port",
    "dualstack_ipv6",
  ]);
  const family = a.family === undefined ? AF_INET : as_int(a.family);
  if (a.dualstack_ipv6 && family !== AF_INET6) {
    throw new RangeError("dualstack_ipv6 requires AF_INET6 family");
  }
  const s = socket(family, SOCK_STREAM);
  try {
    s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1); // as CPython on POSIX (Deno's TCP listeners set it anyway)
    if (a.reuse_port) s.setsockopt(SOL_SOCKET, SO_REUSEPORT, 1);
    s.bind(a.address as AddressInput);
    if (a.backlog === undefined || a.backlog === null) s.listen();
    else s.listen(as_int(a.backlog));
  } catch (e) {
    s.close();
    throw e;
  }
  return s;
}

/**
 * Two connected sockets, as Python's `socket.socketpair()`. AF_UNIX (the
 * default) uses an abstract Unix socket name, so no file is created;
 * AF_INET and AF_INET6 use loopback.
 *
 * @param family AF_UNIX (default), AF_INET or AF_INET6.
 * @param type SOCK_STREAM (the only type supported).
 * @param proto 0.
 * @returns the pair `[a, b]`.
 *
 * @example
 * ```ts
 * import { socketpair } from "./mod.ts";
 * const [a, b] = await socketpair();
 * await a.sendall(new Uint8Array([42]));
 * console.log(await b.recv(1)); // Uint8Array [42]
 * a.close(); b.close();
 * ```
 */
export async function socketpair(
  family: number = AF_UNIX,
  type: number = SOCK_STREAM,
  proto: number = 0,
  options: SignalOptions = {},
): Promise<[Socket, Socket]> {
  if (as_int(type) !== SOCK_STREAM) {
    throw new OSError(E.EOPNOTSUPP, null, {
      detail: "socketpair() supports SOCK_STREAM only",
    });
  }
  const lst = socket(family, type, proto);
  try {
    if (family === AF_UNIX) {
      lst.bind(`\0pysocket-${crypto.randomUUID()}`);
    } else {
      lst.bind(family === AF_INET6 ? ["::1", 0] : ["127.0.0.1", 0]);
    }
    lst.listen(1);
    const a = socket(family, type, proto);
    try {
      const [, [b]] = await Promise.all([
        a.connect(lst.getsockname(), options),
        lst.accept(options),
      ]);
      return [a, b];
    } catch (e) {
      a.close();
      throw e;
    }
  } finally {
    lst.close();
  }
}

/**
 * True when a socket can accept IPv4 and IPv6 on one `::` listener: always
 * the case with Deno where IPv6 works at all.
 *
 * @returns whether dual-stack listening is available.
 *
 * @example
 * ```ts
 * import { has_dualstack_ipv6 } from "./mod.ts";
 * console.log(typeof has_dualstack_ipv6()); // "boolean"
 * ```
 */
export function has_dualstack_ipv6(): boolean {
  try {
    const l = Deno.listen({ hostname: "::1", port: 0 });
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
 * import { has_ipv6 } from "./mod.ts";
 * console.log(has_ipv6); // true
 * ```
 */
export const has_ipv6: boolean = true;

export type { Socket };

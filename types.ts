/**
 * Public types shared by pysocket's entry points.
 *
 * @example
 * ```ts
 * import type { Address, InetAddress } from "@pysocket/socket";
 * const a: InetAddress = ["127.0.0.1", 8080];
 * const b: Address = "/tmp/app.sock";
 * console.log(a, b);
 * ```
 * @module
 */

/**
 * An AF_INET address: `[host, port]`, like Python's `(host, port)`.
 *
 * @category Addresses and names
 */
export type InetAddress = [host: string, port: number];

/**
 * An AF_INET6 address: `[host, port, flowinfo, scope_id]`.
 *
 * @category Addresses and names
 */
export type Inet6Address = [
  host: string,
  port: number,
  flowinfo: number,
  scope_id: number,
];

/**
 * An AF_UNIX address: the socket's path (`""` when unbound).
 *
 * @category Addresses and names
 */
export type UnixAddress = string;

/**
 * Any address pysocket returns.
 *
 * @category Addresses and names
 */
export type Address = InetAddress | Inet6Address | UnixAddress;

/**
 * The address type of a socket family: {@linkcode InetAddress} for
 * `AF_INET` (2), {@linkcode Inet6Address} for `AF_INET6` (10),
 * {@linkcode UnixAddress} for `AF_UNIX` (1), any {@linkcode Address} when
 * the family is not known when type-checking.
 *
 * @example
 * ```ts
 * import type { AddressOf } from "@pysocket/socket";
 * const a: AddressOf<2> = ["127.0.0.1", 80];
 * console.log(a[1]); // 80
 * ```
 *
 * @category Addresses and names
 */
export type AddressOf<F extends number> = F extends 2 ? InetAddress
  : F extends 10 ? Inet6Address
  : F extends 1 ? UnixAddress
  : Address;

/**
 * Any address pysocket accepts: AF_INET6 input may omit flowinfo and
 * scope_id; AF_UNIX accepts the path as a string or bytes.
 *
 * @category Addresses and names
 */
export type AddressInput =
  | readonly [host: string, port: number]
  | readonly [host: string, port: number, flowinfo?: number, scope_id?: number]
  | string
  | Uint8Array;

/**
 * Bytes-like input: any ArrayBufferView or ArrayBuffer (Python's buffer protocol).
 *
 * @category Sockets
 */
export type Buffer = ArrayBufferView | ArrayBufferLike;

/**
 * The trailing options object every waiting method accepts.
 *
 * @category Sockets
 */
export interface SignalOptions {
  /** Abort the wait; rejects with `signal.reason` and loses nothing. */
  signal?: AbortSignal | undefined;
}

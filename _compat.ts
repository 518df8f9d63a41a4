// The rest of Python's `socket` module surface: file-number helpers
// (close, dup, fromfd), fd passing (send_fds, recv_fds), sethostname,
// CMSG_LEN / CMSG_SPACE, and the errno names the module re-exports. What
// Deno can honour works; the rest raises an OSError that says why.

import { errno as E, from_errno, OSError } from "./errors.ts";
import { as_int } from "./families/_ip.ts";
import { ARITY, check_arity } from "./_args.ts";
import { Socket } from "./socket.ts";
import type { AddressInput, Buffer, SignalOptions } from "./types.ts";

/**
 * `EAGAIN` (11), which Python's `socket` module re-exports from `errno`: the
 * errno of the `BlockingIOError` a non-blocking call raises when it would
 * wait. The other errno numbers are in the `errno` object.
 *
 * @example A non-blocking recv with nothing to read
 * ```ts
 * import { BlockingIOError, EAGAIN, socketpair } from "@pysocket/socket";
 * const [a, b] = await socketpair();
 * a.setblocking(false);
 * try {
 *   await a.recv(10);
 * } catch (e) {
 *   console.log(e instanceof BlockingIOError && e.errno === EAGAIN); // true
 * }
 * a.close();
 * b.close();
 * ```
 *
 * @category Constants
 */
export const EAGAIN = 11;

/**
 * `EWOULDBLOCK` (11, the same as {@linkcode EAGAIN} on Linux), which Python's
 * `socket` module re-exports from `errno`. See {@linkcode EAGAIN} for an
 * example.
 *
 * @category Constants
 */
export const EWOULDBLOCK = 11;

/**
 * `EBADF` (9), which Python's `socket` module re-exports from `errno`: the
 * errno of any operation on a closed socket. See {@linkcode EAGAIN} for an
 * example of checking an errno.
 *
 * @category Constants
 */
export const EBADF = 9;

const NOT_AN_FD = "pysocket file numbers are not OS descriptors; only a number given up by Socket.detach() is known";

/**
 * Python's `socket.close(fd)`: close a socket by its file number. pysocket
 * numbers are its own (Deno has no descriptors), so this closes a socket
 * given up by {@linkcode Socket.detach}; any other number is `EBADF`.
 *
 * @param fd a number returned by `detach()`.
 * @throws {OSError} EBADF for a number that is not a detached socket's.
 *
 * @example
 * ```ts
 * import { close, socket } from "@pysocket/socket";
 * const s = socket();
 * close(s.detach());
 * ```
 *
 * @category Sockets
 */
export function close(fd: number): void {
  check_arity(ARITY.close_fd, arguments);
  const n = as_int(fd); // CPython's TypeError for a non-int, before any lookup
  let s: Socket;
  try {
    s = Socket._adopt(n);
  } catch {
    throw new OSError(E.EBADF, null, { detail: `close(${fd}): ${NOT_AN_FD}` });
  }
  s.close();
}

/**
 * Python's `socket.dup(fd)`. Deno has no file descriptors to duplicate, so
 * this always raises.
 *
 * @param fd a file number.
 * @returns never.
 * @throws {OSError} EOPNOTSUPP always.
 *
 * @example
 * ```ts
 * import { dup } from "@pysocket/socket";
 * try { dup(3); } catch (e) { console.log((e as Error).message); }
 * ```
 *
 * @category Sockets
 */
export function dup(fd: number): number {
  as_int(fd);
  throw new OSError(E.EOPNOTSUPP, null, {
    detail: "dup(): Deno has no file descriptors to duplicate",
  });
}

/**
 * Python's `socket.fromfd(fd, family, type, proto=0)`. pysocket numbers are
 * not OS descriptors, so only a number given up by {@linkcode Socket.detach}
 * can be adopted, and it is taken over rather than duplicated (close the new
 * socket, not the number). A descriptor from elsewhere (inetd, systemd
 * socket activation) cannot be used on Deno.
 *
 * @param fd a number returned by `detach()`.
 * @param family the socket's family.
 * @param type the socket's type.
 * @param proto the socket's protocol (default 0).
 * @returns the socket.
 * @throws {OSError} EBADF for an unknown number, EINVAL when family or type
 *   do not match the detached socket's.
 *
 * @example
 * ```ts
 * import { AF_INET, fromfd, SOCK_STREAM, socket } from "@pysocket/socket";
 * const s = socket();
 * using t = fromfd(s.detach(), AF_INET, SOCK_STREAM);
 * console.log(t.family); // 2
 * ```
 *
 * @category Sockets
 */
export function fromfd(fd: number, family: number, type: number, proto: number = 0): Socket {
  const n = as_int(fd), f = as_int(family), t = as_int(type);
  as_int(proto);
  let s: Socket;
  try {
    s = Socket._adopt(n);
  } catch {
    throw new OSError(E.EBADF, null, { detail: `fromfd(${fd}): ${NOT_AN_FD}` });
  }
  if (s.family !== f || s.type !== (t & ~(0x800 | 0x80000))) {
    const detail = `fromfd(${n}): the socket is family ${s.family}, type ${s.type}`;
    s.detach(); // back where it was
    throw new OSError(E.EINVAL, null, { detail });
  }
  return s;
}

/**
 * Python's `socket.send_fds(sock, buffers, fds, flags=0, address=None)`.
 * Deno cannot pass file descriptors (SCM_RIGHTS): with an empty `fds` the
 * buffers are sent as `sendmsg` would; otherwise this raises.
 *
 * @param sock the socket to send on.
 * @param buffers bytes-like objects.
 * @param fds descriptors to pass (must be empty on Deno).
 * @param flags send flags.
 * @param address where to send (datagram sockets).
 * @param options `{ signal }`.
 * @returns the count of bytes sent.
 * @throws {OSError} EOPNOTSUPP when `fds` is not empty.
 *
 * @example
 * ```ts
 * import { send_fds, socketpair } from "@pysocket/socket";
 * const [a, b] = await socketpair();
 * try { await send_fds(a, [new Uint8Array([1])], [0]); } catch (e) { console.log((e as Error).message); }
 * a.close(); b.close();
 * ```
 *
 * @category Sockets
 */
export async function send_fds(
  sock: Socket,
  buffers: Iterable<Buffer>,
  fds: Iterable<number>,
  flags: number = 0,
  address: AddressInput | null = null,
  options: SignalOptions = {},
): Promise<number> {
  const list = [...fds];
  if (list.length > 0) {
    throw new OSError(E.EOPNOTSUPP, null, {
      detail: "send_fds(): Deno cannot pass file descriptors (SCM_RIGHTS)",
    });
  }
  return await sock.sendmsg(buffers, [], flags, address, options);
}

/**
 * Python's `socket.recv_fds(sock, bufsize, maxfds, flags=0)`. Deno cannot
 * receive file descriptors (SCM_RIGHTS), and a plain read would silently
 * drop any the peer sent, so this always raises.
 *
 * @param sock the socket to receive on.
 * @param bufsize the most bytes to receive.
 * @param maxfds the most descriptors to receive.
 * @param flags receive flags.
 * @returns never.
 * @throws {OSError} EOPNOTSUPP always.
 *
 * @example
 * ```ts
 * import { recv_fds, socketpair } from "@pysocket/socket";
 * const [a, b] = await socketpair();
 * try { await recv_fds(b, 16, 1); } catch (e) { console.log((e as Error).message); }
 * a.close(); b.close();
 * ```
 *
 * @category Sockets
 */
// deno-lint-ignore require-await
export async function recv_fds(
  sock: Socket,
  bufsize: number,
  maxfds: number,
  flags: number = 0,
): Promise<[Uint8Array, number[], number, unknown]> {
  as_int(bufsize);
  as_int(maxfds);
  as_int(flags);
  if (sock.fileno() === -1) throw new OSError(E.EBADF);
  throw new OSError(E.EOPNOTSUPP, null, {
    detail: "recv_fds(): Deno cannot receive file descriptors (SCM_RIGHTS)",
  });
}

/**
 * Python's `socket.sethostname(name)`. Deno has no way to set the host
 * name, so this raises the `PermissionError` (EPERM) an unprivileged
 * CPython gets, saying why.
 *
 * @param name the new host name.
 * @throws {PermissionError} EPERM always.
 *
 * @example
 * ```ts
 * import { sethostname } from "@pysocket/socket";
 * try { sethostname("box"); } catch (e) { console.log((e as Error).name); } // PermissionError
 * ```
 *
 * @category Sockets
 */
export function sethostname(name: string | Uint8Array): void {
  check_arity(ARITY.sethostname, arguments);
  if (typeof name !== "string" && !(name instanceof Uint8Array)) {
    throw new TypeError("sethostname() argument 1 must be str or bytes");
  }
  throw from_errno(E.EPERM, { detail: "sethostname(): Deno cannot set the host name" });
}

/** sizeof(struct cmsghdr) on 64-bit Linux, and its alignment. */
const CMSG_HDR = 16;
const CMSG_ALIGN = 8;

/** A Py_ssize_t argument: OverflowError past 64 bits, tested on the bigint itself (A24b-6: -2**63 - 1 as a double
 * rounds to -2**63). */
function ssize_arg(length: unknown): number {
  if (typeof length === "bigint" && (length >= 2n ** 63n || length < -(2n ** 63n))) {
    throw new RangeError("Python int too large to convert to C ssize_t");
  }
  const n = as_int(length);
  if (n >= 2 ** 63 || n < -(2 ** 63)) throw new RangeError("Python int too large to convert to C ssize_t");
  return n;
}

/**
 * Python's `socket.CMSG_LEN(length)`: the size of a control message with
 * `length` bytes of data, without trailing padding (64-bit Linux).
 *
 * @param length the data length.
 * @returns the control message length.
 * @throws {RangeError} for a negative or too large length (Python's OverflowError).
 *
 * @example
 * ```ts
 * import { CMSG_LEN } from "@pysocket/socket";
 * console.log(CMSG_LEN(4)); // 20
 * ```
 *
 * @category Constants
 */
export function CMSG_LEN(length: number): number {
  check_arity(ARITY.CMSG_LEN, arguments);
  const n = ssize_arg(length);
  if (n < 0 || n > 0x7fffffff - CMSG_HDR) throw new RangeError("CMSG_LEN() argument out of range");
  return CMSG_HDR + n;
}

/**
 * Python's `socket.CMSG_SPACE(length)`: the buffer size a control message
 * with `length` bytes of data takes, with padding (64-bit Linux).
 *
 * @param length the data length.
 * @returns the space needed.
 * @throws {RangeError} for a negative or too large length (Python's OverflowError).
 *
 * @example
 * ```ts
 * import { CMSG_SPACE } from "@pysocket/socket";
 * console.log(CMSG_SPACE(4)); // 24
 * ```
 *
 * @category Constants
 */
export function CMSG_SPACE(length: number): number {
  check_arity(ARITY.CMSG_SPACE, arguments);
  const n = ssize_arg(length);
  if (n < 0 || n > 0x7fffffff - (CMSG_HDR + CMSG_ALIGN)) throw new RangeError("CMSG_SPACE() argument out of range");
  return CMSG_HDR + Math.ceil(n / CMSG_ALIGN) * CMSG_ALIGN;
}

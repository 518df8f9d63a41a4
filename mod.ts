/**
 * pysocket: Python's `socket` module for Deno, on Deno's own networking.
 *
 * The names, arguments, addresses, constants, errno numbers and exceptions
 * are Python's (CPython on Linux is the reference), so a Python socket
 * program ports line by line: `socket`, `bind`, `recv_into`,
 * `create_connection`, `getaddrinfo`, `AF_INET6`, `gaierror`. Addresses are
 * arrays (`[host, port]`), bytes are `Uint8Array`, `with` is `using`, and
 * what can wait returns a Promise that takes an `AbortSignal` in a trailing
 * options object. Timeouts and aborts never lose a byte, a datagram or a
 * connection.
 *
 * This entry point is Python's `socket` module (with `errno`). The
 * companions are separate entry points: `@pysocket/socket/socketserver`,
 * `@pysocket/socket/ssl` and `@pysocket/socket/selectors` (Python's
 * `select` and `selectors`).
 *
 * Permissions: TCP needs `--allow-net`; UDP also `--unstable-net`; Unix
 * sockets also `--allow-read` and `--allow-write` for the path. Importing
 * needs none.
 *
 * @example Python's tutorial echo server and client, in one program
 * ```ts
 * import * as socket from "@pysocket/socket";
 *
 * // Server: with socket.socket(AF_INET, SOCK_STREAM) as s: s.bind(...); s.listen(1)
 * using s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
 * s.bind(["127.0.0.1", 0]);
 * s.listen(1);
 * const [host, port] = s.getsockname() as [string, number];
 *
 * // Client: create_connection((host, port)); sendall(b"Hello, world")
 * using c = await socket.create_connection([host, port]);
 * await c.sendall(new TextEncoder().encode("Hello, world"));
 * await c.shutdown(socket.SHUT_WR);
 *
 * // Server: conn, addr = s.accept(); echo until recv() returns b""
 * const [conn, addr] = await s.accept();
 * using _conn = conn;
 * console.log("Connected by", addr);
 * while (true) {
 *   const data = await conn.recv(1024);
 *   if (!data.length) break; // an empty Uint8Array is truthy: test .length
 *   await conn.sendall(data);
 * }
 * console.log("Received", new TextDecoder().decode(await c.recv(1024))); // Received Hello, world
 * ```
 *
 * @example Errors are Python's
 * ```ts
 * import { ConnectionRefusedError, errno, socket } from "@pysocket/socket";
 * // Find a port where nothing listens: bind one, then free it.
 * const probe = socket();
 * probe.bind(["127.0.0.1", 0]);
 * const addr = probe.getsockname() as [string, number];
 * probe.close();
 * using s = socket();
 * try {
 *   await s.connect(addr);
 * } catch (e) {
 *   console.log(e instanceof ConnectionRefusedError, (e as ConnectionRefusedError).errno === errno.ECONNREFUSED); // true true
 * }
 * ```
 * @module
 */

export * from "./constants.ts";
export {
  BlockingIOError,
  BrokenPipeError,
  ConnectionAbortedError,
  ConnectionError,
  ConnectionRefusedError,
  ConnectionResetError,
  errno,
  error,
  errorcode,
  FileExistsError,
  FileNotFoundError,
  gaierror,
  herror,
  InterruptedError,
  OSError,
  PermissionError,
  strerror,
  timeout,
  TimeoutError,
} from "./errors.ts";
export type { ErrnoName } from "./errors.ts";
export {
  getdefaulttimeout,
  type MakefileOptions,
  type RecvOptions,
  type SendfileOptions,
  setdefaulttimeout,
  Socket,
  socket,
  type SocketKeywords,
  SocketType,
} from "./socket.ts";
export {
  create_connection,
  create_server,
  type CreateConnectionOptions,
  type CreateServerOptions,
  has_dualstack_ipv6,
  has_ipv6,
  socketpair,
  type SocketpairOptions,
} from "./connection.ts";
export { SocketFile, type SocketFileOptions } from "./_makefile.ts";
export {
  type AddrInfo,
  getaddrinfo,
  type GetaddrinfoOptions,
  getfqdn,
  gethostbyaddr,
  gethostbyname,
  gethostbyname_ex,
  gethostname,
  getnameinfo,
  type HostArg,
  if_addresses,
  if_indextoname,
  if_nameindex,
  if_nametoindex,
  type InterfaceAddress,
  type InterfaceInfo,
  type PortArg,
} from "./names.ts";
export { htonl, htons, inet_aton, inet_ntoa, inet_ntop, inet_pton, ntohl, ntohs } from "./_inet.ts";
export { getprotobyname, getservbyname, getservbyport } from "./_services.ts";
export { AddressFamily, AddressInfo, MsgFlag, SocketKind } from "./enums.ts";
export {
  close,
  CMSG_LEN,
  CMSG_SPACE,
  dup,
  EAGAIN,
  EBADF,
  EWOULDBLOCK,
  fromfd,
  recv_fds,
  send_fds,
  sethostname,
} from "./_compat.ts";
export type {
  Address,
  AddressInput,
  AddressOf,
  Buffer,
  Inet6Address,
  InetAddress,
  SignalOptions,
  UnixAddress,
} from "./types.ts";

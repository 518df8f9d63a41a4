/**
 * pysocket: Python's `socket` module for Deno, on Deno's own networking.
 *
 * Same names as Python (`socket`, `recv_into`, `create_connection`,
 * `AF_INET`, `gaierror`), addresses as arrays, bytes as `Uint8Array`, and
 * every wait is a Promise that takes an `AbortSignal`. Timeouts and aborts
 * never lose a byte, a datagram or a connection.
 *
 * @example An echo server and client
 * ```ts
 * import { create_connection, create_server } from "@pysocket/socket";
 * using srv = create_server(["127.0.0.1", 0]);
 * const [host, port] = srv.getsockname() as [string, number];
 * using cli = await create_connection([host, port]);
 * const [conn] = await srv.accept();
 * await cli.sendall(new TextEncoder().encode("ping"));
 * await conn.sendall(await conn.recv(1024));
 * console.log(new TextDecoder().decode(await cli.recv(1024))); // "ping"
 * conn.close();
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
  setdefaulttimeout,
  Socket,
  socket,
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

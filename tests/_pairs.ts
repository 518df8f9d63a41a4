// A connected stream pair of any family for tests: socketpair(AF_INET) raises EOPNOTSUPP on Linux and macOS
// as CPython's does (socketpair(2) pairs only AF_UNIX sockets there), so tests that want a TCP pair take the
// loopback pair that socketpair() makes on Windows (the same code: connection.ts socketpair_any_family).

import { AF_INET, SOCK_STREAM, type Socket } from "../mod.ts";
import { socketpair_any_family } from "../connection.ts";

/** A connected SOCK_STREAM pair of `family` (AF_INET by default; AF_INET6 and AF_UNIX too). */
export function stream_pair(family: number = AF_INET): Promise<[Socket, Socket]> {
  return socketpair_any_family(family, SOCK_STREAM, 0);
}

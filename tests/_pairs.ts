// A connected stream pair of any family for tests: socketpair(AF_INET) raises EOPNOTSUPP on Linux and macOS
// as CPython's does (socketpair(2) pairs only AF_UNIX sockets there), so tests that want a TCP pair take the
// loopback pair that socketpair() makes on Windows (the same code: connection.ts socketpair_any_family).

import { AF_INET, AF_INET6, SOCK_STREAM, type Socket, socket, socketpair } from "../mod.ts";
import { socketpair_any_family } from "../connection.ts";

/** A connected SOCK_STREAM pair of `family` (AF_INET by default; AF_INET6 and AF_UNIX too). */
export function stream_pair(family: number = AF_INET): Promise<[Socket, Socket]> {
  return socketpair_any_family(family, SOCK_STREAM, 0);
}

/** What linked_pair() makes: a socketpair(), or a loopback TCP connection over IPv4 or IPv6. */
export type LinkedFam = "socketpair" | "AF_INET" | "AF_INET6";

/**
 * The two ends of a connection both in this process (linked ends: each one's looks know what the other sent):
 * socketpair()'s, or [client, accepted] of a loopback TCP connection made through a listener closed after.
 */
export async function linked_pair(fam: LinkedFam): Promise<[Socket, Socket]> {
  if (fam === "socketpair") {
    const [a, b] = await socketpair();
    return [a!, b!];
  }
  const f = fam === "AF_INET6" ? AF_INET6 : AF_INET;
  const l = socket(f);
  try {
    l.bind([f === AF_INET6 ? "::1" : "127.0.0.1", 0]);
    l.listen();
    const c = socket(f);
    await c.connect(l.getsockname());
    const [s] = await l.accept();
    return [c, s];
  } finally {
    l.close();
  }
}

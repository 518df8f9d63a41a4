// Internal contracts between socket.ts and the modules built on it
// (datagrams, selectors, ssl, makefile). Nothing here is public API.

import type { Deadline } from "./_wait.ts";
import type { Endpoint, FamilyAdapter } from "./families/types.ts";
import type { Address } from "./types.ts";

/**
 * Readiness as select() sees it. select() and selectors keep the object a
 * `_pollable()` call returns for as long as they watch it (a Socket makes it
 * once): its getters must read the current state. A watch is armed (one
 * `wait_*()` call) only when the getter says not ready, and its settling
 * puts the object back in the selector's ready set; so a `wait_*()` that
 * settles while the getter stays false is re-armed after one event-loop
 * turn, and one that never settles hides every later change of that event.
 *
 * @category Selectors
 */
export interface Pollable {
  /** recv()/accept()/recvfrom() would return at once. */
  readonly readable: boolean;
  /** send()/sendto() would not wait. */
  readonly writable: boolean;
  /** Resolves (never rejects) when readability may have changed; starts a read-ahead if needed. */
  wait_readable(): Promise<void>;
  /** Resolves (never rejects) when writability may have changed. */
  wait_writable(): Promise<void>;
  /** As wait_readable(), calling `cb` once instead of settling a promise (optional: cheaper). */
  watch_readable?(cb: () => void): void;
  /** Datagrams received so far (a datagram socket's; undefined for others). */
  readonly arrivals?: number | undefined;
  /**
   * Not readable yet, though a same-process peer has already sent it bytes or an EOF (Linux has them queued here):
   * a zero-timeout look waits, bounded, for them (A24). Optional: undefined is false.
   */
  readonly expecting?: boolean;
}

/** What socket.ts asks of the SOCK_DGRAM implementation (_dgram.ts). */
export interface DatagramEngine extends Pollable {
  /** The socket was detached: a timed receive waiting now raises EBADF once it wakes (a blocking one goes on). */
  moved(): void;
  /**
   * Bind now (Deno.listenDatagram); EADDRINUSE etc. thrown as OSError. `released`, when given, wraps the deferred
   * open of an address a closed socket's receive still holds (it waits for a spawned child's copy too: fix22).
   */
  bind(ep: Endpoint, reuse_port: boolean, released?: <T>(make: () => T) => T): void;
  /** Set the default peer (ep.hostname is already a literal); null disconnects. Async: UDP first reads the kernel's queue. */
  connect(ep: Endpoint | null): Promise<void>;
  /** send() to the connected peer. */
  send(data: Uint8Array, flags: number, dl: Deadline): Promise<number>;
  /** sendto() an address (ep.hostname is already a literal). */
  sendto(
    data: Uint8Array,
    flags: number,
    ep: Endpoint,
    dl: Deadline,
  ): Promise<number>;
  /** Receive one datagram into view (at most nbytes); returns [count, sender]. */
  recv_into(
    view: Uint8Array,
    flags: number,
    dl: Deadline,
  ): Promise<[number, Address | null]>;
  /** Receive one datagram of at most n bytes; returns [data, sender] (null: an unbound AF_UNIX sender, Python's None). */
  recv(n: number, flags: number, dl: Deadline): Promise<[Uint8Array, Address | null]>;
  getsockname(): Address;
  /**
   * shutdown(how) as Linux's for datagram sockets: SHUT_RD wakes every
   * waiting receive, SHUT_WR makes sends raise EPIPE; an unconnected UDP
   * socket is shut, then ENOTCONN is raised. `how` is already validated.
   */
  shutdown(how: number): void;
  /** The connected peer, or null when not connected. */
  getpeername(): Address | null;
  /** Apply an option; false when the option is not a datagram option. */
  setsockopt(level: number, name: number, value: number | Uint8Array): boolean;
  /** Read an option; undefined when the option is not a datagram option. */
  getsockopt(level: number, name: number): number | undefined;
  close(): void;
}

/** The constructor socket.ts calls for SOCK_DGRAM sockets. */
export type DatagramEngineFactory = (adapter: FamilyAdapter) => DatagramEngine;

// A listener bound to an address that a listener closed with an accept in
// flight still holds for one event-loop turn (Deno releases the port, or
// deletes the Unix socket file, only when that accept settles). CPython's
// port is free once close() returns, so a bind() right after it succeeds:
// pysocket's bind() returns at once with this stand-in, which listens for
// real as soon as the old listener is gone. Were it to listen at once, a TCP
// bind would fail with EADDRINUSE, and a Unix one (after the program removed
// the old file) would have its new file deleted by the old listener's drop.

import { held_until, track_release } from "./_stream.ts";
import { errno, OSError } from "./errors.ts";
import { format_ipv4, format_ipv6, parse_ipv4, parse_ipv6 } from "./families/_ip.ts";

/** A stand-in not yet listening (or open): a second bind to its address is EADDRINUSE at once, as in CPython. */
interface Waiting {
  readonly open: boolean;
  readonly shareable: boolean;
}

/** Stand-ins not yet listening (or open), by address key. */
const waiting = new Map<string, Waiting[]>();

/** Count `w` as waiting for `key` until `released` settles; EADDRINUSE if another one not sharing it waits. */
function enter(w: Waiting, key: string, released: Promise<unknown>): Promise<unknown> {
  if (waiting.get(key)?.some((d) => d.open && !(d.shareable && w.shareable))) throw new OSError(errno.EADDRINUSE);
  const list = waiting.get(key) ?? [];
  list.push(w);
  waiting.set(key, list);
  return released.then(() => {
    list.splice(list.indexOf(w), 1);
    if (list.length === 0 && waiting.get(key) === list) waiting.delete(key);
  });
}

/**
 * What both stand-ins share: the real socket, made once the old one has let the address go (unless closed
 * first), or the error making it raised; `what` names it in the error of a use after close.
 */
abstract class Deferred<T extends { close(): void }> implements Waiting {
  readonly addr: Deno.Addr;
  /** The real socket, once made. */
  protected real: T | null = null;
  #err: unknown = null;
  #closed = false;
  readonly #ready: Promise<void>;

  /**
   * @param addr the address Deno will report.
   * @param make makes the real socket (Deno.listen or Deno.listenDatagram with the bind's options).
   * @param released settles once the old socket has let the address go.
   * @param key the address's key, so that a bind to it meanwhile waits behind this one too.
   * @param shareable both binds set SO_REUSEADDR/SO_REUSEPORT: a second stand-in may wait beside this one.
   */
  constructor(
    addr: Deno.Addr,
    make: () => T,
    released: Promise<unknown>,
    key: string,
    readonly shareable: boolean,
    private readonly what: string,
  ) {
    this.addr = addr;
    // Another stand-in waits for the same address: EADDRINUSE (A10a-2), unless both share it (SO_REUSEADDR/PORT).
    this.#ready = enter(this, key, released).then(() => {
      if (this.#closed) return;
      try {
        this.real = make();
        if (this.#unrefd) (this.real as { unref?(): void }).unref?.();
      } catch (e) {
        this.#err = e;
      }
    });
    track_release(this.#ready, key);
  }

  /** The real socket, once made: BadResource after close(), or the error making it raised. */
  protected async made(): Promise<T> {
    await this.#ready;
    if (this.#closed) throw new Deno.errors.BadResource(`${this.what} has been closed`);
    if (this.#err !== null) throw this.#err;
    return this.real!;
  }

  /** True until closed. */
  get open(): boolean {
    return !this.#closed;
  }

  /** unref() was called: the real socket, once made, is unref'd too (its pending ops do not hold the process). */
  #unrefd = false;

  ref(): void {
    this.#unrefd = false;
    (this.real as { ref?(): void } | undefined)?.ref?.();
  }

  unref(): void {
    this.#unrefd = true;
    (this.real as { unref?(): void } | undefined)?.unref?.();
  }

  close(): void {
    if (this.#closed) throw new Deno.errors.BadResource(`${this.what} has been closed`);
    this.#closed = true;
    this.real?.close();
  }
}

/** The Deno.Listener surface pysocket uses (AcceptQueue, getsockname, connect after bind). */
export class DeferredListener extends Deferred<Deno.Listener> implements Deno.Listener {
  constructor(
    addr: Deno.Addr,
    listen: () => Deno.Listener,
    released: Promise<unknown>,
    key: string,
    shareable: boolean,
  ) {
    super(addr, listen, released, key, shareable, "Listener");
  }

  get rid(): number {
    return -1;
  }

  async accept(): Promise<Deno.Conn> {
    return await (await this.made()).accept();
  }

  async *[Symbol.asyncIterator](): AsyncIterableIterator<Deno.Conn> {
    for (;;) yield await this.accept();
  }

  [Symbol.dispose](): void {
    if (this.open) this.close();
  }
}

/**
 * A stand-in listener for an address still held by a listener closed with an
 * accept in flight, or null when no such listener holds `key`.
 */
export function deferred_listen(
  addr: () => Deno.Addr,
  key: string,
  shareable: boolean,
  listen: () => Deno.Listener,
): Deno.Listener | null {
  const released = held_until(key);
  if (released === null) return null;
  // Another stand-in waits for the same address: the address is in use (unless both share the port).
  return new DeferredListener(addr(), listen, released, key, shareable);
}

/**
 * A datagram socket bound to an address a socket closed with a receive in flight still holds (Deno frees it
 * when that receive settles, a turn later): it opens the real socket then; sends and receives meanwhile wait
 * for it.
 */
class DeferredDatagram extends Deferred<Deno.DatagramConn> implements Deno.DatagramConn {
  constructor(
    addr: Deno.Addr,
    open: () => Deno.DatagramConn,
    released: Promise<unknown>,
    key: string,
    shareable: boolean,
  ) {
    super(addr, open, released, key, shareable, "Socket");
  }

  async receive(p?: Uint8Array): Promise<[Uint8Array<ArrayBuffer>, Deno.Addr]> {
    return await (await this.made()).receive(p);
  }

  async send(p: Uint8Array, addr: Deno.Addr): Promise<number> {
    return await (await this.made()).send(p, addr);
  }

  async joinMulticastV4(address: string, networkInterface: string): Promise<Deno.MulticastV4Membership> {
    return await (await this.made()).joinMulticastV4(address, networkInterface);
  }

  async joinMulticastV6(address: string, networkInterface: number): Promise<Deno.MulticastV6Membership> {
    return await (await this.made()).joinMulticastV6(address, networkInterface);
  }

  async *[Symbol.asyncIterator](): AsyncIterableIterator<[Uint8Array<ArrayBuffer>, Deno.Addr]> {
    for (;;) yield await this.receive();
  }
}

/**
 * A stand-in datagram socket for an address still held by a socket closed with a receive in flight, or
 * null when none holds `key`.
 */
export function deferred_datagram(
  addr: () => Deno.Addr,
  key: string,
  shareable: boolean,
  open: () => Deno.DatagramConn,
): Deno.DatagramConn | null {
  const released = held_until(key);
  return released === null ? null : new DeferredDatagram(addr(), open, released, key, shareable);
}

/** The address Deno reports for a TCP listener on `host` (a literal, maybe with a `%zone`). */
export function tcp_addr(host: string, port: number): Deno.NetAddr {
  const z = host.indexOf("%");
  const bare = z < 0 ? host : host.slice(0, z);
  const v4 = parse_ipv4(bare);
  const v6 = v4 === null ? parse_ipv6(bare) : null;
  const hostname = v4 !== null ? format_ipv4(v4) : v6 !== null ? format_ipv6(v6) : bare;
  return { transport: "tcp", hostname: z < 0 ? hostname : hostname + host.slice(z), port };
}

/**
 * The address Deno gives `host` on `port`: a literal's own, or for a name (`localhost`, `127.1`) the one Deno's
 * listen resolves it to, seen through a listener (or datagram socket) on port 0 of that name, closed at once
 * (A10a-1: a name's bind was refused with EADDRINUSE while the port was held a turn).
 */
export function bound_addr(transport: "tcp" | "udp", host: string, port: number, literal: boolean): Deno.NetAddr {
  if (literal) return { ...tcp_addr(host, port), transport };
  let probe: Deno.Listener | Deno.DatagramConn;
  try {
    if (transport === "tcp") probe = Deno.listen({ hostname: host, port: 0 });
    else probe = Deno.listenDatagram({ transport: "udp", hostname: host, port: 0 });
  } catch {
    // Not allowed (a permission scoped to the port) or not resolvable now: the bind's own error, as before.
    throw new Deno.errors.AddrInUse("Address already in use (os error 98)");
  }
  const got = (probe.addr as Deno.NetAddr).hostname;
  probe.close();
  return { transport, hostname: got, port };
}

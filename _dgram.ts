// SOCK_DGRAM sockets over Deno.listenDatagram (transports "udp" and
// "unixpacket"), behind the DatagramEngine contract of _engine.ts.
//
// Python's datagram semantics are rebuilt on top of what Deno offers:
// - one pending receive() at a time, kept across timeouts and aborts; its
//   datagram is queued for the next call, so nothing is lost; a caller takes
//   a datagram off the queue in the same step that finds it, so concurrent
//   callers each get their own (only MSG_PEEK leaves it for the next one);
// - a non-blocking call, or one whose timeout has (nearly) run out, gives a
//   receive one turn of the event loop first, as CPython polls before giving
//   up: a datagram already in the kernel's queue is returned;
// - receive() truncates silently, so every receive uses a buffer larger than
//   any datagram the transport can carry and the caller's bufsize is applied
//   on the copy (the rest of the datagram is discarded, as the kernel does);
// - Deno has no connected UDP: connect() records the default peer and
//   datagrams from other senders are dropped on arrival;
// - DatagramConn has no SO_BROADCAST switch (broadcast is always allowed), so
//   the kernel's EACCES check for broadcast destinations is done here;
// - multicast options become joinMulticastV4/V6 memberships (async in Deno,
//   so a failure that Deno reports late is raised by the next send/recv);
// - an AF_UNIX ("unixpacket") DatagramConn refuses a send while a receive is
//   in flight on it, and a receive while a send is in flight (Deno 2.9.6:
//   `Busy`, "Socket already in use"; UDP has no such limit). The engine never
//   starts one while the other is in flight: a send waits (within its own
//   deadline) for the pending receive to complete, i.e. for a datagram to
//   arrive, and a receive waits for the send. A pending receive exists only
//   after a recv that timed out, was aborted or was non-blocking, or while
//   select() waits for readability; a receive-then-reply program never has
//   one when it replies. An unbound AF_UNIX socket (no path: no peer can see
//   or answer its address) sends through a second unbound conn instead.
// This module only runs with --unstable-net: socket.ts refuses SOCK_DGRAM
// without the flag before calling create_datagram_engine.

import { held, unref } from "./_alive.ts";
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  EAI_NONAME,
  IP_ADD_MEMBERSHIP,
  IP_DROP_MEMBERSHIP,
  IP_MULTICAST_LOOP,
  IP_MULTICAST_TTL,
  IPPROTO_IP,
  IPPROTO_IPV6,
  IPV6_JOIN_GROUP,
  IPV6_LEAVE_GROUP,
  IPV6_MULTICAST_LOOP,
  MSG_OOB,
  MSG_PEEK,
  MSG_TRUNC,
  SHUT_RD,
  SHUT_WR,
  SO_BROADCAST,
  SO_REUSEADDR,
  SOL_SOCKET,
} from "./constants.ts";
import { BlockingIOError, BrokenPipeError, errno as E, from_errno, gaierror, OSError, TimeoutError } from "./errors.ts";
import { map_error } from "./_map_error.ts";
import { type Deadline, settled_within, settles_now, signal_promise, writes } from "./_wait.ts";
import type { DatagramEngine } from "./_engine.ts";
import { deno_host, format_ipv4, format_ipv6, parse_ipv4, parse_ipv6, strip_zone } from "./families/_ip.ts";
import { type Endpoint, type FamilyAdapter, format_address } from "./families/types.ts";
import type { Address } from "./types.ts";
import { held_key, track_release } from "./_stream.ts";
import { bound_addr, deferred_datagram } from "./_rebind.ts";

/** Largest UDP payload: 65,535 - 8 (UDP header) - 20 (IPv4 header). */
const MAX_UDP4 = 65507;
/** Largest UDP payload over IPv6: 65,535 - 8 (UDP header). */
const MAX_UDP6 = 65527;
/**
 * Largest AF_UNIX datagram Linux takes with the default send buffer (`net.core.wmem_default`, 212,992, less 32):
 * checked by pysocket only where the kernel cannot be asked, a socket shut for writing (P16-1).
 */
const UNIX_DGRAM_MAX = 212992 - 32;
/** Receive buffers: larger than any datagram the transport carries, so Deno never truncates. */
const RX_UDP = 65536;
const RX_UNIX = 256 * 1024;
/** A timed receive with less than this left (ms) polls first, as CPython's does. */
const POLL_MS = 10;
/** At most this many datagrams are read from the kernel's queue before a UDP connect() (about a default rcvbuf's). */
const KERNEL_QUEUE_MAX = 512;
/**
 * UDP: while fewer than this many datagrams wait unread, a completed receive starts the next at once, as the kernel
 * queues what arrives whether or not a recv is waiting (a receiver that asked only when its queue was empty paid an
 * event-loop hop per datagram). Bounded: beyond it, the kernel's queue (and its drops) hold the rest.
 */
const READ_AHEAD = 8;

/** How long a timed or non-blocking AF_UNIX datagram send waits for room before it is kept as sent (see sendto). */
const UNIX_SEND_MS = 50;
/** The same for UDP, which has no flow control: its send completes at once; the bound only caps a stalled Deno op. */
const UDP_SEND_MS = 1000;

/**
 * How long a receiver waits, at most, for a datagram a socket of this process sent it (A24-2): Linux has queued it
 * before the sender's call returned, and Deno delivers it a turn or more later. The count of such datagrams is only a
 * hint (a connected receiver may drop one, a full queue may lose one), so it expires.
 */
const DGRAM_EXPECT_MS = 50;

/** This process's bound datagram sockets by address (dgram_key), for A24-2's hint. */
const local_dgrams = new Map<string, WeakRef<DgramEngine>>();
/** How many of them are bound to each UDP port: a datagram to another port needs no key built (a UDP send's cost). */
const local_udp_ports = new Map<number, number>();

function enter_local(k: string, e: DgramEngine, a: Deno.Addr): void {
  local_dgrams.set(k, new WeakRef(e));
  if (a.transport === "udp") local_udp_ports.set(a.port, (local_udp_ports.get(a.port) ?? 0) + 1);
}

function leave_local(k: string, e: DgramEngine, a: Deno.Addr | null): void {
  if (local_dgrams.get(k)?.deref() !== e) return;
  local_dgrams.delete(k);
  const now = performance.now();
  if (closed_senders.size > 64) {
    for (const [key, at] of closed_senders) if (now - at >= DGRAM_EXPECT_MS) closed_senders.delete(key);
  }
  closed_senders.set(k, now);
  last_sender_close = now;
  if (a !== null && a.transport === "udp") {
    const n = (local_udp_ports.get(a.port) ?? 1) - 1;
    if (n > 0) local_udp_ports.set(a.port, n);
    else local_udp_ports.delete(a.port);
  }
}

/**
 * The name a closed socket had is still there to be refused at: an abstract name, or a path not removed (looked at
 * only with read permission granted: never a permission prompt from a send; without it, taken as there).
 */
function bound_name(path: string): boolean {
  if (path.startsWith("\0")) return true;
  if (Deno.permissions.querySync({ name: "read", path }).state !== "granted") return true;
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function dgram_key(a: Deno.Addr): string | null {
  if (a.transport === "udp") {
    // A v4-mapped source (a dual-stack receiver's view of an IPv4 sender) is that IPv4 sender (A25-2).
    const h = a.hostname.startsWith("::ffff:") && a.hostname.includes(".") ? a.hostname.slice(7) : a.hostname;
    return `udp|${h}|${a.port}`;
  }
  const path = (a as Deno.UnixAddr).path;
  return path ? `unix|${path}` : null;
}

/**
 * Senders closed within DGRAM_EXPECT_MS: a datagram one of them sent may still arrive (A25-3: its arrival was not
 * told apart from a stranger's, and the receiver's count stayed up).
 */
const closed_senders = new Map<string, number>();
let last_sender_close = -Infinity;

/** True while a sender closed within DGRAM_EXPECT_MS (the map is emptied once none did: a receive then skips it). */
function recent_closed(): boolean {
  if (closed_senders.size === 0) return false;
  if (performance.now() - last_sender_close < DGRAM_EXPECT_MS) return true;
  closed_senders.clear();
  return false;
}

/** True when a datagram from `from` came from a socket of this process (open, or closed a moment ago). */
function from_local(from: Deno.Addr): boolean {
  if (local_receiver(from) !== null) return true;
  if (!recent_closed()) return false;
  const k = dgram_key(from);
  const at = k === null ? undefined : closed_senders.get(k);
  return at !== undefined && performance.now() - at < DGRAM_EXPECT_MS;
}

/** The socket of this process a datagram sent to `to` reaches (its exact address, or a wildcard one), or null. */
function local_receiver(to: Deno.Addr): DgramEngine | null {
  if (local_dgrams.size === 0 || (to.transport === "udp" && !local_udp_ports.has(to.port))) return null;
  const k = dgram_key(to);
  let e = k === null ? undefined : local_dgrams.get(k)?.deref();
  if (e === undefined && to.transport === "udp") {
    e = local_dgrams.get(`udp|0.0.0.0|${to.port}`)?.deref() ?? local_dgrams.get(`udp|::|${to.port}`)?.deref();
  }
  return e ?? null;
}

/**
 * Option operations (multicast joins, leaves, TTL and loop changes) in flight in this process, and a promise that
 * settles once every one started so far has. Linux applies a setsockopt() before it returns; Deno's membership calls
 * are asynchronous, so a send from any socket of this process first lets them land (a datagram sent right after
 * another socket's IP_DROP_MEMBERSHIP must not reach it). None in flight: a send waits for nothing.
 */
let opts_in_flight = 0;
let opts_settled: Promise<unknown> = Promise.resolve();

/** A received datagram waiting for the next recv call. */
interface Datagram {
  data: Uint8Array;
  from: Address | null;
}

/** What #or_closed() gives when close() (or shutdown(SHUT_WR)) came first. */
const CLOSED = Symbol("closed");

/** The outcome of a send, kept so a timed-out send never rejects unobserved. */
type SendResult = { ok: true; n: number } | { ok: false; error: unknown };

/** A multicast membership: joining in flight, or joined. */
interface Membership {
  group: string;
  iface: string | number;
  join: Promise<Deno.MulticastV4Membership | Deno.MulticastV6Membership | null>;
}

let bcast_cache: { at: number; set: Set<string> } | null = null;

/**
 * The IPv4 broadcast addresses of this host: 255.255.255.255, and each
 * interface's directed broadcast (from Deno.networkInterfaces() when the
 * permission is already granted; 127.255.255.255 for `lo` otherwise).
 */
function broadcast_addresses(): Set<string> {
  const now = performance.now();
  if (bcast_cache && now - bcast_cache.at < 2000) return bcast_cache.set;
  const set = new Set(["255.255.255.255", "127.255.255.255"]);
  try {
    const perm = Deno.permissions.querySync({ name: "sys", kind: "networkInterfaces" });
    if (perm.state === "granted") {
      for (const nif of Deno.networkInterfaces()) {
        if (nif.family !== "IPv4") continue;
        const a = parse_ipv4(nif.address), m = parse_ipv4(nif.netmask);
        if (!a || !m || m[3] === 255) continue; // /32 and /31 have no broadcast address
        set.add(format_ipv4(a.map((b, i) => b | (~m[i]! & 255))));
      }
    }
  } catch { /* no permission API or no interfaces: keep the defaults */ }
  bcast_cache = { at: now, set };
  return set;
}

/** The IPv4 address an IP host names, also through the IPv4-mapped IPv6 form. */
function ipv4_of(host: string): string | null {
  if (parse_ipv4(host)) return host;
  const b = parse_ipv6(strip_zone(host));
  if (b && b.subarray(0, 10).every((x) => x === 0) && b[10] === 255 && b[11] === 255) {
    return format_ipv4(b.subarray(12));
  }
  return null;
}

/** True for a loopback destination (127/8, ::1, ::ffff:127.x.x.x). */
function is_loopback(host: string): boolean {
  const v4 = ipv4_of(host);
  if (v4) return v4.startsWith("127.");
  const b = parse_ipv6(strip_zone(host));
  return b !== null && b.subarray(0, 15).every((x) => x === 0) && b[15] === 1;
}

/** A canonical key for an IP address, so differently written literals compare equal. */
function ip_key(host: string): string {
  const v4 = parse_ipv4(host);
  if (v4) return format_ipv4(v4);
  const v6 = parse_ipv6(strip_zone(host));
  return v6 ? format_ipv6(v6) : host;
}

/** A setsockopt value as an int: numbers as given, bytes as a native int (1 or 4 bytes). */
function int_value(v: number | Uint8Array): number {
  if (typeof v === "number") return v;
  if (v.length >= 4) return new DataView(v.buffer, v.byteOffset, 4).getInt32(0, true);
  if (v.length >= 1) return v[0]!;
  throw new OSError(E.EINVAL);
}

/** SOCK_DGRAM over Deno.listenDatagram, for one family. */
class DgramEngine implements DatagramEngine {
  #adapter: FamilyAdapter;
  #unix: boolean;
  #conn: Deno.DatagramConn | null = null;
  #closed = false;
  /** Bumped by moved() (detach): receives that started before it are no longer the owner's. */
  #epoch = 0;
  #peer: Endpoint | null = null;
  #peer_key = "";
  // receiving
  #buf: Uint8Array<ArrayBuffer>;
  #queue: Datagram[] = [];
  #rx: Promise<void> | null = null;
  #rx_error: unknown = null;
  #changed = signal_promise();
  /** shutdown(SHUT_RD) given: a blocking receive with nothing queued returns an empty datagram. */
  #shut_rd = false;
  /** shutdown(SHUT_WR) given: sends raise EPIPE. */
  #shut_wr = false;
  // sending
  #tx: Promise<void> | null = null;
  /** What a send waiting for #tx awaits: #tx, or close() (see #or_closed). */
  #tx_wake: Promise<unknown> | null = null;
  #tx_error: unknown = null;
  /**
   * Wake-ups of the waits that only close() or shutdown(SHUT_WR) end: an AF_UNIX send waiting for room in a
   * receiver that never reads stays pending in Deno after its conn is closed, and a caller that waits for it
   * would hang (A16b-2: a shutdown(SHUT_WR) left it waiting too; Linux's raises EPIPE).
   */
  #close_waiters = new Set<() => void>();
  /** AF_UNIX, unbound: a second unbound conn that sends while a receive is pending. */
  #twin: Deno.DatagramConn | null = null;
  // options
  #broadcast = 0;
  #reuse_addr = 0;
  #mc_ttl = 1;
  #mc_loop = 1;
  #memberships = new Map<string, Membership>();
  #opt_ops: Promise<void> = Promise.resolve();
  /** Option operations not yet settled (a receive or send waits for them; none: no wait at all). */
  #opt_pending = 0;
  #opt_error: unknown = null;

  constructor(adapter: FamilyAdapter) {
    this.#adapter = adapter;
    this.#unix = adapter.family === AF_UNIX;
    this.#buf = new Uint8Array(this.#unix ? RX_UNIX : RX_UDP);
  }

  // ---- readiness ------------------------------------------------------

  /**
   * Datagrams received so far (queued for this socket). #changed also fires on send-side changes, so a select()
   * whose read watch completed compares this count to tell an arrival that another task's blocked receive took at
   * once (A18a-4 for datagrams: CPython's select() in a thread woken with that recvfrom reports the socket).
   */
  #arrivals = 0;
  get arrivals(): number {
    return this.#arrivals;
  }

  /** Datagrams sockets of this process sent here that no receive has returned yet (a hint: see DGRAM_EXPECT_MS). */
  #incoming = 0;
  #expect_until = 0;
  /** This socket's key in local_dgrams (and the address it came from), or null. */
  #key: string | null = null;
  #key_addr: Deno.Addr | null = null;

  /** A socket of this process has sent this one a datagram (the kernel has queued it): see `expecting`. */
  sent_here(): void {
    this.#incoming++;
    this.#expect_until = performance.now() + DGRAM_EXPECT_MS;
  }

  /**
   * Nothing queued, yet a datagram a socket of this process sent here has not arrived: a look waits (bounded) for
   * it (A24-2; Pollable.expecting).
   */
  get expecting(): boolean {
    return this.#incoming > 0 && !this.readable && performance.now() < this.#expect_until;
  }

  /** Enter local_dgrams under the bound address (a bind, an autobind). */
  #register(conn: Deno.DatagramConn): void {
    let k: string | null = null, a: Deno.Addr | null = null;
    try {
      a = conn.addr;
      k = dgram_key(a);
    } catch { /* no address */ }
    if (this.#key !== null) leave_local(this.#key, this, this.#key_addr);
    this.#key = k;
    this.#key_addr = a;
    if (k !== null) enter_local(k, this, a!);
  }

  get readable(): boolean {
    // Linux's datagram_poll reports a socket shut for reading readable (EPOLLIN).
    return this.#closed || this.#shut_rd || this.#queue.length > 0 || this.#rx_error !== null;
  }

  get writable(): boolean {
    // Shut for writing: a send raises EPIPE at once, so Linux's datagram_poll reports it writable (A14a-3).
    return this.#closed || this.#shut_wr || (this.#tx === null && !this.#send_blocked_by_receive());
  }

  wait_readable(): Promise<void> {
    if (this.readable) return Promise.resolve();
    this.#start_receive();
    return this.#changed.promise;
  }

  wait_writable(): Promise<void> {
    if (this.#shut_wr) return Promise.resolve();
    // A shutdown(SHUT_WR) or close() meanwhile (#notify) makes it writable too.
    if (this.#tx) return Promise.race([this.#tx, this.#changed.promise]);
    if (this.#send_blocked_by_receive()) return Promise.race([this.#rx!, this.#changed.promise]);
    return Promise.resolve();
  }

  /** AF_UNIX: Deno cannot send on a conn with a receive in flight (an unbound socket uses its twin). */
  #send_blocked_by_receive(): boolean {
    return this.#unix && this.#rx !== null && !this.#unbound_unix();
  }

  /** An AF_UNIX socket without a path (autobound for sending, or not opened yet). */
  #unbound_unix(): boolean {
    return this.#unix && (this.#conn === null || (this.#conn.addr as Deno.UnixAddr).path == null);
  }

  // ---- state ----------------------------------------------------------

  #notify(): void {
    const c = this.#changed;
    this.#changed = signal_promise();
    c.resolve();
  }

  #check_open(): void {
    if (this.#closed) throw new OSError(E.EBADF);
  }

  /** Open the Deno socket (bind, autobind). */
  #open(ep: Endpoint, released: <T>(make: () => T) => T = (make) => make()): void {
    let conn: Deno.DatagramConn;
    if (ep.kind === "unix") {
      const opts = { transport: "unixpacket", path: ep.path } as const;
      // A socket closed with a receive in flight still holds an abstract name for a turn (CPython's is free at
      // once). Not a path: its file stays after the close (EADDRINUSE at once, as Linux's), and once removed the
      // path is free though the old socket is still open.
      conn = (ep.path.startsWith("\0")
        ? deferred_datagram(
          () => opts,
          `unixpacket:${ep.path}`,
          false,
          () => released(() => Deno.listenDatagram(opts)),
        )
        : null) ?? Deno.listenDatagram(opts);
    } else {
      const opts: Deno.UdpListenOptions & { transport: "udp" } = {
        transport: "udp",
        hostname: deno_host(ep.hostname, ep.scope_id),
        port: ep.port,
        loopback: this.#mc_loop !== 0,
      };
      if (this.#reuse_addr) opts.reuseAddress = true;
      try {
        conn = Deno.listenDatagram(opts);
      } catch (e) {
        // The port of a socket closed with a receive in flight is free a turn later (CPython's at once).
        // A name (localhost, 127.1) too: its address is the one Deno resolves it to (A10a-1).
        const d = e instanceof Deno.errors.AddrInUse && ep.port !== 0
          ? deferred_datagram(
            () => bound_addr("udp", opts.hostname!, ep.port, this.#adapter.is_literal(ep.hostname)),
            `udp:${ep.port}`,
            this.#reuse_addr !== 0,
            () => released(() => Deno.listenDatagram(opts)),
          )
          : null;
        if (d === null) throw e;
        conn = d;
      }
      // A name Deno resolved to the other family: CPython asks the resolver for this family only, and finds none.
      const got = (conn.addr as Deno.NetAddr).hostname;
      if (!this.#adapter.is_literal(ep.hostname) && got.includes(":") !== (this.#adapter.family === AF_INET6)) {
        conn.close();
        throw new gaierror(EAI_NONAME);
      }
    }
    this.#conn = conn;
    this.#register(conn);
    unref(conn); // its receives hold the process only while a caller waits for one (_alive.ts)
    // Memberships asked for before the socket existed are joined now.
    for (const m of this.#memberships.values()) m.join = this.#join(m.group, m.iface);
    // IP_MULTICAST_LOOP went in as `loopback`; a TTL set before bind with no group joined needs applying.
    if (this.#memberships.size === 0 && this.#mc_ttl !== 1) this.#apply_mc(false);
    this.#notify();
  }

  /** An unbound socket binds itself, as the kernel does on sendto/connect. */
  #autobind(dest: Endpoint | null): Deno.DatagramConn {
    if (this.#conn) return this.#conn;
    if (this.#unix) {
      // An unbound AF_UNIX sender: Deno opens it without a path.
      this.#conn = Deno.listenDatagram(
        { transport: "unixpacket" } as Deno.UnixListenDatagramOptions & {
          transport: "unixpacket";
        },
      );
      unref(this.#conn);
      return this.#conn;
    }
    const v6 = this.#adapter.family === AF_INET6;
    let host = v6 ? "::" : "0.0.0.0";
    // connect() to a loopback peer picks the loopback source, as the kernel's route would.
    if (dest?.kind === "ip" && is_loopback(dest.hostname)) {
      host = v6 ? (ipv4_of(dest.hostname) ? "::" : "::1") : "127.0.0.1";
    }
    try {
      this.#open({ kind: "ip", hostname: host, port: 0, flowinfo: 0, scope_id: 0 });
    } catch (e) {
      throw map_error(e, "bind to an ephemeral port");
    }
    return this.#conn!;
  }

  /**
   * Bind to `ep`. `released` wraps a deferred open (the stand-in's, for an address a socket of this process closed
   * with a receive in flight): socket.ts passes one that waits, bounded, while a child being spawned still holds the
   * address (fix22, F22-2).
   */
  bind(ep: Endpoint, reuse_port: boolean, released: <T>(make: () => T) => T = (make) => make()): void {
    this.#check_open();
    // An unbound AF_UNIX sender may still bind (the kernel did not autobind it).
    const old = this.#conn;
    if (old) {
      const unbound_unix = this.#unix && (old.addr as Deno.UnixAddr).path == null;
      if (!unbound_unix) throw new OSError(E.EINVAL);
    }
    if (ep.kind === "ip") this.#adapter.is_literal(ep.hostname);
    if (reuse_port) this.#reuse_addr = 1;
    this.#conn = null;
    try {
      this.#open(ep, released);
    } catch (e) {
      this.#conn = old;
      throw e;
    }
    if (old) {
      this.#rx = null;
      try {
        old.close();
      } catch { /* closed already */ }
    }
    this.#close_twin();
  }

  #close_twin(): void {
    const twin = this.#twin;
    this.#twin = null;
    try {
      twin?.close();
    } catch { /* closed already */ }
  }

  async connect(ep: Endpoint | null): Promise<void> {
    this.#check_open();
    if (ep === null) {
      this.#peer = null;
      return;
    }
    if (ep.kind === "ip") {
      const to = this.#unspecified_peer(ep);
      this.#check_broadcast(to.hostname, "connect");
      if (this.#conn !== null) {
        await this.#read_kernel_queue();
        this.#check_open();
      }
      this.#autobind(to);
      this.#peer = to;
      this.#peer_key = `${ip_key(to.hostname)}|${to.port}`;
    } else {
      this.#check_unix_path(ep.path);
      // Linux (unix_dgram_connect): a new peer purges the receive queue; a first connect keeps it.
      if (this.#peer !== null && this.#peer_key !== ep.path) this.#queue = [];
      this.#peer = ep;
      this.#peer_key = ep.path;
    }
    // Datagrams already read ahead arrived before connect(): the kernel keeps them for recv (A13b-1).
  }

  /**
   * UDP, before connect() changes the peer: Linux filtered each datagram in its queue on arrival, against the
   * peer then (none, or the old one), and keeps it across connect(). Deno filters when it reads, so read what the
   * kernel holds now, under the old filter (a Deno receive of a queued datagram completes within one turn) (A14a-1).
   * Not on AF_UNIX: a receive left in flight would hold every later send (see the header).
   */
  async #read_kernel_queue(): Promise<void> {
    for (let i = 0; i < KERNEL_QUEUE_MAX && !this.#closed; i++) {
      if (this.#rx === null) this.#start_receive(true);
      const rx = this.#rx;
      if (rx === null || !(await settles_now(rx))) return;
    }
  }

  /**
   * Linux (ip4_datagram_connect, ip6_datagram_connect): connect() to the unspecified address connects to the
   * socket's own address (IPv4, when bound to one) or loopback, which getpeername() shows and recv filters on (A13b-7).
   */
  #unspecified_peer(ep: Endpoint & { kind: "ip" }): Endpoint & { kind: "ip" } {
    const v6 = this.#adapter.family === AF_INET6;
    if (ip_key(ep.hostname) !== (v6 ? "::" : "0.0.0.0")) return ep;
    const own = this.#conn ? (this.#conn.addr as Deno.NetAddr).hostname : null;
    let host: string;
    if (v6) host = own !== null && ipv4_of(own) !== null ? "::ffff:127.0.0.1" : "::1";
    else host = own !== null && ip_key(own) !== "0.0.0.0" ? own : "127.0.0.1";
    return { ...ep, hostname: host };
  }

  /** connect() to a missing AF_UNIX path raises ENOENT, as the kernel does (when read access allows the check). */
  #check_unix_path(path: string): void {
    if (path.startsWith("\0")) return;
    try {
      if (Deno.permissions.querySync({ name: "read", path }).state !== "granted") return;
      Deno.lstatSync(path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        throw from_errno(E.ENOENT, { operation: `connect to ${format_address(path)}`, cause: e });
      }
    }
  }

  #from_peer(from: Address | null): boolean {
    if (this.#peer === null) return true;
    if (from === null) return false;
    if (typeof from === "string") return from === this.#peer_key;
    // Linux: a socket connected to port 0 filters on the peer's host only (udp's compute_score).
    if (this.#peer.kind === "ip" && this.#peer.port === 0) return this.#peer_key === `${ip_key(from[0])}|0`;
    return `${ip_key(from[0])}|${from[1]}` === this.#peer_key;
  }

  getsockname(): Address {
    this.#check_open();
    if (!this.#conn) return this.#adapter.unbound;
    const addr = this.#adapter.from_deno(this.#conn.addr);
    // A socket bound to the wildcard and connected to a loopback peer: the kernel's route picks the loopback
    // source, and getsockname() shows it (what the peer sees in recvfrom). Other peers keep the wildcard.
    const p = this.#peer;
    if (
      p?.kind === "ip" && Array.isArray(addr) && (addr[0] === "0.0.0.0" || addr[0] === "::") && is_loopback(p.hostname)
    ) {
      const v6 = this.#adapter.family === AF_INET6;
      const src = v6 ? (ipv4_of(p.hostname) ? "::ffff:127.0.0.1" : "::1") : "127.0.0.1";
      return [src, ...addr.slice(1)] as Address;
    }
    return addr;
  }

  getpeername(): Address | null {
    this.#check_open();
    const p = this.#peer;
    if (p === null) return null;
    // Linux: connect() to port 0 connects (send() goes out), but inet_getname() reports no peer.
    if (p.kind === "ip" && p.port === 0) throw new OSError(E.ENOTCONN);
    return this.#address_of(p);
  }

  /** An endpoint in this family's Python shape. */
  #address_of(ep: Endpoint): Address {
    if (ep.kind === "unix") return ep.path;
    if (this.#adapter.family === AF_INET) return [ep.hostname, ep.port];
    return [ep.hostname, ep.port, ep.flowinfo, ep.scope_id];
  }

  // ---- sending --------------------------------------------------------

  /** The kernel refuses a broadcast destination with EACCES unless SO_BROADCAST is set. */
  #check_broadcast(host: string, op: string): void {
    if (this.#broadcast !== 0 || this.#adapter.family === AF_UNIX) return;
    const v4 = ipv4_of(host);
    if (v4 !== null && broadcast_addresses().has(v4)) {
      throw from_errno(E.EACCES, {
        operation: `${op} to broadcast address ${v4} without SO_BROADCAST`,
      });
    }
  }

  /**
   * shutdown(): as Linux's, for datagram sockets. SHUT_RD wakes every waiting
   * receive (a blocking one returns an empty datagram from None; datagrams
   * still arriving are queued as before); SHUT_WR makes sends raise EPIPE. An
   * unconnected UDP socket is shut all the same, then ENOTCONN is raised
   * (inet_shutdown's "wake up other listeners" fall-through); an AF_UNIX one
   * never raises.
   */
  shutdown(how: number): void {
    this.#check_open();
    if (how !== SHUT_WR) this.#shut_rd = true;
    if (how !== SHUT_RD) this.#shut_wr = true;
    this.#notify();
    // A send waiting for room (or for an earlier send) raises EPIPE now, as Linux's unix_dgram_sendmsg wakes on
    // SEND_SHUTDOWN (A16b-2). The Deno send in flight stays queued and may still be delivered.
    if (this.#shut_wr) this.#wake_senders();
    if (!this.#unix && this.#peer === null) throw new OSError(E.ENOTCONN);
  }

  async send(data: Uint8Array, flags: number, dl: Deadline): Promise<number> {
    this.#check_open();
    const peer = this.#peer;
    if (peer === null) {
      // unix_dgram_sendmsg refuses MSG_OOB first, then checks SEND_SHUTDOWN before the peer; UDP asks for a
      // destination (A14a-2).
      if (this.#unix && flags & MSG_OOB) throw new OSError(E.EOPNOTSUPP);
      // The size before SEND_SHUTDOWN, as with an address (P16-1, A27-1).
      if (this.#unix && this.#shut_wr && data.length > UNIX_DGRAM_MAX) throw new OSError(E.EMSGSIZE);
      if (this.#unix && this.#shut_wr) throw new BrokenPipeError(E.EPIPE);
      // Linux's inet_sendmsg binds an unbound UDP socket to an ephemeral port before udp_sendmsg finds no
      // destination: getsockname() then shows the port and a later bind() raises EINVAL (P14-5).
      if (!this.#unix) this.#autobind(null);
      // udp_sendmsg refuses a length past 0xFFFF, then MSG_OOB, before it looks for a destination (udpv6_sendmsg
      // looks first: A26-3).
      if (!this.#unix && this.#adapter.family === AF_INET && data.length > 0xffff) throw new OSError(E.EMSGSIZE);
      if (!this.#unix && this.#adapter.family === AF_INET && flags & MSG_OOB) throw new OSError(E.EOPNOTSUPP);
      throw new OSError(this.#unix ? E.ENOTCONN : E.EDESTADDRREQ);
    }
    if (peer.kind === "ip" && peer.port === 0) {
      // Linux sends to port 0 (no one can listen there) and reports the datagram sent; Deno refuses port 0.
      // The size is checked before SEND_SHUTDOWN, as in udp_sendmsg (P16-1); MSG_OOB within it, not over IPv6 (A26-2).
      const v6 = this.#adapter.family === AF_INET6 && ipv4_of(peer.hostname) === null;
      if (!v6 && data.length > 0xffff) throw new OSError(E.EMSGSIZE);
      if (!v6 && flags & MSG_OOB) throw new OSError(E.EOPNOTSUPP);
      const limit = v6 ? MAX_UDP6 : MAX_UDP4;
      if (data.length > limit) throw new OSError(E.EMSGSIZE);
      if (this.#shut_wr) throw new BrokenPipeError(E.EPIPE);
      return data.length;
    }
    try {
      return await this.sendto(data, flags, peer, dl);
    } catch (e) {
      const m = map_error(e, `send to ${format_address(this.#address_of(peer))}`);
      if (this.#unix && this.#peer === peer && m instanceof OSError && m.errno === E.ECONNREFUSED) {
        // Linux (unix_dgram_sendmsg): a dead peer disconnects the socket and purges its queue (A13b-2).
        this.#peer = null;
        this.#queue = [];
      }
      throw m;
    }
  }

  async sendto(data: Uint8Array, flags: number, ep: Endpoint, dl: Deadline): Promise<number> {
    this.#check_open();
    let addr: Deno.Addr;
    if (ep.kind === "unix") {
      if (flags & MSG_OOB) throw new OSError(E.EOPNOTSUPP); // unix_dgram_sendmsg's first check (A26-2)
      // Linux's unix_dgram_sendmsg checks the size against the send buffer before SEND_SHUTDOWN (P16-1); an
      // open socket's oversized datagram gets its EMSGSIZE from the kernel, through Deno.
      if (this.#shut_wr && data.length > UNIX_DGRAM_MAX) throw new OSError(E.EMSGSIZE);
      addr = { transport: "unixpacket", path: ep.path };
      // The destination (the connected peer, or a path named to sendto) is a socket of this process that closed a
      // moment ago: Deno frees its address once its receive in flight settles (a turn later, longer on a loaded
      // machine), but Linux's socket is gone at close(): refused now, as the kernel's will be (unix_dgram_sendmsg:
      // ECONNREFUSED after its size check; an oversized datagram still gets the kernel's EMSGSIZE). A path its owner
      // removed is the kernel's ENOENT, as Deno's send reports it.
      if (!this.#shut_wr && data.length <= UNIX_DGRAM_MAX && recent_closed()) {
        const k = dgram_key(addr);
        const at = k === null ? undefined : closed_senders.get(k);
        if (
          at !== undefined && performance.now() - at < DGRAM_EXPECT_MS && !local_dgrams.has(k!) && bound_name(ep.path)
        ) {
          throw new OSError(E.ECONNREFUSED);
        }
      }
    } else {
      // Bound first, as Linux's inet_sendmsg does before udp_sendmsg's size and broadcast checks (P14-5).
      this.#autobind(null);
      // udp_sendmsg: a length past 0xFFFF, then MSG_OOB, then the rest (A26-2); udpv6_sendmsg ignores MSG_OOB
      // (a v4-mapped destination goes through udp_sendmsg).
      const v6 = this.#adapter.family === AF_INET6 && ipv4_of(ep.hostname) === null;
      if (!v6 && data.length > 0xffff) throw new OSError(E.EMSGSIZE);
      if (!v6 && flags & MSG_OOB) throw new OSError(E.EOPNOTSUPP);
      const limit = v6 ? MAX_UDP6 : MAX_UDP4;
      if (data.length > limit) throw new OSError(E.EMSGSIZE);
      this.#check_broadcast(ep.hostname, "sendto");
      addr = { transport: "udp", hostname: deno_host(ep.hostname, ep.scope_id), port: ep.port };
    }
    // After the autobind, size and broadcast checks, as Linux orders them (P16-1).
    if (this.#shut_wr) throw new BrokenPipeError(E.EPIPE);
    this.#autobind(null);
    if (opts_in_flight !== 0) await opts_settled;
    if (this.#opt_pending !== 0 || this.#opt_error !== null) await this.#settle_options();
    // A send still in flight (an AF_UNIX receiver whose queue is full) fills the
    // one-datagram send buffer: wait for it within the deadline, starting nothing.
    // On AF_UNIX a pending receive holds the conn too: wait for it to complete.
    for (;;) {
      this.#check_open();
      if (this.#shut_wr) {
        // Shut while this send waited (A16b-2). Linux: a blocking send wakes and raises EPIPE, a non-blocking one
        // too; a timed one polls for POLLOUT, which SHUT_WR alone never gives an AF_UNIX datagram socket (no
        // EPOLLHUP either, unlike SHUT_RDWR) until the receiver makes room: it times out, or raises EPIPE once
        // there is room (close() still ends it with EBADF).
        if (this.#unix && !this.#shut_rd && !dl.unbounded && !dl.nonblocking) {
          while (this.#tx !== null || this.#send_blocked_by_receive()) {
            await dl.wait(Promise.race([this.#tx ?? this.#rx!, this.#changed.promise]));
            this.#check_open();
          }
        }
        throw new BrokenPipeError(E.EPIPE);
      }
      const busy = this.#tx !== null
        ? this.#tx_wake
        : (this.#send_blocked_by_receive() ? Promise.race([this.#rx!, this.#changed.promise]) : null);
      if (busy === null) break;
      await dl.wait(busy); // non-blocking: one event-loop turn for it, then EAGAIN (a busy loop must progress)
    }
    const late = this.#tx_error;
    if (late !== null) {
      this.#tx_error = null;
      throw map_error(late, "an earlier send");
    }
    // Nothing awaited from here to conn.send(): no receive can start in between.
    let conn = this.#conn!;
    if (this.#unix && this.#rx !== null) {
      // Unbound AF_UNIX with a receive pending: any unbound conn is the same sender to the peer.
      conn = this.#twin ??= Deno.listenDatagram(
        { transport: "unixpacket" } as Deno.UnixListenDatagramOptions & { transport: "unixpacket" },
      );
    }
    // A same-process receiver's next look may be about to see this datagram (A24-2, as a stream write's P13-3).
    writes.last = performance.now();
    const op = conn.send(dl.unbounded ? data : data.slice(), addr).then(
      (n): SendResult => {
        writes.last = performance.now();
        local_receiver(addr)?.sent_here(); // (A24-2)
        return { ok: true, n };
      },
      (error): SendResult => ({ ok: false, error }),
    );
    // kept: the call returned before the send completed; its error goes to the next send.
    let kept = false;
    let tx: Promise<void> | null = null;
    const track = () => {
      tx = op.then((r) => {
        if (kept && !r.ok && !this.#closed && this.#tx_error === null) this.#tx_error = r.error;
        if (this.#tx === tx) this.#tx = this.#tx_wake = null;
        // AF_UNIX: a receive held back by this send may start now.
        if (this.#unix) this.#notify();
      });
      this.#tx = tx;
      this.#tx_wake = this.#unix ? this.#or_closed(tx) : tx;
    };
    // AF_UNIX: every send in flight holds the conn (no receive, no second send starts).
    if (this.#unix) track();
    if (dl.unbounded) {
      // AF_UNIX: a send waiting for room ends with close() (UDP sends always complete: no flow control).
      // (Held while it waits: the conn's own ops hold nothing, _alive.ts.)
      const r = await held(this.#unix ? this.#or_closed(op) : op);
      if (r === CLOSED) throw this.#closed ? new OSError(E.EBADF) : new BrokenPipeError(E.EPIPE);
      return this.#sent(r);
    }
    // With a timeout or non-blocking, a Deno send cannot be taken back: give it time to complete (a UDP send, or
    // an AF_UNIX one with room, completes inside Linux's sendto(2), as CPython's; its completion reaches us a turn or,
    // under load, several turns later); if it is still waiting for room, it stays queued as the socket's send buffer,
    // the call reports it sent, and the next send waits for it (or raises EAGAIN). (One timer turn, as before, let a
    // later send on another socket overtake it under load: CPython's datagrams arrive in the order sent.)
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = new Promise<null>((r) => timer = setTimeout(() => r(null), this.#unix ? UNIX_SEND_MS : UDP_SEND_MS));
    const r = await Promise.race([op, tick]);
    clearTimeout(timer);
    if (r !== null) return this.#sent(r);
    kept = true;
    if (tx === null) track();
    return data.length;
  }

  /** `p`'s value, or CLOSED once close() is called first (`p` must never reject). */
  #or_closed<T>(p: Promise<T>): Promise<T | typeof CLOSED> {
    if (this.#closed || this.#shut_wr) return Promise.resolve(CLOSED);
    return new Promise((resolve) => {
      const w = () => resolve(CLOSED);
      this.#close_waiters.add(w);
      p.then((v) => {
        this.#close_waiters.delete(w);
        resolve(v);
      });
    });
  }

  /** The count of a finished send, or its error. */
  #sent(r: SendResult): number {
    if (r.ok) return r.n;
    if (this.#closed) throw new OSError(E.EBADF);
    throw map_error(r.error);
  }

  // ---- receiving ------------------------------------------------------

  /** Start the one pending Deno receive, unless one is in flight or (unless `more`) a datagram is queued. */
  #start_receive(more = false): void {
    const conn = this.#conn;
    if (this.#rx || !conn || this.#closed || (!more && this.#queue.length > 0) || this.#rx_error !== null) return;
    // AF_UNIX: not while a send holds the conn; the send's end notifies, and the caller retries.
    if (this.#unix && this.#tx !== null) return;
    this.#rx = conn.receive(this.#buf).then(([d, from]) => {
      if (this.#conn !== conn) return;
      this.#rx = null;
      // A datagram from a socket of this process (its send may complete after this receive: the count may dip
      // below 0 for a moment); an unbound AF_UNIX sender's cannot be told apart.
      if (
        (local_dgrams.size > 1 || recent_closed()) &&
        (from.transport === "udp" || (from as Deno.UnixAddr).path)
      ) {
        if (from_local(from)) this.#incoming--;
      } else if (this.#incoming > 0) this.#incoming--;
      const dg: Datagram = { data: d.slice(), from: this.#sender(from) };
      if (!this.#from_peer(dg.from)) {
        // Connected: a datagram from another sender is dropped, as the kernel drops it.
        this.#start_receive();
        return;
      }
      this.#queue.push(dg);
      this.#arrivals++;
      if (!this.#unix && this.#queue.length < READ_AHEAD) this.#start_receive(true);
      this.#notify();
    }, (e) => {
      if (this.#conn !== conn) return;
      this.#rx = null;
      if (!this.#closed) this.#rx_error = e;
      this.#notify();
    });
  }

  /** A sender's address in this family's shape; null for an unbound AF_UNIX sender, as Python's None. */
  #sender(from: Deno.Addr): Address | null {
    if (this.#unix) return (from as Deno.UnixAddr).path || null;
    return this.#adapter.from_deno(from);
  }

  /** Wait for the option operations (multicast joins) in flight; raise what they reported. */
  async #settle_options(): Promise<void> {
    await this.#opt_ops;
    const e = this.#opt_error;
    if (e !== null) {
      this.#opt_error = null;
      throw map_error(e, "setsockopt");
    }
  }

  /**
   * The next datagram, taken off the queue in the same synchronous step that
   * finds it (left queued when peeking), so concurrent callers woken by the
   * same arrival never get the same datagram: the first takes it, the others
   * wait for the next one.
   */
  moved(): void {
    this.#epoch++;
  }

  async #next(dl: Deadline, peek: boolean): Promise<Datagram> {
    const epoch = this.#epoch;
    if (this.#opt_pending !== 0 || this.#opt_error !== null) await this.#settle_options();
    let polled = false;
    for (;;) {
      this.#check_open();
      // Detached while it waited: CPython's timed receive wakes and reads fd -1 (EBADF), leaving the datagram
      // to the socket that adopts the number; a blocking recvfrom(2) goes on and takes it.
      if (this.#epoch !== epoch && !dl.unbounded) throw new OSError(E.EBADF);
      const head = this.#queue[0];
      if (head) {
        if (!peek) this.#queue.shift();
        return head;
      }
      const err = this.#rx_error;
      if (err !== null) {
        this.#rx_error = null;
        throw map_error(err, "recvfrom");
      }
      // Shut for reading, nothing queued: Linux returns 0 bytes from no one to
      // a blocking receive; a non-blocking one gets EAGAIN and a timed one
      // (CPython polls, then receives without blocking) waits out its timeout.
      if (this.#shut_rd && dl.at === Infinity && !dl.nonblocking) return { data: new Uint8Array(0), from: null };
      this.#start_receive();
      const changed = this.#changed.promise;
      // Non-blocking, or a timeout (nearly) run out: as CPython polls the socket
      // before giving up, a datagram already in the kernel's queue is returned.
      // Its receive completes within one turn of the event loop: give it that turn.
      if (dl.nonblocking || (!polled && dl.at !== Infinity && dl.at - performance.now() < POLL_MS)) {
        polled = true;
        if (await settles_now(changed)) continue;
        // A datagram a socket of this process sent here is queued in the kernel already: wait for it (A24-2).
        if (this.expecting && await settled_within(changed, this.#expect_until - performance.now())) continue;
        if (dl.nonblocking) throw new BlockingIOError(E.EAGAIN);
        if (dl.signal?.aborted) throw dl.signal.reason;
        if (dl.at <= performance.now()) throw new TimeoutError();
        continue;
      }
      await dl.wait(changed);
    }
  }

  /** A datagram already queued, taken (or peeked) at once, when nothing else would decide first; else null. */
  #queued(peek: boolean): Datagram | null {
    if (this.#closed || this.#opt_pending !== 0 || this.#opt_error !== null) return null;
    const head = this.#queue[0];
    if (head === undefined) return null;
    if (!peek) this.#queue.shift();
    return head;
  }

  async recv_into(view: Uint8Array, flags: number, dl: Deadline): Promise<[number, Address | null]> {
    const peek = (flags & MSG_PEEK) !== 0;
    const dg = this.#queued(peek) ?? await this.#next(dl, peek);
    const n = Math.min(view.length, dg.data.length);
    view.set(dg.data.subarray(0, n));
    // MSG_TRUNC: Linux returns the datagram's real length.
    return [flags & MSG_TRUNC ? dg.data.length : n, dg.from];
  }

  async recv(n: number, flags: number, dl: Deadline): Promise<[Uint8Array, Address | null]> {
    const peek = (flags & MSG_PEEK) !== 0;
    const dg = this.#queued(peek) ?? await this.#next(dl, peek);
    // A datagram that fits is returned as received (it is this caller's own copy).
    let out = n >= dg.data.length && !(flags & MSG_PEEK) ? dg.data : dg.data.slice(0, n);
    if (flags & MSG_TRUNC && out.length < dg.data.length) {
      // MSG_TRUNC: Linux reports the real length and CPython returns that many bytes, only the first `n`
      // received (the rest is whatever its buffer held; zeros here).
      const full = new Uint8Array(dg.data.length);
      full.set(out);
      out = full;
    }
    return [out, dg.from];
  }

  // ---- options --------------------------------------------------------

  setsockopt(level: number, name: number, value: number | Uint8Array): boolean {
    this.#check_open();
    const v4 = this.#adapter.family === AF_INET, v6 = this.#adapter.family === AF_INET6;
    if (level === SOL_SOCKET && name === SO_BROADCAST) {
      this.#broadcast = int_value(value) !== 0 ? 1 : 0;
    } else if (level === SOL_SOCKET && name === SO_REUSEADDR) {
      this.#reuse_addr = int_value(value) !== 0 ? 1 : 0;
    } else if (v4 && level === IPPROTO_IP && name === IP_MULTICAST_TTL) {
      let ttl = int_value(value);
      if (ttl === -1) ttl = 1;
      if (ttl < 0 || ttl > 255) throw new OSError(E.EINVAL);
      this.#mc_ttl = ttl;
      this.#apply_mc(false);
    } else if (v4 && level === IPPROTO_IP && name === IP_MULTICAST_LOOP) {
      this.#mc_loop = int_value(value) !== 0 ? 1 : 0;
      this.#apply_mc(true);
    } else if (v6 && level === IPPROTO_IPV6 && name === IPV6_MULTICAST_LOOP) {
      const on = int_value(value);
      if (on !== 0 && on !== 1) throw new OSError(E.EINVAL);
      this.#mc_loop = on;
      this.#apply_mc(true);
    } else if (v4 && level === IPPROTO_IP && (name === IP_ADD_MEMBERSHIP || name === IP_DROP_MEMBERSHIP)) {
      if (typeof value === "number" || value.length < 8) throw new OSError(E.EINVAL);
      const group = format_ipv4(value.subarray(0, 4));
      const iface = format_ipv4(value.subarray(4, 8));
      this.#membership(name === IP_ADD_MEMBERSHIP, group, iface, value[0]! >= 224 && value[0]! <= 239);
    } else if (v6 && level === IPPROTO_IPV6 && (name === IPV6_JOIN_GROUP || name === IPV6_LEAVE_GROUP)) {
      if (typeof value === "number" || value.length < 20) throw new OSError(E.EINVAL);
      const group = format_ipv6(value.subarray(0, 16));
      const ifindex = new DataView(value.buffer, value.byteOffset + 16, 4).getUint32(0, true);
      this.#membership(name === IPV6_JOIN_GROUP, group, ifindex, value[0] === 0xff);
    } else {
      return false;
    }
    return true;
  }

  getsockopt(level: number, name: number): number | undefined {
    this.#check_open();
    const v4 = this.#adapter.family === AF_INET, v6 = this.#adapter.family === AF_INET6;
    if (level === SOL_SOCKET && name === SO_BROADCAST) return this.#broadcast;
    if (level === SOL_SOCKET && name === SO_REUSEADDR) return this.#reuse_addr;
    if (v4 && level === IPPROTO_IP && name === IP_MULTICAST_TTL) return this.#mc_ttl;
    if (v4 && level === IPPROTO_IP && name === IP_MULTICAST_LOOP) return this.#mc_loop;
    if (v6 && level === IPPROTO_IPV6 && name === IPV6_MULTICAST_LOOP) return this.#mc_loop;
    if (
      (level === IPPROTO_IP && (name === IP_ADD_MEMBERSHIP || name === IP_DROP_MEMBERSHIP)) ||
      (level === IPPROTO_IPV6 && (name === IPV6_JOIN_GROUP || name === IPV6_LEAVE_GROUP))
    ) {
      throw new OSError(E.ENOPROTOOPT);
    }
    return undefined;
  }

  /** Queue an option operation; its failure is raised by the next send/recv. */
  #option_op(op: () => Promise<unknown>): void {
    this.#opt_pending++;
    opts_in_flight++;
    const p = this.#opt_ops = this.#opt_ops.then(op).then(() => {
      this.#opt_pending--;
      opts_in_flight--;
    }, (e) => {
      this.#opt_pending--;
      opts_in_flight--;
      if (this.#opt_error === null && !this.#closed) this.#opt_error = e;
    });
    opts_settled = Promise.all([opts_settled, p]);
  }

  #join(group: string, iface: string | number): Membership["join"] {
    const conn = this.#conn;
    if (!conn) return Promise.resolve(null);
    const p = typeof iface === "string" ? conn.joinMulticastV4(group, iface) : conn.joinMulticastV6(group, iface);
    const ttl = this.#mc_ttl, loop = this.#mc_loop;
    const ready = p.then(async (m) => {
      if (typeof iface === "string" && ttl !== 1) await (m as Deno.MulticastV4Membership).setTTL(ttl);
      if (loop !== 1) await m.setLoopback(loop !== 0);
      return m;
    });
    this.#option_op(() => ready);
    return ready.catch(() => null);
  }

  /** IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP and the IPv6 pair, with the kernel's synchronous errors. */
  #membership(add: boolean, group: string, iface: string | number, is_multicast: boolean): void {
    const key = `${group}|${iface}`;
    const have = this.#memberships.get(key);
    if (add) {
      if (!is_multicast) throw new OSError(E.EINVAL);
      if (have) throw new OSError(E.EADDRINUSE);
      this.#memberships.set(key, { group, iface, join: this.#join(group, iface) });
      return;
    }
    if (!have) throw new OSError(E.EADDRNOTAVAIL);
    this.#memberships.delete(key);
    this.#option_op(async () => {
      const m = await have.join;
      if (m) await m.leave();
    });
  }

  /**
   * Apply IP_MULTICAST_TTL / IP_MULTICAST_LOOP to a bound socket. Deno sets
   * them only through a membership; with none joined, a short-lived join of
   * the all-hosts group (which every host is in anyway) carries them.
   */
  #apply_mc(loop_only: boolean): void {
    if (!this.#conn) return; // applied at bind (loopback) and at each join
    const ttl = this.#mc_ttl, loop = this.#mc_loop !== 0;
    const v4 = this.#adapter.family === AF_INET;
    const first = this.#memberships.values().next().value;
    const conn = this.#conn;
    this.#option_op(async () => {
      let m = first ? await first.join : null;
      let temp = false;
      if (!m) {
        // A host with no multicast route refuses the carrier join; it cannot send
        // multicast either, and the value still applies at the next real join.
        const carrier = v4 ? conn.joinMulticastV4("224.0.0.1", "0.0.0.0") : conn.joinMulticastV6("ff02::1", 1);
        m = await carrier.catch(() => null);
        if (!m) return;
        temp = true;
      }
      try {
        if (!loop_only && v4) await (m as Deno.MulticastV4Membership).setTTL(ttl);
        await m.setLoopback(loop);
      } finally {
        if (temp) await m.leave();
      }
    });
  }

  // ---- closing --------------------------------------------------------

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue = [];
    if (this.#key !== null) leave_local(this.#key, this, this.#key_addr);
    this.#key = this.#key_addr = null;
    this.#incoming = 0;
    const conn = this.#conn;
    // Deno frees the address once the receive in flight settles, a turn later: a bind() to it meanwhile waits.
    if (conn && this.#rx !== null) {
      const path = (conn.addr as Deno.UnixAddr).path;
      if (!this.#unix || path) track_release(this.#rx, held_key(conn.addr));
    }
    if (conn) {
      try {
        conn.close();
      } catch { /* closed already */ }
    }
    this.#close_twin();
    this.#notify();
    this.#wake_senders();
  }

  /** End every wait of #or_closed() (close(), or shutdown(SHUT_WR)). */
  #wake_senders(): void {
    const waiters = [...this.#close_waiters];
    this.#close_waiters.clear();
    for (const w of waiters) w();
  }
}

/** Make the datagram engine for a family (socket.ts calls this only with --unstable-net). */
export function create_datagram_engine(adapter: FamilyAdapter): DatagramEngine {
  return new DgramEngine(adapter);
}

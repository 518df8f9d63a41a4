/**
 * The Python-like socket object: `socket()` and the `Socket` class.
 *
 * @example An echo round trip over loopback
 * ```ts
 * import { AF_INET, SOCK_STREAM, socket } from "@pysocket/socket";
 * using srv = socket(AF_INET, SOCK_STREAM);
 * srv.bind(["127.0.0.1", 0]);
 * srv.listen();
 * using cli = socket();
 * await cli.connect(srv.getsockname());
 * const [conn] = await srv.accept();
 * await cli.sendall(new TextEncoder().encode("hi"));
 * console.log(await conn.recv(1024)); // Uint8Array [104, 105]
 * conn.close();
 * ```
 * @module
 */

import { held } from "./_alive.ts";
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  EAI_NONAME,
  IPPROTO_IP,
  IPPROTO_IPV6,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPV6_V6ONLY,
  MSG_DONTWAIT,
  MSG_ERRQUEUE,
  MSG_NOSIGNAL,
  MSG_OOB,
  MSG_PEEK,
  MSG_TRUNC,
  MSG_WAITALL,
  SHUT_RD,
  SHUT_RDWR,
  SHUT_WR,
  SO_ACCEPTCONN,
  SO_DOMAIN,
  SO_ERROR,
  SO_KEEPALIVE,
  SO_LINGER,
  SO_PROTOCOL,
  SO_RCVTIMEO,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SO_SNDTIMEO,
  SO_TYPE,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
  TCP_NODELAY,
} from "./constants.ts";
import { errno as E, from_errno, gaierror, OSError } from "./errors.ts";
import { map_error } from "./_map_error.ts";
import {
  ARITY,
  as_bytes,
  bind_args,
  c_int as c_int_arg,
  c_int_as_int,
  c_long,
  c_ssize,
  check_arity,
  is_plain_object,
} from "./_args.ts";
import { Deadline, settled_within, settles_now, writes } from "./_wait.ts";
import {
  AcceptQueue,
  LINGER_MS,
  listeners_released,
  type PeerSide,
  StreamReader,
  StreamWriter,
  type Transport,
} from "./_stream.ts";
import type { DatagramEngine, Pollable } from "./_engine.ts";
import { adapter_for } from "./families/_registry.ts";
import {
  arg_type,
  as_int,
  deno_host,
  is_v4_mapped,
  parse_ipv4,
  parse_ipv6,
  py_type,
  strip_zone,
} from "./families/_ip.ts";
import { platform } from "./_platform.ts";
import { type Endpoint, type FamilyAdapter, format_address } from "./families/types.ts";
import { resolve_host } from "./_resolve.ts";
import { require_listen, require_unstable_net } from "./_unstable.ts";
import type { Address, AddressInput, AddressOf, Buffer, SignalOptions } from "./types.ts";
import { create_datagram_engine } from "./_dgram.ts";
import { SocketFile, type SocketFileOptions } from "./_makefile.ts";
import { bound_addr, deferred_listen, DeferredListener } from "./_rebind.ts";
import { fd_map, fd_table, fd_unmap } from "./_fdmap.ts";

let default_timeout: number | null = null;
let next_fd = 3;

/** Validate a Python timeout value (None, or a non-negative number). */
function check_timeout(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "boolean") return v ? 1 : 0; // Python: a bool is an int
  if (typeof v !== "number" && typeof v !== "bigint") {
    throw new TypeError(
      `'${py_type(v)}' object cannot be interpreted as an integer`,
    );
  }
  // A Python int (a bigint here) past int64 nanoseconds has its own message; a float (any number) the one below.
  if (typeof v === "bigint" && BigInt.asIntN(64, v * 1_000_000_000n) !== v * 1_000_000_000n) {
    throw new RangeError("timestamp too large to convert to C _PyTime_t");
  }
  const n = Number(v);
  if (Number.isNaN(n)) throw new RangeError("Invalid value NaN (not a number)");
  // CPython makes it int64 nanoseconds first (refusing ±Infinity and anything past ±2**63 ns), then checks the sign.
  if (!(Math.abs(n * 1e9) < 2 ** 63)) throw new RangeError("timestamp out of range for platform time_t");
  if (n < 0) throw new RangeError("Timeout value out of range");
  // Kept as whole nanoseconds as CPython does (A18c-14): _PyTime_FromSecondsObject takes ceil(value * 1e9) in
  // doubles (_PyTime_ROUND_TIMEOUT), gettimeout() divides by 1e9 (_PyTime_AsSecondsDouble). So 1e-13 waits 1 ns
  // (it is not 0, non-blocking), 0.1 + 0.2 reads back 0.300000001, and -0.0 reads back 0.0.
  return Math.ceil(n * 1e9) / 1e9 + 0;
}

/**
 * The default timeout (seconds) for new sockets, or `null` for none.
 *
 * @returns The value last given to {@linkcode setdefaulttimeout}.
 *
 * @example
 * ```ts
 * import { getdefaulttimeout } from "@pysocket/socket";
 * console.log(getdefaulttimeout()); // null
 * ```
 *
 * @category Sockets
 */
export function getdefaulttimeout(): number | null {
  check_arity(ARITY.getdefaulttimeout, arguments);
  return default_timeout;
}

/**
 * Set the default timeout (seconds) for sockets created from now on.
 *
 * @param timeout seconds, or `null` for blocking sockets.
 * @throws {RangeError} for a negative or NaN timeout.
 *
 * @example
 * ```ts
 * import { getdefaulttimeout, setdefaulttimeout } from "@pysocket/socket";
 * setdefaulttimeout(5);
 * console.log(getdefaulttimeout()); // 5
 * setdefaulttimeout(null);
 * ```
 *
 * @category Sockets
 */
export function setdefaulttimeout(timeout: number | null): void {
  check_arity(ARITY.setdefaulttimeout, arguments);
  default_timeout = check_timeout(timeout);
}

/**
 * Options of {@linkcode Socket.makefile}: Python's keywords.
 *
 * @category Sockets
 */
export type MakefileOptions = SocketFileOptions;

/**
 * Options of {@linkcode Socket.recv} and friends.
 *
 * @category Sockets
 */
export type RecvOptions = SignalOptions;

/**
 * True once FINs went both ways: our shutdown(SHUT_WR) and the peer's EOF, which a read met. Linux's TCP socket is
 * then closed (TIME_WAIT or LAST_ACK behind it): getpeername() and shutdown() raise ENOTCONN (A20-4).
 */
function fins_exchanged(st: StreamState): boolean {
  return st.writer.shut && st.reader.peer_eof;
}

/**
 * State of a stream connection (also used by ssl.ts to swap the transport).
 * The reader and writer are made on first use: an idle connection keeps neither.
 */
/** A synchronous 1 ms pause (Atomics.wait on a word nobody changes): listen()'s re-made listener's retries. */
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/**
 * Loopback TCP connections of this process by `local>remote` address, until their other end links to them (A24):
 * a connection this process both made and accepted has both ends here.
 */
const loopback_ends = new Map<number, StreamState>();

/** A loopback connection's key in loopback_ends: its two ports (the hosts are compared when two ends meet). */
function ports_key(local: number, remote: number): number {
  return local * 65536 + remote;
}

/** True for a loopback host as Deno reports it. */
function loopback_host(h: string): boolean {
  return h.startsWith("127.") || h === "::1" || h.startsWith("::ffff:127.");
}

class StreamState implements PeerSide {
  transport: Transport;
  #reader: StreamReader | null = null;
  #writer: StreamWriter | null = null;
  #closed = false;
  /** This end's key in loopback_ends while it waits for its other end, else -1. */
  #key = -1;
  constructor(t: Transport) {
    this.transport = t;
  }
  get reader(): StreamReader {
    if (this.#reader !== null) return this.#reader;
    const r = this.#reader = new StreamReader(this.transport);
    r.peer = this.#other;
    return r;
  }
  /** The other end, when it is in this process (see link()). */
  #other: StreamState | null = null;
  // PeerSide: what this end has sent, for a same-process other end's looks.
  sent(): number {
    return this.#writer?.sent_total ?? 0;
  }
  done(): boolean {
    return this.#closed || (this.#writer?.shut ?? false);
  }
  closed(): boolean {
    return this.#closed;
  }
  /** AF_UNIX ends linked: each one's sends see the other's close at once (see StreamWriter.unix_peer). */
  #unix = false;
  /**
   * The two ends of one connection, both in this process: each one's looks wait for what the other sent; `unix`:
   * an AF_UNIX connection, whose sends fail once the other end is closed.
   */
  link(other: StreamState, unix = false): void {
    // (Readers made later take it from #other: a connection never read makes none, as on churn's path.)
    this.#other = other;
    other.#other = this;
    this.#unix = other.#unix = unix;
    if (this.#reader !== null) this.#reader.peer = other;
    if (other.#reader !== null) other.#reader.peer = this;
    if (unix) {
      if (this.#writer !== null) this.#writer.unix_peer = other;
      if (other.#writer !== null) other.#writer.unix_peer = this;
    }
  }
  /**
   * A loopback TCP connection: link it to its other end if this process has it, else wait for it to come.
   * (A connection from or to a non-loopback address never has both ends here.)
   */
  find_other_end(): void {
    let l: Deno.Addr, r: Deno.Addr;
    try {
      l = this.transport.localAddr;
      r = this.transport.remoteAddr;
    } catch {
      return;
    }
    if (l.transport !== "tcp" || r.transport !== "tcp" || !loopback_host(r.hostname)) return;
    // (Numbers, not strings: a key per connection is on churn's path.)
    const theirs = ports_key(r.port, l.port);
    const o = loopback_ends.get(theirs);
    if (o !== undefined && !o.#closed) {
      const ol = o.transport.localAddr as Deno.NetAddr, or = o.transport.remoteAddr as Deno.NetAddr;
      if (ol.hostname === r.hostname && or.hostname === l.hostname) {
        loopback_ends.delete(theirs);
        o.#key = -1;
        this.link(o);
        return;
      }
    }
    // Never over another live end waiting under the same key (A25-1).
    const mine = ports_key(l.port, r.port);
    const w = loopback_ends.get(mine);
    if (w !== undefined && w !== this && !w.#closed) return;
    loopback_ends.set(this.#key = mine, this);
  }
  get writer(): StreamWriter {
    if (this.#writer !== null) return this.#writer;
    const w = this.#writer = new StreamWriter(this.transport, () => this.#reader, () => this.reader);
    if (this.#unix) w.unix_peer = this.#other;
    return w;
  }
  /** Close the reader and writer (if made); true when the transport may be closed now. */
  close(): boolean {
    writes.last = performance.now(); // a same-process peer's next look may see the FIN or reset (A24-1)
    this.#closed = true;
    if (this.#key !== -1) {
      if (loopback_ends.get(this.#key) === this) loopback_ends.delete(this.#key);
      this.#key = -1;
    }
    this.#reader?.close();
    const w = this.#writer;
    return w === null || w.close() || w.idle;
  }
  /** Resolves when queued bytes are written (or failed). */
  drain(): Promise<void> {
    return this.#writer?.drain() ?? Promise.resolve();
  }
}

/** A connect() in flight, kept across timeouts. */
interface Connecting {
  /** Where to (as parsed): a blocking socket's second connect() waits only for the same address. */
  to: Endpoint;
  promise: Promise<void>;
  error: unknown;
  /**
   * Aborts the Deno.connect when the socket is closed under it; null for a
   * Unix connect (Deno's ignores its signal) and once the connect settled.
   */
  stop: AbortController | null;
  /** The bound address a connect after bind() connects from (getsockname meanwhile). */
  local?: Address;
}

/** True when `p` settles within a few event-loop turns (a loaded machine may need more than one). */
async function settles_soon(p: Promise<unknown>): Promise<boolean> {
  for (let i = 0; i < 4; i++) if (await settles_now(p)) return true;
  return false;
}

/**
 * How long a non-blocking connect to a loopback or Unix listener waits for Deno's connect to settle. Linux completes
 * such a handshake inside connect(2), so CPython's very next send() goes out (and getpeername() answers); Deno's
 * connect settles a turn or, on a loaded machine, several turns later (the `edges` CI flake: 2 of 30 sends raised
 * EAGAIN under CI load). A listener whose backlog is full leaves the connect pending: the wait ends at this bound.
 */
const NEAR_CONNECT_MS = 50;

/** True when a connect to `t` completes inside connect(2) on Linux: a Unix path, or a loopback or wildcard IP. */
function near_target(t: Endpoint): boolean {
  if (t.kind !== "ip") return true;
  const h = t.hostname.toLowerCase();
  return h.startsWith("127.") || h === "::1" || h.startsWith("::ffff:127.") || h === "0.0.0.0" || h === "::" ||
    h === "localhost";
}

/** Errors a TCP connect learns after connect(2) returned EINPROGRESS (the peer's answer, or none). */
function refused_later(code: number | null): boolean {
  return code === E.ECONNREFUSED || code === E.ETIMEDOUT;
}

/** A socket's rarely used state (see Socket.#x). */
class SocketExtra {
  listener: Deno.Listener | null = null;
  accepts: AcceptQueue | null = null;
  listening = false;
  backlog = 0;
  /** The backlog the Deno TCP listener was made with (Deno's own default: 511). */
  deno_backlog = 511;
  /** The synchronous run bind() made the TCP listener in (see this_run): -1 for none. */
  bound_run = -1;
  so_error = 0;
  /**
   * Linux's state after a refused TCP connect whose error was read through SO_ERROR (a timed connect, or
   * getsockopt/recv/send after a non-blocking one): 1 "connecting, closed" (recv reads EOF, the next
   * connect raises ECONNABORTED), 2 the same after shutdown() (connect raises EINVAL); 0 otherwise.
   */
  aborted = 0;
  /** Given up by detach(): a blocking recv waiting then goes on (CPython's recv(2) on the descriptor). */
  detached = false;
  /** The socket detach() moved the resources to: a connect in flight completes there (A14c-1). */
  moved: Socket | null = null;
  local: Address | null = null;
  dgram: DatagramEngine | null = null;
}

const kState = Symbol("pysocket.state");
const kConnectLiteral = Symbol("pysocket.connect_literal");
const kUnnamed = Symbol("pysocket.unnamed");
const kDefaultTimeout = Symbol("pysocket.default_timeout");
/** A settled promise: `.then()` on it runs a callback one microtask later. */
const DONE_TICK: Promise<void> = Promise.resolve();
/** The identity, for `.then(same)`: a promise that settles as another does, one tick later. */
const same = <T>(x: T): T => x;

/** Keys of the options map (`level:name`) read on every connect, accept and bind. */
const NODELAY_KEY = `${IPPROTO_TCP}:${TCP_NODELAY}`;
const KEEPALIVE_KEY = `${SOL_SOCKET}:${SO_KEEPALIVE}`;
const REUSEPORT_KEY = `${SOL_SOCKET}:${SO_REUSEPORT}`;
/** IPV6_V6ONLY's key: written by bind() too (P15-2), so accepted sockets share it with their listener's map. */
const V6ONLY_KEY = `${IPPROTO_IPV6}:${IPV6_V6ONLY}`;

/** The options of a socket that set none; never written to. */
const NO_OPTS = new Map<string, number>();
/** Options maps shared by a listener and the sockets it accepted: copied before a write. */
const SHARED_OPTS = new WeakSet<Map<string, number>>();

/** Read a /proc/net table; throws when there is none or read permission was not granted (never asks). */
function proc_net_system(path: string): string {
  if (Deno.permissions.querySync({ name: "read", path }).state !== "granted") throw new Error("not granted");
  return Deno.readTextFileSync(path);
}
let read_proc_net: (path: string) => string = proc_net_system;

/**
 * Internal, for tests only: read /proc/net/tcp and tcp6 through `fn` (throw to act as a system without them, as
 * macOS, Windows or Deno without --allow-read); null restores the real reader.
 */
export function _set_proc_net_for_tests(fn: ((path: string) => string) | null): void {
  read_proc_net = fn ?? proc_net_system;
}

/** The number of the synchronous run of JavaScript now going on: it changes once a microtask checkpoint passes. */
let run_id = 0;
let run_open = false;
function this_run(): number {
  if (!run_open) {
    run_open = true;
    queueMicrotask(() => {
      run_open = false;
      run_id++;
    });
  }
  return run_id;
}

/**
 * True when the kernel shows no connection waiting in the accept queue of a TCP listener on `port` (Linux: the LISTEN
 * rows of /proc/net/tcp, or tcp6 for an AF_INET6 one, whose rx_queue is that queue's length); false when it cannot
 * tell (no such file, no read permission granted: never asked for; no LISTEN row for the port in it, as on a system
 * whose /proc shows another network namespace or none; a row it cannot parse).
 */
function accept_queue_empty(port: number, v6: boolean): boolean {
  const hex = ":" + port.toString(16).toUpperCase().padStart(4, "0");
  let text: string;
  try {
    text = read_proc_net(v6 ? "/proc/net/tcp6" : "/proc/net/tcp");
  } catch {
    return false;
  }
  let found = false;
  for (const line of text.split("\n")) {
    // "  0: 0100007F:1F90 00000000:0000 0A 00000000:00000002 ..." (local, remote, state, tx_queue:rx_queue)
    const f = line.trim().split(/\s+/);
    if (f.length < 5 || f[3] !== "0A" || !f[1]!.endsWith(hex)) continue;
    // Any listener on the port (another address with SO_REUSEADDR too): a queue not shown empty keeps it.
    if (!/^[0-9A-Fa-f]+:0+$/.test(f[4]!)) return false;
    found = true;
  }
  return found;
}

/**
 * Addresses this process's own sockets gave up lately (fix22): `tcp:port`, `udp:port`, `unix:\0name`,
 * `unixpacket:\0name` (as held_key), with when and (TCP) the listener's host. close() closes the descriptor at once,
 * but a child this process spawns (Deno.Command, from any thread: `deno test` runs files as workers of one process)
 * holds a copy of every descriptor until its exec closes the close-on-exec ones, which Linux does after the parent
 * has been resumed (clone3 CLONE_VM|CLONE_VFORK: the parent runs again once the child's exec has dropped the old
 * memory): a socket closed in that gap, its address and a TCP listener's backlog live on until the child gets the CPU
 * again. Measured beside a spawning loop: ~1% of plain closes held the address (3 ms idle, 10 ms under three CPU
 * burners); a socket closed with an accept or receive in flight (Deno releases it when that op settles, in the same
 * turn a spawn often runs) was still held then in 17-77% of closes, up to 35 ms, and a synchronous wait freed every
 * one. CPython's would be free at once, so a bind() of such an address waits for it (synchronously: the child needs
 * no turn of this event loop), and so does a connect() to such a TCP port or abstract name (it would land in the
 * dying backlog, then be reset), both bounded by RELEASE_WAIT_MS. Addresses a path names are not kept: Deno deletes a
 * Unix listener's file at close, and a datagram path is the program's to delete.
 */
const let_go = new Map<string, { at: number; host: string }>();
/** How long an address this process closed counts as its own (a bind or connect then may wait for it). */
const LET_GO_MS = 1000;
/** The longest a bind() or connect() waits for an address this process closed to be released. */
const RELEASE_WAIT_MS = 500;

/** Note `addr` as given up now (a closed listener's or datagram socket's; IP ports and abstract names only). */
function note_let_go(transport: string, where: string | number, host = ""): void {
  if (typeof where === "string" && !where.startsWith("\0")) return;
  if (where === 0) return;
  const key = `${transport}:${where}`, now = performance.now();
  if (let_go.size >= 64) {
    for (const [k, v] of let_go) if (now - v.at > LET_GO_MS) let_go.delete(k);
  }
  let_go.delete(key); // kept in closing order
  let_go.set(key, { at: now, host });
}

/** The record of `key` when this process gave it up within LET_GO_MS, else null. */
function let_go_lately(key: string): { at: number; host: string } | null {
  if (let_go.size === 0) return null;
  const r = let_go.get(key);
  if (r === undefined) return null;
  if (performance.now() - r.at > LET_GO_MS) {
    let_go.delete(key);
    return null;
  }
  return r;
}

/**
 * `make()` again while it throws AddrInUse for an address this process gave up `lately` (let_go_lately, asked at
 * bind()), a millisecond apart (a synchronous wait), for up to RELEASE_WAIT_MS; `first` (the first attempt's error)
 * is thrown at once otherwise.
 */
function rebind_released<T>(make: () => T, lately: boolean, first: unknown): T {
  if (!(first instanceof Deno.errors.AddrInUse) || !lately) throw first;
  const end = performance.now() + RELEASE_WAIT_MS;
  for (;;) {
    Atomics.wait(PAUSE, 0, 0, 1);
    try {
      return make();
    } catch (e) {
      if (!(e instanceof Deno.errors.AddrInUse) || performance.now() >= end) throw e;
    }
  }
}

/** `make()`, waiting as rebind_released for an address this process gave up `lately`. */
function listen_released<T>(make: () => T, lately: boolean): T {
  try {
    return make();
  } catch (e) {
    return rebind_released(make, lately, e);
  }
}

/**
 * True when /proc/net/tcp (tcp6 for an IPv6 listener's, `v6`) shows a listener on `port`; false when it cannot tell.
 * Reading the table costs ~1.3 ms: done only for a port this process closed a listener on lately.
 */
/** _duplex.ts (node:net, for a connect from a bound address), once loaded. */
let duplex: typeof import("./_duplex.ts") | null = null;
let duplex_loading: Promise<typeof import("./_duplex.ts")> | null = null;
function load_duplex(): Promise<typeof import("./_duplex.ts")> {
  return duplex_loading ??= import("./_duplex.ts").then((m) => duplex = m);
}

function listening_on(port: number, host: string): boolean {
  const v6 = host.includes(":");
  let text: string;
  try {
    text = read_proc_net(v6 ? "/proc/net/tcp6" : "/proc/net/tcp");
  } catch {
    return false;
  }
  // "  0: 0100007F:1F90 00000000:0000 0A ..." (local address:port, remote, state 0A = LISTEN). The address is the
  // closed listener's own, so that another listener on the same port number elsewhere is not waited for.
  const zero = v6 ? "00000000000000000000000000000000:0000" : "00000000:0000";
  const hex_port = port.toString(16).toUpperCase().padStart(4, "0");
  const bytes = WILDCARD.has(host) ? new Uint8Array(v6 ? 16 : 4) : v6 ? parse_ipv6(strip_zone(host)) : parse_ipv4(host);
  if (bytes === null) return text.includes(`:${hex_port} ${zero} 0A `);
  // Each 32-bit word as the kernel prints it: in host (little-endian) order, hex digits upper case.
  let addr = "";
  for (let i = 0; i < bytes.length; i += 4) {
    for (let j = 3; j >= 0; j--) addr += bytes[i + j]!.toString(16).toUpperCase().padStart(2, "0");
  }
  return text.includes(`${addr}:${hex_port} ${zero} 0A `);
}

/** True when /proc/net/unix shows a listener on the abstract name `path` ("\0name"); false when it cannot tell. */
function unix_listening_on(path: string): boolean {
  let text: string;
  try {
    text = read_proc_net("/proc/net/unix");
  } catch {
    return false;
  }
  // "0000000000000000: 00000002 00000000 00010000 0001 01 12345 @name" (flags 00010000: listening; "@": abstract)
  const tail = " @" + path.slice(1).replaceAll("\0", "@");
  for (const line of text.split("\n")) if (line.endsWith(tail) && line.includes(" 00010000 0001 ")) return true;
  return false;
}

/** Resolves once a listener this process closed lately on the abstract name `path` is gone (see _listener_released). */
async function unix_listener_released(path: string): Promise<void> {
  if (!path.startsWith("\0") || let_go_lately(`unix:${path}`) === null) return;
  const end = performance.now() + RELEASE_WAIT_MS;
  while (unix_listening_on(path) && performance.now() < end) await new Promise((ok) => setTimeout(ok, 1));
}

/** A datagram socket's address key in let_go. */
function dgram_key(ep: Endpoint): string {
  return ep.kind === "unix" ? `unixpacket:${ep.path}` : `udp:${ep.port}`;
}

/** Unspecified addresses: a listener there took connects to every local address. */
const WILDCARD = new Set(["0.0.0.0", "::", ""]);

/**
 * Resolves once a TCP listener this process closed lately on `host`:`port` (or on a wildcard address) is gone from
 * the kernel's tables (at once when there is none: the common case), or after RELEASE_WAIT_MS.
 */
export async function _listener_released(host: string, port: number): Promise<void> {
  const r = let_go_lately(`tcp:${port}`);
  if (r === null || !(r.host === host || WILDCARD.has(r.host) || WILDCARD.has(host))) return;
  const end = performance.now() + RELEASE_WAIT_MS;
  while (listening_on(port, r.host) && performance.now() < end) {
    await new Promise((ok) => setTimeout(ok, 1));
  }
}

/**
 * A socket, as Python's `socket.socket`. Create one with {@linkcode socket}.
 * Waiting methods are async and accept a trailing `{ signal }`; every other
 * method is synchronous, as in Python.
 *
 * @example
 * ```ts
 * import { socket } from "@pysocket/socket";
 * using s = socket();
 * s.settimeout(2);
 * console.log(s.gettimeout(), s.family, s.type); // 2 2 1
 * ```
 *
 * @category Sockets
 */
export class Socket<F extends number = number> implements Disposable, AsyncDisposable {
  /** The class's module in Python's repr() (`socket`); a subclass without its own shows as `__main__`. */
  static __module__ = "socket";
  /** The class's name in Python's repr() (`socket`); a subclass without its own shows its JavaScript name. */
  static __qualname__ = "socket";
  #type: number;
  #proto: number;
  #adapter: FamilyAdapter;
  #fd: number; // -1 once closed
  #timeout: number | null;
  get #family(): number {
    return this.#adapter.family;
  }
  get #closed(): boolean {
    return this.#fd < 0;
  }
  set #closed(v: boolean) {
    if (v) this.#fd = -1;
  }
  #unnamed = false; // an AF_UNIX socketpair() end: no names to report
  #partner: Address | null = null; // a datagram socketpair() end: the other end's private name (A14a-4)
  #opts: Map<string, number> = NO_OPTS; // copied on first write: most sockets set none
  // SOCK_STREAM
  #stream: StreamState | null = null;
  #connecting: Connecting | null = null;
  /** connect() calls running: an I/O call meanwhile is a forgotten `await`. */
  #calls = 0;
  /** The last connect() call's promise while #calls > 0 (see forgotten_await). */
  #running: Promise<void> | null = null;
  // Listener, datagram and error state: one object made on first write, so a
  // connected socket (the many) carries none of it. Read through the accessors.
  #x: SocketExtra | null = null;
  #extra(): SocketExtra {
    return this.#x ??= new SocketExtra();
  }
  get #listener(): Deno.Listener | null {
    return this.#x?.listener ?? null;
  }
  set #listener(v: Deno.Listener | null) {
    if (v !== null || this.#x !== null) this.#extra().listener = v;
  }
  get #accepts(): AcceptQueue | null {
    return this.#x?.accepts ?? null;
  }
  set #accepts(v: AcceptQueue | null) {
    if (v !== null || this.#x !== null) this.#extra().accepts = v;
  }
  get #aborted(): number {
    return this.#x?.aborted ?? 0;
  }
  set #aborted(v: number) {
    if (v !== 0 || this.#x !== null) this.#extra().aborted = v;
  }
  get #listening(): boolean {
    return this.#x?.listening ?? false;
  }
  set #listening(v: boolean) {
    if (v || this.#x !== null) this.#extra().listening = v;
  }
  get #backlog(): number {
    return this.#x?.backlog ?? 0;
  }
  set #backlog(v: number) {
    if (v !== 0 || this.#x !== null) this.#extra().backlog = v;
  }
  get #so_error(): number {
    return this.#x?.so_error ?? 0;
  }
  set #so_error(v: number) {
    if (v !== 0 || this.#x !== null) this.#extra().so_error = v;
  }
  get #local(): Address | null {
    return this.#x?.local ?? null;
  }
  set #local(v: Address | null) {
    if (v !== null || this.#x !== null) this.#extra().local = v;
  }
  // SOCK_DGRAM
  get #dgram(): DatagramEngine | null {
    return this.#x?.dgram ?? null;
  }
  set #dgram(v: DatagramEngine | null) {
    if (v !== null || this.#x !== null) this.#extra().dgram = v;
  }

  /**
   * Use {@linkcode socket}; the constructor takes the same arguments.
   * @param family AF_INET (default), AF_INET6 or AF_UNIX.
   * @param type SOCK_STREAM (default) or SOCK_DGRAM.
   * @param proto 0, or the protocol matching the type.
   */
  constructor(
    family: F = AF_INET as F,
    type: number = SOCK_STREAM,
    proto: number = 0,
  ) {
    family = as_int(family) as F;
    type = as_int(type);
    proto = as_int(proto);
    // CPython parses the three as C ints. (Three tests, not a loop over an array: no array and iterator per socket.)
    if (!c_int(family) || !c_int(type) || !c_int(proto)) {
      throw new RangeError("Python int too large to convert to C int");
    }
    this.#adapter = adapter_for(family);
    let timeout = default_timeout;
    if (type & SOCK_NONBLOCK) timeout = 0;
    type &= ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (family !== AF_UNIX && type >= 0 && type < 10) {
      // Linux's inet_create() first: a protocol past IPPROTO_MAX (263), or negative, is EINVAL (A24b-7).
      if ((proto < 0 && proto !== -1) || proto >= 263) throw new OSError(E.EINVAL);
      if (type === SOCK_STREAM && proto === 262) {
        throw new OSError(E.EPROTONOSUPPORT, "Protocol not supported (IPPROTO_MPTCP: Deno has no MPTCP sockets)");
      }
    }
    if (type !== SOCK_STREAM && type !== SOCK_DGRAM && family !== AF_UNIX) {
      // Linux's inet_create(): SOCK_RAW needs a protocol (0 matches none), SOCK_SEQPACKET is no IP type.
      if (type === 3 && proto === 0) throw new OSError(E.EPROTONOSUPPORT);
      if (type === 5) throw new OSError(E.ESOCKTNOSUPPORT);
      // Linux makes a raw socket (as root); Deno has none: say so (A24b-10; was a bare EINVAL).
      if (type === 3) {
        throw new OSError(E.ESOCKTNOSUPPORT, "Socket type not supported (SOCK_RAW: Deno has no raw sockets)");
      }
    }
    if (type !== SOCK_STREAM && type !== SOCK_DGRAM) {
      // Linux: past SOCK_PACKET (10), or negative, EINVAL; a type below it that the family has not,
      // ESOCKTNOSUPPORT. (SOCK_RAW 3, SOCK_SEQPACKET 5 and SOCK_PACKET 10 exist, but not in pysocket: EINVAL.)
      throw new OSError(type < 0 || type >= 10 || type === 3 || type === 5 ? E.EINVAL : E.ESOCKTNOSUPPORT);
    }
    if (proto !== 0) {
      // AF_UNIX takes 0 or PF_UNIX (1), as Linux's unix_create().
      const ok = family === AF_UNIX ? proto === AF_UNIX : type === SOCK_STREAM ? proto === 6 : proto === 17;
      if (!ok) throw new OSError(E.EPROTONOSUPPORT);
    }
    if (type === SOCK_DGRAM) {
      require_unstable_net("a SOCK_DGRAM socket (Deno.listenDatagram)");
      this.#dgram = create_datagram_engine(this.#adapter);
    }
    this.#type = type;
    this.#proto = proto;
    this.#timeout = timeout;
    this.#fd = next_fd++;
  }

  /** The address family (AF_INET, AF_INET6, AF_UNIX). */
  get family(): number {
    return this.#family;
  }

  /** The socket type (SOCK_STREAM, SOCK_DGRAM). */
  get type(): number {
    return this.#type;
  }

  /** The protocol number given at creation (0 by default). */
  get proto(): number {
    return this.#proto;
  }

  /** The socket's timeout, as {@linkcode Socket.gettimeout}. */
  get timeout(): number | null {
    return this.#timeout;
  }

  // ---- helpers -------------------------------------------------------

  /** The options map, made writable (a socket starts with the shared empty one). */
  #own_opts(): Map<string, number> {
    if (this.#opts === NO_OPTS || SHARED_OPTS.has(this.#opts)) this.#opts = new Map(this.#opts);
    return this.#opts;
  }

  #check_open(): void {
    if (this.#closed) throw new OSError(E.EBADF);
  }

  #deadline(flags: number, signal: unknown): Deadline {
    // As CPython: MSG_DONTWAIT only makes a blocking socket not wait; a socket
    // with a timeout polls for up to its timeout first.
    const t = flags & MSG_DONTWAIT && this.#timeout === null ? 0 : this.#timeout;
    return Deadline.of(t, signal as AbortSignal | undefined);
  }

  #detail(op: string, address?: Address): string {
    return address === undefined ? op : `${op} ${op === "bind" ? "" : "to "}${format_address(address)}`.replace(
      "bind ",
      "bind to ",
    );
  }

  /** Resolve an endpoint's host name to a literal of this family. */
  async #resolve(ep: Endpoint, dl: Deadline): Promise<Endpoint> {
    if (ep.kind !== "ip" || this.#adapter.is_literal(ep.hostname)) return ep;
    const host = await dl.wait(
      resolve_host(ep.hostname, this.#family === AF_INET6 ? 6 : 4),
    );
    return { ...ep, hostname: host };
  }

  /** The pending socket error (SO_ERROR) a send or recv on an unconnected stream socket reports once, or null. */
  #take_so_error(): OSError | null {
    const v = this.#so_error;
    if (v === 0) return null;
    this.#so_error = 0;
    return from_errno(v);
  }

  /** What Linux says to a send on an unconnected stream socket. */
  #unconnected_send(): OSError {
    const pending = this.#take_so_error();
    if (pending !== null) return pending;
    return this.#family === AF_UNIX ? new OSError(E.ENOTCONN) : from_errno(E.EPIPE);
  }

  /**
   * Before stream I/O on a socket that is not connected yet: null when there
   * is nothing to wait for. A connect() still running means its caller did
   * not await it; a connect left in flight (non-blocking, timed out) is
   * waited for within this call's deadline, as the kernel does.
   */
  #connect_gate(dl: Deadline): Promise<void> | null {
    if (this.#stream !== null || (this.#connecting === null && this.#calls === 0)) return null;
    if (this.#calls > 0) throw forgotten_await(this.#running);
    return this.#after_connect(this.#connecting!, dl);
  }

  async #after_connect(c: Connecting, dl: Deadline): Promise<void> {
    if (c.error === null) {
      await dl.wait(c.promise); // non-blocking: EAGAIN unless it completes at once
      if (!this.#detached_blocking(dl)) this.#check_open(); // detached: the caller goes on (A14c-1)
    }
    if (this.#stream === null && c.error !== null && this.#connecting === c) {
      // The failure is reported once (SO_ERROR), then the socket is "connecting, closed" (see #aborted).
      this.#connecting = null;
      const err = map_error(c.error, "connect");
      if (this.#family !== AF_UNIX && err instanceof OSError && refused_later(err.errno)) this.#aborted = 1;
      throw err;
    }
  }

  /**
   * A blocking wait on a socket detached meanwhile goes on, as CPython's recv(2) blocked on the descriptor
   * (a timed one raises EBADF once it wakes, as CPython's poll() then recv(-1)).
   */
  #detached_blocking(dl: Deadline): boolean {
    return dl.unbounded && this.#x !== null && this.#x.detached;
  }

  /**
   * The stream a send that waited for a connect in flight goes on with: this socket's, or, detached meanwhile, the
   * open socket detach() moved the connection to (A14c-1's send side: CPython's send(2) blocked on the descriptor
   * goes on there). Null when there is none.
   */
  #send_stream(dl: Deadline): StreamState | null {
    if (this.#stream !== null || !this.#detached_blocking(dl)) return this.#stream;
    let o = this.#x!.moved;
    while (o !== null && o.#closed) o = o.#x?.moved ?? null;
    return o === null ? null : o.#stream;
  }

  #stream_or_throw(): StreamState {
    this.#check_open();
    if (!this.#stream) throw this.#calls > 0 ? forgotten_await(this.#running) : new OSError(E.ENOTCONN);
    return this.#stream;
  }

  /**
   * Adopt a connected transport (connect, accept, TLS upgrade).
   * @ignore
   */
  [kState](t: Transport | null): StreamState | null {
    if (t === null) return this.#stream;
    this.#stream = new StreamState(t);
    // A raw connection only: a TLS session's plaintext (a Duplex that writes whole) counts other bytes than its raw
    // end's peer, so linking it would compare plaintext with ciphertext (A25-1: every look waited 200 ms).
    if (this.#family !== AF_UNIX && t.writes_whole !== true) this.#stream.find_other_end();
    if (this.#opts.size === 0) return this.#stream;
    const nd = this.#opts.get(NODELAY_KEY);
    const ka = this.#opts.get(KEEPALIVE_KEY);
    try {
      if (nd !== undefined) t.setNoDelay?.(nd !== 0);
      if (ka !== undefined) t.setKeepAlive?.(ka !== 0);
    } catch { /* not a TCP transport */ }
    return this.#stream;
  }

  // ---- timeouts ------------------------------------------------------

  /**
   * Set the timeout for waiting operations: seconds, `0` for non-blocking,
   * or `null` to wait forever.
   *
   * @param value seconds or null.
   * @throws {RangeError} for a negative or NaN value.
   * @throws {TypeError} for a value that is not a number or null.
   *
   * @example
   * ```ts
   * import { socket } from "@pysocket/socket";
   * using s = socket();
   * s.settimeout(0.5);
   * console.log(s.gettimeout()); // 0.5
   * ```
   */
  settimeout(value: number | null): void {
    check_arity(ARITY.settimeout, arguments);
    const t = check_timeout(value);
    this.#timeout = t; // CPython keeps the value, then raises EBADF on a closed socket
    this.#check_open();
  }

  /**
   * The timeout in seconds, `0` when non-blocking, `null` when blocking.
   *
   * @returns the timeout.
   *
   * @example
   * ```ts
   * import { socket } from "@pysocket/socket";
   * using s = socket();
   * console.log(s.gettimeout()); // null
   * ```
   */
  gettimeout(): number | null {
    check_arity(ARITY.gettimeout, arguments);
    return this.#timeout;
  }

  /**
   * `setblocking(false)` is `settimeout(0)`; `setblocking(true)` is `settimeout(null)`. As in Python, an integer
   * flag works too (`setblocking(0)`, `setblocking(1)`).
   *
   * @param flag blocking or not (a bool or an int, as in Python).
   *
   * @example
   * ```ts
   * import { socket } from "@pysocket/socket";
   * using s = socket();
   * s.setblocking(false);
   * console.log(s.getblocking(), s.gettimeout()); // false 0
   * ```
   */
  setblocking(flag: boolean | number): void {
    check_arity(ARITY.setblocking, arguments);
    // CPython's PyLong_AsLong: OverflowError past a C long (A18c-15). (A bool, the usual flag, needs no check.)
    const blocking = typeof flag === "boolean" ? flag : c_long(flag) !== 0;
    this.#timeout = blocking ? null : 0; // kept before EBADF, as CPython's
    this.#check_open();
  }

  /**
   * False when the socket is non-blocking (timeout 0), true otherwise.
   *
   * @returns whether operations may wait.
   *
   * @example
   * ```ts
   * import { socket } from "@pysocket/socket";
   * using s = socket();
   * console.log(s.getblocking()); // true
   * ```
   */
  getblocking(): boolean {
    check_arity(ARITY.getblocking, arguments);
    return this.#timeout !== 0;
  }

  // ---- addresses -----------------------------------------------------

  /**
   * Bind to a local address. A stream socket starts listening in Deno at
   * once (so `getsockname()` and `EADDRINUSE` behave as in Python);
   * {@linkcode Socket.listen} records the backlog and enables `accept()`.
   *
   * @param address `[host, port]`, `[host, port, flowinfo, scope_id]` or a path.
   * @throws {OSError} EADDRINUSE, EACCES, EINVAL (bound already), EBADF.
   *
   * @example
   * ```ts
   * import { socket } from "@pysocket/socket";
   * using s = socket();
   * s.bind(["127.0.0.1", 0]);
   * console.log((s.getsockname() as [string, number])[1] > 0); // true
   * ```
   */
  bind(address: AddressInput): void {
    check_arity(ARITY.bind, arguments);
    // CPython's getsockaddrarg() parses the address before the descriptor is used (A26-1).
    const ep = this.#adapter.parse(address, "bind");
    this.#check_open();
    if (
      this.family === AF_UNIX && (address === "" || (address instanceof Uint8Array && address.length === 0)) &&
      platform().abstract_names && (this.#listener !== null || (this.#dgram !== null && this.getsockname() !== ""))
    ) {
      return; // Linux's autobind of a socket that has a name already does nothing (CPython: no error)
    }
    const reuse_port = (this.#opts.get(REUSEPORT_KEY) ?? 0) !== 0;
    if (this.#dgram) {
      const dgram = this.#dgram;
      // An address this process's own socket gave up a moment ago may still be held by a child being spawned.
      const lately = let_go.size !== 0 && let_go_lately(dgram_key(ep)) !== null;
      const released = <T>(make: () => T): T => listen_released(make, lately);
      try {
        try {
          dgram.bind(ep, reuse_port, released);
        } catch (e) {
          rebind_released(() => dgram.bind(ep, reuse_port, released), lately, e);
        }
      } catch (e) {
        throw map_error(e, this.#detail("bind", address as Address));
      }
      if (let_go.size !== 0) let_go.delete(dgram_key(ep)); // this process's again: another bind is EADDRINUSE at once
      this.#bound_v6only();
      return;
    }
    if (this.#listener || this.#stream || this.#connecting) {
      throw new OSError(E.EINVAL);
    }
    require_listen("bind() on a stream socket");
    if (ep.kind === "ip") this.#adapter.is_literal(ep.hostname);
    let l: Deno.Listener;
    try {
      if (ep.kind === "unix") {
        const opts: Deno.UnixListenOptions & { transport: "unix" } = { transport: "unix", path: ep.path };
        // A listener closed with an accept in flight still holds the path (Deno deletes its file when
        // that accept settles): listen once it has, so the new file is not deleted under us.
        const key = `unix:${ep.path}`, lately = let_go_lately(key) !== null;
        const make = () => listen_released(() => Deno.listen(opts), lately);
        l = deferred_listen(() => ({ transport: "unix", path: ep.path }), key, false, make) ?? make();
      } else {
        const opts: Deno.TcpListenOptions = {
          hostname: deno_host(ep.hostname, ep.scope_id),
          port: ep.port,
        };
        if (reuse_port) (opts as { reusePort?: boolean }).reusePort = true;
        if (this.#backlog > 0) {
          (opts as { tcpBacklog?: number }).tcpBacklog = this.#backlog;
          this.#extra().deno_backlog = this.#backlog;
        }
        const lately = let_go_lately(`tcp:${ep.port}`) !== null;
        const make = () => listen_released(() => Deno.listen(opts), lately);
        try {
          l = Deno.listen(opts);
        } catch (e) {
          // The port of a listener closed with an accept in flight is free a turn later (CPython's at once).
          // A name (localhost, 127.1) too: its address is the one Deno resolves it to (A10a-1).
          const d = e instanceof Deno.errors.AddrInUse
            ? deferred_listen(
              () => bound_addr("tcp", opts.hostname!, ep.port, this.#adapter.is_literal(ep.hostname)),
              `tcp:${ep.port}`,
              reuse_port,
              make,
            )
            : null;
          l = d ?? rebind_released(() => Deno.listen(opts), lately, e);
        }
        // A name Deno resolved to the other family (a v4-only name for an AF_INET6 socket): CPython asks the
        // resolver for this family only and finds nothing.
        const got = (l.addr as Deno.NetAddr).hostname;
        if (!this.#adapter.is_literal(ep.hostname) && (got.includes(":") !== (this.#family === AF_INET6))) {
          l.close();
          throw new gaierror(EAI_NONAME);
        }
      }
    } catch (e) {
      if (e instanceof gaierror) throw e;
      throw map_error(e, this.#detail("bind", address as Address));
    }
    this.#listener = l;
    this.#accepts = new AcceptQueue(l);
    // Bound again (or a stand-in waiting for it): a connect there is for this listener now, not a wait for the old.
    if (let_go.size !== 0) let_go.delete(ep.kind === "unix" ? `unix:${ep.path}` : `tcp:${ep.port}`);
    this.#local = null;
    if (ep.kind !== "unix") this.#extra().bound_run = this_run();
    if (ep.kind === "unix" && ep.shown !== undefined) this.#local = ep.shown; // as given (CPython); Deno has it absolute
    this.#bound_v6only();
  }

  /**
   * After a bind: Linux's __inet6_bind() sets IPV6_V6ONLY for a specific address that is neither `::` nor
   * IPv4-mapped (P15-2: `::1` reads 1, as on the sockets accepted from it, which share this map). macOS and the BSDs
   * leave the option as it was; Windows has it on already.
   */
  #bound_v6only(): void {
    if (this.#family !== AF_INET6 || (platform().os !== "linux" && platform().os !== "android")) return;
    const b = parse_ipv6(strip_zone((this.getsockname() as [string, number])[0]));
    if (b !== null && !is_v4_mapped(b) && b.some((x) => x !== 0)) this.#own_opts().set(V6ONLY_KEY, 1);
  }

  /**
   * The socket holds a local port (Linux's inet_num): bound, listening, connecting, connected, accepted, or autobound
   * by a send or a connect. A TCP connection closed in the kernel (refused, reset, FINs both ways) gave it back.
   */
  #has_port(): boolean {
    const d = this.#dgram;
    if (d !== null) return (d.getsockname() as [string, number])[1] !== 0;
    const st = this.#stream;
    if (st !== null) return !(st.reader.failed || st.writer.broken || fins_exchanged(st));
    const c = this.#connecting;
    if (c !== null) return c.error === null;
    return this.#listener !== null && this.#aborted === 0;
  }

  /**
   * Enable `accept()`. An unbound socket is bound to an ephemeral port first,
   * as on Linux.
   *
   * @param backlog the kernel's queue of connections not yet accepted: a
   *   TCP listener nobody has accepted from is made again with it (Deno's
   *   own is 511, kept when no backlog is given).
   *
   * @example
   * ```ts
   * import { socket } from "@pysocket/socket";
   * using s = socket();
   * s.bind(["127.0.0.1", 0]);
   * s.listen(5);
   * ```
   */
  listen(backlog?: number): void {
    check_arity(ARITY.listen, arguments);
    // CPython parses the backlog as a C int ("i"), before the call (a closed socket's EBADF comes after).
    const b = backlog === undefined ? undefined : c_int_arg(backlog);
    this.#check_open();
    if (this.#dgram) throw new OSError(E.EOPNOTSUPP);
    if (b !== undefined) this.#backlog = Math.max(0, b);
    if (this.#stream || (this.#aborted !== 0 && this.#connecting === null)) throw new OSError(E.EINVAL);
    if (backlog !== undefined && this.#listener !== null) this.#apply_backlog();
    else if (!this.#listener) {
      // An AF_UNIX socket without a listener cannot listen (Linux: EINVAL; bind("") would autobind).
      if (this.#family === AF_UNIX) throw new OSError(E.EINVAL);
      // After shutdown(SHUT_RD) Linux binds again to a new port on the same host.
      const was = this.#local;
      this.#local = null;
      this.bind((Array.isArray(was) ? [was[0], 0, ...was.slice(2)] : this.#adapter.unbound) as AddressInput);
      // bind() gives Deno a backlog > 0 only (0 is "none given"): listen(0) makes the listener again with it (A18a-3:
      // an unbound socket's listen(0) kept Deno's 511).
      if (backlog !== undefined) this.#apply_backlog();
    }
    this.#listening = true;
  }

  /**
   * Give the kernel the backlog listen() was called with (finding F5): Deno's listener is made by bind() with
   * Deno's backlog (511), so a TCP listener nobody has accepted from yet is made again on its address with this
   * one, when no connection can be waiting in its queue. A backlog the listener has already, a Unix or SO_REUSEPORT
   * listener, one an accept has used, a stand-in for a port a listener closed in this turn still holds, or one whose
   * queue may hold a connection (that came after bind(): Deno listens there; CPython's connect would have been
   * refused), is left as it is: a listen() never resets a connection.
   */
  #apply_backlog(): void {
    const x = this.#x!, l = this.#listener!;
    if (this.#family === AF_UNIX || x.deno_backlog === x.backlog || !this.#accepts!.untouched) return;
    // A stand-in for a port a closed listener still holds (see deferred_listen) keeps Deno's backlog.
    if ((this.#opts.get(REUSEPORT_KEY) ?? 0) !== 0 || l instanceof DeferredListener) return;
    const { hostname, port } = l.addr as Deno.NetAddr;
    // A bound socket may hold connections in the kernel's queue (Deno listens at bind()): closing its listener would
    // reset them (A17b-1: a second listen(n) lost a connected client and its bytes; CPython's keeps them; A18a-2: so
    // did the first listen(n) for a client that connected after bind(), which then read ECONNRESET). Made again only
    // when the kernel shows that queue empty, or, where it cannot tell (no /proc/net/tcp, no read permission), when
    // listen() runs in the same synchronous run as bind() (no task, nor any event, came between them).
    if (x.bound_run !== this_run() && !accept_queue_empty(port, this.#family === AF_INET6)) return;
    // The port is free again for the instant between the close and the new listener; a loaded machine was seen to
    // refuse it for a moment (EADDRINUSE, about once in ten CI runs): retried for up to ~50 ms, a millisecond apart.
    const make = (backlog: number): Deno.Listener => {
      for (let i = 0;; i++) {
        try {
          return Deno.listen({ hostname, port, tcpBacklog: backlog } as Deno.TcpListenOptions);
        } catch (e) {
          if (i >= 50 || !(e instanceof Deno.errors.AddrInUse)) throw e;
          Atomics.wait(PAUSE, 0, 0, 1);
        }
      }
    };
    this.#accepts!.close();
    let n: Deno.Listener;
    try {
      n = make(x.backlog);
      x.deno_backlog = x.backlog;
    } catch (e) {
      try {
        n = make(x.deno_backlog); // the port as it was; the backlog stays Deno's
      } catch {
        this.#listener = null;
        this.#accepts = null;
        throw map_error(e, "listen");
      }
    }
    this.#listener = n;
    this.#accepts = new AcceptQueue(n);
  }

  /**
   * The socket's own address.
   *
   * @returns `[host, port]`, `[host, port, flowinfo, scope_id]` or a path.
   *
   * @example
   * ```ts
   * import { socket } from "@pysocket/socket";
   * using s = socket();
   * console.log(s.getsockname()); // ["0.0.0.0", 0]
   * ```
   */
  getsockname(): AddressOf<F> {
    check_arity(ARITY.getsockname, arguments);
    return this.#getsockname() as AddressOf<F>;
  }

  #getsockname(): Address {
    this.#check_open();
    if (this.#unnamed) return "";
    if (this.#dgram) return this.#dgram.getsockname();
    if (this.#stream) {
      return this.#local ?? this.#adapter.from_deno(this.#stream.transport.localAddr);
    }
    if (this.#listener) {
      return this.#local ??= this.#adapter.from_deno(this.#listener.addr);
    }
    if (this.#connecting?.local) return this.#connecting.local;
    if (this.#local !== null) return this.#local; // a listener shut down (SHUT_RD)
    return this.#adapter.unbound;
  }

  /**
   * The peer's address.
   *
   * @returns the address the socket is connected to.
   * @throws {OSError} ENOTCONN when not connected.
   *
   * @example
   * ```ts
   * import { socket } from "@pysocket/socket";
   * using s = socket();
   * try { s.getpeername(); } catch (e) { console.log((e as Error).message); }
   * ```
   */
  getpeername(): AddressOf<F> {
    check_arity(ARITY.getpeername, arguments);
    return this.#getpeername() as AddressOf<F>;
  }

  #getpeername(): Address {
    this.#check_open();
    if (this.#dgram) {
      const p = this.#dgram.getpeername();
      if (p === null) throw new OSError(E.ENOTCONN);
      // A socketpair() end connected elsewhere since (A14a-4) reports that peer, as Linux.
      return this.#unnamed && p === this.#partner ? "" : p;
    }
    this.#check_open();
    // Not connected (yet): ENOTCONN, also while a connect() runs in another task (A18a-1: was the forgotten-`await`
    // EINPROGRESS of I/O calls; CPython's getpeername(2) during a connect in another thread says ENOTCONN).
    const st = this.#stream;
    if (st === null) throw new OSError(E.ENOTCONN);
    // A TCP connection the peer reset is closed in the kernel (as shutdown() says): ENOTCONN, as Linux (A14a-5); so
    // is one whose FINs went both ways (A20-4), once pysocket has seen the peer's.
    if (this.#family !== AF_UNIX && (st.reader.failed || st.writer.broken || fins_exchanged(st))) {
      throw new OSError(E.ENOTCONN);
    }
    const peer = this.#adapter.from_deno(st.transport.remoteAddr);
    return this.#unnamed ? "" : peer;
  }

  /** socketpair(): the Unix names this end was paired through are private; as socketpair(2)'s, it has none. */
  [kUnnamed](): void {
    this.#unnamed = true;
    if (this.#dgram) this.#partner = this.#dgram.getpeername();
  }

  /**
   * Set the default timeout as a new socket gets it (internal).
   * @ignore
   */
  [kDefaultTimeout](): void {
    this.#timeout = default_timeout; // the value itself, not rounded again as settimeout(getdefaulttimeout()) would
  }

  // ---- connecting ----------------------------------------------------

  /** connect() on a bound or listening socket: what Linux says, or why Deno cannot. */
  #check_bound(ep: Endpoint, address: Address): void {
    if (!this.#listener) return;
    const detail = this.#detail("connect", address);
    if (this.#listening) throw new OSError(ep.kind === "unix" ? E.EINVAL : E.EISCONN, null, { operation: detail });
    if (ep.kind === "unix") {
      throw new OSError(
        E.EOPNOTSUPP,
        "connect() after bind() is not supported on AF_UNIX: neither Deno.connect nor node:net can bind a client Unix socket",
        { operation: detail },
      );
    }
  }

  /**
   * Give up the listener bind() made, to connect from its address; `settled`
   * resolves when its port is free (no accept in flight any more).
   */
  #unbind(conn: Connecting): { addr: Deno.NetAddr; settled: Promise<void> } {
    const acc = this.#accepts!;
    const addr = this.#listener!.addr as Deno.NetAddr;
    conn.local = this.getsockname();
    acc.close();
    this.#listener = null;
    this.#accepts = null;
    this.#local = null;
    return { addr, settled: acc.settled() };
  }

  /** After a failed connect from a bound address: bound again, as on Linux (unbound if the port was taken). */
  #rebind(addr: Deno.NetAddr): void {
    if (this.#closed || this.#listener || this.#stream) return;
    try {
      const l = Deno.listen({ hostname: addr.hostname, port: addr.port });
      this.#listener = l;
      this.#accepts = new AcceptQueue(l);
    } catch { /* the port was taken meanwhile */ }
  }

  /**
   * Connect to a remote address. A connect that timed out (or was aborted,
   * or started non-blocking with `EINPROGRESS`) stays in flight, as in
   * CPython: a later `connect` raises `BlockingIOError` `EALREADY` (after
   * giving it a few event-loop turns, in which a loopback connect completes)
   * until it completes, then reports its outcome once (success, or its
   * error), then `EISCONN`. (A blocking socket, whose connect only a signal
   * can interrupt, waits for the same address instead.) Meanwhile `send`
   * and `recv` wait for the connection within their timeout, or raise
   * `BlockingIOError` when non-blocking. I/O on the socket while its
   * `connect()` call is still running (a forgotten `await`) raises `OSError`
   * saying so.
   * After `bind()`, an AF_INET/AF_INET6 socket connects from the bound
   * address (through Deno's `node:net`: `Deno.connect` cannot choose it).
   *
   * @param address the peer's address.
   * @param options `{ signal }`.
   * @throws {ConnectionRefusedError} and the other OSErrors of connect(2).
   * @throws {OSError} EISCONN on a listening socket; EOPNOTSUPP after
   *   `bind()` on AF_UNIX (no Deno API binds a client Unix socket).
   *
   * @example
   * ```ts
   * import { socket } from "@pysocket/socket";
   * using srv = socket();
   * srv.bind(["127.0.0.1", 0]);
   * srv.listen();
   * using c = socket();
   * await c.connect(srv.getsockname());
   * console.log(c.getpeername());
   * ```
   */
  connect(address: AddressInput, options?: SignalOptions): Promise<void> {
    check_arity(ARITY.connect, arguments);
    if (duplex === null && this.#listener !== null && !this.#closed) {
      // A first connect from a bound address loads node:net (_duplex.ts) before its timeout starts: CPython's has
      // nothing to load (A27-2). Importing pysocket loads no node: module (startup time).
      return load_duplex().then(() => this.connect(address, options));
    }
    let p: Promise<void>;
    try {
      // The common call, connect(address): nothing to bind by name.
      let signal: AbortSignal | undefined;
      if (options !== undefined || !(Array.isArray(address) || typeof address === "string")) {
        const a = bind_args("connect", [address, options], CONNECT_ARGS);
        address = a.address as AddressInput;
        signal = a.signal as AbortSignal | undefined;
      }
      // CPython's getsockaddrarg() parses the address before the descriptor is used (A26-1).
      const ep = this.#adapter.parse(address, "connect");
      this.#check_open();
      const dl = Deadline.of(this.#timeout, signal);
      p = this.#dgram
        ? this.#dgram_connect(this.#dgram, ep, dl)
        : dl.unbounded && this.#fresh_literal(ep)
        ? this.#connect_now(ep, address as Address)
        : this.#connect(ep, address as Address, dl);
    } catch (e) {
      return Promise.reject(e); // as an async function: bad arguments reject, never throw
    }
    // Still running: kept, so a forgotten await can be reported once (see forgotten_await).
    if (this.#calls > 0) this.#running = p;
    return p;
  }

  async #dgram_connect(d: DatagramEngine, ep: Endpoint, dl: Deadline): Promise<void> {
    await d.connect(await this.#resolve(ep, dl));
  }

  /** A stream connect; #calls counts it while it runs (I/O meanwhile is a forgotten await). */
  async #connect(ep: Endpoint, address: Address, dl: Deadline): Promise<void> {
    this.#calls++;
    try {
      // Once more from the top when the state changed while a resolve or a port release was awaited.
      for (;;) {
        let c = this.#connecting;
        let started = false;
        if (c === null && this.#stream === null && this.#aborted !== 0) {
          // Linux: a refused connect whose error was read through SO_ERROR left the socket "connecting,
          // closed": the next connect() says ECONNABORTED and makes it unconnected (after shutdown(): EINVAL).
          const code = this.#aborted === 2 ? E.EINVAL : E.ECONNABORTED;
          if (code === E.ECONNABORTED) this.#aborted = 0;
          throw from_errno(code, { operation: this.#detail("connect", address) });
        }
        if (this.#stream && c !== null && c.error === null) {
          // Linux: the first connect() after a non-blocking (or timed-out) one completed reports success.
          this.#connecting = null;
          return;
        }
        if (this.#stream) throw new OSError(E.EISCONN, null, { operation: this.#detail("connect", address) });
        if (c !== null) {
          // A connect left in flight (timed out, aborted, non-blocking). CPython's
          // timed and non-blocking sockets are non-blocking descriptors, where
          // connect(2) says EALREADY at once; a blocking one waits for it (for the
          // same address: another one is EALREADY too, as in pysocket before).
          if (c.error === null && (this.#timeout !== null || !same_endpoint(c.to, ep))) {
            // Give the connect a few event-loop turns first: Linux completes a loopback handshake before a second
            // connect() can ask (CPython's non-blocking connect_ex loop reads 115, then 0), and a loop of
            // `await connect_ex()` must let Deno's connect progress, or it would spin forever.
            if (await settles_soon(c.promise)) continue;
            throw from_errno(E.EALREADY, { operation: this.#detail("connect", address) });
          }
        } else {
          this.#check_bound(ep, address);
          if (typeof Deno.connect !== "function") {
            throw new OSError(E.EOPNOTSUPP, "this runtime has no Deno.connect");
          }
          // A literal (the common case) needs no resolver, nor a promise hop.
          const target = ep.kind !== "ip" || this.#adapter.is_literal(ep.hostname) ? ep : await this.#resolve(ep, dl);
          // A listener closed with an accept in flight frees its port a turn later:
          // wait for it, so this connect is refused rather than reset in its backlog.
          const released = listeners_released();
          if (released !== null) await released;
          // A listener this process closed a moment ago may still be held by a child being spawned (see let_go).
          if (let_go.size !== 0) {
            if (target.kind === "ip") await _listener_released(target.hostname, target.port);
            else await unix_listener_released(target.path);
          }
          if (this.#closed) throw new OSError(E.EBADF);
          if (this.#connecting || this.#stream) continue;
          this.#check_bound(ep, address);
          c = this.#start_connect(ep, target);
          started = true;
          // Linux completes a non-blocking Unix connect at once; TCP says EINPROGRESS, yet a loopback one has
          // completed (or been refused) by the time connect(2) returns: wait (bounded) for Deno's to settle too.
          if (dl.nonblocking) {
            const settled = near_target(target) && await settled_within(c.promise, NEAR_CONNECT_MS);
            if (!(ep.kind === "unix" && settled)) {
              throw from_errno(E.EINPROGRESS, { operation: this.#detail("connect", address) });
            }
          }
        }
        if (!dl.nonblocking) await dl.wait(c.promise);
        if (this.#closed) {
          // Detached meanwhile: a blocking connect goes on, as #connect_end's (A14c-1).
          const o = this.#detached_blocking(dl) ? this.#connect_owner(c) : null;
          if (o === null) throw new OSError(E.EBADF);
          o.#connecting = null;
          if (c.error === null) return;
        }
        // Linux: after CPython's timed TCP connect (EINPROGRESS, poll, SO_ERROR 0) the next connect() still
        // reports success once, then EISCONN: kept as a non-blocking connect's is.
        if (this.#connecting === c && !(c.error === null && started && dl.at !== Infinity && ep.kind === "ip")) {
          this.#connecting = null;
        }
        if (c.error !== null) {
          const err = map_error(c.error, this.#detail("connect", address));
          if (err instanceof OSError && err.errno !== null) {
            this.#so_error = 0;
            // CPython's timed connect reads the failure through SO_ERROR (see #aborted); a blocking one's
            // connect(2) resets the socket, as does a later connect() reporting one left in flight.
            if (started && dl.at !== Infinity && ep.kind === "ip" && refused_later(err.errno)) this.#aborted = 1;
          }
          throw err;
        }
        this.#check_open();
        return;
      }
    } finally {
      if (--this.#calls === 0) this.#running = null;
    }
  }

  /**
   * True for a TCP connect to an IP literal on a fresh socket (never connected, bound or failed) when no
   * listener's port is being released: #connect's first pass, with nothing to wait for before the Deno connect.
   */
  #fresh_literal(ep: Endpoint): boolean {
    return ep.kind === "ip" && ep.port !== 0 && this.#x === null && this.#connecting === null &&
      this.#stream === null && !this.#closed && typeof Deno.connect === "function" &&
      this.#adapter.is_literal(ep.hostname) && listeners_released() === null &&
      let_go_lately(`tcp:${ep.port}`) === null;
  }

  /**
   * A blocking connect of a {@linkcode #fresh_literal}: #connect's path as one reaction on the Deno connect,
   * without its frame (~550 B per connection).
   */
  #connect_now(ep: Endpoint, address: Address): Promise<void> {
    this.#calls++;
    const c = this.#start_connect(ep, ep);
    return c.promise.then(() => this.#connect_end(c, address));
  }

  /** The end of {@linkcode #connect_now}: #connect's, for a blocking call. */
  #connect_end(c: Connecting, address: Address): void {
    if (--this.#calls === 0) this.#running = null;
    if (this.#closed) {
      // Detached meanwhile: the blocking connect goes on, as CPython's connect(2) on the descriptor (A14c-1).
      const o = this.#x !== null && this.#x.detached ? this.#connect_owner(c) : null;
      if (o === null) throw new OSError(E.EBADF);
      o.#connecting = null;
    }
    if (this.#connecting === c) this.#connecting = null;
    if (c.error !== null) {
      const err = map_error(c.error, this.#detail("connect", address));
      if (err instanceof OSError && err.errno !== null) this.#so_error = 0;
      throw err;
    }
  }

  /**
   * create_connection() to an IPv4 literal (see connection.ts): settimeout(timeout), connect, and this socket;
   * a failure closes it.
   */
  [kConnectLiteral](host: string, port: number, timeout: number | null): Promise<this> {
    try {
      // create_connection() without a timeout hands over getdefaulttimeout(): the fresh socket has it already,
      // and setting it again would round it twice (1.0000000001 -> 1.000000001 -> 1.000000002; A18c-14).
      if (timeout !== default_timeout || this.#timeout !== default_timeout) this.settimeout(timeout);
      const address: Address = [host, port];
      const ep = this.#adapter.parse(address, "connect");
      if (timeout === null && this.#fresh_literal(ep)) {
        // #start_connect and #connect_end in one reaction: nobody else has this socket until it resolves, so no
        // other call waits on the connect's own promise (a close() meanwhile still aborts it through `stop`).
        const c: Connecting = { to: ep, promise: DONE, error: null, stop: null };
        const stop = c.stop = spare_stops.pop() ?? _connect_stop();
        this.#calls++;
        this.#connecting = c;
        return Deno.connect({ hostname: host, port, signal: stop.signal }).then((t) => {
          recycle_stop(c, true);
          if (--this.#calls === 0) this.#running = null;
          if (this.#closed) {
            t.close();
            throw new OSError(E.EBADF);
          }
          this.#connecting = null;
          this[kState](t);
          return this;
        }, (e) => {
          recycle_stop(c, true);
          c.error = e;
          try {
            this.#connect_end(c, address); // throws the mapped error
          } finally {
            this.close();
          }
          return this;
        });
      }
      return this.connect(address).then(() => this, (e) => {
        this.close();
        throw e;
      });
    } catch (e) {
      this.close();
      return Promise.reject(e);
    }
  }

  /**
   * The open socket a connect in flight belongs to: this one, or the one detach() moved it to (followed
   * through later detaches); null once closed.
   */
  #connect_owner(c: Connecting): Socket | null {
    if (!this.#closed) return this.#connecting === c ? this : null;
    let o = this.#x?.moved ?? null;
    while (o !== null && o.#closed) o = o.#x?.moved ?? null;
    return o !== null && o.#connecting === c ? o : null;
  }

  /** Start the Deno connect to `target` (a literal or a path); it becomes the socket's connect in flight. */
  #start_connect(ep: Endpoint, target: Endpoint): Connecting {
    const conn: Connecting = { to: ep, promise: DONE, error: null, stop: null };
    let opened: Promise<Transport>;
    let from: { addr: Deno.NetAddr; settled: Promise<void> } | null = null;
    if (target.kind === "unix") {
      // Deno's Unix connect takes no signal (it completes or fails at once).
      opened = Deno.connect({ transport: "unix", path: target.path });
    } else if (target.port === 0) {
      // Deno and node:net refuse port 0 with a RangeError; the kernel sends the SYN and is refused (CPython:
      // ConnectionRefusedError, also for create_connection((host, None)), whose getaddrinfo port is 0).
      opened = Promise.reject(new Deno.errors.ConnectionRefused("Connection refused"));
    } else if (this.#listener) {
      // Bound first: connect from that address through node:net (_duplex.ts).
      const stop = conn.stop = new AbortController();
      const f = from = this.#unbind(conn);
      const to = { hostname: deno_host(target.hostname, target.scope_id), port: target.port };
      // _duplex.ts (node:net) loads on first use (connect() awaits it before its deadline starts: A27-2).
      opened = f.settled.then(() => duplex ?? load_duplex()).then((m) => m.connect_from(f.addr, to, stop.signal));
    } else {
      const stop = conn.stop = spare_stops.pop() ?? _connect_stop();
      opened = Deno.connect({
        hostname: deno_host(target.hostname, target.scope_id),
        port: target.port,
        signal: stop.signal,
      });
    }
    conn.promise = opened.then((t) => {
      recycle_stop(conn, from === null);
      // Detached meanwhile: the connect completes on the socket that has the number (A14c-1), as on CPython's fd.
      const o = this.#closed ? this.#connect_owner(conn) : this;
      if (o === null || conn.error !== null) t.close(); // closed, or shut down meanwhile
      else o[kState](t);
    }, (e) => {
      recycle_stop(conn, from === null);
      conn.error ??= e; // a shutdown() meanwhile has set its own
      const o = from === null ? null : this.#closed ? this.#connect_owner(conn) : this;
      if (o !== null) o.#rebind(from!.addr);
    });
    return this.#connecting = conn;
  }

  /**
   * Like {@linkcode Socket.connect}, but returns an errno number instead of
   * raising (0 on success), as Python's `connect_ex`.
   *
   * @param address the peer's address.
   * @param options `{ signal }`.
   * @returns 0, or the errno of the failure.
   *
   * @example
   * ```ts
   * import { socket } from "@pysocket/socket";
   * using s = socket();
   * console.log(await s.connect_ex(["127.0.0.1", 9])); // 111
   * ```
   */
  async connect_ex(
    address: AddressInput,
    options?: SignalOptions,
  ): Promise<number> {
    check_arity(ARITY.connect_ex, arguments);
    try {
      await this.connect(address, options);
      return 0;
    } catch (e) {
      // The address checks name the call, as CPython's (connect_ex(): port must be 0-65535.).
      if ((e instanceof TypeError || e instanceof RangeError) && e.message.startsWith("connect(): ")) {
        e.message = `connect_ex(): ${e.message.slice(11)}`;
      }
      if (
        e instanceof OSError && e.errno !== null &&
        !(e.constructor.name === "gaierror")
      ) return e.errno;
      if (e instanceof OSError && e.message === "timed out") return E.EAGAIN;
      throw e;
    }
  }

  /**
   * Wait for a connection on a listening socket.
   *
   * @param options `{ signal }`.
   * @returns `[conn, address]`: a new connected socket and the peer's address.
   * @throws {OSError} EINVAL when the socket is not listening.
   * @throws {TimeoutError} when the timeout passes (the connection, if it
   *   comes, is returned by the next accept).
   *
   * @example
   * ```ts
   * import { socket } from "@pysocket/socket";
   * using srv = socket();
   * srv.bind(["127.0.0.1", 0]);
   * srv.listen();
   * using c = socket();
   * await c.connect(srv.getsockname());
   * const [conn, addr] = await srv.accept();
   * console.log(addr[0]); // 127.0.0.1
   * conn.close();
   * ```
   */
  accept(options?: SignalOptions): Promise<[Socket<F>, AddressOf<F>]> {
    // Not an async function: a blocking accept (the common call) is a reaction on the queue's accept, without the
    // frame (~860 B per connection). Every error still comes as a rejection, as from an async function.
    try {
      check_arity(ARITY.accept, arguments);
      const signal = options === undefined ? undefined : bind_args("accept", [options], NO_ARGS).signal;
      this.#check_open();
      if (this.#dgram) throw new OSError(E.EOPNOTSUPP);
      const q = this.#accepts;
      if (!this.#listening || !q) throw new OSError(E.EINVAL);
      const dl = Deadline.of(this.#timeout, signal as AbortSignal | undefined);
      if (!dl.unbounded) return this.#accept_within(dl, q);
      const r = this.#accept_step(q);
      return Array.isArray(r) ? Promise.resolve(r) : r;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * A blocking accept: what is queued, else a wait for the accept in flight and once more. A socket detached
   * meanwhile goes on (CPython's accept(2) on the descriptor takes the connection).
   */
  #accept_step(q: AcceptQueue): [Socket<F>, AddressOf<F>] | Promise<[Socket<F>, AddressOf<F>]> {
    let t: Deno.Conn | null;
    try {
      t = q.take();
    } catch (e) {
      // The queue maps Deno's errors itself.
      throw this.#closed ? new OSError(E.EBADF) : e;
    }
    // A blocking accept holds the process while it waits (the accept in flight does not: _alive.ts).
    if (t === null) return held(q.poll()).then(() => this.#accept_step(q));
    return this.#accepted(t);
  }

  /** An accept with a timeout or a signal. */
  async #accept_within(dl: Deadline, q: AcceptQueue): Promise<[Socket<F>, AddressOf<F>]> {
    let t: Deno.Conn | null;
    try {
      // AcceptQueue.accept() without its frame: take what is queued, else wait for the accept in flight.
      while ((t = q.take()) === null) {
        await dl.wait(q.poll()); // non-blocking: EAGAIN unless one is queued
        // Detached meanwhile: a timed accept raises EBADF (CPython's poll() wakes, accept(-1)) and the connection
        // stays queued for the socket that adopts the number.
        if (this.#closed) throw new OSError(E.EBADF);
      }
    } catch (e) {
      if (this.#closed) throw new OSError(E.EBADF);
      // The queue maps Deno's errors itself; a signal's reason is passed on as is.
      throw e;
    }
    return this.#accepted(t);
  }

  /** The socket of an accepted connection, and its peer's address. */
  #accepted(t: Deno.Conn): [Socket<F>, AddressOf<F>] {
    const s = new Socket<F>(this.#family as F, this.#type, this.#proto);
    s.#timeout = default_timeout;
    if (this.#opts.size > 0) {
      // Shared until either side sets an option (accepted sockets inherit the listener's).
      SHARED_OPTS.add(this.#opts);
      s.#opts = this.#opts;
    }
    s[kState](t);
    // A Unix listener bound to a relative path: its connections show that path too (CPython), not Deno's absolute one.
    if (this.#family === AF_UNIX && this.#local !== null && this.#local !== s.#adapter.from_deno(t.localAddr)) {
      s.#local = this.#local;
    }
    return [s, s.#adapter.from_deno(t.remoteAddr) as AddressOf<F>];
  }

  // ---- receiving -----------------------------------------------------

  #check_recv_flags(flags: unknown): number {
    const f = c_int_flags(flags);
    // Linux ignores flags that mean nothing to a receive (MSG_CMSG_CLOEXEC, MSG_MORE, ...).
    return f & (MSG_PEEK | MSG_WAITALL | MSG_DONTWAIT | MSG_NOSIGNAL | MSG_TRUNC | MSG_OOB | MSG_ERRQUEUE);
  }

  /**
   * MSG_ERRQUEUE and MSG_OOB, as Linux answers them here (after the open check): the error queue is always
   * empty (EAGAIN); a stream socket never has urgent data to read (EINVAL; a listener: ENOTCONN); UDP
   * ignores MSG_OOB. Returns the flags left for the receive.
   */
  #special_recv_flags(f: number): number {
    if (!(f & (MSG_OOB | MSG_ERRQUEUE))) return f;
    if (this.#family === AF_UNIX) {
      // unix_dgram_recvmsg and unix_stream_read_generic never look at MSG_ERRQUEUE (the data is returned); MSG_OOB is
      // EOPNOTSUPP on a datagram socket, EINVAL on a stream (no urgent byte: Deno sends none) (A26-4).
      if (!(f & MSG_OOB)) return f & ~MSG_ERRQUEUE;
      throw new OSError(this.#dgram ? E.EOPNOTSUPP : E.EINVAL);
    }
    if (f & MSG_ERRQUEUE) throw from_errno(E.EAGAIN);
    if (this.#dgram) return f & ~MSG_OOB;
    throw new OSError(this.#listening ? E.ENOTCONN : E.EINVAL);
  }

  #check_bufsize(v: unknown, op: string): number {
    const n = c_ssize(v); // "n": OverflowError past a Py_ssize_t, either sign, before the sign check
    if (n < 0) throw new RangeError(`negative buffersize in ${op}`);
    return n;
  }

  /** The stream read shared by recv, recv_into and recvfrom. */
  async #stream_read(
    n: number,
    flags: number,
    dl: Deadline,
    into: Uint8Array | null,
  ): Promise<Uint8Array | number> {
    if (this.#stream === null) {
      const g = this.#connect_gate(dl);
      if (g !== null) {
        await g;
        // Detached meanwhile (A14c-1): a blocking read goes on on the socket that has the connection, as CPython's
        // recv(2) on the descriptor.
        const o = this.#detached_blocking(dl) ? this.#x!.moved : null;
        if (o !== null && !o.#closed) return o.#stream_read(n, flags, dl, into);
      }
    }
    // Linux: recv on an unconnected Unix stream socket is EINVAL (TCP: ENOTCONN; EOF after a refused
    // connect whose error SO_ERROR gave, see #aborted).
    if (!this.#stream && !this.#closed) {
      if (this.#family === AF_UNIX) throw new OSError(E.EINVAL);
      const pending = this.#take_so_error(); // a connect in flight aborted by shutdown() (A18a-7)
      if (pending !== null) throw pending;
      if (this.#aborted !== 0 && this.#connecting === null) return into ? 0 : new Uint8Array(0);
    }
    const st = this.#stream_or_throw();
    const r = st.reader;
    // A big recv_into that cannot be abandoned reads straight into the caller's buffer.
    if (into && n >= DIRECT_READ && flags === 0 && dl.unbounded && r.idle) {
      try {
        return await r.read_into(into.length > n ? into.subarray(0, n) : into);
      } catch (e) {
        if (this.#closed) throw new OSError(E.EBADF);
        throw e;
      }
    }
    if (n > 0) {
      // MSG_WAITALL waits for all n bytes only on a blocking socket: CPython's
      // timed and non-blocking sockets are non-blocking descriptors, where it
      // returns what is there once something is.
      const want = flags & MSG_WAITALL && dl.at === Infinity && !dl.nonblocking ? n : 1;
      // Another task's recv may take the bytes between fill() and here: wait
      // again until `want` are buffered (or EOF or an error), so an empty
      // result never reads as a false EOF and MSG_WAITALL is never short.
      // (fill() is awaited even when bytes are buffered: a readline() called
      // right after this recv, in the same turn, takes its buffered line first,
      // as the file's own buffer would in CPython.)
      do {
        try {
          await r.fill(want, dl);
        } catch (e) {
          if (this.#closed) throw new OSError(E.EBADF);
          throw e;
        }
      } while (r.buffered < want && !r.ended && (!this.#closed || this.#detached_blocking(dl)));
      // Linux's AF_UNIX recv(n, MSG_WAITALL) that runs out of bytes at the peer's reset returns what it has and
      // consumes the reset (unix_stream_read_generic's sock_error()): the next recv reads EOF (A29-1). TCP keeps it.
      // (MSG_PEEK leaves it: Linux's peek copies without consuming, and skips sock_error()'s path. A30-7.)
      if (
        want > 1 && !(flags & MSG_PEEK) && r.buffered > 0 && r.buffered < want && this.#family === AF_UNIX &&
        r.error_pending
      ) {
        r.take_error();
      }
    }
    if (this.#closed && !this.#detached_blocking(dl)) throw new OSError(E.EBADF);
    if (flags & MSG_TRUNC && this.#family !== AF_UNIX) {
      // Linux's TCP: MSG_TRUNC drops the bytes instead of copying them. CPython returns that many bytes of its
      // uninitialized buffer (zeros here); recv_into() reports the count and leaves the buffer as it was.
      const got = flags & MSG_PEEK ? r.peek(n) : r.take(n);
      return into ? got.length : new Uint8Array(got.length);
    }
    if (into) {
      const view = into.length > n ? into.subarray(0, n) : into;
      if (flags & MSG_PEEK) return r.take_into(view, false);
      return r.take_into(view);
    }
    return flags & MSG_PEEK ? r.peek(n) : r.take(n);
  }

  // A blocking recv(n)/recv_into(buf) with nothing buffered (a round trip's reply): one reaction on the
  // reader's wake-up instead of #stream_read's and fill()'s async frames (~1.1 KB and four ticks per call).
  // One such call at a time per socket; any other (a second task, a file's reads) takes the general path.
  #wt_st: StreamState | null = null;
  #wt_n = 0;
  #wt_into: Uint8Array | null = null;
  #wt_done: (() => Uint8Array | number | Promise<Uint8Array | number>) | null = null;

  #wait_take(st: StreamState, n: number, into: Uint8Array | null): Promise<Uint8Array | number> | null {
    if (this.#wt_st !== null || this.#filed) return null;
    const r = st.reader;
    if (r.buffered > 0 || r.ended || r.closed) return null;
    this.#wt_st = st;
    this.#wt_n = n;
    this.#wt_into = into;
    return r.poll_take().then(this.#wt_done ??= () => this.#wait_taken());
  }

  /** #wait_take()'s wake-up: the bytes (or EOF, the stored error, EBADF), or a wait for the next one. */
  #wait_taken(): Uint8Array | number | Promise<Uint8Array | number> {
    const st = this.#wt_st!, r = st.reader, into = this.#wt_into;
    // A detach() under this (blocking) wait does not end it: see #detached_blocking.
    const gone = this.#closed && !(this.#x !== null && this.#x.detached);
    if (!gone && !r.closed && r.buffered < 1 && !r.ended) {
      return r.poll_take().then(this.#wt_done!); // woken, yet nothing to take (another caller took it): wait again
    }
    this.#wt_st = this.#wt_into = null;
    if (gone || r.closed) throw new OSError(E.EBADF);
    return into !== null ? r.take_into(into) : r.take(this.#wt_n);
  }

  /**
   * Receive up to `bufsize` bytes. Returns an empty array at end of stream.
   *
   * @param bufsize the most bytes to return.
   * @param flags MSG_PEEK, MSG_WAITALL, MSG_DONTWAIT, MSG_TRUNC (MSG_OOB: EINVAL on streams; others ignored, as Linux).
   * @param options `{ signal }`.
   * @returns the bytes received.
   * @throws {TimeoutError} when the timeout passes; nothing is lost.
   *
   * @example
   * ```ts
   * import { socketpair } from "@pysocket/socket";
   * const [a, b] = await socketpair();
   * await a.sendall(new Uint8Array([1, 2, 3]));
   * console.log(await b.recv(10)); // Uint8Array [1, 2, 3]
   * a.close(); b.close();
   * ```
   */
  recv(
    bufsize: number,
    flags?: number | RecvOptions,
    options?: RecvOptions,
  ): Promise<Uint8Array> {
    if (arguments.length !== 1 || typeof bufsize !== "number") check_arity(ARITY.recv, arguments);
    const st = this.#stream;
    if (
      st !== null && flags === undefined && options === undefined && typeof bufsize === "number" && bufsize > 0 &&
      bufsize <= 0x7fffffff && Number.isInteger(bufsize) && !this.#closed
    ) {
      // A plain recv(n) with bytes buffered (select() said readable): taken now, with no
      // argument binding and no async frame. On a socket with a file (makefile()), one
      // microtask later: that tick keeps the slow path's order, a readline() called
      // right after this recv() takes a line buffered for its file first.
      // (A top-up read due its settle turn takes the slow path, which gives it that turn: A21-6.)
      if (st.reader.buffered > 0 && !st.reader.settle_due) {
        if (!this.#filed) return Promise.resolve(st.reader.take(bufsize));
        return DONE_TICK.then(() =>
          this.#stream === st && !this.#closed && st.reader.buffered > 0
            ? st.reader.take(bufsize)
            : this.#recv(bufsize, flags, options)
        );
      }
      // The common call on a connected blocking stream socket goes straight to the stream read.
      // (A timed or non-blocking one keeps its frame: the send queue's flush and the
      // select() emulation are paced by the event-loop turns its calls take.)
      if (this.#timeout === null) {
        return (this.#wait_take(st, bufsize, null) ??
          this.#stream_read(bufsize, 0, Deadline.of(null), null)) as Promise<Uint8Array>;
      }
    }
    return this.#recv(bufsize, flags, options);
  }

  /** recv() in full: arguments bound and checked, then the socket's receive. */
  async #recv(bufsize: number, flags?: number | RecvOptions, options?: RecvOptions): Promise<Uint8Array> {
    let n: number, f = 0, signal: unknown;
    if (flags === undefined && options === undefined && typeof bufsize === "number") {
      n = this.#check_bufsize(bufsize, "recv"); // the common call, recv(n): nothing to bind by name
    } else {
      const a = bind_args("recv", [bufsize, flags, options], RECV_ARGS);
      n = this.#check_bufsize(a.bufsize, "recv");
      f = this.#check_recv_flags(a.flags);
      signal = a.signal;
    }
    if (n === 0) return new Uint8Array(0); // CPython returns b'' before it looks at the socket
    this.#check_open();
    f = this.#special_recv_flags(f);
    const dl = this.#deadline(f, signal);
    if (this.#dgram) return (await this.#dgram.recv(n, f, dl))[0];
    return await this.#stream_read(n, f, dl, null) as Uint8Array;
  }

  /**
   * Receive into a buffer; returns the number of bytes written to it.
   *
   * @param buffer where to write.
   * @param nbytes the most bytes to receive (default: the buffer's size).
   * @param flags as {@linkcode Socket.recv}.
   * @param options `{ signal }`.
   * @returns the count received (0 at end of stream).
   *
   * @example
   * ```ts
   * import { socketpair } from "@pysocket/socket";
   * const [a, b] = await socketpair();
   * await a.sendall(new Uint8Array([7, 8]));
   * const buf = new Uint8Array(16);
   * console.log(await b.recv_into(buf)); // 2
   * a.close(); b.close();
   * ```
   */
  recv_into(
    buffer: Buffer,
    nbytes?: number | RecvOptions,
    flags?: number | RecvOptions,
    options?: RecvOptions,
  ): Promise<number> {
    if (arguments.length !== 1 || !(buffer instanceof Uint8Array)) check_arity(ARITY.recv_into, arguments);
    // The common call on a connected blocking stream socket goes straight to the stream read.
    // (A timed or non-blocking one keeps its frame: the send queue's flush and the
    // select() emulation are paced by the event-loop turns its calls take.)
    const st = this.#stream;
    if (
      nbytes === undefined && flags === undefined && options === undefined && buffer instanceof Uint8Array &&
      st !== null && !this.#closed && this.#timeout === null
    ) {
      const n = buffer.length;
      if (n === 0) return Promise.resolve(0); // CPython's recv of 0 bytes does nothing (a datagram stays)
      return ((n < DIRECT_READ ? this.#wait_take(st, n, buffer) : null) ??
        this.#stream_read(n, 0, Deadline.of(null), buffer)) as Promise<number>;
    }
    return this.#recv_into(buffer, nbytes, flags, options);
  }

  async #recv_into(
    buffer: Buffer,
    nbytes?: number | RecvOptions,
    flags?: number | RecvOptions,
    options?: RecvOptions,
  ): Promise<number> {
    let view: Uint8Array, n: number, f = 0, signal: unknown;
    if (nbytes === undefined && flags === undefined && options === undefined && buffer instanceof Uint8Array) {
      view = buffer; // the common call, recv_into(buf): nothing to bind by name
      n = view.length;
    } else {
      const a = bind_args("recv_into", [buffer, nbytes, flags, options], RECV_INTO_ARGS);
      view = rw_buffer(a.buffer, "recv_into");
      n = a.nbytes === undefined || a.nbytes === 0 ? view.length : this.#check_bufsize(a.nbytes, "recv_into");
      if (n > view.length) {
        throw new RangeError("buffer too small for requested bytes");
      }
      f = this.#check_recv_flags(a.flags);
      signal = a.signal;
    }
    // CPython's sock_recv_guts: "If 0 bytes were requested, do nothing" (no datagram is taken, no wait).
    if (n === 0) return 0;
    this.#check_open();
    f = this.#special_recv_flags(f);
    const dl = this.#deadline(f, signal);
    if (this.#dgram) {
      return (await this.#dgram.recv_into(view.subarray(0, n), f, dl))[0];
    }
    return await this.#stream_read(n, f, dl, view) as number;
  }

  /**
   * Receive bytes and the sender's address (for datagrams; a stream socket
   * reports its peer's address as Python's does on Linux: `null`-like
   * unbound address is not used, the peer is returned).
   *
   * @param bufsize the most bytes to return.
   * @param flags as {@linkcode Socket.recv}.
   * @param options `{ signal }`.
   * @returns `[data, address]`.
   *
   * @example
   * ```ts
   * import { socketpair } from "@pysocket/socket";
   * const [a, b] = await socketpair();
   * await a.sendall(new Uint8Array([1]));
   * const [data] = await b.recvfrom(10);
   * console.log(data.length); // 1
   * a.close(); b.close();
   * ```
   */
  async recvfrom(
    bufsize: number,
    flags?: number | RecvOptions,
    options?: RecvOptions,
  ): Promise<[Uint8Array, AddressOf<F> | null]> {
    check_arity(ARITY.recvfrom, arguments);
    const a = bind_args("recvfrom", [bufsize, flags, options], [
      "bufsize",
      "flags",
    ]);
    const n = this.#check_bufsize(a.bufsize, "recvfrom");
    let f = this.#check_recv_flags(a.flags);
    this.#check_open();
    f = this.#special_recv_flags(f);
    const dl = this.#deadline(f, a.signal);
    if (this.#dgram) {
      const got = await this.#dgram.recv(n, f, dl) as [Uint8Array, AddressOf<F> | null];
      if (this.#unnamed && got[1] === this.#partner) got[1] = null; // an unnamed sender, as socketpair(2)'s other end
      return got;
    }
    if (n === 0 && !(f & MSG_TRUNC)) {
      // recvfrom(2) with len 0 on a stream waits until a byte (or EOF) is there and takes nothing (CPython makes
      // the call; only recv() and recv_into() return at once).
      const st = this.#stream;
      if (st !== null) {
        await st.reader.fill(1, dl);
        if (this.#closed) throw new OSError(E.EBADF);
      }
    }
    const data = await this.#stream_read(n, f, dl, null) as Uint8Array;
    return [data, data.length === 0 && !this.#queued() ? null : this.#stream_sender()];
  }

  /**
   * The sender's address a stream recvfrom() reports: on AF_UNIX, Linux's unix_stream_read_generic gives the
   * peer's name (a client reads its listener's path; an unnamed peer, as a socketpair end: None); TCP gives none
   * (A26-5).
   */
  /** Bytes are buffered to be read (a receive of 0 bytes still names their sender; at EOF there is none). */
  #queued(): boolean {
    return this.#family === AF_UNIX && (this.#stream?.reader.buffered ?? 0) > 0;
  }

  #stream_sender(): AddressOf<F> | null {
    if (this.#family !== AF_UNIX) return null;
    try {
      const p = this.getpeername() as unknown;
      return p === "" || (p instanceof Uint8Array && p.length === 0) ? null : p as AddressOf<F>;
    } catch {
      return null;
    }
  }

  /**
   * Receive into a buffer, with the sender's address.
   *
   * @param buffer where to write.
   * @param nbytes the most bytes to receive (default: the buffer's size).
   * @param flags as {@linkcode Socket.recv}.
   * @param options `{ signal }`.
   * @returns `[count, address]`.
   *
   * @example
   * ```ts
   * import { socketpair } from "@pysocket/socket";
   * const [a, b] = await socketpair();
   * await a.sendall(new Uint8Array([1, 2]));
   * const [n] = await b.recvfrom_into(new Uint8Array(8));
   * console.log(n); // 2
   * a.close(); b.close();
   * ```
   */
  async recvfrom_into(
    buffer: Buffer,
    nbytes?: number | RecvOptions,
    flags?: number | RecvOptions,
    options?: RecvOptions,
  ): Promise<[number, AddressOf<F> | null]> {
    check_arity(ARITY.recvfrom_into, arguments);
    const a = bind_args("recvfrom_into", [buffer, nbytes, flags, options], [
      "buffer",
      "nbytes",
      "flags",
    ]);
    const view = rw_buffer(a.buffer, "recvfrom_into");
    const n = a.nbytes === undefined || a.nbytes === 0 ? view.length : this.#check_bufsize(a.nbytes, "recvfrom_into");
    if (n > view.length) {
      throw new RangeError("nbytes is greater than the length of the buffer");
    }
    let f = this.#check_recv_flags(a.flags);
    this.#check_open();
    f = this.#special_recv_flags(f);
    const dl = this.#deadline(f, a.signal);
    if (this.#dgram) {
      const got = await this.#dgram.recv_into(view.subarray(0, n), f, dl) as [number, AddressOf<F> | null];
      if (this.#unnamed && got[1] === this.#partner) got[1] = null; // an unnamed sender, as socketpair(2)'s other end
      return got;
    }
    if (n === 0 && !(f & MSG_TRUNC) && this.#stream !== null) {
      await this.#stream.reader.fill(1, dl); // recvfrom(2) of 0 bytes waits for a byte or EOF, taking nothing
      if (this.#closed) throw new OSError(E.EBADF);
    }
    const got = await this.#stream_read(n, f, dl, view) as number;
    return [got, got === 0 && !this.#queued() ? null : this.#stream_sender()];
  }

  // ---- sending -------------------------------------------------------

  #check_send_flags(flags: unknown): number {
    const f = c_int_flags(flags);
    // Linux ignores flags that mean nothing to a send (MSG_PEEK, MSG_WAITALL) and takes MSG_MORE, MSG_EOR and
    // MSG_CONFIRM as hints. MSG_OOB is kept: refused where Linux looks at it (#urgent, the datagram engine), after
    // the open and state checks (A26-2).
    return f & (MSG_DONTWAIT | MSG_NOSIGNAL | MSG_OOB);
  }

  /**
   * A stream send with MSG_OOB, once the socket is known connected: after SHUT_WR it is EPIPE, as Linux's, else
   * refused (Deno cannot send urgent data: the peer would read it inline).
   */
  #urgent(st: StreamState): never {
    if (st.writer.shut) throw from_errno(E.EPIPE);
    throw new OSError(E.EOPNOTSUPP, null, { detail: "send flag MSG_OOB: Deno cannot send urgent data" });
  }

  /**
   * Send some of the bytes; returns how many were taken. A blocking socket
   * writes straight to Deno; with a timeout or non-blocking, bytes go
   * through a bounded send queue (a Deno write cannot be taken back).
   *
   * @param data bytes-like.
   * @param flags MSG_DONTWAIT, MSG_NOSIGNAL.
   * @param options `{ signal }`.
   * @returns the count of bytes sent.
   * @throws {TypeError} for a string.
   *
   * @example
   * ```ts
   * import { socketpair } from "@pysocket/socket";
   * const [a, b] = await socketpair();
   * console.log(await a.send(new Uint8Array(3))); // 3
   * a.close(); b.close();
   * ```
   */
  send(
    data: Buffer,
    flags?: number | SignalOptions,
    options?: SignalOptions,
  ): Promise<number> {
    if (arguments.length !== 1 || !(data instanceof Uint8Array)) check_arity(ARITY.send, arguments);
    // The common call on a connected blocking stream socket goes straight to the writer.
    // (A timed or non-blocking one skips #send()'s async frame below but keeps its ticks: the send
    // queue's flush and the select() emulation are paced by the event-loop turns its calls take.)
    if (
      flags === undefined && options === undefined && data instanceof Uint8Array && this.#stream !== null &&
      !this.#closed && this.#timeout === null
    ) {
      return this.#stream.writer.send(data, Deadline.of(null));
    }
    // A plain timed or non-blocking send settles two ticks later, as #send()'s async frame did (no frame made:
    // ~600 bytes per call on a select() echo path); those ticks let a write the kernel took at once settle
    // before the caller sends again (tests/ported nb_sender: "blocked at least once: False", as CPython).
    const st = this.#stream;
    if (st !== null && flags === undefined && options === undefined && data instanceof Uint8Array && !this.#closed) {
      return st.writer.send(data, Deadline.of(this.#timeout)).then(same);
    }
    return this.#send(data, flags, options);
  }

  async #send(data: Buffer, flags?: number | SignalOptions, options?: SignalOptions): Promise<number> {
    // A plain send(bytes) on a connected timed or non-blocking stream socket:
    // straight to the writer, no argument binding. (Awaited in this async frame
    // on purpose: its ticks let a write the kernel took at once settle before
    // the caller sends again, so a non-blocking send loop does not fill the
    // queue with bytes already gone.)
    const st = this.#stream;
    if (st !== null && flags === undefined && options === undefined && data instanceof Uint8Array && !this.#closed) {
      return await st.writer.send(data, Deadline.of(this.#timeout));
    }
    let bytes: Uint8Array, f = 0, signal: unknown;
    if (flags === undefined && options === undefined && data instanceof Uint8Array) {
      bytes = data; // the common call, send(data): nothing to bind by name
    } else {
      const a = bind_args("send", [data, flags, options], SEND_ARGS);
      bytes = as_bytes(a.data);
      f = this.#check_send_flags(a.flags);
      signal = a.signal;
    }
    this.#check_open();
    const dl = this.#deadline(f, signal);
    if (this.#dgram) return await this.#dgram.send(bytes, f, dl);
    let to = this.#stream;
    if (to === null) {
      const g = this.#connect_gate(dl);
      if (g !== null) await g;
      to = this.#send_stream(dl);
      if (!to) throw this.#unconnected_send();
    }
    if (f & MSG_OOB) this.#urgent(to);
    return await to.writer.send(bytes, dl);
  }

  /**
   * Send all of the bytes, waiting as needed. On a timeout, some bytes may
   * have been sent (as in Python); none are sent twice.
   *
   * @param data bytes-like.
   * @param flags MSG_DONTWAIT, MSG_NOSIGNAL.
   * @param options `{ signal }`.
   *
   * @example
   * ```ts
   * import { socketpair } from "@pysocket/socket";
   * const [a, b] = await socketpair();
   * await a.sendall(new TextEncoder().encode("hello"));
   * console.log((await b.recv(5)).length); // 5
   * a.close(); b.close();
   * ```
   */
  sendall(
    data: Buffer,
    flags?: number | SignalOptions,
    options?: SignalOptions,
  ): Promise<void> {
    if (arguments.length !== 1 || !(data instanceof Uint8Array)) check_arity(ARITY.sendall, arguments);
    // The common call on a connected blocking stream socket goes straight to the writer.
    // (A timed or non-blocking one keeps its frame: the send queue's flush and the
    // select() emulation are paced by the event-loop turns its calls take.)
    if (
      flags === undefined && options === undefined && data instanceof Uint8Array && this.#stream !== null &&
      !this.#closed && this.#timeout === null
    ) {
      return this.#stream.writer.send_all(data, Deadline.of(null));
    }
    return this.#sendall(data, flags, options);
  }

  async #sendall(data: Buffer, flags?: number | SignalOptions, options?: SignalOptions): Promise<void> {
    let bytes: Uint8Array, f = 0, signal: unknown;
    if (flags === undefined && options === undefined && data instanceof Uint8Array) {
      bytes = data; // the common call, sendall(data): nothing to bind by name
    } else {
      const a = bind_args("sendall", [data, flags, options], SEND_ARGS);
      bytes = as_bytes(a.data);
      f = this.#check_send_flags(a.flags);
      signal = a.signal;
    }
    this.#check_open();
    const dl = this.#deadline(f, signal);
    if (this.#dgram) {
      await this.#dgram.send(bytes, f, dl);
      return;
    }
    let st = this.#stream;
    if (st === null) {
      const g = this.#connect_gate(dl);
      if (g !== null) await g;
      st = this.#send_stream(dl);
      if (!st) throw this.#unconnected_send();
    }
    if (f & MSG_OOB) this.#urgent(st);
    await st.writer.send_all(bytes, dl);
  }

  /**
   * Send a datagram to an address: `sendto(data, address)` or
   * `sendto(data, flags, address)`.
   *
   * @param data bytes-like.
   * @param flagsOrAddress flags, or the address.
   * @param address the address when flags are given.
   * @param options `{ signal }`.
   * @returns the count of bytes sent.
   *
   * @example
   * ```ts ignore
   * import { AF_INET, SOCK_DGRAM, socket } from "@pysocket/socket";
   * using s = socket(AF_INET, SOCK_DGRAM);
   * await s.sendto(new Uint8Array([1]), ["127.0.0.1", 9999]);
   * ```
   */
  async sendto(
    data: Buffer,
    flagsOrAddress: number | AddressInput | null,
    address?: AddressInput | null | SignalOptions,
    // deno-lint-ignore no-unused-vars -- read through `arguments` (its place depends on the call's shape)
    options?: SignalOptions,
  ): Promise<number> {
    check_arity(ARITY.sendto, arguments);
    // CPython: sendto(data, address) or sendto(data, flags, address); here a trailing { signal } besides.
    // Trailing undefined (a subclass forwarding every parameter) is no argument, before and after the options.
    let n = arguments.length;
    while (n > 0 && arguments[n - 1] === undefined) n--;
    const kw: unknown = n > 0 && is_plain_object(arguments[n - 1]) ? arguments[--n] : undefined;
    while (n > 0 && arguments[n - 1] === undefined) n--;
    if (n < 2 || n > 3) {
      return Promise.reject(new TypeError(`sendto() takes 2 or 3 arguments (${n} given)`));
    }
    if (n === 3 && typeof flagsOrAddress !== "number" && typeof flagsOrAddress !== "bigint") {
      // The flags' place holds something else (sendto(data, null, address)): as CPython's int conversion.
      return Promise.reject(
        new TypeError(`'${py_type(flagsOrAddress)}' object cannot be interpreted as an integer`),
      );
    }
    const args = n === 3 ? [data, flagsOrAddress, address, kw] : [data, 0, flagsOrAddress, kw];
    const a = bind_args("sendto", args, ["data", "flags", "address"]);
    const bytes = as_bytes(a.data);
    const f = this.#check_send_flags(a.flags);
    const ep = this.#adapter.parse(a.address, "sendto"); // before the descriptor, as CPython (A26-1)
    this.#check_open();
    const dl = this.#deadline(f, a.signal);
    if (!this.#dgram) {
      // Linux ignores the address of a sendto() on a connected TCP socket;
      // a Unix stream socket refuses it (EISCONN, or EOPNOTSUPP unconnected).
      let st = this.#stream;
      if (st === null) {
        const g = this.#connect_gate(dl);
        if (g !== null) await g;
        st = this.#send_stream(dl);
      }
      if (this.#family === AF_UNIX) throw new OSError(st ? E.EISCONN : E.EOPNOTSUPP);
      if (st && f & MSG_OOB) this.#urgent(st);
      if (st) return await st.writer.send(bytes, dl);
      throw from_errno(E.EPIPE);
    }
    const target = await this.#resolve(ep, dl);
    try {
      return await this.#dgram.sendto(bytes, f, target, dl);
    } catch (e) {
      throw map_error(e, this.#detail("sendto", a.address as Address));
    }
  }

  /**
   * Send a file's bytes: `count` bytes (default: to the end) from `offset`
   * (default: the file's position). Returns the count sent; the file's
   * position ends after the last byte sent, as in Python.
   *
   * @param file a `Deno.FsFile` (anything with `read` and `seek`).
   * @param offset where to start.
   * @param count how many bytes at most.
   * @returns the number of bytes sent.
   *
   * @example
   * ```ts ignore
   * import { socket } from "@pysocket/socket";
   * using s = socket();
   * using f = await Deno.open("README.md");
   * const sent = await s.sendfile(f);
   * ```
   */
  async sendfile(
    file: Pick<Deno.FsFile, "read" | "seek">,
    offset?: number | SendfileOptions,
    count?: number | null | SendfileOptions,
    options?: SendfileOptions,
  ): Promise<number> {
    check_arity(ARITY.sendfile, arguments);
    const a = bind_args("sendfile", [file, offset, count, options], [
      "file",
      "offset",
      "count",
    ]);
    const f = a.file as Pick<Deno.FsFile, "read" | "seek">;
    if (!f || typeof f.read !== "function" || typeof f.seek !== "function") {
      throw new TypeError(
        "sendfile(): file must be a file object opened in binary mode",
      );
    }
    if (this.#dgram) throw new RangeError("only SOCK_STREAM type sockets are supported"); // CPython's ValueError
    // os.sendfile() takes the offset as a C long (an off_t) and the count as a Py_ssize_t: OverflowError past them.
    const off = a.offset === undefined ? null : c_long(a.offset);
    if (off !== null && off < 0) {
      // CPython hands the offset to os.sendfile, which fails with EINVAL.
      throw new OSError(E.EINVAL); // CPython's os.sendfile() error: str(e) is "[Errno 22] Invalid argument"
    }
    if (
      a.count !== undefined && a.count !== null && typeof a.count !== "boolean" && typeof a.count !== "bigint" &&
      !Number.isInteger(a.count)
    ) {
      // CPython's isinstance(count, int) check, with the value's repr.
      const shown = typeof a.count === "string"
        ? `'${a.count}'`
        : typeof a.count === "number"
        ? String(a.count)
        : py_type(a.count);
      throw new TypeError(`count must be a positive integer (got ${shown})`);
    }
    const cnt = a.count === undefined || a.count === null ? Infinity : as_int(a.count);
    if (cnt >= 2 ** 63 && cnt !== Infinity) c_ssize(a.count); // os.sendfile's "n": count 2**63 is OverflowError
    if (cnt <= 0) {
      throw new RangeError(`count must be a positive integer (got ${cnt})`);
    }
    this.#check_open();
    if (this.#timeout === 0) throw new RangeError("non-blocking sockets are not supported"); // CPython's ValueError
    const dl = Deadline.of(this.#timeout, a.signal as AbortSignal | undefined);
    let st = this.#stream;
    if (st === null) {
      const g = this.#connect_gate(dl);
      if (g !== null) await g;
      st = this.#send_stream(dl);
      if (!st) throw this.#unconnected_send();
    }
    // CPython on Linux hands `offset` (default 0) to os.sendfile, whatever the file's position; its send()
    // fallback (SSLSocket's only way) starts at the file's position unless offset is non-zero.
    const from_position = this._sendfile_from_position() && !off;
    const position = await f.seek(0, Deno.SeekMode.Current);
    const start = from_position ? position : (off ?? 0);
    if (!from_position) await f.seek(start, Deno.SeekMode.Start);
    const buf = new Uint8Array(Math.min(256 * 1024, cnt));
    let total = 0, read_to = start;
    try {
      while (total < cnt) {
        const want = Math.min(buf.length, cnt - total);
        const n = await f.read(buf.subarray(0, want));
        if (n === null || n === 0) break;
        read_to += n;
        // send() by send(), so a timeout knows how many bytes went.
        for (let o = 0; o < n;) {
          const k = await st.writer.send(buf.subarray(o, n), dl, true); // (a sendfile met by a reset: EPIPE, as Linux's)
          o += k;
          total += k;
        }
      }
    } finally {
      // As CPython: the file's position ends after the last byte sent, even on a timeout; os.sendfile
      // leaves it alone when nothing was sent.
      if (total === 0 && !from_position) await f.seek(position, Deno.SeekMode.Start);
      else if (read_to !== start + total) await f.seek(start + total, Deno.SeekMode.Start);
    }
    return total;
  }

  /**
   * Whether `sendfile()` without an offset starts at the file's position (CPython's send() fallback, which
   * SSLSocket uses) rather than at offset 0 (os.sendfile on a plain socket).
   * @ignore
   */
  protected _sendfile_from_position(): boolean {
    return false;
  }

  // ---- shutting down -------------------------------------------------

  /**
   * Shut down one or both halves: SHUT_WR sends EOF to the peer while
   * reading goes on; SHUT_RD makes further `recv` return EOF once buffered
   * bytes are read. Every call waiting on the socket in another task sees
   * it at once: `recv`, `readline` and `select` return EOF/readable after
   * SHUT_RD, and a `sendall` waiting for room raises `BrokenPipeError` after
   * SHUT_WR. Never waits for the peer to read: bytes `send` already took go
   * out in the background, then the EOF (a peer that reads none of them for
   * 30 s gets the connection closed). On a listening socket SHUT_WR does
   * nothing and SHUT_RD/SHUT_RDWR stop listening (a waiting `accept` raises
   * `EINVAL`; `listen()` again binds a new port), as on Linux. On a socket
   * whose connect is in flight, it aborts the connect (a `connect()` waiting
   * for it in another task raises `ConnectionResetError`, as in CPython).
   *
   * @param how SHUT_RD, SHUT_WR or SHUT_RDWR.
   * @throws {OSError} ENOTCONN when not connected, or once the peer reset
   *   the connection (for SHUT_WR alone: once a read or write has seen the
   *   reset, as SHUT_WR does not wait for news); EINVAL for a bad `how`.
   *
   * @example
   * ```ts
   * import { SHUT_WR, socketpair } from "@pysocket/socket";
   * const [a, b] = await socketpair();
   * await a.shutdown(SHUT_WR);
   * console.log((await b.recv(10)).length); // 0
   * a.close(); b.close();
   * ```
   */
  async shutdown(how: number): Promise<void> {
    check_arity(ARITY.shutdown, arguments);
    const h = c_int_as_int(how); // CPython's _PyLong_AsInt: OverflowError past a C int, before the call (C2-1)
    this.#check_open();
    if (h !== SHUT_RD && h !== SHUT_WR && h !== SHUT_RDWR) {
      throw new OSError(E.EINVAL);
    }
    if (this.#dgram) return this.#dgram.shutdown(h);
    if (this.#listener) {
      // Linux: a listening socket may be shut down; SHUT_RD stops listening
      // and a waiting accept raises EINVAL. A bound, unlistened TCP socket is
      // not connected.
      if (!this.#listening && this.#family !== AF_UNIX) throw new OSError(E.ENOTCONN);
      if (h !== SHUT_WR && this.#listening) this.#stop_listening();
      return;
    }
    if (this.#stream === null && this.#connecting !== null && this.#connecting.error === null) {
      // Linux: shutdown() of a connect in flight aborts it; a connect() waiting
      // for it (in another task) raises ConnectionResetError, as in CPython.
      const c = this.#connecting;
      this.#connecting = null;
      c.error = from_errno(E.ECONNRESET);
      c.stop?.abort();
      // No connect() call waits to report it (non-blocking or timed out): Linux keeps ECONNRESET as the socket's
      // error, which the next send, recv or SO_ERROR reports once (A18a-7; was ENOTCONN/EPIPE, SO_ERROR 0).
      if (this.#calls === 0) this.#so_error = E.ECONNRESET;
      return;
    }
    if (!this.#stream && this.#family === AF_UNIX) return; // Linux: no error for Unix sockets
    if (!this.#stream && this.#aborted === 1 && this.#connecting === null) this.#aborted = 2;
    // Unconnected, also while a connect() in another task resolves its name: ENOTCONN, as Linux (A18a-1's sibling).
    const st = this.#stream;
    if (st === null) throw new OSError(E.ENOTCONN);
    const r = st.reader, w = st.writer;
    // After the peer reset the connection, the kernel's socket is closed: ENOTCONN.
    // SHUT_RD/SHUT_RDWR give a read one event-loop turn to tell (what it brings
    // is kept); SHUT_WR, which servers call on every request, does not wait:
    // it reports a reset only once a read or write has seen it.
    // (An end linked to a same-process peer that has sent nothing unread, nor closed, needs no turn: nothing can
    // come. The turn cost 1-4 ms, up to five after a fresh same-process write: 11 ms per SHUT_RD.)
    if (h !== SHUT_WR && !r.failed && !w.broken && !r.ended && (r.peer === null || r.expecting)) {
      await settles_now(r.poll());
    } // Sends made before this call with a write in flight get the same turn (as SHUT_RD/SHUT_RDWR give them
    // above): what the kernel would take at once is sent, as CPython's sends are, instead of being cut with
    // EPIPE, their bytes delivered or not (A10a-3; SHUT_RDWR after the peer's EOF too). A sendall blocked on a
    // peer that does not read is still cut.
    else if (h !== SHUT_RD && !w.idle && !w.broken) await settles_now(w.drain().catch(() => {}));
    // After a reset TCP's socket is closed (ENOTCONN); Linux's unix_shutdown() sets the flags all the same (A20-5).
    // So is it once both FINs went (A20-4: our SHUT_WR's and the peer's, once a read has met it).
    const gone = r.failed || w.broken;
    if ((gone || fins_exchanged(st)) && this.#family !== AF_UNIX) throw new OSError(E.ENOTCONN);
    if (h !== SHUT_WR) r.shut_read();
    // Never waits for the peer to read (what is queued goes out in the background).
    if (h !== SHUT_RD) await (gone ? w.shut_write().catch(() => {}) : w.shut_write());
    // TCP with our FIN sent: a read in flight (one look's worth, as select() keeps) learns of the peer's FIN, which
    // closes Linux's socket (getpeername() and shutdown() then raise ENOTCONN, A20-4).
    if (h === SHUT_WR && this.#family !== AF_UNIX && !r.ended && !r.reading) void r.poll();
  }

  /** shutdown(SHUT_RD) of a listener: it stops listening; its address stays until listen() binds again. */
  #stop_listening(): void {
    this.#local = this.getsockname();
    // A child being spawned may hold the listener a moment (fix22): a connect to it waits until it is gone, as after
    // close() (a CI run's connect_ex after SHUT_RD was accepted, where CPython's is refused).
    this.#note_let_go();
    // The closed queue stays: select() sees the socket readable, as Linux's poll does.
    this.#accepts?.close(E.EINVAL);
    this.#listener = null;
    this.#listening = false;
  }

  /**
   * Close the socket. Idempotent; waiting operations on it (in any task)
   * reject with `OSError` EBADF at once; bytes already queued by `send` are
   * still delivered (for up to 30 s to a peer that does not read). A
   * listener's port is free when `close()` returns unless an `accept` was in
   * flight: Deno then releases it one event-loop turn later. pysocket's own
   * `connect()` waits for that turn, and `await using` (or awaiting
   * `s[Symbol.asyncDispose]()`) resolves only once the port is free.
   *
   * @example
   * ```ts
   * import { socket } from "@pysocket/socket";
   * const s = socket();
   * s.close();
   * s.close();
   * console.log(s.fileno()); // -1
   * ```
   */
  close(): void {
    check_arity(ARITY.close, arguments);
    if (this.#closed) return;
    if (this.#mapped) fd_unmap(this.#fd, this);
    this.#closed = true;
    this.#connecting?.stop?.abort();
    this.#note_let_go();
    this.#dgram?.close();
    this.#accepts?.close();
    this.#listener = null;
    this.#accepts = null;
    const st = this.#stream;
    if (st) {
      if (st.close()) return close_transport(st.transport);
      // Deliver what send() queued, as the kernel does after close(2), but
      // give up after a linger time when the peer never reads.
      const close = () => close_transport(st.transport);
      const linger = setTimeout(close, LINGER_MS);
      Deno.unrefTimer(linger);
      st.drain().then(() => {
        clearTimeout(linger);
        close();
      });
    }
  }

  /**
   * Detach the socket from its Deno resource: the socket becomes closed
   * without closing the connection, and the returned number can be given to
   * `socket(family, type, proto, fileno)` to adopt it again.
   *
   * @returns the file number.
   *
   * @example
   * ```ts
   * import { socket } from "@pysocket/socket";
   * const s = socket();
   * const fd = s.detach();
   * using t = socket(undefined, undefined, undefined, fd);
   * console.log(t.fileno() === fd); // true
   * ```
   */
  detach(): number {
    check_arity(ARITY.detach, arguments);
    if (this.#closed) return -1;
    const fd = this.#fd;
    if (this.#mapped) fd_unmap(fd, this);
    const moved = new Socket(this.#family, this.#type, this.#proto);
    moved.#fd = fd;
    moved.#timeout = this.#timeout;
    moved.#opts = this.#opts;
    moved.#listener = this.#listener;
    moved.#accepts = this.#accepts;
    moved.#listening = this.#listening;
    moved.#backlog = this.#backlog;
    if (this.#x !== null) moved.#extra().deno_backlog = this.#x.deno_backlog;
    moved.#stream = this.#stream;
    moved.#connecting = this.#connecting;
    moved.#dgram = this.#dgram;
    this.#dgram?.moved();
    this.#extra().detached = true;
    this.#x!.moved = moved;
    detached.set(fd, moved);
    // The number stays open, as CPython's descriptor after detach() (the program has it: detach() returns it):
    // select()/poll()/epoll on it watch the socket.
    moved.#mapped = true;
    fd_map(fd, moved);
    this.#listener =
      this.#accepts =
      this.#stream =
      this.#connecting =
      this.#dgram =
        null;
    this.#closed = true;
    return fd;
  }

  /** Take over a detached socket's resources (socket(..., fileno)). */
  static _adopt(fd: number): Socket {
    const s = detached.get(fd);
    if (!s) throw new OSError(E.EBADF);
    detached.delete(fd);
    // As CPython's socket(fileno=…) and fromfd(): the new socket object gets the default timeout.
    s.#timeout = default_timeout;
    // CPython asks the descriptor (SO_PROTOCOL): the kernel names the protocol it picked for proto 0.
    if (s.#proto === 0 && s.#family !== AF_UNIX) s.#proto = s.#dgram ? IPPROTO_UDP : IPPROTO_TCP;
    return s;
  }

  /**
   * A number that identifies the socket (pysocket's own; Deno has no fds),
   * or -1 once closed.
   *
   * @returns the file number.
   *
   * @example
   * ```ts
   * import { socket } from "@pysocket/socket";
   * using s = socket();
   * console.log(s.fileno() >= 3); // true
   * ```
   */
  fileno(): number {
    check_arity(ARITY.fileno, arguments);
    if (this.#closed) return -1;
    // The number names this socket from now on (select/poll/epoll/selectors take numbers): once per socket, when
    // the program asks (pysocket's own calls are quiet).
    if (!this.#mapped && fd_table.quiet === 0) {
      this.#mapped = true;
      fd_map(this.#fd, this);
    }
    return this.#fd;
  }

  /** fileno() put this socket in the number table (see _fdmap.ts). */
  #mapped = false;

  // ---- Python surface Deno can only partly honour ---------------------

  /**
   * Python's `socket.dup()`. Deno has no file descriptors to duplicate, so
   * this raises; share the Socket object instead (or `detach()` it and adopt
   * the number with `socket(..., fileno)` to hand it over).
   *
   * @throws {OSError} EOPNOTSUPP always (EBADF when closed).
   *
   * @example
   * ```ts
   * import { socket } from "@pysocket/socket";
   * using s = socket();
   * try { s.dup(); } catch (e) { console.log((e as Error).message); }
   * ```
   */
  dup(): Socket {
    check_arity(ARITY.dup, arguments);
    this.#check_open();
    throw new OSError(E.EOPNOTSUPP, null, {
      detail: "dup(): Deno has no file descriptors to duplicate; share the Socket object instead",
    });
  }

  /**
   * Python's `get_inheritable()`: always false, as Deno's sockets are never
   * inherited by child processes.
   *
   * @returns false.
   * @throws {OSError} EBADF when closed.
   *
   * @example
   * ```ts
   * import { socket } from "@pysocket/socket";
   * using s = socket();
   * console.log(s.get_inheritable()); // false
   * ```
   */
  get_inheritable(): boolean {
    check_arity(ARITY.get_inheritable, arguments);
    this.#check_open();
    return false;
  }

  /**
   * Python's `set_inheritable(flag)`: `false` is what Deno does already;
   * `true` raises, as Deno cannot pass a socket to a child process.
   *
   * @param inheritable whether child processes should inherit the socket.
   * @throws {OSError} EOPNOTSUPP for `true`, EBADF when closed.
   *
   * @example
   * ```ts
   * import { socket } from "@pysocket/socket";
   * using s = socket();
   * s.set_inheritable(false);
   * ```
   */
  set_inheritable(inheritable: boolean): void {
    check_arity(ARITY.set_inheritable, arguments);
    const flag = c_int_as_int(inheritable) !== 0; // os.set_inheritable's int (C2-1 sibling)
    this.#check_open();
    if (flag) {
      throw new OSError(E.EOPNOTSUPP, null, {
        detail: "set_inheritable(True): Deno cannot pass sockets to child processes",
      });
    }
  }

  /**
   * Python's `recvmsg(bufsize, ancbufsize=0, flags=0)` without ancillary
   * data (Deno gives no access to control messages): returns
   * `[data, [], msg_flags, address]`.
   *
   * @param bufsize the most bytes to return.
   * @param ancbufsize must be 0 (ancillary data is not available on Deno).
   * @param flags as {@linkcode Socket.recv}.
   * @param options `{ signal }`.
   * @returns `[data, ancdata, msg_flags, address]`; ancdata is always empty.
   * @throws {OSError} EOPNOTSUPP when `ancbufsize` is not 0.
   *
   * @example
   * ```ts
   * import { socketpair } from "@pysocket/socket";
   * const [a, b] = await socketpair();
   * await a.sendall(new Uint8Array([1, 2]));
   * const [data, anc, flags] = await b.recvmsg(16);
   * console.log(data, anc, flags); // Uint8Array [1, 2] [] 0
   * a.close(); b.close();
   * ```
   */
  async recvmsg(
    bufsize: number,
    ancbufsize?: number | RecvOptions,
    flags?: number | RecvOptions,
    options?: RecvOptions,
  ): Promise<[Uint8Array, [number, number, Uint8Array][], number, Address | null]> {
    check_arity(ARITY.recvmsg, arguments);
    const a = bind_args("recvmsg", [bufsize, ancbufsize, flags, options], ["bufsize", "ancbufsize", "flags"]);
    // CPython parses all three ("n|ni") before looking at any: OverflowError first, then the sign.
    const size = c_ssize(a.bufsize);
    if (a.ancbufsize !== undefined && a.ancbufsize !== null) c_ssize(a.ancbufsize);
    c_int_flags(a.flags);
    if (size < 0) throw new RangeError("negative buffer size in recvmsg()");
    no_ancillary("recvmsg", a.ancbufsize);
    // A datagram longer than bufsize is cut, and msg_flags says MSG_TRUNC: ask for one byte more to know
    // (bufsize 0 too: recvmsg(0) of a non-empty datagram is MSG_TRUNC, as Linux).
    const probe = this.#dgram !== null;
    const [data, addr] = await this.recvfrom(probe ? size + 1 : size, a.flags as number | undefined ?? 0, {
      signal: a.signal as AbortSignal | undefined,
    });
    if (probe && data.length > size) return [data.subarray(0, size), [], MSG_TRUNC, addr];
    return [data, [], 0, addr];
  }

  /**
   * Python's `recvmsg_into(buffers, ancbufsize=0, flags=0)` without
   * ancillary data: fills the buffers in order and returns
   * `[nbytes, [], msg_flags, address]`.
   *
   * @param buffers writable bytes-like objects.
   * @param ancbufsize must be 0 (ancillary data is not available on Deno).
   * @param flags as {@linkcode Socket.recv}.
   * @param options `{ signal }`.
   * @returns `[nbytes, ancdata, msg_flags, address]`.
   * @throws {OSError} EOPNOTSUPP when `ancbufsize` is not 0.
   *
   * @example
   * ```ts
   * import { socketpair } from "@pysocket/socket";
   * const [a, b] = await socketpair();
   * await a.sendall(new Uint8Array([1, 2, 3]));
   * const x = new Uint8Array(2), y = new Uint8Array(2);
   * const [n] = await b.recvmsg_into([x, y]);
   * console.log(n, x, y); // 3 Uint8Array [1, 2] Uint8Array [3, 0]
   * a.close(); b.close();
   * ```
   */
  async recvmsg_into(
    buffers: Iterable<Buffer>,
    ancbufsize?: number | RecvOptions,
    flags?: number | RecvOptions,
    options?: RecvOptions,
  ): Promise<[number, [number, number, Uint8Array][], number, Address | null]> {
    check_arity(ARITY.recvmsg_into, arguments);
    const a = bind_args("recvmsg_into", [buffers, ancbufsize, flags, options], ["buffers", "ancbufsize", "flags"]);
    // CPython parses "O|ni" first: an ancbufsize or flags past its C type is OverflowError before the buffers.
    if (a.ancbufsize !== undefined && a.ancbufsize !== null) c_ssize(a.ancbufsize);
    c_int_flags(a.flags);
    if (a.buffers === null || typeof (a.buffers as Iterable<unknown>)?.[Symbol.iterator] !== "function") {
      throw new TypeError("recvmsg_into() argument 1 must be an iterable");
    }
    const views = [...(a.buffers as Iterable<Buffer>)].map((v) => {
      if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return as_bytes(v);
      throw new TypeError("recvmsg_into() argument 1 must be an iterable of single-segment read-write buffers");
    });
    no_ancillary("recvmsg_into", a.ancbufsize);
    if (views.length > 1024) throw new OSError(E.EMSGSIZE); // Linux's UIO_MAXIOV
    const total = views.reduce((n, v) => n + v.length, 0);
    const probe = this.#dgram !== null; // one byte more tells a cut datagram (MSG_TRUNC; empty buffers too)
    const [data, addr] = await this.recvfrom(probe ? total + 1 : total, a.flags as number | undefined ?? 0, {
      signal: a.signal as AbortSignal | undefined,
    });
    let off = 0;
    for (const v of views) {
      if (off >= data.length) break;
      const part = data.subarray(off, off + v.length);
      v.set(part);
      off += part.length;
    }
    // With MSG_TRUNC in flags, Linux returns a datagram's real length (A13b-3), as recvmsg(2) does.
    const f = a.flags as number | undefined ?? 0;
    const n = probe && (f & MSG_TRUNC) !== 0 ? data.length : Math.min(data.length, total);
    return [n, [], data.length > total ? MSG_TRUNC : 0, addr];
  }

  /**
   * Python's `sendmsg(buffers, ancdata=[], flags=0, address=None)` without
   * ancillary data: sends the buffers joined, to `address` if given.
   *
   * @param buffers bytes-like objects.
   * @param ancdata must be empty (ancillary data is not available on Deno).
   * @param flags as {@linkcode Socket.send}.
   * @param address where to send (datagram sockets).
   * @param options `{ signal }`.
   * @returns the count of bytes sent.
   * @throws {OSError} EOPNOTSUPP when `ancdata` is not empty.
   *
   * @example
   * ```ts
   * import { socketpair } from "@pysocket/socket";
   * const [a, b] = await socketpair();
   * console.log(await a.sendmsg([new Uint8Array([1]), new Uint8Array([2, 3])])); // 3
   * console.log(await b.recv(8)); // Uint8Array [1, 2, 3]
   * a.close(); b.close();
   * ```
   */
  async sendmsg(
    buffers: Iterable<Buffer>,
    ancdata?: Iterable<unknown> | SignalOptions,
    flags?: number | SignalOptions,
    address?: AddressInput | null | SignalOptions,
    options?: SignalOptions,
  ): Promise<number> {
    check_arity(ARITY.sendmsg, arguments);
    const a = bind_args("sendmsg", [buffers, ancdata, flags, address, options], [
      "buffers",
      "ancdata",
      "flags",
      "address",
    ]);
    // CPython's order: flags (an int), the address, the buffers, then each ancillary item (iiy*).
    this.#check_send_flags(a.flags ?? 0);
    if (a.address !== undefined && a.address !== null) {
      this.#adapter.parse(a.address, "sendmsg"); // before the descriptor, as CPython (A26-1)
      this.#check_open();
    }
    if (a.buffers === null || typeof (a.buffers as Iterable<unknown>)?.[Symbol.iterator] !== "function") {
      throw new TypeError("sendmsg() argument 1 must be an iterable");
    }
    const views = [...(a.buffers as Iterable<Buffer>)].map((v) => as_bytes(v));
    const anc = a.ancdata === undefined ? [] : a.ancdata;
    if (anc === null || typeof (anc as Iterable<unknown>)?.[Symbol.iterator] !== "function") {
      throw new TypeError("sendmsg() argument 2 must be an iterable");
    }
    const items = [...(anc as Iterable<unknown>)];
    for (const it of items) {
      // A str or bytes item is a sequence too, to CPython's "(iiy*)" (A26-8): only its length is wrong.
      const seq = Array.isArray(it) ? it : typeof it === "string" || it instanceof Uint8Array ? [...it] : null;
      if (seq === null) {
        throw new TypeError(`[sendmsg() ancillary data items]() argument must be 3-item sequence, not ${py_type(it)}`);
      }
      if (seq.length !== 3) {
        throw new TypeError(
          `[sendmsg() ancillary data items]() argument must be sequence of length 3, not ${seq.length}`,
        );
      }
      for (const x of seq.slice(0, 2)) {
        c_int_arg(x); // "i": a C int (past 64 bits: "... C long")
      }
      as_bytes(seq[2] as Buffer);
    }
    if (views.length > 1024) throw new OSError(E.EMSGSIZE); // Linux's UIO_MAXIOV
    if (items.length > 0) {
      throw new OSError(E.EOPNOTSUPP, null, {
        detail: "sendmsg() with ancillary data: Deno gives no access to control messages (SCM_RIGHTS, ...)",
      });
    }
    const data = views.length === 1 ? views[0]! : new Uint8Array(views.reduce((n, v) => n + v.length, 0));
    if (views.length > 1) {
      let off = 0;
      for (const v of views) {
        data.set(v, off);
        off += v.length;
      }
    }
    const f = (a.flags ?? 0) as number;
    const sig = { signal: a.signal as AbortSignal | undefined };
    if (a.address !== undefined && a.address !== null) {
      return await this.sendto(data, f, a.address as AddressInput, sig);
    }
    return await this.send(data, f, sig);
  }

  /** Note the address this socket gives up (a listener's, a bound datagram socket's): see let_go. */
  #note_let_go(): void {
    try {
      const a = this.#listener?.addr;
      if (a !== undefined) {
        if (a.transport === "tcp") note_let_go("tcp", a.port, a.hostname);
        else if (a.transport === "unix") note_let_go("unix", a.path);
      } else if (this.#dgram !== null) {
        const n = this.#dgram.getsockname();
        if (Array.isArray(n)) note_let_go("udp", n[1] as number);
        else if (typeof n === "string") note_let_go("unixpacket", n);
      }
    } catch { /* no address */ }
  }

  /** Close on `using` scope exit. */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Close on `await using` scope exit (queued bytes are still delivered in
   * the background). A listener's port is free when this resolves: Deno
   * releases it a turn after close() when an accept was in flight.
   */
  [Symbol.asyncDispose](): Promise<void> {
    const acc = this.#accepts, a = this.#listener?.addr;
    this.close();
    if (acc === null) return DONE;
    // A child being spawned meanwhile may still hold the port (see let_go): resolved once the kernel lets it go.
    return a?.transport === "tcp" && let_go.size !== 0
      ? acc.settled().then(() => _listener_released(a.hostname, a.port))
      : acc.settled();
  }

  // ---- options -------------------------------------------------------

  /**
   * Set a socket option. Supported: SO_REUSEADDR, SO_REUSEPORT (needs
   * `--unstable-net`), SO_KEEPALIVE, TCP_NODELAY, IPV6_V6ONLY=0 (EINVAL once
   * the socket has a port, as Linux), and the datagram options; anything
   * else raises `OSError` ENOPROTOOPT.
   *
   * @param level SOL_SOCKET, IPPROTO_TCP, IPPROTO_IP, IPPROTO_IPV6.
   * @param optname the option.
   * @param value an integer, a boolean, or packed bytes.
   *
   * @example
   * ```ts
   * import { IPPROTO_TCP, socket, TCP_NODELAY } from "@pysocket/socket";
   * using s = socket();
   * s.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
   * console.log(s.getsockopt(IPPROTO_TCP, TCP_NODELAY)); // 1
   * ```
   */
  setsockopt(
    level: number,
    optname: number,
    value: number | boolean | Buffer | null,
    optlen?: number,
  ): void {
    // CPython: (level, optname, int or bytes) or (level, optname, None, optlen).
    let argc = arguments.length;
    while (argc > 0 && arguments[argc - 1] === undefined) argc--;
    if (argc > 0 && is_plain_object(arguments[argc - 1])) {
      throw new TypeError("socket.setsockopt() takes no keyword arguments");
    }
    if (argc < 3 || argc > 4 || (argc === 4 && value !== null)) {
      throw new TypeError(`setsockopt() takes exactly 3 arguments (${argc} given)`);
    }
    // CPython parses level and optname as C ints ("ii...") before the call (C2-1: was ENOPROTOOPT). Its last
    // try, "iiy*", counts the arguments first: with an optlen, a level past a C int is that TypeError.
    let lv: number, name: number;
    try {
      lv = c_int_arg(level);
      name = c_int_arg(optname);
    } catch (e) {
      if (argc === 4 && e instanceof RangeError) {
        throw new TypeError(`setsockopt() takes exactly 3 arguments (4 given)`);
      }
      throw e;
    }
    let v: number | Uint8Array;
    if (typeof value === "boolean") v = value ? 1 : 0;
    else if (typeof value === "number") {
      // CPython: a value that fails the int form (a float, an int beyond a C int) fails the bytes form next.
      if (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) {
        throw new TypeError(`a bytes-like object is required, not '${py_type(value)}'`);
      }
      v = value;
    } else if (value === null && optlen !== undefined) {
      // A NULL option value: Linux reads optlen first (EINVAL when shorter than an int), then faults.
      const len = Number(BigInt.asIntN(32, BigInt(as_int(optlen)))); // "I", then the kernel's int
      this.#check_open();
      throw new OSError(len < 4 ? E.EINVAL : E.EFAULT);
    } else {
      v = as_bytes(value);
    }
    // CPython parses the value before the call: a wrong type is a TypeError on a closed socket too (A26-1).
    this.#check_open();
    // Linux's socket and TCP levels want at least an int's bytes (the IP level also takes one byte).
    if (typeof v !== "number" && v.length < 4 && lv !== IPPROTO_IP) throw new OSError(E.EINVAL);
    const num = typeof v === "number"
      ? v
      : v.length >= 4
      ? new DataView(v.buffer, v.byteOffset).getInt32(0, true)
      : v.length > 0
      ? v[0]!
      : 0;
    const key = `${lv}:${name}`;
    if (lv === SOL_SOCKET && name === SO_REUSEPORT && !platform().reuse_port) {
      // Deno ignores reusePort outside Linux: never pretend (CPython on Windows has no SO_REUSEPORT).
      throw new OSError(E.ENOPROTOOPT, null, {
        detail: `SO_REUSEPORT: Deno honours it on Linux only, not ${platform().os}`,
      });
    }
    // Linux refuses SO_REUSEPORT on a Unix socket (EOPNOTSUPP): so create_server(path, reuse_port=True) fails there.
    if (lv === SOL_SOCKET && name === SO_REUSEPORT && this.#family === AF_UNIX) throw new OSError(E.EOPNOTSUPP);
    if (this.#dgram && this.#dgram.setsockopt(lv, name, v)) {
      this.#own_opts().set(key, num);
      return;
    }
    if ((lv === IPPROTO_TCP || lv === IPPROTO_IPV6) && this.#family === AF_UNIX) {
      throw new OSError(E.EOPNOTSUPP);
    } else if (lv === SOL_SOCKET && name === SO_REUSEPORT) {
      require_unstable_net("SO_REUSEPORT");
    } else if (
      lv === SOL_SOCKET && name === SO_KEEPALIVE && this.#type === SOCK_STREAM
    ) {
      try {
        this.#stream?.transport.setKeepAlive?.(num !== 0);
      } catch (e) {
        throw map_error(e, "setsockopt");
      }
    } else if (
      lv === IPPROTO_TCP && name === TCP_NODELAY &&
      this.#type === SOCK_STREAM && this.#family !== AF_UNIX
    ) {
      try {
        this.#stream?.transport.setNoDelay?.(num !== 0);
      } catch (e) {
        throw map_error(e, "setsockopt");
      }
    } else if (
      lv === IPPROTO_IPV6 && name === IPV6_V6ONLY && this.#family === AF_INET6
    ) {
      // Linux's do_ipv6_setsockopt() (and BSD's): EINVAL once the socket has a local port (P15-2).
      if (this.#has_port()) throw new OSError(E.EINVAL);
      if ((num !== 0) !== platform().v6only) {
        throw new OSError(E.ENOPROTOOPT, null, {
          detail: platform().v6only
            ? `IPV6_V6ONLY=0: Deno's IPv6 listeners are IPv6-only on ${platform().os}`
            : "IPV6_V6ONLY=1: Deno's IPv6 listeners are always dual-stack",
        });
      }
    } else if (!(lv === SOL_SOCKET && name === SO_REUSEADDR)) {
      throw new OSError(E.ENOPROTOOPT);
    }
    this.#own_opts().set(key, num !== 0 ? 1 : 0); // all of these are flags: Linux reads back 0 or 1
  }

  /**
   * Read a socket option (integers; with `buflen`, the packed bytes).
   *
   * @param level the option level.
   * @param optname the option.
   * @param buflen when given, return the value as that many bytes.
   * @returns the value.
   *
   * @example
   * ```ts
   * import { SO_TYPE, socket, SOL_SOCKET } from "@pysocket/socket";
   * using s = socket();
   * console.log(s.getsockopt(SOL_SOCKET, SO_TYPE)); // 1
   * ```
   */
  getsockopt(level: number, optname: number): number;
  /**
   * An option's value as `buflen` bytes (Python's `getsockopt(level, optname, buflen)`).
   *
   * @param level the option's level.
   * @param optname the option.
   * @param buflen how many bytes to return.
   * @returns the value's bytes.
   *
   * @example
   * ```ts
   * import { SO_TYPE, socket, SOL_SOCKET } from "@pysocket/socket";
   * using s = socket();
   * console.log(s.getsockopt(SOL_SOCKET, SO_TYPE, 4)); // Uint8Array(4) [ 1, 0, 0, 0 ]
   * ```
   */
  getsockopt(level: number, optname: number, buflen: number): Uint8Array;
  getsockopt(
    level: number,
    optname: number,
    buflen?: number,
  ): number | Uint8Array {
    check_arity(ARITY.getsockopt, arguments);
    // "ii|i": C ints, parsed before the call (C2-1: was ENOPROTOOPT, and a closed socket's EBADF).
    // (A small int, the usual level and name, is one comparison each.)
    const lv = typeof level === "number" && (level | 0) === level ? level : c_int_arg(level);
    const name = typeof optname === "number" && (optname | 0) === optname ? optname : c_int_arg(optname);
    const len = buflen === undefined ? undefined : c_int_arg(buflen);
    // CPython checks buflen's range before the call: before a closed socket's EBADF (A26-1).
    if (len !== undefined && (len < 0 || len > 1024)) throw new OSError(null, "getsockopt buflen out of range");
    this.#check_open();
    // Linux: an IPv4 or Unix socket has no IPv6 level to read.
    if (lv === IPPROTO_IPV6 && this.#family !== AF_INET6) throw new OSError(E.EOPNOTSUPP);
    let v: number | undefined;
    if (lv === SOL_SOCKET && name === SO_TYPE) v = this.#type;
    else if (lv === SOL_SOCKET && name === SO_ERROR) {
      v = this.#so_error;
      const c = this.#connecting;
      if (v === 0 && c && c.error !== null) {
        const m = map_error(c.error);
        v = m instanceof OSError && m.errno !== null ? m.errno : 0;
        this.#connecting = null;
        if (this.#family !== AF_UNIX && refused_later(v)) this.#aborted = 1;
      }
      // A reset a read in flight met and no call has raised yet (A20-6).
      if (v === 0 && this.#stream !== null) v = this.#stream.reader.take_error();
      this.#so_error = 0;
    } else if (lv === SOL_SOCKET && name === SO_ACCEPTCONN) {
      v = this.#listening ? 1 : 0;
    } else if (lv === SOL_SOCKET && name === SO_DOMAIN) v = this.#family;
    else if (lv === SOL_SOCKET && name === SO_PROTOCOL) {
      // The kernel names the protocol it picked for proto 0.
      v = this.#proto !== 0 || this.#family === AF_UNIX ? this.#proto : this.#dgram ? IPPROTO_UDP : IPPROTO_TCP;
    } else if (this.#dgram) v = this.#dgram.getsockopt(lv, name);
    if (v === undefined && lv === IPPROTO_TCP && (this.#family === AF_UNIX || this.#dgram)) {
      throw new OSError(E.EOPNOTSUPP); // Linux: a UDP or Unix socket has no TCP level
    }
    let size = 4; // the option's own size, as the kernel reports it
    if (
      v === undefined && lv === SOL_SOCKET && (name === SO_LINGER || name === SO_RCVTIMEO || name === SO_SNDTIMEO)
    ) {
      // Never set here (setsockopt refuses them: Deno has no such option), so the kernel's defaults:
      // linger off (struct linger, 8 bytes) and no timeouts (struct timeval, 16 bytes).
      v = 0;
      size = name === SO_LINGER ? 8 : 16;
    }
    if (v === undefined) {
      const known = (lv === SOL_SOCKET &&
        (name === SO_REUSEADDR || name === SO_REUSEPORT ||
          name === SO_KEEPALIVE)) ||
        (lv === IPPROTO_TCP && name === TCP_NODELAY) ||
        (lv === IPPROTO_IPV6 && name === IPV6_V6ONLY) ||
        (lv === IPPROTO_IP && this.#opts.has(`${lv}:${name}`));
      if (!known) throw new OSError(E.ENOPROTOOPT);
      v = this.#opts.get(`${lv}:${name}`) ??
        (lv === IPPROTO_IPV6 && name === IPV6_V6ONLY && platform().v6only ? 1 : 0);
    }
    if (len === undefined) return v;
    if (len === 0) return v; // CPython: buflen 0 is the int form
    if (len < 0 || len > 1024) throw new OSError(null, "getsockopt buflen out of range");
    // The kernel writes the option's own size (an int: 4 bytes), and CPython returns that many.
    const out = new Uint8Array(size);
    new DataView(out.buffer).setInt32(0, v, true);
    return len < size ? out.slice(0, len) : out;
  }

  // ---- files and streams ---------------------------------------------

  /**
   * A file object over the socket: `"rb"`/`"wb"`/`"rwb"` give bytes,
   * `"r"`/`"w"` give text, as Python's `makefile`.
   *
   * @param mode "r" (default), "w", "rw", "rb", "wb", "rwb"; or, as every
   *   parameter, by name in the trailing object.
   * @param buffering buffer size; 0 (binary only) is unbuffered; null or -1: 8192.
   * @param options Python's keywords: encoding, errors, newline (and mode, buffering).
   * @returns the file.
   *
   * @example
   * ```ts
   * import { socketpair } from "@pysocket/socket";
   * const [a, b] = await socketpair();
   * await a.sendall(new TextEncoder().encode("one\ntwo\n"));
   * const f = b.makefile("rb");
   * console.log(await f.readline()); // Uint8Array of "one\n"
   * a.close(); b.close();
   * ```
   */
  makefile(
    mode?: string | MakefileOptions,
    buffering?: number | null | MakefileOptions,
    options?: MakefileOptions,
  ): SocketFile {
    check_arity(ARITY.makefile, arguments);
    const a = bind_args("socket.makefile", [mode, buffering, options], ["mode", "buffering"], [
      "encoding",
      "errors",
      "newline",
    ]);
    if (a.mode === null) throw new TypeError("'NoneType' object is not iterable"); // CPython: set(mode)
    this.#check_open();
    this.#filed = true;
    return new SocketFile(this, (a.mode ?? "r") as string, (a.buffering ?? null) as number | null, a);
  }

  /**
   * The stream state, unchecked (internal: a SocketFile's cache key).
   * @ignore
   */
  get _stream(): StreamState | null {
    return this.#stream;
  }

  /**
   * True while a connect is in flight or a connect() call runs, nothing connected yet (internal, for files).
   * @ignore
   */
  get _in_flight(): boolean {
    return this.#stream === null && (this.#connecting !== null || this.#calls > 0);
  }

  /**
   * The stream parts a socket file reads once the connect in flight completes (internal): waited for within the
   * socket's timeout, as recv's (a connect() call still running: the forgotten-`await` error); a blocking wait
   * across detach() goes on with the socket that has the connection (A18a-5).
   * @ignore
   */
  async _stream_parts_after_connect(signal?: AbortSignal): Promise<StreamState> {
    this.#check_open();
    const dl = Deadline.of(this.#timeout, signal);
    const g = this.#connect_gate(dl);
    if (g !== null) await g;
    return this.#send_stream(dl) ?? this.#stream_or_throw();
  }

  /**
   * The reader, writer and deadline a SocketFile or stream uses (internal).
   * @ignore
   */
  _stream_parts(): StreamState {
    return this.#stream_or_throw();
  }

  /**
   * What a file's read that cannot wait raises (internal): the socket's BlockingIOError; an SSLSocket's
   * SSLWantReadError, as CPython's SocketIO over SSL_read.
   * @ignore
   */
  _file_read_error(e: unknown): unknown {
    return e;
  }

  /**
   * A Deadline for this socket's timeout (internal, for files and streams).
   * @ignore
   */
  _deadline(signal?: AbortSignal): Deadline {
    return Deadline.of(this.#timeout, signal);
  }

  /**
   * A Web ReadableStream of the bytes the peer sends (ends at EOF), so a
   * socket pipes into `fetch`, `DecompressionStream` and friends.
   *
   * @example
   * ```ts
   * import { socketpair } from "@pysocket/socket";
   * const [a, b] = await socketpair();
   * await a.sendall(new Uint8Array([1, 2]));
   * await a.shutdown(1);
   * const chunks = await Array.fromAsync(b.readable);
   * console.log(chunks.length >= 1); // true
   * a.close(); b.close();
   * ```
   */
  get readable(): ReadableStream<Uint8Array<ArrayBuffer>> {
    // recv() results are views on plain ArrayBuffers (never shared memory),
    // the type CompressionStream, fetch and friends ask for.
    // Cancelling the stream aborts its pending recv, which loses nothing: the
    // bytes it would have returned go to the socket's next read.
    const ac = new AbortController();
    return new ReadableStream<Uint8Array<ArrayBuffer>>({
      pull: async (ctl) => {
        const chunk = await this.recv(65536, 0, { signal: ac.signal });
        if (chunk.length === 0) ctl.close();
        else ctl.enqueue(chunk as Uint8Array<ArrayBuffer>);
      },
      cancel: (reason) => ac.abort(reason),
    }, { highWaterMark: 0 });
  }

  /**
   * A Web WritableStream into the socket; closing it half-closes the
   * connection (SHUT_WR), so the peer reads EOF and can still answer.
   *
   * @example
   * ```ts
   * import { socketpair } from "@pysocket/socket";
   * const [a, b] = await socketpair();
   * await ReadableStream.from([new Uint8Array([1])]).pipeTo(a.writable);
   * console.log(await b.recv(4)); // Uint8Array [1]
   * a.close(); b.close();
   * ```
   */
  get writable(): WritableStream<Uint8Array> {
    return new WritableStream<Uint8Array>({
      write: (chunk) => this.sendall(chunk),
      close: () => this.shutdown(SHUT_WR),
      abort: () => this.close(),
    });
  }

  /**
   * Readiness for select() (internal).
   * @ignore
   */
  _pollable(): Pollable {
    return this.#poll ??= this.#make_pollable();
  }

  /** The socket's readiness hook, made once: its getters read the current state. */
  #poll: Pollable | null = null;

  /** A file was made on this socket (makefile()): recv()'s buffered fast path then yields a microtask first. */
  #filed = false;

  #make_pollable(): Pollable {
    return new Socket.#Poll(this);
  }

  /**
   * A socket's readiness hook: a class (fast properties, its getters shared on the prototype) rather than an
   * object literal of closures per socket, which V8 kept in dictionary mode (a hash lookup per `readable`).
   * Its getters read the socket's current state.
   */
  static #Poll = class SocketPoll implements Pollable {
    /** What a listener waits on to become writable: never. Per socket, so the watches chained on it go away with it. */
    #never: Promise<void> | null = null;
    constructor(readonly s: Socket) {}
    #wait_never(): Promise<void> {
      return this.#never ??= new Promise<void>(() => {});
    }
    // As Linux reports them to select(): a stream socket that is neither
    // connected, connecting nor listening (fresh, bound, or after a failed
    // connect) is readable and writable (POLLHUP|POLLOUT); a listener is
    // never writable; a connect in flight is neither until it ends.
    get readable(): boolean {
      const self = this.s;
      if (self.#closed) return true;
      const st = self.#stream; // (a datagram socket has none)
      if (st !== null) return st.reader.ready;
      if (self.#dgram) return self.#dgram.readable;
      if (self.#listening) return self.#accepts?.ready ?? false;
      if (self.#connecting) return self.#connecting.error !== null;
      return true;
    }
    get expecting(): boolean {
      const self = this.s;
      if (self.#closed) return false;
      if (self.#stream !== null) return self.#stream.reader.expecting;
      return self.#dgram?.expecting === true;
    }
    get arrivals(): number | undefined {
      const self = this.s;
      if (self.#listening && self.#accepts) return self.#accepts.arrivals;
      return (self.#dgram as { arrivals?: number } | null)?.arrivals;
    }
    get writable(): boolean {
      const self = this.s;
      if (self.#closed) return true;
      if (self.#dgram) return self.#dgram.writable;
      if (self.#stream) return self.#stream.writer.ready;
      if (self.#listening) return false;
      if (self.#connecting) return self.#connecting.error !== null;
      return true;
    }
    wait_readable(): Promise<void> {
      const self = this.s;
      if (self.#closed) return Promise.resolve();
      if (self.#dgram) return self.#dgram.wait_readable();
      if (self.#stream) return self.#stream.reader.poll();
      if (self.#listening && self.#accepts) return self.#accepts.poll();
      if (self.#connecting) return self.#connecting.promise;
      return self.#listening ? this.#wait_never() : Promise.resolve();
    }
    watch_readable(cb: () => void): void {
      const self = this.s;
      if (!self.#closed && self.#stream && !self.#dgram) self.#stream.reader.watch(cb);
      else this.wait_readable().then(cb, cb);
    }
    wait_writable(): Promise<void> {
      const self = this.s;
      if (self.#closed) return Promise.resolve();
      if (self.#dgram) return self.#dgram.wait_writable();
      if (self.#stream) return self.#stream.writer.poll();
      if (self.#connecting) return self.#connecting.promise;
      return self.#listening ? this.#wait_never() : Promise.resolve();
    }
  };

  /** True once closed. */
  get _closed(): boolean {
    return this.#closed;
  }

  /** Python's repr(). */
  toString(): string {
    const parts = [
      `fd=${this.fileno()}`,
      `family=${this.#family}`,
      `type=${this.#type}`,
      `proto=${this.#proto}`,
    ];
    if (!this.#closed) {
      // Python: `str(addr)` when the address is truthy (a path is printed bare).
      // An abstract name is bytes in CPython, printed as their repr.
      const show = (a: Address) =>
        typeof a !== "string" ? format_address(a) : a.startsWith("\0") ? bytes_repr(new TextEncoder().encode(a)) : a;
      const laddr = this.getsockname();
      if (laddr !== "") parts.push(`laddr=${show(laddr)}`);
      try {
        const raddr = this.getpeername();
        if (raddr !== "") parts.push(`raddr=${show(raddr)}`);
      } catch { /* not connected */ }
    }
    return `<${py_class_name(this)}${this.#closed ? " [closed]" : ""} ${parts.join(", ")}>`;
  }

  /** Deno's console.log() shows Python's repr. */
  [Symbol.for("Deno.customInspect")](): string {
    return this.toString();
  }
}

/**
 * Python's `f"{cls.__module__}.{cls.__qualname__}"` for repr(): a class's own static `__module__` and
 * `__qualname__` when it has them (`socket.socket`, `ssl.SSLSocket`), else a program's own subclass, which
 * Python would name `__main__.<name>`.
 */
function py_class_name(o: object): string {
  const c = o.constructor as { name: string; __module__?: string; __qualname__?: string };
  const own = (k: string) => Object.hasOwn(c, k) ? String((c as Record<string, unknown>)[k]) : undefined;
  return `${own("__module__") ?? "__main__"}.${own("__qualname__") ?? c.name}`;
}

/** Flags parsed as CPython parses them (a C int). */
function c_int_flags(flags: unknown): number {
  return flags === undefined ? 0 : c_int_arg(flags); // None is a TypeError, as in CPython; past 64 bits "C long"
}

/** A writable buffer argument, or CPython's TypeError ("argument 1 must be read-write bytes-like object"). */
function rw_buffer(v: unknown, op: string): Uint8Array {
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return as_bytes(v);
  throw new TypeError(`${op}() argument 1 must be read-write bytes-like object, not ${arg_type(v)}`);
}

/** Python's repr() of bytes: `b'...'` with \\, \', \t, \n, \r and \xNN escapes. */
function bytes_repr(b: Uint8Array): string {
  let out = "b'";
  for (const c of b) {
    if (c === 0x5c) out += "\\\\";
    else if (c === 0x27) out += "\\'";
    else if (c === 9) out += "\\t";
    else if (c === 10) out += "\\n";
    else if (c === 13) out += "\\r";
    else if (c < 0x20 || c >= 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += String.fromCharCode(c);
  }
  return out + "'";
}

const detached = new Map<number, Socket>();

const DONE: Promise<void> = Promise.resolve();

function same_endpoint(a: Endpoint, b: Endpoint): boolean {
  if (a.kind === "unix" || b.kind === "unix") {
    return a.kind === b.kind && (a as { path: string }).path === (b as { path: string }).path;
  }
  return a.hostname === b.hostname && a.port === b.port && a.flowinfo === b.flowinfo && a.scope_id === b.scope_id;
}

/**
 * The AbortControllers of Deno.connect calls that settled unaborted: Deno
 * removed its listener from the signal as the call ended, so one is as good
 * as new and the next connect takes it instead of building another.
 */
const spare_stops: AbortController[] = [];

/** A no-op, the `throwIfAborted` of {@linkcode _connect_stop}'s signals. */
const NOT_THROWN = (): void => {};

/**
 * An AbortController for a `Deno.connect` that close() (or a race) may abort (internal). Deno 2.9.6's connect ends
 * with `signal.throwIfAborted()` even after its op succeeded: an abort that lands once the connection is made, before
 * the call returns, rejects and drops the connected `TcpConn` unclosed (its socket stays open until the process
 * ends; the peer never reads EOF). This signal's own no-op `throwIfAborted` lets that connection come back, to be
 * closed by the caller (A14c-3); an abort before the connection is made still cancels the op (it rejects).
 * @ignore
 */
export function _connect_stop(): AbortController {
  const c = new AbortController();
  Object.defineProperty(c.signal, "throwIfAborted", { value: NOT_THROWN });
  return c;
}

/** A connect settled: its AbortController is no longer the socket's (close() and shutdown() no longer abort it). */
function recycle_stop(c: Connecting, reuse: boolean): void {
  const stop = c.stop;
  if (stop === null) return;
  c.stop = null;
  if (reuse && !stop.signal.aborted && spare_stops.length < 16) spare_stops.push(stop);
}

/** Close a connection's transport; one closed already (by a TLS layer, ...) is fine. */
function close_transport(t: Transport): void {
  try {
    t.close();
  } catch { /* closed already */ }
}

// Python's parameter names of the hot methods (made once, not per call).
const CONNECT_ARGS = ["address"] as const;
const NO_ARGS = [] as const;
const RECV_ARGS = ["bufsize", "flags"] as const;
const RECV_INTO_ARGS = ["buffer", "nbytes", "flags"] as const;
const SEND_ARGS = ["data", "flags"] as const;

/**
 * The error of an I/O call made while the socket's connect() is still
 * running: its caller did not await it. That connect's own outcome is then
 * not reported again as an unhandled rejection (the program got this error).
 */
function forgotten_await(running: Promise<void> | null): OSError {
  running?.catch(() => {});
  return new OSError(E.EINPROGRESS, "connect() has not finished: did you forget `await` before connect()?");
}

/** recvmsg()/recvmsg_into(): only ancbufsize 0 can be honoured on Deno. */
function no_ancillary(_op: string, ancbufsize: unknown): void {
  if (ancbufsize === undefined || ancbufsize === null) return;
  const n = c_ssize(ancbufsize);
  // CPython's, for both calls: below 0 or past SOCKLEN_T_LIMIT (INT_MAX on Linux).
  if (n < 0 || n > 0x7fffffff) throw new RangeError("invalid ancillary data buffer length");
  // Room for control messages is accepted and stays empty: Deno reads with read(2), so no control message ever
  // arrives (as a CPython socket that set no option asking for one; docs/limits.md).
}

/** recv_into of at least this many bytes reads straight into the caller's buffer when it may. */
const DIRECT_READ = 16 * 1024;

/**
 * Keywords of `Socket.sendfile()`: Python's `offset` and `count` by name, and `signal`.
 *
 * @category Sockets
 */
export interface SendfileOptions extends SignalOptions {
  /** Where to start in the file. */
  offset?: number;
  /** How many bytes at most (null: to the end). */
  count?: number | null;
}

/** An argument given as an object (keywords, or a wrong type bind_args reports). */
function is_obj(v: unknown): boolean {
  return typeof v === "object" && v !== null;
}

/** Within a C int's range. */
function c_int(v: number): boolean {
  return !(v > 0x7fffffff || v < -0x80000000);
}

/**
 * Create a socket, as Python's `socket.socket(family, type, proto, fileno)`.
 *
 * @param family AF_INET (default), AF_INET6, AF_UNIX.
 * @param type SOCK_STREAM (default) or SOCK_DGRAM (needs `--unstable-net`).
 * @param proto 0 (default), IPPROTO_TCP or IPPROTO_UDP.
 * @param fileno adopt a socket given up by {@linkcode Socket.detach}.
 * @returns the new socket; when `family` is a literal (`AF_INET`, ...),
 *   its `getsockname()`, `getpeername()`, `accept()` and `recvfrom()` are
 *   typed with that family's address (`[host, port]` for AF_INET).
 * @throws {OSError} EAFNOSUPPORT for an unknown family, EINVAL for an
 *   unknown type, and an OSError naming `--unstable-net` for SOCK_DGRAM
 *   without the flag.
 *
 * @example
 * ```ts
 * import { AF_INET6, SOCK_STREAM, socket } from "@pysocket/socket";
 * using s = socket(AF_INET6, SOCK_STREAM);
 * console.log(s.getsockname()); // ["::", 0, 0, 0]
 * ```
 *
 * @category Sockets
 */
export function socket<F extends number = typeof AF_INET>(
  family?: F | SocketKeywords<F>,
  type?: number | SocketKeywords<F>,
  proto?: number | SocketKeywords<F>,
  fileno?: number | null | SocketKeywords<F>,
  options?: SocketKeywords<F>,
): Socket<F> {
  // Python's socket.socket(type=SOCK_DGRAM), socket(fileno=fd): any parameter by name in a trailing object.
  check_arity(ARITY.socket, arguments);
  if (is_obj(family) || is_obj(type) || is_obj(proto) || is_obj(fileno) || is_obj(options)) {
    const a = bind_args("socket.__init__", [family, type, proto, fileno, options], [
      "family",
      "type",
      "proto",
      "fileno",
    ]);
    if (a.signal !== undefined) throw new TypeError("socket.__init__() got an unexpected keyword argument 'signal'");
    return socket(
      (a.family ?? AF_INET) as F,
      (a.type ?? SOCK_STREAM) as number,
      (a.proto ?? 0) as number,
      (a.fileno ?? null) as number | null,
    );
  }
  // (Plain casts, not an array destructured: no array and iterator per socket.)
  const fam = family as F | undefined, ty = type as number | undefined, pr = proto as number | undefined;
  const fd = fileno as number | null | undefined;
  if (fd !== null && fd !== undefined) {
    // CPython: PyLong_AsLong (OverflowError past a C long), then cast to a C int socket number.
    const long = c_long(fd);
    const n = typeof fd === "bigint" ? Number(BigInt.asIntN(32, fd)) : long | 0;
    if (n < 0) throw new RangeError("negative file descriptor"); // CPython checks before it looks
    return Socket._adopt(n) as Socket<F>;
  }
  // Python 3.11: -1 (or None) means the default for each of the three.
  return new Socket<F>(
    (fam === -1 ? AF_INET : fam ?? AF_INET) as F,
    ty === -1 ? SOCK_STREAM : ty ?? SOCK_STREAM,
    pr === -1 ? 0 : pr ?? 0,
  );
}

/**
 * Python's keyword parameters of `socket.socket()`: `socket({ type: SOCK_DGRAM })`.
 *
 * @category Sockets
 */
export interface SocketKeywords<F extends number = number> {
  /** The address family (AF_INET). */
  family?: F;
  /** The socket type (SOCK_STREAM). */
  type?: number;
  /** The protocol (0). */
  proto?: number;
  /** A number from `detach()` to adopt. */
  fileno?: number | null;
}

/**
 * Python's `socket.SocketType`, the class of sockets.
 *
 * @example
 * ```ts
 * import { socket, SocketType } from "@pysocket/socket";
 * using s = socket();
 * console.log(s instanceof SocketType); // true
 * ```
 *
 * @category Sockets
 */
export const SocketType: typeof Socket = Socket;

/**
 * Internal (for ssl.ts): make `sock` use a new connected transport, e.g. a
 * TLS session layered over its old reader and writer.
 */
/**
 * Mark an AF_UNIX socketpair() end as unnamed: getsockname() and getpeername() give "" (internal).
 * @ignore
 */
export function _unnamed(sock: Socket): void {
  sock[kUnnamed]();
}

/**
 * The two ends of one connection, both in this process (internal: socketpair()'s): each one's non-blocking looks
 * wait for what the other has sent (A24).
 * @ignore
 */
export function _link_ends(a: Socket, b: Socket): void {
  const x = a[kState](null), y = b[kState](null);
  if (x !== null && y !== null) x.link(y, a.family === AF_UNIX);
}

/**
 * Give `sock` the default timeout as a new socket gets it (internal: socketpair()'s ends, made blocking to meet).
 * @ignore
 */
export function _default_timeout(sock: Socket): void {
  sock[kDefaultTimeout]();
}

/**
 * create_connection() to an IPv4 literal (internal): `sock.settimeout(timeout)`, its connect, and `sock`; a failure
 * closes it.
 * @ignore
 */
export function _connect_literal<F extends number>(
  sock: Socket<F>,
  host: string,
  port: number,
  timeout: number | null,
): Promise<Socket<F>> {
  return sock[kConnectLiteral](host, port, timeout);
}

export function _replace_transport(sock: Socket, t: Transport): void {
  sock[kState](t);
}

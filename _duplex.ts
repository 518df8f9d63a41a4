// A node `Duplex` (a `net.Socket`, the plaintext side of a `tls.TLSSocket`)
// as the Transport the stream machinery of _stream.ts reads and writes.
// Deno's built-in `node:net` is also the only way Deno ships to choose a
// connection's local address (`localAddress`/`localPort`), which Python's
// bind()-then-connect() and create_connection(source_address=...) need:
// `connect_from` makes such a connection.

import { held } from "./_alive.ts";
import net from "node:net";
import type { Duplex } from "node:stream";
import { Buffer } from "node:buffer";
import type { Transport } from "./_stream.ts";
import { errno as E, OSError } from "./errors.ts";

/** Received bytes queued above this pause the Duplex until they are read. */
const EMPTY = new Uint8Array(0);
const HIGH_WATER = 256 * 1024;

/** Where a Duplex's listeners (shared by every connection) find its transport. */
const OWNER = Symbol("pysocket.transport");
type Owned = Duplex & { [OWNER]?: DuplexTransport };

/** The DuplexTransport over `d`, if any (for listeners shared by every connection). */
export function owner_of(d: Duplex): DuplexTransport | undefined {
  return (d as Owned)[OWNER];
}

/**
 * A Duplex as a Transport: `data` is queued (pausing the Duplex above a
 * high-water mark), `end`/`close` are EOF, an `error` is kept and raised by
 * the next read or write after the bytes received before it. Subclasses
 * give the addresses, TCP options, what closing closes too, and how errors
 * are turned into what the caller wants (`map_error`).
 *
 * Per connection it keeps only its fields: its four listeners are shared
 * by every connection (they find it from the Duplex), and an idle reader
 * waits through wait_readable() holding no buffer.
 */
export abstract class DuplexTransport implements Transport {
  /** A write settles once node:stream took all of it (see Transport). */
  readonly writes_whole = true;
  #d: Duplex;
  /** Chunks received and not yet read, from #head on (a shift would be O(chunks): a peer's many tiny ones). */
  #chunks: Uint8Array[] = [];
  #head = 0;
  #queued = 0;
  #ended = false;
  /** The Duplex's `end` came (the peer ended its stream), not only `close`. */
  #end_seen = false;
  #err: Error | null = null;
  #wake: (() => void) | null = null;
  #closed = false;
  /** A read returns one chunk at most (what is left of it): a TLS record's plaintext, as OpenSSL's SSL_read. */
  protected readonly chunk_reads: boolean = false;

  constructor(d: Duplex) {
    this.#d = d;
    (d as Owned)[OWNER] = this;
    d.on("data", DuplexTransport.#on_data);
    d.on("end", DuplexTransport.#on_end);
    d.on("close", DuplexTransport.#on_close);
    d.on("error", DuplexTransport.#on_error);
  }

  static #on_data = function (this: Owned, b: Uint8Array): void {
    const t = this[OWNER]!;
    t.#chunks.push(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
    t.#queued += b.byteLength;
    if (t.#queued >= HIGH_WATER) {
      this.pause();
      t.input_paused(true);
    }
    t.#notify();
  };

  static #on_end = function (this: Owned): void {
    const t = this[OWNER]!;
    t.#end_seen = true;
    t.on_end();
    t.#ended = true;
    t.#notify();
  };

  static #on_close = function (this: Owned): void {
    const t = this[OWNER]!;
    t.#ended = true;
    t.#notify();
  };

  static #on_error = function (this: Owned, e: unknown): void {
    this[OWNER]!.fail(e);
  };

  /** The error a failure of the Duplex is raised as. */
  protected abstract map_error(e: unknown): Error;

  /** Names the connection in "closed" errors, e.g. "TLS session". */
  protected get what(): string {
    return "connection";
  }

  /** Called once by close(), after the Duplex is destroyed (e.g. to close what it runs over). */
  protected on_closed(): void {}

  /** The Duplex was paused (too much unread) or resumed. */
  protected input_paused(_paused: boolean): void {}

  /** True once the Duplex's `end` came: the peer ended its stream (not only a close). */
  /** The Duplex's stream ended (called once, before readers are woken). */
  protected on_end(): void {}

  protected get end_seen(): boolean {
    return this.#end_seen;
  }

  /** Record a failure of the connection; the next read or write raises it. */
  fail(e: unknown): void {
    if (this.#err === null) this.#err = this.map_error(e);
    this.#notify();
  }

  #notify(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }

  #gone(): Error {
    return this.#err ?? new OSError(E.EPIPE, null, { operation: `${this.what} closed` });
  }

  /** What a write on a closed connection raises: its failure, else EPIPE. */
  protected closed_error(): Error {
    return this.#gone();
  }

  /** The connection's failure, once there is one. */
  get error(): Error | null {
    return this.#err;
  }

  /** Bytes received and not yet read. */
  get pending(): number {
    return this.#queued;
  }

  /** The first chunk was read in part: what is left of it (with chunk_reads, of the record being read), else 0. */
  get chunk_rest(): number {
    return this.#head_cut ? this.#chunks[this.#head]!.length : 0;
  }
  #head_cut = false;

  read(p: Uint8Array): Promise<number | null> {
    if (this.#chunks.length > this.#head) return Promise.resolve(this.#copy(p));
    if (this.#err !== null) return Promise.reject(this.#err);
    if (this.#ended || this.#closed) return Promise.resolve(null);
    return new Promise<void>((resolve) => this.#wake = resolve).then(() => this.read(p));
  }

  /** null when read() would complete at once (bytes, EOF, an error, close), else a promise of that moment. */
  wait_readable(): Promise<void> | null {
    if (this.#chunks.length > this.#head || this.#err !== null || this.#ended || this.#closed) return null;
    return new Promise<void>((resolve) => this.#wake = resolve);
  }

  #copy(p: Uint8Array): number {
    let n = 0;
    const q = this.#chunks;
    let h = this.#head;
    const one = this.chunk_reads;
    while (n < p.length && h < q.length && !(one && n > 0)) {
      const c = q[h]!;
      const k = Math.min(c.length, p.length - n);
      p.set(k === c.length ? c : c.subarray(0, k), n);
      n += k;
      if (k === c.length) {
        q[h++] = EMPTY;
        this.#head_cut = false;
      } else {
        q[h] = c.subarray(k);
        this.#head_cut = true;
      }
    }
    if (h === q.length) q.length = h = 0;
    else if (h >= 1024 && 2 * h >= q.length) {
      this.#chunks = q.slice(h);
      h = 0;
    }
    this.#head = h;
    this.#queued -= n;
    if (this.#queued < HIGH_WATER && this.#d.isPaused()) {
      this.#d.resume();
      this.input_paused(false);
    }
    return n;
  }

  write(p: Uint8Array): Promise<number> {
    if (this.#err !== null) return Promise.reject(this.#err);
    if (this.#closed || this.#d.destroyed) return Promise.reject(this.#gone());
    // No copy: like Deno.Conn.write, the caller keeps p unchanged until the write settles.
    const copy = Buffer.from(p.buffer, p.byteOffset, p.byteLength);
    // Held while it is written, as a Deno write is (the node socket is unref'd for its reads: _alive.ts).
    return held(
      new Promise<number>((resolve, reject) => {
        let settled = false;
        const onClose = () => {
          if (settled) return;
          settled = true;
          reject(this.#gone());
        };
        this.#d.once("close", onClose);
        this.#d.write(copy, (e?: Error | null) => {
          this.#d.off("close", onClose);
          if (settled) return;
          settled = true;
          if (e) reject(this.#err ?? this.map_error(e));
          else resolve(p.length);
        });
      }),
    );
  }

  closeWrite(): Promise<void> {
    if (this.#d.destroyed || this.#d.writableEnded) return Promise.resolve();
    return held(
      new Promise<void>((resolve) => {
        const done = () => {
          this.#d.off("close", done);
          resolve();
        };
        this.#d.once("close", done);
        this.#d.end(done);
      }),
    );
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#d.destroy();
    try {
      this.on_closed();
    } catch { /* closed already */ }
    this.#notify();
  }

  abstract readonly localAddr: Deno.Addr;
  abstract readonly remoteAddr: Deno.Addr;
  abstract setNoDelay(noDelay?: boolean): void;
  abstract setKeepAlive(keepAlive?: boolean): void;
}

/** A connected `net.Socket` as a Transport (addresses read once, at connect). */
class NetTransport extends DuplexTransport {
  #s: net.Socket;
  readonly localAddr: Deno.NetAddr;
  readonly remoteAddr: Deno.NetAddr;

  constructor(s: net.Socket) {
    super(s);
    this.#s = s;
    this.localAddr = { transport: "tcp", hostname: s.localAddress ?? "", port: s.localPort ?? 0 };
    this.remoteAddr = { transport: "tcp", hostname: s.remoteAddress ?? "", port: s.remotePort ?? 0 };
  }

  protected map_error(e: unknown): Error {
    return e instanceof Error ? e : new Error(String(e));
  }

  setNoDelay(noDelay?: boolean): void {
    this.#s.setNoDelay(noDelay ?? true);
  }

  setKeepAlive(keepAlive?: boolean): void {
    this.#s.setKeepAlive(keepAlive ?? false);
  }
}

/** A connected `net.Socket` as a Transport (addresses read once, at connect). */
export function net_transport(s: net.Socket): DuplexTransport {
  return new NetTransport(s);
}

/** A node error with an errno code, so map_error reads it. */
function coded(code: string, e: Error): Error {
  return Object.assign(new Error(e.message.replace(/\bEINVAL\b/, code), { cause: e }), { code });
}

/**
 * Connect from a chosen local address through Deno's `node:net` (the
 * `Deno.connect` has no local-address option). Rejects with node's error
 * (it carries an errno `code`), or with `signal.reason` once aborted (the
 * connection attempt is then destroyed).
 *
 * @param local the address to bind first (a literal and a port).
 * @param remote the peer (a literal and a port).
 * @param signal aborts the attempt.
 */
export function connect_from(
  local: { hostname: string; port: number },
  remote: { hostname: string; port: number },
  signal: AbortSignal,
): Promise<DuplexTransport> {
  return new Promise<DuplexTransport>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const s = net.connect({
      host: remote.hostname,
      port: remote.port,
      localAddress: local.hostname,
      localPort: local.port,
      allowHalfOpen: true,
    });
    const done = () => {
      signal.removeEventListener("abort", onAbort);
      s.off("error", onError);
      s.off("connect", onConnect);
    };
    const onAbort = () => {
      done();
      s.destroy();
      reject(signal.reason);
    };
    const onError = (e: Error) => {
      done();
      s.destroy();
      // Deno 2.9.6's node:net reports EADDRNOTAVAIL (seen with strace: an
      // address not on the host at bind(2), a 4-tuple in use at connect(2))
      // as EINVAL; the socket's family matches both addresses, so EINVAL
      // cannot have another cause here.
      reject((e as { code?: unknown }).code === "EINVAL" ? coded("EADDRNOTAVAIL", e) : e);
    };
    const onConnect = () => {
      done();
      // Its reads hold the process only while a caller waits for them (_alive.ts): node's handle does not.
      s.unref();
      resolve(net_transport(s));
    };
    signal.addEventListener("abort", onAbort, { once: true });
    s.once("error", onError);
    s.once("connect", onConnect);
  });
}

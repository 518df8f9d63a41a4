// Byte-stream machinery under every SOCK_STREAM socket (TCP, Unix, TLS):
// a read-ahead reader that keeps its one pending read across timeouts, a
// writer with a bounded send queue, and an accept queue for listeners.
//
// The rule everywhere: a Deno operation that has started is never abandoned.
// Its promise is kept here and *never rejects*; its outcome is stored, and
// the next caller gets it. Callers observe the promise through a Deadline.

import { held as holding, unref } from "./_alive.ts";
import { errno, from_errno, OSError } from "./errors.ts";
import { map_error } from "./_map_error.ts";
import { type Deadline, settled_within, settles_now, writes } from "./_wait.ts";

const DONE = Promise.resolve();
/**
 * What a writer's #busy is while its queue is flushed: a marker that never settles (no promise and
 * resolver made per flush, one per non-blocking send on a select() echo path); drain() waits for the
 * writer's changes instead.
 */
const FLUSHING: Promise<void> = new Promise<void>(() => {});
/**
 * What a writer's #busy is while a chained direct write is in flight (#write_chained: the caller's promise
 * is the write's own reaction): a marker that never settles; drain() waits for the writer's changes.
 */
const WRITING: Promise<void> = new Promise<void>(() => {});

/**
 * The other end of a connection whose both ends are in this process (a socketpair(), a loopback TCP connection
 * this process made and accepted): what it has handed the kernel, so that a look at this end knows bytes or an EOF
 * are on their way (Linux has queued them here before the peer's call returned; Deno delivers them a turn or more
 * later). A24.
 */
export interface PeerSide {
  /** Bytes the peer's sends have reported sent (written, or queued to be written). */
  sent(): number;
  /** The peer closed or shut down its writing half. */
  done(): boolean;
  /** The peer's socket is closed. */
  closed(): boolean;
}

/**
 * The most a non-blocking look waits for bytes or an EOF a same-process peer has already sent (see PeerSide):
 * a bound, never reached while the event loop runs (the kernel holds them); it only caps a wrong count.
 */
export const PEER_WAIT_MS = 200;

/** What the stream machinery needs of a connection (Deno.Conn fits). */
export interface Transport {
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  closeWrite(): Promise<void>;
  close(): void;
  readonly localAddr: Deno.Addr;
  readonly remoteAddr: Deno.Addr;
  setNoDelay?(noDelay?: boolean): void;
  setKeepAlive?(keepAlive?: boolean): void;
  /**
   * True when a write settles only once all of it is taken (a node:stream Duplex: TLS): it never comes back short,
   * so the writer cannot tell one that will wait; a caller cut short by SHUT_WR is released at once there.
   */
  readonly writes_whole?: boolean;
  /**
   * Optional: null when read() would complete at once (bytes, EOF, an error, close), else a
   * promise that resolves (never rejects) once it would. A drained reader then waits holding
   * no buffer (a Deno.Conn's read needs its buffer up front; a TLS session's plaintext side
   * does not).
   */
  wait_readable?(): Promise<void> | null;
  /** Optional: bytes received below the reader and not yet read (a TLS session's decrypted records). */
  readonly pending?: number;
  /** Optional, for a transport whose reads stop at a record's end: what is left of the record a read cut. */
  readonly chunk_rest?: number;
}

// Small results (a line, a short message) are carved out of a slab, as
// Node's Buffer pool does: a view on an existing ArrayBuffer costs a fraction
// of a new ArrayBuffer. The slab belongs to one reader (one connection), so a
// result's `.buffer` never shows another connection's bytes; each result's
// bytes are its own and never rewritten. In Deno every new Uint8Array, however
// small, gets an ArrayBuffer of its own off V8's heap (~0.2 µs, measured),
// against ~0.02 µs for a view, so a lone message takes a slab too. A slab
// starts small (SLAB_MIN) and doubles each time one fills up, to SLAB; an
// idle connection keeps at most a SLAB_MIN one (a user holding a result
// keeps that result's slab). For lines, take_line() copies the buffered
// bytes into the slab a block at a time (up to the slab's end) and each line
// is then only a view: a line's `.buffer` may also show bytes of this
// connection that later reads return.
const POOL_MAX = 2048;
const SLAB = 16 * 1024;
const SLAB_MIN = 256;

// Reads start small and double on every read that fills its target (bulk
// transfers then pay Deno's per-read cost far less often). A pending Deno
// read pins its whole ArrayBuffer, so a drained reader whose last read came
// back short (the peer paused) waits in a small buffer of its own and gives
// its big one to a process-wide pool of spare read buffers, where the next
// burst (its own or another connection's) finds it. Read buffers are never
// shown to users (every result is copied out), so sharing them exposes
// nothing. The pool is let go once no reader has taken from it for a sweep
// (IDLE_MS to 2 * IDLE_MS), and when the last reader closes.
const MIN_READ = 4 * 1024;
const MAX_READ = 1024 * 1024;
/** A buffer larger than this (after a long line) is dropped when drained, never pooled. */
const KEEP_MAX = 2 * MAX_READ;
const POOL_COUNT = 8;
/** The most a reader allocates at once for a caller that needs a known count (MSG_WAITALL). */
const EXACT_MAX = 256 * 1024 * 1024;
const IDLE_MS = 250;
/** The most bytes the reader takes from the peer ahead of the program after SHUT_RD (about a receive buffer). */
const PUMP_MAX = 256 * 1024;
/** Reads a recv after SHUT_RD takes from the pump before it returns (each must complete within a turn or so). */
const SHUT_TURNS = 4;
/** The least free tail a top-up read (A20-1) reads into: less is left for the next recv's own read. */
const TOP_MIN = 512;
/**
 * A take this long (ms) after its top-up read started first gives that read an event-loop turn: on a loaded machine
 * a timer can run before the I/O that completed in the same turn, so bytes the kernel has would be missed (a program
 * that slept or worked meanwhile). Not less: a select() server's recv comes a few ms after its look, and a turn per
 * recv there (1 ms was tried) cut the bench's select echo from ~50,000 to under 500 echoes a second.
 */
const TOP_SETTLE_MS = 20;
const EMPTY = new Uint8Array(0);
const EMPTY32 = new Uint32Array(0);

let pool: Uint8Array[] = [];
let pool_taken = false;
let sweeper: ReturnType<typeof setInterval> | null = null;
let live_readers = 0;

function pool_stop(): void {
  if (sweeper !== null) {
    clearInterval(sweeper);
    sweeper = null;
  }
}

function pool_sweep(): void {
  if (!pool_taken) pool = [];
  pool_taken = false;
  if (pool.length === 0) pool_stop();
}

/** Give a drained, unpinned read buffer back. */
function pool_put(b: Uint8Array): void {
  if (b.length <= MIN_READ || b.length > KEEP_MAX || pool.length >= POOL_COUNT) return;
  pool.push(b);
  if (sweeper === null) {
    sweeper = setInterval(pool_sweep, IDLE_MS);
    Deno.unrefTimer(sweeper as unknown as number);
  }
}

/** The smallest pooled buffer of at least `want` bytes, or null. */
function pool_take(want: number): Uint8Array | null {
  let best = -1;
  for (let i = 0; i < pool.length; i++) {
    const n = pool[i]!.length;
    if (n >= want && (best < 0 || n < pool[best]!.length)) best = i;
  }
  if (best < 0) return null;
  const b = pool[best]!;
  pool[best] = pool[pool.length - 1]!;
  pool.pop();
  pool_taken = true;
  return b;
}

/** Bytes held by the pool of spare read buffers (for tests and the bench). */
export function read_pool_bytes(): number {
  let n = 0;
  for (const b of pool) n += b.length;
  return n;
}

/** out.set(src[from, from + k)): a loop for a short message (set() costs a view and a builtin call). */
function copy_small(out: Uint8Array, src: Uint8Array, from: number, k: number): void {
  if (k > 64) out.set(src.subarray(from, from + k));
  else for (let i = 0; i < k; i++) out[i] = src[from + i]!;
}

/**
 * Read errors that every later read meets again instead of an EOF (a TLS truncation's SSLEOFError, as CPython's:
 * the stream then reads the transport again, which raises again). Marked by the transport that throws them.
 */
export const sticky_errors: WeakSet<object> = new WeakSet();

function is_sticky(e: unknown): boolean {
  return typeof e === "object" && e !== null && sticky_errors.has(e);
}

/**
 * A read-ahead buffer over a Transport. Reads are issued only when a caller
 * needs bytes that are not buffered, so no byte is ever delayed; a read that
 * fills its whole target doubles the next read's size (4 KiB up to 1 MiB),
 * and a long unbuffered read grows the buffer geometrically.
 */
export class StreamReader {
  #t: Transport;
  #buf: Uint8Array = EMPTY;
  #start = 0;
  #end = 0;
  #pending: Promise<void> | null = null;
  #eof = false;
  #err: unknown = null;
  #size = MIN_READ;
  #closed = false;
  #taken = 0;
  // Wake-ups (stream.ts owner): waiters await #gate, which opens when the
  // pending read completes or the state changes under them (SHUT_RD, close).
  #gate: Promise<void> | null = null;
  #open: (() => void) | null = null;
  #raised = false;
  /** A direct read_into() in flight: wake() ends its caller's wait. */
  #cut: (() => void) | null = null;
  /** The last read returned less than its target: the peer had paused. */
  #short = false;
  /** The small buffer an idle wait reads into (allocated once, reused). */
  #small: Uint8Array | null = null;
  #slab: ArrayBuffer | null = null;
  /** The slab's size when made (its byteLength differs once a user transferred it away). */
  #slab_size = 0;
  /** The whole slab as bytes (EMPTY when there is none). */
  #slab_u8: Uint8Array = EMPTY;
  #slab_u32: Uint32Array = EMPTY32;
  /** Where the next result starts in the slab: bytes before it belong to results given out. */
  #slab_off = 0;
  /**
   * take_line()'s copy-ahead: slab bytes [#slab_off, #ahead) are a copy of the
   * next buffered bytes (the stream's, from #start), copied a block at a time so
   * that each line is only a view. Any other take makes it empty (#ahead = #slab_off).
   */
  #ahead = 0;

  /**
   * Keep a read in flight while bytes wait unread (A20-1): a plain connection's kernel queue is what Linux's recv
   * returns whole. Not for TLS (a Duplex that writes whole): CPython's SSL read returns one record's plaintext.
   */
  #top: boolean;
  /** fill() callers waiting for the pending read: they take its bytes, so no top-up read is started for them. */
  #fills = 0;
  /** The pending read is a top-up (#top_up), started at #top_at (performance.now()). */
  #topping = false;
  #top_at = 0;
  /** That top-up was given its settle turn already: one per top-up read, not one per call (A21-1). */
  #top_settled = false;
  /** A blocking recv waits through poll_take(): the completing read is that taker's, so no top-up (A21-2). */
  #taker = false;

  /** The other end, when it is in this process (StreamState.link): see PeerSide. */
  peer: PeerSide | null = null;
  /** Bytes this reader's reads returned so far (into its buffer or a caller's view). */
  #got = 0;

  /**
   * True when the same-process peer has sent bytes this reader has not read yet, or closed its writing half
   * before this reader saw the EOF: a non-blocking look should wait (bounded) for them, as Linux has them here.
   */
  get expecting(): boolean {
    const p = this.peer;
    if (p === null || this.#closed || this.#eof || this.#err !== null) return false;
    return p.sent() > this.#got || p.done();
  }

  constructor(t: Transport) {
    this.#t = t;
    this.#top = t.writes_whole !== true;
    live_readers++;
    // Its reads (a top-up, a read left by a timed-out call, a selector's watch) do not hold the process: a caller
    // that waits holds it (_alive.ts).
    unref(t);
  }

  /**
   * A promise that resolves when the pending read (there must be one) completes, or at the next
   * wake(). The read's own completion handler opens the gate (no reaction of its own per wait); a
   * late completion may open a later gate: waiters re-check, so a spurious wake-up is harmless.
   */
  #gated(): Promise<void> {
    return this.#gate ??= new Promise<void>((r) => this.#open = r);
  }

  #open_gate(): void {
    this.#taker = false;
    const open = this.#open;
    this.#gate = null;
    this.#open = null;
    open?.();
    const w = this.#watch;
    if (w !== null) {
      this.#watch = null;
      if (typeof w === "function") w();
      else for (const cb of w) cb();
    }
  }

  /** Callbacks of watch(): one, or several. */
  #watch: (() => void) | (() => void)[] | null = null;

  /**
   * poll() without a promise: `cb` is called once when the pending read (started if needed)
   * completes or the state changes (shutdown, close); at once (in a microtask) when there is
   * nothing to wait for.
   */
  watch(cb: () => void): void {
    if (this.#closed || this.#eof || this.#err !== null || this.shut_rd) return queueMicrotask(cb);
    if (this.#pending === null) this.#read();
    const w = this.#watch;
    this.#watch = w === null ? cb : typeof w === "function" ? [w, cb] : (w.push(cb), w);
  }

  /** Wake every waiter: the state changed under them (shutdown, close). */
  #wake(): void {
    this.#open_gate();
    this.#cut?.();
  }

  /** True once a read failed (reset, ...): the connection is gone, as the kernel's state says. */
  get failed(): boolean {
    return this.#err !== null || this.#raised;
  }

  /** True once a read raised its error (a reset) to a caller: sends then raise EPIPE, as Linux's. */
  get raised(): boolean {
    return this.#raised;
  }

  /** Bytes that recv() could return now. */
  get buffered(): number {
    return this.#end - this.#start;
  }

  /** Bytes of buffer this reader holds (for tests and the bench). */
  get capacity(): number {
    return this.#buf.length + (this.#small && this.#small !== this.#buf ? this.#small.length : 0) +
      (this.#slab?.byteLength ?? 0);
  }

  /** True when recv() would return at once: data, EOF, or an error to report. */
  get ready(): boolean {
    return this.#end > this.#start || this.#eof || this.#err !== null || this.shut_rd;
  }

  /** True once close() was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** True when a read is in flight. */
  get reading(): boolean {
    return this.#pending !== null;
  }

  /**
   * The pending read (started if needed); resolves when it completes or the
   * state changes (shutdown, close). Never rejects.
   */
  poll(): Promise<void> {
    if (this.#closed || this.#eof || this.#err !== null || this.shut_rd) return DONE;
    if (this.#pending === null) this.#read();
    return this.#gated();
  }

  #read(need = 0): Promise<void> {
    const used = this.#end - this.#start;
    let size = this.#size;
    if (used === 0) {
      this.#start = this.#end = 0;
      // A transport that says when bytes arrive is waited for first: a drained
      // reader whose peer paused then holds no buffer at all while it waits.
      const w = this.#t.wait_readable?.() ?? null;
      if (w !== null) return this.#wait(w, need);
      if (this.#short) {
        // Drained, and the last read found no more: this read may wait long.
        // Wait in the small buffer; the big one goes to the pool.
        if (this.#buf !== this.#small && this.#buf.length !== MIN_READ) {
          pool_put(this.#buf);
          this.#buf = this.#small ??= new Uint8Array(MIN_READ);
        }
        size = this.#buf.length;
        // An idle connection keeps no big slab (its results keep theirs).
        if (this.#slab !== null && this.#slab_size > SLAB_MIN) this.#drop_slab();
      } else if (this.#buf.length > KEEP_MAX) {
        this.#buf = EMPTY; // a long line's buffer: drop it, read at the usual size
      }
    }
    // A caller that needs more (recv(n, MSG_WAITALL)) gets room for exactly that, at once.
    // (Up to EXACT_MAX at once; a larger want grows geometrically as it arrives.)
    const exact = need > size && need <= EXACT_MAX && !(used === 0 && this.#short);
    if (exact) size = need;
    if (this.#buf.length - this.#end < size) {
      if (used + size <= this.#buf.length && this.#start > 0) {
        this.#buf.copyWithin(0, this.#start, this.#end);
      } else {
        // Grow geometrically: a long unbroken read copies each byte O(1) times.
        const want = exact ? used + size : Math.max(used + size, used * 2);
        // Pooled (big) buffers serve bursts only: a small read gets a small buffer, which a top-up can use (A21-4).
        const nb = (want > MIN_READ ? pool_take(want) : null) ?? new Uint8Array(want);
        nb.set(this.#buf.subarray(this.#start, this.#end));
        if (this.#buf !== this.#small) pool_put(this.#buf);
        this.#buf = nb;
      }
      this.#start = 0;
      this.#end = used;
    }
    return this.#issue(this.#end === 0 ? this.#buf : this.#buf.subarray(this.#end));
  }

  /** Start the transport's read into `target` (the free part of this.#buf) as the pending read. */
  #issue(target: Uint8Array): Promise<void> {
    this.#topping = false;
    this.#rd_buf = this.#buf;
    this.#rd_len = target.length;
    return this.#pending = this.#t.read(target).then(
      this.#on_read ??= (n) => this.#read_done(n),
      this.#on_read_error ??= (e) => {
        this.#pending = null;
        this.#topping = false;
        this.#rd_buf = null;
        if (!this.#closed) this.#err = e;
        this.#open_gate();
      },
    );
  }

  /** The `need` of a #read() waiting for wait_readable(), and the wait's handler (made once). */
  #wait_need = 0;
  #on_readable: (() => Promise<void> | void) | null = null;

  /** Wait until the transport has bytes (holding no buffer if the peer paused), then read them. */
  #wait(w: Promise<void>, need: number): Promise<void> {
    if (this.#short) {
      if (this.#buf !== this.#small) pool_put(this.#buf);
      this.#buf = EMPTY;
      this.#small = null;
      if (this.#slab !== null && this.#slab_size > SLAB_MIN) this.#drop_slab();
    }
    this.#wait_need = need;
    return this.#pending = w.then(
      this.#on_readable ??= () => {
        this.#pending = null;
        if (this.#closed) return this.#open_gate();
        return this.#read(this.#wait_need);
      },
    );
  }

  #drop_slab(): void {
    this.#slab = null;
    this.#slab_size = 0;
    this.#slab_u8 = EMPTY;
    this.#slab_u32 = EMPTY32;
    this.#slab_off = this.#ahead = 0;
  }

  /**
   * A fresh slab (the old one is full, or a user transferred it away) with
   * room for k bytes: it doubles while the connection is busy, up to SLAB; a
   * first one (or one after a transfer) starts at SLAB_MIN.
   */
  #new_slab(k: number): ArrayBuffer {
    const old = this.#slab;
    let size: number;
    if (this.#short) {
      // Reads come back short (the peer pauses): the next read drops a slab larger than SLAB_MIN, so
      // size it for what is buffered now, not by doubling (a select() echo server made a 512-byte slab
      // every 16 messages, used it once and dropped it).
      size = SLAB_MIN;
      const b = this.#end - this.#start;
      while (size < b && size < SLAB) size *= 2;
    } else size = old === null || old.byteLength !== this.#slab_size ? SLAB_MIN : Math.min(2 * this.#slab_size, SLAB);
    while (size < k) size *= 2;
    const slab = this.#slab = new ArrayBuffer(size);
    this.#slab_size = size;
    this.#slab_u8 = new Uint8Array(slab);
    this.#slab_u32 = new Uint32Array(slab);
    this.#slab_off = this.#ahead = 0;
    return slab;
  }

  // The pending #read()'s buffer and target size, and its handlers (made once per reader, not per read).
  #rd_buf: Uint8Array | null = null;
  #rd_len = 0;
  #on_read: ((n: number | null) => void) | null = null;
  #on_read_error: ((e: unknown) => void) | null = null;

  #read_done(n: number | null): void {
    this.#pending = null;
    this.#topping = false;
    // Bytes read into a buffer dropped meanwhile (close) are not kept.
    if (!this.#closed && this.#rd_buf === this.#buf) {
      if (n === null) this.#eof = true;
      else {
        this.#got += n;
        this.#end += n;
        this.#mark_record();
        this.#short = n < this.#rd_len;
        if (!this.#short && this.#size < MAX_READ && this.#rd_len >= this.#size) this.#size *= 2;
      }
    }
    this.#rd_buf = null;
    if (this.shut_rd) this.#pump();
    // Nobody was waiting to take these bytes (a look, an abandoned timed or non-blocking recv): read on meanwhile.
    else if (this.#fills === 0 && !this.#taker && n !== null && n > 0) this.#top_up();
    this.#open_gate(); // its waiters run once the outcome is stored
  }

  /**
   * A20-1: bytes wait unread and no read is in flight: start one into the buffer's free tail, so that a later
   * recv(n) also returns what the peer sent meanwhile, as Linux's recv returns everything queued up to n (without
   * it, a recv after a select() returned only the bytes the select's read got). Never grows or moves the buffer, and
   * only in a small one (MIN_READ): a pending read pins its buffer, and a drained connection must not keep a burst's
   * big one while it idles. Its completion tops up again while nobody takes, until the tail is full.
   */
  #top_up(): void {
    if (
      !this.#top || this.#pending !== null || this.#closed || this.#eof || this.#err !== null || this.shut_rd ||
      this.#end === this.#start || this.#buf.length > MIN_READ || this.#buf.length - this.#end < TOP_MIN
    ) return;
    this.#issue(this.#buf.subarray(this.#end));
    this.#topping = true;
    this.#top_settled = false;
    this.#top_at = performance.now();
  }

  /** A new array of the k bytes at `from` in the buffer: a view on this reader's slab when small. */
  #copy_out(from: number, k: number): Uint8Array {
    let out: Uint8Array;
    if (k <= POOL_MAX) {
      let slab = this.#slab;
      // byteLength is 0 once a user transferred the slab away: start a new one.
      if (slab === null || this.#slab_off + k > this.#slab_size || slab.byteLength !== this.#slab_size) {
        slab = this.#new_slab(k);
      }
      out = new Uint8Array(slab, this.#slab_off, k);
      this.#slab_off = this.#ahead = (this.#slab_off + k + 7) & ~7;
    } else {
      out = new Uint8Array(k);
    }
    copy_small(out, this.#buf, from, k);
    return out;
  }
  /**
   * Wait until at least `want` bytes are buffered, or EOF or an error.
   * Throws BlockingIOError when non-blocking, TimeoutError or the signal's
   * reason when the deadline passes; the pending read goes on either way.
   */
  async fill(want: number, dl: Deadline): Promise<void> {
    // Enough is buffered, but a top-up read started a while ago may hold bytes the event loop has not delivered yet
    // (a loaded machine ran a timer first): a turn for it, so the take returns what the kernel has (A20-1).
    // (Not for a non-blocking call: a select() server's recv, whose look just said what is there.)
    if (!dl.nonblocking && this.#end - this.#start >= want && this.settle_due) await this.settle();
    if (this.shut_rd) return this.#fill_shut(want);
    // (SHUT_RD under the wait ends it: Linux's recv then returns what is queued, or EOF.)
    let peer_waited = false;
    while (this.#end - this.#start < want && !this.#eof && this.#err === null && !this.shut_rd) {
      // Closed under a waiting reader: a new read would fail at once, forever.
      if (this.#closed) throw new OSError(errno.EBADF);
      if (this.#pending === null) this.#read(want - (this.#end - this.#start));
      this.#fills++;
      try {
        if (dl.nonblocking && this.peer !== null) {
          if (!peer_waited && this.expecting) {
            // A same-process peer sent (or closed) already: Linux's recv would return it; wait for Deno's read (A24).
            peer_waited = true;
            await settled_within(this.#gated(), PEER_WAIT_MS);
            continue;
          }
          // The other end is in this process and every byte it sent has been read: the kernel holds nothing for
          // this end. One event-loop turn (a loop of non-blocking recvs must let the loop run, or it starves every
          // other task), not the up to five an unknown peer gets after a fresh same-process write (more_turns):
          // a send, recv, recv-to-EAGAIN round on a socketpair took 12 ms.
          if (!this.expecting) {
            await dl.wait(this.#gated(), true);
            continue;
          }
        }
        await dl.wait(this.#gated()); // non-blocking: EAGAIN unless the read completes at once
      } finally {
        this.#fills--;
      }
    }
  }

  /**
   * True when a top-up read started over TOP_SETTLE_MS ago has not had its settle turn: a take now should first
   * give it one (settle()), or it may miss bytes the kernel has (A21-6: recv's fast path, a file's read1()/peek()).
   */
  get settle_due(): boolean {
    return this.#settling !== null ||
      (this.#topping && !this.#top_settled && performance.now() - this.#top_at > TOP_SETTLE_MS);
  }

  /** The settle turn in progress: later takers wait behind it, so takes keep their callers' order. */
  #settling: Promise<void> | null = null;

  /** Give the pending top-up read its one settle turn (see settle_due); callers meanwhile share it, in order. */
  settle(): Promise<void> {
    if (this.#settling !== null) return this.#settling;
    this.#top_settled = true;
    const p = this.#pending;
    if (p === null) return DONE;
    // A same-process write started after this top-up began (a program that wrote, then worked, then took) gets the
    // turns a fresh write gets: a descheduled process's timer ran before the read's result was delivered (A21-6).
    return this.#settling = settles_now(p, this.#top_at).then(() => {
      this.#settling = null;
    });
  }

  /**
   * poll() for a caller that will take the completing read's bytes (a blocking recv): that completion starts no
   * top-up read (A21-2: else every blocking recv left one in flight, and a big recv_into lost its direct read).
   */
  poll_take(): Promise<void> {
    if (this.#closed || this.#eof || this.#err !== null || this.shut_rd) return DONE;
    if (this.#pending === null) this.#read();
    this.#taker = true;
    return holding(this.#gated()); // a blocking recv: it holds the process while it waits (_alive.ts)
  }

  /** True when read_into() may be used: nothing buffered, no read in flight, no EOF or error. */
  get idle(): boolean {
    return this.#end === this.#start && this.#pending === null && !this.#eof && this.#err === null && !this.#closed &&
      !this.shut_rd;
  }

  /**
   * Read straight into the caller's view, skipping the read-ahead copy. Only
   * for a call that cannot be abandoned (blocking, no deadline, no signal)
   * on an idle reader: the read's bytes then belong to this call. Meanwhile
   * it is the pending read, so other callers wait for it. 0 at EOF.
   */
  read_into(view: Uint8Array): Promise<number> {
    // A blocking recv_into: it holds the process while it waits (_alive.ts).
    return holding(
      new Promise<number>((resolve, reject) => {
        let live = true;
        // SHUT_RD or close() under the wait: the caller gets EOF (EBADF) now;
        // the read goes on, and bytes it brings are kept for the next caller.
        this.#cut = () => {
          if (!live) return;
          live = false;
          if (this.#closed) reject(new OSError(errno.EBADF));
          else resolve(0);
        };
        // The pending read: it never rejects, so other callers can wait for it. It reads into a
        // buffer of the reader's own (copied into the caller's view when done): a read cut short
        // (SHUT_RD) goes on, and must not write into a buffer its caller owns again. That buffer is at
        // most KEEP_MAX (pooled, reused): a huge view no longer costs a second buffer of its size per
        // call (A18d-3); a read returns at most what the kernel holds anyway, and recv_into may be short.
        const cap = Math.min(view.length, KEEP_MAX);
        const into = pool_take(cap) ?? new Uint8Array(cap);
        const target = into.length === cap ? into : into.subarray(0, cap);
        let rd: Promise<number | null>;
        try {
          rd = this.#t.read(target);
        } catch (e) {
          rd = Promise.reject(e); // a transport that throws at once: the same path as a failed read
        }
        this.#pending = rd.then((v) => {
          this.#pending = null;
          this.#cut = null;
          this.#open_gate();
          if (v !== null && v > 0) {
            this.#got += v;
            this.#mark_record();
            if (!live) {
              if (!this.#closed) this.#keep(target.slice(0, v));
            } else if (!this.#closed) view.set(target.subarray(0, v));
          }
          if (!this.#closed) pool_put(into);
          if (v === null && !this.#closed) this.#eof = true;
          if (this.shut_rd) this.#pump(); // cut by SHUT_RD: what the peer sends next is still read
          if (!live) return;
          live = false;
          if (this.#closed) return reject(new OSError(errno.EBADF));
          resolve(v ?? 0);
        }, (e: unknown) => {
          if (!this.#closed) pool_put(into);
          this.#pending = null;
          this.#cut = null;
          this.#open_gate();
          if (!live) {
            if (!this.#closed) this.#err = e;
            return;
          }
          live = false;
          if (this.#closed) return reject(new OSError(errno.EBADF));
          this.#eof = !is_sticky(e); // an error is raised once, then the stream reads as EOF
          this.#raised = true;
          reject(map_error(e, "recv"));
        });
      }),
    );
  }

  /** Bytes a cut-off read_into() brought: buffered for the next caller (the reader was idle). */
  #keep(b: Uint8Array): void {
    const have = this.#buf.subarray(this.#start, this.#end);
    const nb = new Uint8Array(have.length + b.length);
    nb.set(have);
    nb.set(b, have.length);
    this.#buf = nb;
    this.#start = 0;
    this.#end = nb.length;
  }

  /** Throw the stored read error once (then the stream reads as EOF). */
  #raise_if_error(): void {
    if (this.#end === this.#start && this.#err !== null) {
      const e = this.#err;
      this.#err = null;
      this.#eof = !is_sticky(e);
      this.#raised = true;
      throw map_error(e, "recv");
    }
  }

  /**
   * Throw the stored read error now, even with bytes buffered (they stay for later takes), once; nothing without
   * one. A buffered file's read that needed more than the bytes before a reset raises it, as CPython's.
   */
  raise_error(): void {
    if (this.#err === null) return;
    const e = this.#err;
    this.#err = null;
    this.#eof = !is_sticky(e);
    this.#raised = true;
    throw map_error(e, "recv");
  }

  /**
   * SO_ERROR: the stored read error's errno, taken as raise_error() takes it (then the stream reads as EOF once the
   * buffered bytes are read, as Linux's recv after SO_ERROR cleared sk_err); 0 without one (A20-6).
   */
  take_error(): number {
    const e = this.#err;
    if (e === null) return 0;
    const m = map_error(e, "recv");
    if (!(m instanceof OSError) || m.errno === null) return 0;
    this.#err = null;
    this.#eof = !is_sticky(e);
    this.#raised = true;
    return m.errno;
  }

  /** Take up to n buffered bytes as a new array (empty at EOF). */
  take(n: number): Uint8Array {
    this.#raise_if_error();
    const k = Math.min(n, this.#end - this.#start);
    if (k === 0) return new Uint8Array(0);
    if (k === this.#buf.length && this.#pending === null && this.#buf !== this.#small) {
      // The whole buffer is this one result (recv(n, MSG_WAITALL) sized it): hand it over, no copy.
      const out = this.#buf;
      this.#buf = EMPTY;
      this.#start = this.#end = 0;
      this.#taken += k;
      this.#ahead = this.#slab_off; // the copy ahead was of these bytes
      if (this.shut_rd) this.#pump();
      return out;
    }
    const out = this.#copy_out(this.#start, k);
    this.#consume(k);
    return out;
  }

  /** Copy up to view.length buffered bytes into view; returns the count. */
  take_into(view: Uint8Array, consume = true): number {
    this.#raise_if_error();
    const k = Math.min(view.length, this.#end - this.#start);
    if (k > 0) {
      copy_small(view, this.#buf, this.#start, k);
      if (consume) this.#consume(k);
    }
    return k;
  }

  /** A copy of up to n buffered bytes, left in place (MSG_PEEK). */
  peek(n: number): Uint8Array {
    this.#raise_if_error();
    const out = this.#buf.slice(
      this.#start,
      this.#start + Math.min(n, this.#end - this.#start),
    );
    this.#top_up();
    return out;
  }

  /** Index (relative to the buffered bytes) of `byte` at or after `from`, or -1. */
  index_of(byte: number, from = 0): number {
    const s = this.#start + from;
    if (s >= this.#end) return -1;
    // Only the filled part: the rest of a big buffer is stale or empty.
    const i = this.#end === this.#buf.length
      ? this.#buf.indexOf(byte, s)
      : this.#buf.subarray(s, this.#end).indexOf(byte);
    return i < 0 ? -1 : (this.#end === this.#buf.length ? i : i + s) - this.#start;
  }

  /**
   * The next whole buffered line (through `byte`) of at most `max` bytes as a
   * new array, or null when none is buffered (or it is longer). A short line is a view on the slab, into which the
   * buffered bytes are copied ahead a block at a time (one copy per block, not
   * per line); a result's `.buffer` then also shows bytes of this connection
   * that later results return.
   */
  take_line(byte: number, max: number): Uint8Array | null {
    const off = this.#slab_off, ahead = this.#ahead, su = this.#slab_u8;
    let i = off;
    // Four bytes at a time (a word has the byte when (v - 0x01..) & ~v & 0x80.. with v = word ^ byte x 4).
    if (ahead - off >= 16) {
      while ((i & 3) !== 0 && su[i] !== byte) i++;
      if (su[i] !== byte) {
        const w32 = this.#slab_u32, pat = byte * 0x01010101, we = ahead >> 2;
        let w = i >> 2;
        while (w < we) {
          const v = w32[w]! ^ pat;
          if (((v - 0x01010101) & ~v & 0x80808080) !== 0) break;
          w++;
        }
        i = w << 2;
      }
    }
    while (i < ahead && su[i] !== byte) i++;
    if (i < ahead) {
      // Found in the copy ahead: the line is a view, nothing to copy.
      const k = i + 1 - off;
      if (k > max) return null;
      const out = new Uint8Array(this.#slab!, off, k);
      this.#slab_off = i + 1;
      this.#taken += k;
      this.#start += k;
      if (this.#start === this.#end) this.#drained();
      if (this.shut_rd) this.#pump();
      return out;
    }
    return this.#take_line_slow(byte, max);
  }

  #take_line_slow(byte: number, max: number): Uint8Array | null {
    // A user transferred the slab away (its byteLength is now 0): the copy ahead went with it.
    if (this.#slab !== null && this.#slab.byteLength !== this.#slab_size) this.#drop_slab();
    const buf = this.#buf, s = this.#start, e = this.#end;
    // The bytes already copied ahead were scanned: scan the rest of the buffer.
    const copied = this.#ahead - this.#slab_off;
    const from = s + copied;
    if (from >= e) return null;
    // A JS scan beats indexOf's builtin call on short lines; indexOf on long ones.
    const stop = Math.min(e, from + 128);
    let i = from;
    while (i < stop && buf[i] !== byte) i++;
    if (i === stop) {
      if (stop === e) return null;
      // Only the filled part: the rest of a big buffer is stale or empty.
      i = buf.subarray(stop, e).indexOf(byte);
      if (i < 0) return null;
      i += stop;
    }
    const k = i + 1 - s;
    if (k > max) return null;
    const buffered = e - s;
    if (k > POOL_MAX || (this.#slab === null && k === buffered)) {
      // A long line, or a lone one (no slab for it): an array of its own.
      const out = buf.slice(s, s + k);
      this.#consume(k);
      return out;
    }
    let slab = this.#slab;
    let off = this.#slab_off;
    // byteLength is 0 once a user transferred the slab away.
    if (slab === null || off + k > this.#slab_size || slab.byteLength !== this.#slab_size) {
      slab = this.#new_slab(k);
      off = 0;
    }
    // Copy ahead: everything buffered that fits in the slab (the line at least).
    const have = this.#ahead - off;
    const n = Math.min(buffered, this.#slab_size - off);
    this.#slab_u8.set(buf.subarray(s + have, s + n), off + have);
    this.#ahead = off + n;
    const out = new Uint8Array(slab, off, k);
    this.#slab_off = off + k;
    this.#taken += k;
    this.#start += k;
    if (this.#start === this.#end) this.#drained();
    if (this.shut_rd) this.#pump();
    return out;
  }

  /** True once the peer's EOF has been seen and everything buffered was taken. */
  get at_eof(): boolean {
    return this.#eof && this.#end === this.#start && this.#err === null;
  }

  /** True once a read met the peer's EOF (its FIN), whether or not the buffered bytes before it were taken. */
  get peer_eof(): boolean {
    return this.#eof;
  }

  /** True once EOF or a read error is stored (buffered bytes may still be taken first). */
  get ended(): boolean {
    return this.#eof || this.#err !== null || this.shut_rd;
  }

  /** How many bytes were ever taken: a change tells a waiter that another caller took bytes. */
  get taken(): number {
    return this.#taken;
  }

  /**
   * Over a transport whose reads stop at a record's end (TLS: chunk_rest), where each record read so far ends, in
   * bytes read from the transport (#got); the first is the end of the record the caller is in, or after.
   */
  #ends: number[] = [];
  /** The end of the last record the caller has read whole (where the next one starts). */
  #rec_start = 0;

  #mark_record(): void {
    const rest = this.#t.chunk_rest;
    if (rest === undefined) return;
    const end = this.#got + rest;
    const e = this.#ends;
    this.#passed();
    if (e.length === 0 || e[e.length - 1]! < end) e.push(end);
  }

  /** Drop the records the caller has read whole; returns the bytes given to callers so far. */
  #passed(): number {
    const given = this.#got - (this.#end - this.#start);
    const e = this.#ends;
    while (e.length > 0 && e[0]! <= given) this.#rec_start = e.shift()!;
    return given;
  }

  /**
   * What is left of the record the caller has begun (OpenSSL's SSL_pending), over a transport whose reads stop
   * at a record's end; 0 between records (a record read ahead into the buffer is not begun) and otherwise.
   */
  get record_rest(): number {
    const given = this.#passed();
    const e = this.#ends;
    return e.length > 0 && given > this.#rec_start ? e[0]! - given : 0;
  }

  /** Bytes received so far: taken, buffered, and queued in the transport below (TLS plaintext decrypted ahead). */
  get received(): number {
    return this.#taken + this.#end - this.#start + (this.#t.pending ?? 0);
  }

  /**
   * A take emptied the buffer: start it over when no read writes into it; with a top-up read in flight after short
   * reads (the peer pauses), give up a slab bigger than SLAB_MIN now, as #read would for an idle wait (A21-3).
   */
  #drained(): void {
    if (this.#pending === null) this.#start = this.#end = 0;
    else if (this.#topping && this.#short && this.#slab !== null && this.#slab_size > SLAB_MIN) this.#drop_slab();
  }

  #consume(k: number): void {
    this.#ahead = this.#slab_off; // the copy ahead no longer matches what is buffered
    this.#taken += k;
    this.#start += k;
    if (this.#start === this.#end) this.#drained();
    if (this.shut_rd) this.#pump(); // room again below PUMP_MAX
    else this.#top_up(); // bytes left for a later take (A20-1)
  }

  /** A read error not yet raised by recv (Linux's pending SO_ERROR: poll's POLLERR). */
  get error_pending(): boolean {
    return this.#err !== null;
  }

  /**
   * A blocking AF_UNIX send that waited met the peer's death (A17b-3): Linux's send then consumed the pending
   * ECONNRESET (sock_error() in its wait), so reads give what is queued, then EOF. Reads ahead (up to `ms`) until the
   * reader knows how the connection ended; true when it was a reset no recv had raised (now an EOF).
   */
  async take_reset(ms: number): Promise<boolean> {
    const until = performance.now() + ms;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const bound = new Promise<void>((r) => timer = setTimeout(r, ms));
    try {
      for (let i = 0; i < 1024 && !this.ended && !this.#closed && performance.now() < until; i++) {
        await Promise.race([this.poll(), bound]);
      }
    } finally {
      clearTimeout(timer);
    }
    const e = this.#err;
    if (e === null || this.#raised || this.#closed) return false;
    const m = map_error(e, "recv");
    if (!(m instanceof OSError && m.errno === errno.ECONNRESET)) return false;
    this.#err = null;
    this.#eof = true;
    return true;
  }

  /**
   * shutdown(SHUT_RD) was called here (an EOF of our own, not the peer's): as Linux's RCV_SHUTDOWN, a read
   * with nothing queued returns EOF at once (and the reader is readable), yet what the peer sends later is
   * still received and read (P13-1); only the peer's own EOF ends the stream.
   */
  shut_rd = false;

  /** SHUT_RD: reads no longer wait (EOF when nothing is buffered); bytes the peer sends later are still read. */
  shut_read(): void {
    this.shut_rd = true;
    this.#pump();
    this.#wake();
  }

  /**
   * After SHUT_RD nobody waits for the peer's bytes, so the reader keeps one read in flight, as the kernel's
   * receive queue would take them, up to PUMP_MAX buffered (then the peer's sends back up, as a full receive
   * buffer does; a take below it reads on), until the peer's EOF, an error or close().
   */
  #pump(): void {
    if (this.#pending !== null || this.#closed || this.#eof || this.#err !== null) return;
    if (this.#end - this.#start >= PUMP_MAX) return;
    this.#read();
  }

  /**
   * fill() after SHUT_RD: Linux's recv returns what is queued, or EOF at once, even with MSG_WAITALL. A read of the
   * pump that completes within a few event-loop turns is what the kernel has queued now (its bytes are returned).
   */
  async #fill_shut(want: number): Promise<void> {
    for (let i = 0; i < SHUT_TURNS && this.#end - this.#start < want; i++) {
      if (this.#closed) throw new OSError(errno.EBADF);
      this.#pump();
      const p = this.#pending;
      if (p === null || !await settles_now(p)) return;
    }
  }

  /** Forget everything; a pending read's outcome is discarded. */
  close(): void {
    if (!this.#closed) {
      // The last reader gone: let the pool go (and its sweeper, which tests would see as a leak).
      if (--live_readers === 0) {
        pool = [];
        pool_stop();
      }
    }
    this.#closed = true;
    this.#buf = EMPTY;
    this.#small = null;
    this.#drop_slab();
    this.#start = this.#end = 0;
    this.#wake();
  }
}

const SEND_QUEUE = 256 * 1024;
/** How long a blocking AF_UNIX send whose write met EPIPE reads ahead to learn whether the peer's end was a reset. */
const UNIX_RESET_MS = 100;
/**
 * Small queued sends waiting behind a write go out together, up to this many
 * bytes in one write: a timed sender of 16-byte messages made one write (one
 * op, ~1-4 µs) per message and could never catch up with its own queue.
 */
const COALESCE = 64 * 1024;
/** The most a direct write likely to wait copies at once. */
const COPY_MAX = 256 * 1024;

// A queued send's copy of a small message is carved out of a process-wide
// slab (never rewritten; a full slab is left to the garbage collector once
// its queued copies are written). Queued copies are internal, never shown to
// users. A fresh small Uint8Array lives on V8's heap, and Deno's write must
// move it off the heap first (a new backing store per write); a view on a
// slab is already off the heap.
const WSLAB = 16 * 1024;
const WSLAB_MAX = 2048;
let wslab: ArrayBuffer | null = null;
let wslab_off = 0;

/** A copy of data's first k bytes that the send queue owns. */
function queue_copy(data: Uint8Array, k: number): Uint8Array {
  if (k > WSLAB_MAX) return data.slice(0, k);
  if (wslab === null || wslab_off + k > WSLAB) {
    wslab = new ArrayBuffer(WSLAB);
    wslab_off = 0;
  }
  const out = new Uint8Array(wslab, wslab_off, k);
  wslab_off = (wslab_off + k + 7) & ~7;
  copy_small(out, data, 0, k);
  return out;
}

/** How long queued bytes are still delivered, after close() or SHUT_WR, to a peer that does not read. */
export const LINGER_MS = 30_000;

/**
 * The writing half. A blocking send with no deadline writes straight from
 * the caller's bytes; a send with a deadline (or non-blocking) copies into a
 * bounded queue that a background loop flushes in order, because a Deno
 * write cannot be taken back once started. Errors of the background loop are
 * raised by the next send, as the kernel reports them.
 *
 * Every waiter (a send waiting for room or for another send, select's
 * wait_writable) is woken by every change: a write done, SHUT_WR, close().
 */
function is_epipe(e: unknown): boolean {
  const m = map_error(e, "send");
  return m instanceof OSError && m.errno === errno.EPIPE;
}

export class StreamWriter {
  #t: Transport;
  /**
   * Queued copies in order, in slots [#qhead, #qtail) (slots outside are EMPTY). The array is not
   * truncated when it empties: `length = 0` drops its backing store, and the next push made a new one
   * (~150 bytes per send on a select() echo path).
   */
  #queue: Uint8Array[] = [];
  #qhead = 0;
  #qtail = 0;
  #queued = 0;
  /** The write or flush in flight; resolves when it ends, never rejects. */
  #busy: Promise<void> | null = null;
  #err: unknown = null;
  #shut = false;
  #direct = false;
  #closed = false;
  #broken = false;
  #gate: Promise<void> | null = null;
  #open: (() => void) | null = null;
  /** The caller of the direct write in flight, until the write ends or SHUT_WR cuts its wait short. */
  #caller: PromiseWithResolvers<number | undefined> | null = null;
  /** A sendall()'s bytes from the direct write in flight on (null for a send()): a short write goes on at once. */
  #rest: Uint8Array | null = null;
  /** The reactions of direct writes: made on the first one, then shared by every later one. */
  #reactions: [(n: number) => void, (e: unknown) => void] | null = null;

  /** The connection's reader, if made: a reset it raised ends sending too (A13b-4). */
  #reader: (() => StreamReader | null) | null;
  /** The connection's reader, made if needed (A17b-3: a blocking AF_UNIX send hands it a consumed reset). */
  #make_reader: (() => StreamReader) | null;

  constructor(
    t: Transport,
    reader: (() => StreamReader | null) | null = null,
    make_reader: (() => StreamReader) | null = null,
  ) {
    this.#t = t;
    this.#reader = reader;
    this.#make_reader = make_reader;
  }

  /** True for a plain TCP connection (not TLS, not AF_UNIX), asked once. */
  #tcp: boolean | null = null;
  #plain_tcp(): boolean {
    if (this.#tcp === null) {
      try {
        this.#tcp = this.#t.writes_whole !== true && this.#t.remoteAddr.transport === "tcp";
      } catch {
        this.#tcp = false;
      }
    }
    return this.#tcp;
  }

  /** True for an AF_UNIX stream (a Deno.UnixConn), asked once. */
  #unix: boolean | null = null;
  /** Bytes the direct writes (blocking sends) wrote so far: tells whether a failed one sent any of its own. */
  #direct_written = 0;
  /** Bytes sends queued so far (their callers were told they were sent). */
  #enqueued = 0;

  /** Bytes this writer's sends have reported sent so far: written by a direct write, or queued (PeerSide.sent). */
  get sent_total(): number {
    // A direct write in flight waits for room: the kernel holds bytes for the peer (counted when it completes).
    return this.#direct_written + this.#enqueued + (this.#direct ? 1 : 0);
  }

  /**
   * A blocking send on an AF_UNIX stream whose connection looks healthy (no error known to the writer or the
   * reader): if it waits and the peer dies meanwhile, Linux's unix_stream_sendmsg, asleep in
   * sock_alloc_send_pskb(), takes the pending ECONNRESET (A17b-3; #unix_failed).
   */
  #unix_watch(): boolean {
    if (this.#make_reader === null || this.#broken || this.#err !== null) return false;
    if (this.#unix === null) {
      try {
        this.#unix = this.#t.writes_whole !== true && this.#t.remoteAddr.transport === "unix";
      } catch {
        this.#unix = false;
      }
    }
    return this.#unix && this.#reader?.()?.ended !== true;
  }

  /**
   * A blocking AF_UNIX send that waited failed with EPIPE (Deno's write after the peer died): when the peer's end was
   * a reset (it closed with bytes unread), Linux's waiting send consumed it: later reads give the queued bytes, then
   * EOF (not ConnectionResetError), and a send that had sent none of its bytes raises ECONNRESET (CPython's blocking
   * send/sendall: ConnectionResetError; a sendall that had sent some: BrokenPipeError, as here).
   */
  async #unix_failed(e: unknown, waited: boolean, none_sent: boolean): Promise<void> {
    if (!waited || this.#shut || this.#closed || !(e instanceof OSError) || e.errno !== errno.EPIPE) return;
    if (!(await this.#make_reader!().take_reset(UNIX_RESET_MS))) return;
    if (none_sent) throw from_errno(errno.ECONNRESET);
  }

  /** A read raised the connection's reset: Linux's send then raises EPIPE (a timed one queued its bytes, lost). */
  #reset_read(): boolean {
    return this.#reader !== null && this.#reader()?.raised === true;
  }

  /**
   * The socket is being closed. Returns true when a caller's blocking write
   * is in flight: the transport should be closed now (that write then raises
   * EBADF) instead of waiting for a peer that may never read.
   */
  close(): boolean {
    // The FIN (or a Unix reset) Linux queues on a same-process peer at close() is seen by its next look (A24-1).
    writes.last = performance.now();
    this.#closed = true;
    this.#wake(); // a send waiting for room raises EBADF now
    return this.#direct;
  }

  /** True when send() would not wait (room in the queue). */
  get ready(): boolean {
    return this.#err !== null || this.#shut ||
      (this.#busy === null || this.#queued < SEND_QUEUE);
  }

  /** True once shutdown(SHUT_WR) was called (poll's POLLHUP once the reading half is shut too). */
  get shut(): boolean {
    return this.#shut;
  }

  /** True when nothing is queued or being written. */
  get idle(): boolean {
    return this.#busy === null && this.#qtail === this.#qhead;
  }

  /**
   * A background write's error not yet raised by a send (Linux's pending SO_ERROR: poll's POLLERR). Deno's write
   * meets a peer's reset as EPIPE and consumes it, so this is all that is left of it (A16b-3).
   */
  get error_pending(): boolean {
    return this.#err !== null;
  }

  /** True once a write failed: the connection is gone. */
  get broken(): boolean {
    return this.#err !== null || this.#broken;
  }

  #changed(): Promise<void> {
    return this.#gate ??= new Promise<void>((r) => this.#open = r);
  }

  #wake(): void {
    const open = this.#open;
    if (open === null) return;
    this.#gate = null;
    this.#open = null;
    open();
  }

  /** Resolves when writability may have changed (a write done, shutdown, close); never rejects. */
  poll(): Promise<void> {
    return this.#busy === null || this.#closed || this.#shut ? DONE : this.#changed();
  }

  /** Resolves when everything queued has been written (or failed). */
  async drain(): Promise<void> {
    while (this.#busy) await (this.#busy === FLUSHING || this.#busy === WRITING ? this.#changed() : this.#busy);
  }

  #check(): void {
    if (this.#closed) throw new OSError(errno.EBADF);
    // Linux's tcp_sendmsg raises a pending socket error (a reset a read met that no call has raised yet: a look's, or
    // the read a shutdown(SHUT_WR) keeps in flight) once, before EPIPE, shut or not (sk_stream_error); later reads
    // then read EOF. AF_UNIX's send never looks at it.
    // (A write that met the reset after that read consumed it got EPIPE: the reset is still the one to report.)
    if (this.#reader !== null && this.#plain_tcp() && (this.#err === null || is_epipe(this.#err))) {
      const r = this.#reader();
      if (r !== null && r.error_pending) {
        const n = r.take_error();
        if (n !== 0) {
          this.#err = null;
          this.#broken = true;
          throw from_errno(n, { operation: "send" });
        }
      }
    }
    if (this.#shut) {
      // As Linux's tcp_sendmsg: a reset the queue's flush met is reported once before EPIPE.
      const m = this.#err === null ? null : map_error(this.#err, "send");
      if (!(m instanceof OSError && m.errno === errno.ECONNRESET)) {
        throw from_errno(errno.EPIPE, { operation: "send after shutdown" });
      }
    }
    if (this.#err !== null) {
      const e = this.#err;
      this.#err = null;
      this.#broken = true;
      throw map_error(e, "send");
    }
    // A connection whose write failed, or whose read met a reset, stays failed, as the kernel's does.
    if (this.#broken || this.#reset_read()) throw from_errno(errno.EPIPE, { operation: "send" });
    // An AF_UNIX peer of this process that closed: Linux's unix_stream_sendmsg refuses at once (EPIPE), where Deno
    // has not closed that end yet while a read of it is in flight, and the bytes would go into it (A31-1).
    if (this.unix_peer !== null && this.unix_peer.closed()) throw from_errno(errno.EPIPE, { operation: "send" });
  }

  /** The other end of an AF_UNIX connection, when this process has it (socketpair()). */
  unix_peer: PeerSide | null = null;

  /**
   * send(): write some of data; returns how many bytes were taken. `part`: a piece of a larger call (sendfile, whose
   * Linux call meets a peer's reset with EPIPE): a blocking AF_UNIX send that met the reset raises EPIPE (A17b-3).
   */
  send(data: Uint8Array, dl: Deadline, part: boolean = false): Promise<number> {
    // The common non-blocking case (a socket select() reported writable): room
    // in the queue and nothing to report; the bytes are taken now, with no
    // async frame (each one suspended costs ~100 bytes of garbage).
    if (
      !dl.unbounded && data.length > 0 && (this.#busy === null || this.#queued < SEND_QUEUE) &&
      this.#err === null && !this.#closed && !this.#shut && !this.#broken && !this.#reset_read() &&
      (this.unix_peer === null || !this.unix_peer.closed())
    ) {
      return Promise.resolve(this.#enqueue(data));
    }
    return this.#send(data, dl, part);
  }

  async #send(data: Uint8Array, dl: Deadline, part: boolean): Promise<number> {
    this.#check();
    if (data.length === 0) return 0;
    if (dl.unbounded) {
      const watch = this.#unix_watch();
      try {
        while (this.#busy) {
          await this.#changed();
          this.#check();
        }
      } catch (e) {
        if (watch) await this.#unix_failed(e, true, !part);
        throw e;
      }
      if (!watch) return await this.#write_direct(data);
      const full = this.#full;
      try {
        return await this.#write_direct(data);
      } catch (e) {
        await this.#unix_failed(e, full, !part);
        throw e;
      }
    }
    while (this.#busy && this.#queued >= SEND_QUEUE) {
      // Non-blocking: the queue gets one event-loop turn to drain before EAGAIN (as the kernel's buffer drains
      // while a CPython program loops on send()); a loop of `await send()` would otherwise spin forever.
      await dl.wait(this.#changed());
      this.#check();
    }
    return this.#enqueue(data);
  }

  /** Queue a copy of as much of data as there is room for; returns the count. */
  #enqueue(data: Uint8Array): number {
    const k = Math.min(data.length, SEND_QUEUE - this.#queued);
    const q = this.#queue, c = queue_copy(data, k);
    if (this.#qtail === q.length) q.push(c);
    else q[this.#qtail] = c;
    this.#qtail++;
    this.#queued += k;
    this.#enqueued += k;
    if (!this.#busy) this.#busy = this.#flush();
    return k;
  }

  /**
   * One write straight from the caller's bytes; SHUT_WR under it ends the
   * caller's wait (EPIPE). Only one is in flight at a time (#busy), so its
   * caller and reactions live in the writer: no closures per write.
   */
  #write_direct(data: Uint8Array): Promise<number> {
    if (!this.#full && this.#t.writes_whole !== true) return this.#write_chained(data, null) as Promise<number>;
    const caller = this.#caller = Promise.withResolvers<number | undefined>();
    this.#direct = true;
    this.#start_write(data);
    return caller.promise as Promise<number>;
  }

  /**
   * sendall() on an idle writer with no deadline: direct writes until all
   * of `data` is written (each short write goes on at once, for the same
   * caller), then the check sendall ends with.
   */
  #write_all_direct(data: Uint8Array): Promise<void> {
    if (!this.#full && this.#t.writes_whole !== true) return this.#write_chained(data, data) as Promise<void>;
    const caller = this.#caller = Promise.withResolvers<number | undefined>();
    this.#direct = true;
    this.#rest = data;
    this.#start_write(data);
    return caller.promise as Promise<void>;
  }

  /** The direct write in flight reads the caller's own bytes (not a copy the writer made). */
  #borrowed = false;
  /** The last direct write was short (the kernel's buffer was full): the next one is likely to wait. */
  #full = false;
  /** The length of the direct write in flight. */
  #wlen = 0;
  /** SHUT_WR cut the caller of a write from its own bytes: raised when that write ends. */
  #cut_err: OSError | null = null;

  #start_write(data: Uint8Array): void {
    // A write likely to wait (the last one was short) goes from a copy of the writer's, so a
    // caller cut short by SHUT_WR owns its buffer again while that write goes on.
    const copy = this.#full;
    const src = copy ? data.slice(0, Math.min(data.length, COPY_MAX)) : data;
    this.#borrowed = !copy;
    this.#wlen = src.length;
    let w: Promise<number>;
    try {
      writes.last = performance.now(); // (P13-3: a same-process reader may be about to see these bytes)
      w = this.#t.write(src);
    } catch (e) {
      w = Promise.reject(e); // a transport that throws at once: the same path as a failed write
    }
    const r = this.#reactions ??= [(n) => this.#written(n), (e) => this.#write_failed(e)];
    this.#busy = w.then(r[0], r[1]);
  }

  /** The reactions of chained direct writes: made on the first one, then shared by every later one. */
  #chained: [(n: number) => number | undefined | Promise<number | undefined>, (e: unknown) => never] | null = null;

  /**
   * A direct write of the caller's own bytes (the last write was taken whole, and a short one returns:
   * not a node:stream Duplex) whose caller's promise is the write's own reaction: no resolvers made per
   * call (a round trip's sendall). SHUT_WR under it is raised when the write ends, as #cut() does for
   * any write of borrowed bytes. `rest` is sendall's bytes (null for a send()).
   */
  #write_chained(data: Uint8Array, rest: Uint8Array | null): Promise<number | undefined> {
    this.#direct = true;
    this.#rest = rest;
    this.#borrowed = true;
    this.#wlen = data.length;
    let w: Promise<number>;
    try {
      writes.last = performance.now();
      w = this.#t.write(data);
    } catch (e) {
      w = Promise.reject(e); // a transport that throws at once: the same path as a failed write
    }
    this.#busy = WRITING;
    const r = this.#chained ??= [(n) => this.#chained_written(n), (e) => this.#chained_failed(e)];
    return w.then(r[0], r[1]);
  }

  #chained_written(n: number): number | undefined | Promise<number | undefined> {
    writes.last = performance.now(); // the send returns now: a look from here on may be a reader's (A24-3)
    this.#direct_written += n;
    this.#full = n < this.#wlen;
    const rest = this.#rest, cut = this.#cut_err;
    if (rest !== null && n < rest.length && !this.#closed) {
      // A short write (the kernel's buffer is full): the rest goes on as the general path's, with a
      // caller of its own (the next writes are copies, and SHUT_WR may end that caller's wait at once).
      const caller = this.#caller = Promise.withResolvers<number | undefined>();
      this.#start_write(this.#rest = rest.subarray(n));
      return caller.promise;
    }
    this.#after_direct();
    if (cut !== null) throw cut;
    if (rest === null) return n;
    this.#check(); // sendall's last word (EBADF when closed under it)
    return undefined;
  }

  #chained_failed(e: unknown): never {
    const cut = this.#cut_err;
    this.#after_direct();
    if (cut !== null) throw cut;
    // A connection whose write failed stays failed, as the kernel's does (shutdown then says ENOTCONN).
    if (!this.#closed) this.#broken = true;
    throw this.#closed ? new OSError(errno.EBADF) : map_error(e, "send");
  }

  #written(n: number): void {
    writes.last = performance.now(); // (A24-3)
    this.#direct_written += n;
    this.#full = n < this.#wlen;
    const caller = this.#caller, rest = this.#rest, cut = this.#cut_err;
    if (rest !== null && caller !== null && n < rest.length && !this.#closed) {
      this.#start_write(this.#rest = rest.subarray(n)); // sendall: the rest, for the same caller
      return;
    }
    this.#after_direct();
    if (caller === null) return;
    if (cut !== null) return caller.reject(cut);
    if (rest === null) return caller.resolve(n);
    try {
      this.#check(); // sendall's last word (EBADF when closed under it)
    } catch (e) {
      return caller.reject(e);
    }
    caller.resolve(undefined);
  }

  #write_failed(e: unknown): void {
    const caller = this.#caller, cut = this.#cut_err;
    this.#after_direct();
    if (caller !== null && cut !== null) caller.reject(cut);
    else if (caller !== null) {
      // A connection whose write failed stays failed, as the kernel's does (shutdown then says ENOTCONN).
      if (!this.#closed) this.#broken = true;
      caller.reject(this.#closed ? new OSError(errno.EBADF) : map_error(e, "send"));
    } else if (!this.#closed) this.#err = e; // raised by the next send, as the kernel does
  }

  /** SHUT_WR under a direct write: its caller raises `e` now; the write goes on (close() lets it finish: linger). */
  #cut(e: OSError): void {
    const caller = this.#caller;
    if (caller === null) return;
    if (this.#borrowed && this.#t.writes_whole !== true) {
      // The write in flight reads the caller's bytes: the caller is told when it ends (close() or
      // the linger ends it at the latest), and no write follows it.
      this.#rest = null;
      this.#cut_err = e;
      return;
    }
    this.#caller = null;
    this.#direct = false;
    caller.reject(e);
  }

  #after_direct(): void {
    this.#cut_err = null;
    this.#direct = false;
    this.#caller = null;
    this.#rest = null;
    this.#busy = null;
    // A timed send may have queued bytes meanwhile: flush them, or they stay unsent.
    if (this.#qtail > this.#qhead) this.#busy = this.#flush();
    this.#wake();
  }

  /**
   * Write the queue out in order; #busy is FLUSHING until it is empty or a
   * write failed. Callbacks made once per writer, not an async loop: a
   * suspended async frame per queued send was the send path's largest garbage.
   */
  #flush(): Promise<void> {
    this.#flush_next();
    return FLUSHING;
  }

  #on_wrote: ((n: number) => void) | null = null;
  #on_write_error: ((e: unknown) => void) | null = null;

  #flush_next(): void {
    const q = this.#queue, tail = this.#qtail;
    let h = this.#qhead;
    if (h === tail) {
      this.#qhead = this.#qtail = 0;
      if (q.length > 64) q.length = 0; // a long queue's slots are not kept
      return this.#flush_end();
    }
    let head = q[h]!;
    if (head.length < COALESCE && tail - h > 1) {
      // Small sends queued behind one another: one write for as many as fit.
      let total = head.length, j = h + 1;
      while (j < tail && total + q[j]!.length <= COALESCE) total += q[j++]!.length;
      if (j - h > 1) {
        const m = new Uint8Array(total);
        for (let i = h, off = 0; i < j; i++) {
          m.set(q[i]!, off);
          off += q[i]!.length;
          q[i] = EMPTY;
        }
        q[this.#qhead = h = j - 1] = head = m;
      }
    }
    let w: Promise<number>;
    try {
      writes.last = performance.now();
      w = this.#t.write(head);
    } catch (e) {
      w = Promise.reject(e); // a transport that throws at once: as a failed write, a turn later
    }
    w.then(
      this.#on_wrote ??= (n) => {
        writes.last = performance.now(); // (A24-3)
        const q = this.#queue, h = this.#qhead, tail = this.#qtail, chunk = q[h]!;
        this.#queued -= n;
        if (n < chunk.length) q[h] = chunk.subarray(n);
        else {
          // Written: its slot is cleared, not shifted out (a shift is O(queue length)).
          q[h] = EMPTY;
          if (h + 1 === tail) {
            this.#qhead = this.#qtail = 0;
            if (q.length > 64) q.length = 0; // a long queue's slots are not kept
          } else if (h >= 1024 && 2 * h >= tail) {
            this.#queue = q.slice(h + 1, tail);
            this.#qhead = 0;
            this.#qtail = tail - h - 1;
          } else this.#qhead = h + 1;
        }
        this.#wake(); // room for a waiting send
        this.#flush_next();
      },
      this.#on_write_error ??= (e) => {
        this.#err = e;
        this.#queue = [];
        this.#qhead = this.#qtail = 0;
        this.#queued = 0;
        this.#flush_end();
      },
    );
  }

  #flush_end(): void {
    this.#busy = null;
    this.#wake();
  }

  /** sendall(): write everything or throw. */
  send_all(data: Uint8Array, dl: Deadline): Promise<void> {
    // Blocking, no deadline, idle and healthy (the common case): no async frame of its own.
    if (
      dl.unbounded && this.#busy === null && data.length > 0 && !this.#closed && !this.#shut && this.#err === null &&
      !this.#broken
    ) return this.#unix_watch() ? this.#send_all(data, dl) : this.#write_all_direct(data);
    return this.#send_all(data, dl);
  }

  async #send_all(data: Uint8Array, dl: Deadline): Promise<void> {
    let off = 0;
    if (dl.unbounded) {
      // Blocking, no deadline: send()'s direct path, once the write in flight is done.
      if (data.length > 0) {
        this.#check();
        const watch = this.#unix_watch();
        let waited = false;
        try {
          while (this.#busy) {
            waited = true;
            await this.#changed();
            this.#check();
          }
        } catch (e) {
          if (watch) await this.#unix_failed(e, true, true);
          throw e;
        }
        if (!watch) return await this.#write_all_direct(data); // ends with sendall's check
        const full = this.#full, before = this.#direct_written;
        try {
          return await this.#write_all_direct(data);
        } catch (e) {
          // It waited when a write before it, or one of its own, came back short (the kernel's buffer was full).
          await this.#unix_failed(
            e,
            waited || full || this.#direct_written !== before,
            this.#direct_written === before,
          );
          throw e;
        }
      }
    } else {
      while (off < data.length) off += await this.send(data.subarray(off), dl);
    }
    this.#check();
  }

  /**
   * SHUT_WR, which never waits for the peer to read (as shutdown(2)): idle,
   * the half-close happens now; otherwise sends waiting for room or for a
   * write in flight raise BrokenPipeError now, and what was accepted before
   * goes out in the background, then the half-close. A peer that reads none
   * of it within LINGER_MS gets the connection closed (Deno cannot cancel a
   * write in flight any other way).
   */
  async shut_write(): Promise<void> {
    if (this.#shut) return;
    this.#shut = true;
    if (this.#busy === null) return await this.#close_write();
    if (this.#caller !== null) this.#cut(from_errno(errno.EPIPE, { operation: "send after shutdown" }));
    else if (this.#busy === WRITING) {
      // A chained write reads the caller's bytes: its caller is told when it ends (as #cut()), no write follows.
      this.#rest = null;
      this.#cut_err = from_errno(errno.EPIPE, { operation: "send after shutdown" });
    }
    this.#wake();
    const linger = setTimeout(() => {
      try {
        this.#t.close();
      } catch { /* closed already */ }
    }, LINGER_MS);
    Deno.unrefTimer(linger);
    this.drain().then(() => {
      clearTimeout(linger);
      if (!this.#closed) this.#close_write().catch(() => {});
    });
  }

  async #close_write(): Promise<void> {
    try {
      writes.last = performance.now(); // the FIN, as a write (A24-1)
      await this.#t.closeWrite();
      writes.last = performance.now();
    } catch (e) {
      const m = map_error(e, "shutdown");
      if (!(m instanceof OSError && m.errno === errno.ENOTCONN)) throw m;
    }
  }
}

/** Pending accepts of listeners closed under them: the port is free once each settles. */
const closing = new Set<Promise<void>>();
/** The addresses those listeners still hold (`tcp:port`, `unix:path`), with how many hold each. */
const held = new Map<string, number>();

/** The key of a listener's (or datagram socket's) address in `held`: `tcp:port`, `udp:port`, `unix:path`, …. */
export function held_key(addr: Deno.Addr): string {
  return `${addr.transport}:${"port" in addr ? addr.port : (addr as Deno.UnixAddr).path}`;
}

/**
 * The promise of the port (or Unix path) of `key` being released by a listener closed
 * with an accept in flight, or null when no such listener holds it.
 */
export function held_until(key: string): Promise<unknown> | null {
  return held.has(key) ? Promise.all(closing) : null;
}

/** Count `p` (a port release, or a deferred listen) as an address in transition until it settles. */
export function track_release(p: Promise<unknown>, key: string | null): void {
  const done = p.then(() => {}, () => {});
  closing.add(done);
  if (key !== null) held.set(key, (held.get(key) ?? 0) + 1);
  done.then(() => {
    closing.delete(done);
    if (key === null) return;
    const n = held.get(key)! - 1;
    if (n === 0) held.delete(key);
    else held.set(key, n);
  });
}

/**
 * Resolves once every listener closed with an accept in flight has really
 * released its port (Deno frees it when that accept settles, a turn later);
 * null when there is none, the common case.
 */
export function listeners_released(): Promise<unknown> | null {
  return closing.size === 0 ? null : holding(Promise.all(closing)); // (an accept holds nothing itself: _alive.ts)
}

/** A listener's accept side: one pending accept, kept across timeouts. */
export class AcceptQueue {
  #l: Deno.Listener;
  #pending: Promise<void> | null = null;
  /**
   * Connections accepted and not yet taken, in slots [#rhead, #rtail) (the others null). The array is kept when
   * it empties: a shift() of its last element and the next push() made a new backing store per connection.
   */
  #ready: (Deno.Conn | null)[] = [];
  #rhead = 0;
  #rtail = 0;
  #err: unknown = null;
  #closed = false;
  /** What a waiting accept raises once closed: EBADF, or EINVAL after shutdown(SHUT_RD). */
  #code: number = errno.EBADF;

  constructor(l: Deno.Listener) {
    this.#l = l;
    unref(l); // an accept in flight holds the process only while a caller waits for it (_alive.ts)
  }

  /** True when accept() would return at once. */
  get ready(): boolean {
    return this.#rtail > this.#rhead || this.#err !== null || this.#closed;
  }

  /** Connections accepted so far (not those the peer reset first, which Deno drops): selectors' A18a-4 count. */
  arrivals = 0;

  /** The reactions of this listener's accepts: made on the first, shared by every later one. */
  #reactions: [(c: Deno.Conn) => void, (e: unknown) => void] | null = null;

  /** The pending accept (started if needed); never rejects. */
  poll(): Promise<void> {
    if (this.#closed) return DONE;
    if (this.#pending !== null) return this.#pending;
    const r = this.#reactions ??= [(c) => {
      this.#pending = null;
      if (this.#closed) c.close();
      else {
        this.arrivals++;
        const q = this.#ready;
        if (this.#rtail === q.length) q.push(c);
        else q[this.#rtail] = c;
        this.#rtail++;
      }
    }, (e) => {
      this.#pending = null;
      // ENOTCONN: the peer reset the connection before it was taken, and Deno dropped it (it could not read its
      // address). No fault of the listener's: nothing is stored, the waiter polls again for the next connection
      // (CPython's accept() returns the dead connection; its first recv raises ConnectionResetError).
      if (!this.#closed && !(e instanceof Deno.errors.NotConnected)) this.#err = e;
    }];
    return this.#pending = this.#l.accept().then(r[0], r[1]);
  }

  /**
   * A connection accepted already, or null when accept() must wait (for
   * poll()'s accept, within its deadline, then take again); the
   * stored error of a failed accept, or the closed queue's, is thrown.
   */
  take(): Deno.Conn | null {
    const h = this.#rhead;
    if (h < this.#rtail) {
      const q = this.#ready, c = q[h]!;
      q[h] = null;
      if (h + 1 === this.#rtail) {
        this.#rhead = this.#rtail = 0;
        if (q.length > 64) this.#ready = []; // a long backlog's slots are not kept
      } else if (h >= 1024 && 2 * h >= this.#rtail) {
        // Never quite emptied: move what is left to the front (amortized O(1)), so the taken slots go.
        this.#ready = q.slice(h + 1, this.#rtail);
        this.#rtail -= h + 1;
        this.#rhead = 0;
      } else this.#rhead = h + 1;
      return c;
    }
    if (this.#err !== null) {
      const e = this.#err;
      this.#err = null;
      throw map_error(e, "accept");
    }
    // Closed under a waiting accept: a new accept would fail at once, forever.
    if (this.#closed) throw new OSError(this.#code);
    return null;
  }

  /** True while no accept was ever started: the listener can still be swapped for another (listen(backlog)). */
  get untouched(): boolean {
    return this.#reactions === null && !this.#closed;
  }

  /** Resolves once no accept is in flight: after close(), the listener's port is then free. */
  settled(): Promise<void> {
    return this.#pending === null ? DONE : holding(this.#pending);
  }

  /**
   * Close the listener; connections already accepted but not taken are
   * closed (reset, as the kernel does). A waiting accept raises `code`.
   */
  close(code: number = errno.EBADF): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#code = code;
    const q = this.#ready;
    for (let i = this.#rhead; i < this.#rtail; i++) q[i]!.close();
    this.#ready = [];
    this.#rhead = this.#rtail = 0;
    try {
      this.#l.close();
    } catch { /* already closed */ }
    const p = this.#pending;
    if (p !== null) {
      let key: string | null = null;
      try {
        key = held_key(this.#l.addr);
      } catch { /* no address */ }
      track_release(p, key);
    }
  }
}

// TLS under a pysocket stream socket: Deno's built-in `node:tls` runs over a
// `node:stream` Duplex that pulls ciphertext from the socket's existing
// StreamReader (so a read already in flight, or bytes already buffered, reach
// TLS instead of being lost) and pushes ciphertext through its StreamWriter.
// The plaintext side is a DuplexTransport (_duplex.ts), so the socket's own recv, timeouts,
// makefile and select readiness keep working unchanged on top of it.

import tls from "node:tls";
import { Duplex } from "node:stream";
import { Buffer } from "node:buffer";
import { sticky_errors, type StreamReader, type StreamWriter, type Transport } from "./_stream.ts";
import { Deadline } from "./_wait.ts";
import { DuplexTransport } from "./_duplex.ts";
import { SSLEOFError, SSLError, to_ssl_error } from "./_ssl_errors.ts";
import { errno as E, OSError } from "./errors.ts";

/** The plain connection a TLS session is layered over. */
export interface RawParts {
  transport: Transport;
  reader: StreamReader;
  writer: StreamWriter;
}

/** What the Duplex reports to the session about the plain connection. */
export interface RawEvents {
  /** The peer's EOF was handed to TLS. */
  eof(): void;
  /** Reading the plain connection failed. */
  read_error(e: unknown): void;
  /**
   * Writing the plain connection failed (the peer closed or reset it while
   * ciphertext was waiting to go out). node:tls does not pass this on to
   * the plaintext write it came from: that write completes as if it had
   * succeeded, so the session must record the failure itself.
   */
  write_error?: ((e: unknown) => void) | undefined;
  /**
   * Asked before each chunk of ciphertext goes out: an Error refuses it (it
   * is not sent and the write fails with it), null lets it go.
   */
  gate?: ((chunk: Uint8Array) => Error | null) | undefined;
  /** While set, handed each piece of ciphertext from the peer before TLS gets it (a server's ClientHello). */
  inbound?: ((bytes: Uint8Array) => void) | undefined;
}

const MIN_CIPHER_READ = 4 * 1024; // full reads double it, up to MAX_CIPHER_READ
const MAX_CIPHER_READ = 256 * 1024;
/** The most ciphertext handed to TLS at once (one TLS record is up to ~16.6 KiB). */
const FEED = 4 * 1024;
/** A TLS record's header: type (1), version (2), length of the body (2). */
const HEADER = 5;
/** The longest record body (TLS 1.2's ciphertext limit: 2^14 + 2048). */
const MAX_BODY = 16384 + 2048;
// The buffer an idle session waits in: sized to the records that came after
// earlier waits (a power of two in [IDLE_MIN, IDLE_MAX]).
const IDLE_MIN = 32;
const IDLE_MAX = 2048;
// The first idle wait's buffer: what comes after the first flight in one read. A server waits for the
// client's last flight (ChangeCipherSpec and Finished: 80 bytes in TLS 1.3; 64 took two reads); a client
// for the server's session tickets (~200 bytes a record). Later waits size it to what came.
const SERVER_IDLE = 128;
const CLIENT_IDLE = 512;
const forever = () => Deadline.background(); // the shared unbounded Deadline of a pump (it holds nothing: _alive.ts)

/**
 * A Duplex of ciphertext over a socket's reader and writer. Deno's TLS
 * engine does not report an EOF or a read error that arrives during the
 * handshake, so they are also reported to `events`.
 */
export function raw_duplex(raw: RawParts, events: RawEvents, server_side = false): RawDuplex {
  return new CipherDuplex(raw, events, server_side ? SERVER_IDLE : CLIENT_IDLE);
}

/**
 * The ciphertext side. Once the socket's reader holds nothing (bytes read
 * before the upgrade go to TLS first), ciphertext is read straight from the
 * connection into a buffer handed to TLS as is: no copy. Reads start at
 * 4 KiB, double on full reads up to 256 KiB, halve on small ones.
 *
 * An idle session pins little: a pending Deno read pins its whole buffer,
 * so once a read came back short (the peer paused: the next read may wait
 * long) the wait reads into a small buffer (32 to 2048 bytes, the size of
 * the records that came after earlier waits). When what it brings ends inside
 * a record, the rest of the record is read at once behind it, and both go
 * to TLS together: one pass of the TLS engine per record, as with one big
 * read (a lone piece of a record would cost a pass of its own, ~10 us).
 */
class CipherDuplex extends Duplex implements RawDuplex {
  #raw: RawParts;
  #events: RawEvents;
  #pulling = false;
  // Flow control: while the plaintext side holds enough unread bytes, no
  // ciphertext is taken from the connection (so the kernel's window closes
  // and a sender that goes on blocks, as with CPython). A read TLS asked for
  // meanwhile is made on resume_input().
  #paused = false;
  #wanted = false;
  #size = MIN_CIPHER_READ;
  /** The last read came back short: the peer had paused, so the next read may wait long. */
  #short = false;
  // The last read's buffer, when TLS took all of it at once (node:tls copies
  // what it is handed into its engine): the next read of that size reuses it
  // instead of a fresh, zero-filled and page-faulted one (a bulk receive:
  // ~3% less CPU, less garbage).
  #spare: Uint8Array | null = null;
  // Where the ciphertext read so far stands in its records: header bytes
  // still to come (HEADER at a record boundary), the header's first bytes,
  // body bytes still to come. Only read sizes depend on it; a header that is
  // not TLS's (a peer speaking something else) turns it off for good.
  #hdr_left = HEADER;
  #hdr_type = 0;
  #hdr_major = 0;
  #len_hi = 0;
  #body_left = 0;
  /** Where in the bytes #scan() last followed the last whole record ended (-1: none ended there). */
  #last_end = -1;
  #sync = true;
  /** The header that turned #sync off was no TLS version's (A16a-5: OpenSSL then says "wrong version number"). */
  bad_version = false;
  /** The size of the idle wait's buffer, and the buffer (made when the size changes). */
  #idle: number;
  #idle_buf: Uint8Array | null = null;
  /** Bytes the idle wait read that end inside a record: they go to TLS with the rest of it. */
  #held = 0;

  constructor(raw: RawParts, events: RawEvents, idle: number) {
    super();
    this.#raw = raw;
    this.#events = events;
    this.#idle = idle;
  }

  override _read(): void {
    this.#pull();
  }

  override _write(chunk: Uint8Array, _enc: string, cb: (e?: Error | null) => void): void {
    const refused = this.#events.gate?.(chunk) ?? null;
    if (refused) return cb(refused);
    // After destroy() nobody waits for the callback: calling it would only make
    // node:stream build an ERR_STREAM_DESTROYED error per queued write.
    this.#raw.writer.send_all(chunk, forever()).then(() => this.destroyed || cb(), (e: Error) => {
      if (this.destroyed) return;
      this.#events.write_error?.(e);
      cb(e);
    });
  }

  send_direct(chunk: Uint8Array): Promise<void> {
    return this.#raw.writer.send_all(chunk, forever()).catch((e: Error) => {
      // As a failed _write: reported, and the Duplex destroyed with it.
      if (!this.destroyed) {
        this.#events.write_error?.(e);
        this.destroy(e);
      }
      throw e;
    });
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.#raw.writer.shut_write().then(() => cb(), (e: Error) => cb(e));
  }

  override _destroy(err: Error | null, cb: (e: Error | null) => void): void {
    close_once(this.#raw.transport);
    cb(err);
  }

  pause_input(): void {
    this.#paused = true;
  }

  resume_input(): void {
    this.#paused = false;
    if (this.#wanted) this.#pull();
  }

  #pull(): void {
    if (this.#pulling) return;
    if (this.#paused) {
      this.#wanted = true;
      return;
    }
    this.#wanted = false;
    this.#pulling = true;
    if (this.#raw.reader.idle) return this.#direct();
    const reader = this.#raw.reader;
    reader.fill(1, forever()).then(() => {
      this.#pulling = false;
      if (this.destroyed) return;
      let chunk: Uint8Array;
      try {
        chunk = reader.take(Math.max(reader.buffered, 1));
      } catch (e) {
        this.#fail(e);
        return;
      }
      if (chunk.length > 0) {
        this.#scan(chunk, 0, chunk.length);
        this.#feed(chunk.buffer, chunk.byteOffset, chunk.length);
      } else this.#eof();
    }, (e: unknown) => {
      this.#pulling = false;
      this.#fail(e);
    });
  }

  #direct(): void {
    const held = this.#held;
    let view: Uint8Array;
    if (held > 0) {
      // The rest of the record the idle wait's bytes end in (and more, if it came).
      const rest = this.#hdr_left < HEADER ? this.#hdr_left : this.#body_left;
      view = this.#take_spare(Math.min(Math.max(this.#size, held + rest), MAX_CIPHER_READ));
      view.set(this.#idle_buf!.subarray(0, held));
    } else if (this.#short && this.#sync) {
      let b = this.#idle_buf;
      if (b === null || b.length !== this.#idle) b = this.#idle_buf = new Uint8Array(this.#idle);
      view = b;
      this.#spare = null; // an idle session keeps no big buffer
    } else {
      view = this.#take_spare(this.#short ? MIN_CIPHER_READ : this.#size);
    }
    const into = held > 0 ? view.subarray(held) : view;
    this.#rd_view = view;
    this.#rd_into = into;
    this.#raw.transport.read(into).then(this.#on_read, this.#on_read_fail);
  }

  // The pending direct read: its buffer (the held bytes first) and where it reads into.
  #rd_view: Uint8Array | null = null;
  #rd_into: Uint8Array | null = null;

  // Its handlers, made once per session (not per read).
  #on_read = (n: number | null): void => {
    const view = this.#rd_view!, into = this.#rd_into!, held = this.#held;
    this.#rd_view = this.#rd_into = null;
    if (this.destroyed) return void (this.#pulling = false);
    if (n === null) {
      this.#pulling = false;
      this.#held = 0;
      if (held > 0) this.#feed(view.buffer, 0, held);
      return this.#eof();
    }
    const idle = view === this.#idle_buf;
    // The size of the record an idle wait's bytes begin (0: not at a record's start).
    const rec = idle && n >= HEADER && this.#hdr_left === HEADER && this.#body_left === 0
      ? HEADER + ((into[3]! << 8) | into[4]!)
      : 0;
    this.#scan(into, 0, n);
    this.#fit_idle(rec);
    if (idle && this.#sync && (this.#hdr_left < HEADER || this.#body_left > 0)) {
      // A record begun: read the rest of it now (TLS asked for bytes and has none yet). Whole
      // records before it go to TLS at once: their plaintext must not wait for a peer that may
      // never send the rest (a half record, then silence).
      const whole = this.#last_end;
      if (whole > 0) {
        const done = view.slice(0, whole);
        view.copyWithin(0, whole, n);
        this.#held = n - whole;
        this.#direct();
        this.#feed(done.buffer, 0, whole);
        return;
      }
      this.#held = n;
      return this.#direct();
    }
    this.#held = 0;
    this.#short = n < into.length;
    if (into.length === this.#size) {
      if (n === into.length && this.#size < MAX_CIPHER_READ) this.#size *= 2;
      else if (n <= into.length / 4 && this.#size > MIN_CIPHER_READ) this.#size /= 2;
    }
    this.#pulling = false;
    this.#feed(view.buffer, view.byteOffset, held + n);
    // Nothing left queued in the Duplex: every slice went to TLS synchronously (copied).
    if (!idle && this.readableLength === 0 && !this.destroyed) this.#spare = view;
  };

  #on_read_fail = (e: unknown): void => {
    this.#rd_view = this.#rd_into = null;
    this.#pulling = false;
    this.#fail(e);
  };

  /**
   * Size the idle wait's buffer to the record that came after this wait:
   * up at once, down by halves; a record too big for it changes nothing
   * (its rest is read at once: one more read, as in a bulk transfer).
   */
  #fit_idle(rec: number): void {
    if (rec === 0 || rec > IDLE_MAX || !this.#sync) return;
    let idle = this.#idle;
    if (rec > idle) {
      while (idle < rec) idle *= 2;
    } else if (rec <= idle / 4 && idle > IDLE_MIN) idle /= 2;
    this.#idle = idle;
  }

  /** A buffer of `want` bytes: the spare one if it fits exactly, else a new one. */
  #take_spare(want: number): Uint8Array {
    const spare = this.#spare;
    this.#spare = null;
    return spare !== null && spare.length === want ? spare : new Uint8Array(want);
  }

  /** Follow the record boundaries through b[from, end). */
  #scan(b: Uint8Array, from: number, end: number): void {
    let i = from;
    this.#last_end = -1;
    while (i < end && this.#sync) {
      if (this.#body_left > 0) {
        const k = Math.min(this.#body_left, end - i);
        this.#body_left -= k;
        i += k;
        if (this.#body_left === 0) this.#last_end = i;
        continue;
      }
      const byte = b[i++]!;
      const left = --this.#hdr_left;
      if (left === 4) this.#hdr_type = byte;
      else if (left === 3) this.#hdr_major = byte;
      else if (left === 1) this.#len_hi = byte;
      else if (left === 0) {
        this.#body_left = (this.#len_hi << 8) | byte;
        this.#hdr_left = HEADER;
        if (this.#body_left === 0) this.#last_end = i;
        // Types 20-24 (change_cipher_spec, alert, handshake, application_data, heartbeat), version 3.x.
        const t = this.#hdr_type;
        if (t < 20 || t > 24 || this.#hdr_major !== 3 || this.#body_left > MAX_BODY) {
          this.#sync = false;
          this.bad_version = this.#hdr_major !== 3;
        }
      }
    }
  }

  // Ciphertext goes to TLS in slices of at most FEED bytes: Deno's TLS
  // engine appends what it is handed to a buffer that keeps its largest
  // size for good (a whole 256 KiB read at once: 446 -> 204 KB RSS per idle
  // connection after a burst; 16 KiB slices: 87 KB; 4 KiB, its initial
  // size: 77 KB), and decrypts no faster.
  //
  // Slices also end where each TLS record ends (#cut).
  #feed(buf: ArrayBufferLike, off: number, n: number): void {
    if (n === 0) this.push(Buffer.alloc(0)); // as before: ends this read() call's turn
    const bytes = new Uint8Array(buf);
    const seen = this.#events.inbound;
    if (seen !== undefined && n > 0) seen(bytes.subarray(off, off + n));
    for (const end = off + n; off < end && !this.destroyed;) {
      const stop = this.#cut(bytes, off, Math.min(end, off + FEED));
      this.push(Buffer.from(buf, off, stop - off));
      off = stop;
    }
  }

  // Where the bytes fed so far stand in their records (a header's bytes seen, a body's bytes still to come).
  #f_hdr = new Uint8Array(HEADER);
  #f_hdr_n = 0;
  #f_body = 0;

  /**
   * Where the slice b[at, end) should end: where a TLS record ends when TLS could finish or refuse the next one in
   * the same pass (split_before), else `end`. So no pass of Deno's engine completes two records: it drops the
   * plaintext of every record decrypted in the pass that meets a bad one (garbage, a bad MAC, an alert, an
   * over-long record), where OpenSSL's SSL_read returns the good records' bytes first and raises at the bad one
   * (F16-1: "hello" and a bad record in one read lost "hello"); and each record's plaintext comes as one chunk.
   * Measured against one slice per read: 40,000 back-to-back 64-byte records 140 -> 190 ms (CPython 340 ms);
   * 1,000-byte records and bulk (16 KiB records in 4 KiB slices: no extra cut) no change seen.
   */
  #cut(b: Uint8Array, at: number, end: number): number {
    let p = at;
    while (p < end) {
      if (this.#f_body > 0) {
        const k = Math.min(this.#f_body, end - p);
        this.#f_body -= k;
        p += k;
        if (this.#f_body === 0 && p < end && split_before(b, p, end)) return p;
        continue;
      }
      this.#f_hdr[this.#f_hdr_n++] = b[p++]!;
      if (this.#f_hdr_n === HEADER) {
        this.#f_hdr_n = 0;
        this.#f_body = (this.#f_hdr[3]! << 8) | this.#f_hdr[4]!;
        const h = this.#f_hdr;
        this.odd_header = h[0] === 23 && h[1] === 3 && h[2] === 3 ? -1 : (h[0]! << 16) | (h[1]! << 8) | h[2]!;
        if (this.#f_body === 0 && p < end) return p;
      }
    }
    return p;
  }

  /** The plain connection's EOF has been read (and handed to TLS). */
  eof_seen = false;
  /** The last record header fed to TLS (type << 16 | version) when it was not application data of version 3.3, else -1. */
  odd_header = -1;

  #eof(): void {
    this.eof_seen = true;
    this.push(null);
    this.#events.eof();
  }

  #fail(e: unknown): void {
    if (this.destroyed) return; // closed under the read: nothing to report
    this.#events.read_error(e);
    this.destroy(e as Error);
  }
}

/**
 * A record ended at b[p] with more of the slice b[.., end) after it: cut the slice there when TLS could finish or
 * refuse the next record in the same pass (its header whole in the slice, and not application data of TLS 1.2/1.3,
 * or too long, or its body ends in the slice). Else the slice goes on: bulk records (16 KiB, in 4 KiB slices) are
 * not cut apart, and no pass completes two records.
 */
function split_before(b: Uint8Array, p: number, end: number): boolean {
  if (p + HEADER > end) return false;
  if (b[p] !== 23 || b[p + 1] !== 3 || b[p + 2] !== 3) return true;
  const len = (b[p + 3]! << 8) | b[p + 4]!;
  return len > MAX_BODY || p + HEADER + len <= end;
}

/** Plain connections a TLS session has closed (so a second close builds no BadResource error). */
const closed_raw = new WeakSet<Transport>();

/** Close the plain connection under a TLS session, once. */
function close_once(t: Transport): void {
  if (closed_raw.has(t)) return;
  closed_raw.add(t);
  try {
    t.close();
  } catch { /* closed already */ }
}

/** The ciphertext Duplex, with flow control of what it takes from the connection. */
export interface RawDuplex extends Duplex {
  /** Take no more ciphertext from the connection. */
  pause_input(): void;
  /** Take ciphertext again (if TLS asked for some meanwhile, now). */
  resume_input(): void;
  /** The plain connection's EOF has been read (handed to TLS). */
  readonly eof_seen: boolean;
  /** A record header from the peer carried no TLS version (3.x): the peer stopped speaking TLS. */
  readonly bad_version: boolean;
  /** The last record header from the peer (type << 16 | version) when not application data of version 3.3, else -1. */
  readonly odd_header: number;
  /**
   * Write ciphertext taken from TLS by the plaintext side (see TlsTransport.write), after every chunk
   * node:tls handed to this Duplex before; rejects (and reports write_error) if writing it fails.
   */
  send_direct(chunk: Uint8Array): Promise<void>;
}

/** How much of a write Deno 2.9.6's TLS engine encrypts per pass (its MAX_CLEAR_IN). */
const CLEAR_IN = 48 * 1024;
/** The most plaintext encrypted in one go (~0.2 ms of the event loop). */
const SLICE = 256 * 1024;
const EMPTY = new Uint8Array(0);

/** What the send path uses of Deno's TLS engine over a JS stream (a TLSSocket's `_handle`, a TLSWrap). */
interface EncOut {
  /** Takes the ciphertext waiting to go out. */
  drainEncOut(): Uint8Array;
  /** Hands it ciphertext (an empty one: a pass of its state machine, which encrypts pending plaintext). */
  readBuffer(b: Uint8Array): void;
}

/** The TLS engine under `t`, or false when it lacks what the send path uses (another Deno). */
function enc_out_of(t: tls.TLSSocket): EncOut | false {
  const h = (t as unknown as { _handle?: Partial<EncOut> | null })._handle;
  return h && typeof h.drainEncOut === "function" && typeof h.readBuffer === "function" ? h as EncOut : false;
}

/** What a TlsTransport asks of its session. */
export interface SessionState {
  /** The handshake has ended (errors after it are not handshake errors). */
  readonly done: boolean;
  /** The handshake's failure, once it ended; null when it succeeded (or goes on). */
  readonly error: Error | null;
}

/**
 * The plaintext side of a TLS session, as the Transport the stream machinery
 * reads and writes (a DuplexTransport over the TLSSocket). Addresses and TCP
 * options are the plain connection's; closing closes it too. Errors are
 * turned into Python exceptions (handshake errors while `session.done` is false).
 */
export class TlsTransport extends DuplexTransport {
  #tls: tls.TLSSocket;
  #raw: Transport;
  #duplex: RawDuplex;
  #session: SessionState;
  /** Each chunk is one record's plaintext (CipherDuplex.#cut): a read returns what is left of one record. */
  protected override readonly chunk_reads = true;

  constructor(socket: tls.TLSSocket, raw: Transport, duplex: RawDuplex, session: SessionState) {
    super(socket);
    this.#tls = socket;
    this.#raw = raw;
    this.#duplex = duplex;
    this.#session = session;
  }

  protected override map_error(e: unknown): Error {
    const err = to_ssl_error(e, !this.#session.done);
    if (!(err instanceof SSLError)) return err;
    const named = (reason: string) =>
      new SSLError(1, `[SSL: ${reason}] ${reason.toLowerCase().replaceAll("_", " ")}`, {
        library: "SSL",
        reason,
        cause: err.cause,
      });
    // A16a-5: bytes that are no TLS record (a peer writing plain text into the session): OpenSSL reads the
    // version first and names that; Deno's TLS reads the record type first (an unknown one).
    if (err.reason === "UNEXPECTED_RECORD" && this.#duplex.bad_version) return named("WRONG_VERSION_NUMBER");
    // A record OpenSSL refuses by its header before decrypting it, where Deno's TLS fails to decrypt it: a
    // version other than 3.3, or (TLS 1.3, after the handshake) a type other than application data.
    const odd = this.#duplex.odd_header;
    if (odd === -1) return err;
    const decrypt = err.reason === "DECRYPTION_FAILED_OR_BAD_RECORD_MAC";
    if (decrypt && (odd & 0xffff) !== 0x0303) return named("WRONG_VERSION_NUMBER");
    if (
      !this.#session.done || odd >> 16 === 23 ||
      !(decrypt || err.reason === "UNEXPECTED_RECORD" || err.reason === "UNEXPECTED_MESSAGE")
    ) return err;
    if (this.#tls.getProtocol() === "TLSv1.3") return named("BAD_RECORD_TYPE");
    // OpenSSL 3.0's TLS 1.2 says only this (no reason) for a record of another type after the handshake.
    return new SSLError(1, "[SSL] internal error", { library: "SSL", reason: null, cause: err.cause });
  }

  protected override get what(): string {
    return "TLS session";
  }

  protected override on_closed(): void {
    close_once(this.#raw);
  }

  // The plaintext side pauses the TLS socket when enough is unread: stop
  // taking ciphertext then (Deno's TLS engine itself reads on regardless).
  protected override input_paused(paused: boolean): void {
    if (paused) this.#duplex.pause_input();
    else this.#duplex.resume_input();
  }

  get localAddr(): Deno.Addr {
    return this.#raw.localAddr;
  }

  get remoteAddr(): Deno.Addr {
    return this.#raw.remoteAddr;
  }

  setNoDelay(noDelay?: boolean): void {
    if (!this.#adopting) this.#raw.setNoDelay?.(noDelay);
  }

  setKeepAlive(keepAlive?: boolean): void {
    if (!this.#adopting) this.#raw.setKeepAlive?.(keepAlive);
  }

  // While the socket adopts this transport it re-applies its TCP options: the connection under it, the
  // socket's own until now, has them already (a syscall each, ~11 us a handshake saved).
  #adopting = true;

  /** The socket has adopted this transport: TCP options set from now on go to the connection. */
  adopted(): void {
    this.#adopting = false;
  }

  /**
   * A plaintext write. One that was still waiting for the connection when
   * writing it failed raises that failure, as CPython's SSL_write does,
   * instead of reporting bytes sent that never left (node:tls completes it
   * as a success; the session records the failure through `fail`).
   */
  override async write(p: Uint8Array): Promise<number> {
    if (!this.#fast()) {
      const n = await super.write(p);
      const e = this.error;
      if (e !== null) throw e;
      return n;
    }
    // A big write goes in slices: each is encrypted at once (the event loop waits meanwhile), and its
    // ciphertext is held until written.
    for (let off = 0; off < p.length; off += SLICE) {
      const part = off === 0 && p.length <= SLICE ? p : p.subarray(off, off + SLICE);
      if (off > 0 && !this.#fast()) {
        await super.write(part); // the session ended under this write: node:tls's way, and its error
        continue;
      }
      const w = super.write(part);
      const sent = this.#send_now(part.length);
      const lost = sent === null ? null : sent.then(() => false, () => true);
      let failed = false;
      try {
        await w;
      } finally {
        if (lost !== null) failed = await lost;
      }
      const e = this.error;
      if (e !== null) throw e;
      // Its ciphertext did not all go out, and the session recorded no failure (the connection was closed
      // under it: the peer's EOF ended the session first): raised as node:tls's way raises it.
      if (failed) throw this.closed_error();
    }
    return p.length;
  }

  /** The handshake ended well and the session is open: a write's ciphertext may be taken at once. */
  #fast(): boolean {
    return this.#session.done && this.error === null && !this.#tls.destroyed &&
      (this.#enc ??= enc_out_of(this.#tls)) !== false;
  }

  /**
   * Take the ciphertext of the plaintext just written from the TLS engine now and write it to the
   * connection in one write. node:tls would copy it, then write it in 48 KiB pieces, one event-loop turn
   * apart (its write in flight done before it encrypts the next piece): 0.56x raw Deno's send rate, and
   * 0.9x this way. Deno's engine encrypts up to 48 KiB of a write at once; each empty readBuffer() makes
   * it encrypt the next 48 KiB. Whatever is left (an engine that works otherwise) goes node:tls's way,
   * after this (the connection's writer keeps the order).
   */
  #send_now(len: number): Promise<void> | null {
    const h = this.#enc as EncOut;
    for (let k = CLEAR_IN; k < len; k += CLEAR_IN) h.readBuffer(EMPTY);
    const out = h.drainEncOut();
    if (out.byteLength === 0) return null;
    // Written from a copy: the engine's own buffer, held while the write is in flight, made a process whose
    // main isolate holds large ArrayBuffers (the bench's 40 MB line blob) send ~20% slower than node:tls's
    // way; a copy (what node:tls's pump does too) made it ~10% faster than that way instead. Cause not found.
    return this.#duplex.send_direct(out.slice());
  }

  #enc: EncOut | false | undefined = undefined;

  /**
   * suppress_ragged_eofs=False: an EOF that comes without the peer's
   * close_notify (the connection just closed) raises SSLEOFError, as
   * CPython's recv does; true (the default) reads it as an empty result.
   */
  suppress_ragged_eofs = true;
  #closing = false;

  /** The connection under the session failed after the handshake (its read or a write): set by the session. */
  raw_failed = false;

  /** A client's session (a server's reads a FIN without close_notify in other words: see read()). */
  client = false;

  /** A read met the peer's EOF without its close_notify (a truncation): a send after it raises SSLEOFError. */
  ragged_eof = false;

  override async read(p: Uint8Array): Promise<number | null> {
    let n: number | null;
    let reset = false;
    try {
      n = await super.read(p);
    } catch (e) {
      if (e instanceof OSError && e.errno === E.ECONNRESET) {
        // As CPython 3.11 (OpenSSL 3): a reset after the handshake reads as an EOF without close_notify.
        n = null;
        reset = true;
      } else if (this.#fatal_raised) {
        n = null;
      } else {
        // A fatal TLS error of the established session (a record that fails to decrypt, an alert): raised by this
        // read, then each later read finds OpenSSL's failed session, as CPython's: SSLEOFError (A28-2), or b"" with
        // suppress_ragged_eofs.
        const fatal = this.fatal;
        if (fatal !== null && e === fatal) {
          this.#fatal_raised = this.session_failed = true;
          sticky_errors.add(fatal);
          // OpenSSL's error names the C line of SSL_read, for recv and a socket file's reads alike (A30-2).
          if (fatal.message.startsWith("[SSL") && !/\(_ssl\.c:\d+\)$/.test(fatal.message)) {
            fatal.message += " (_ssl.c:2580)";
            if (fatal.strerror !== null) (fatal as { strerror: string | null }).strerror = fatal.message;
          }
        }
        throw e;
      }
    }
    if (n === null && !reset && !this.close_notify && !this.#closing) this.session_failed = true;
    if (n === null && this.#fatal_raised) {
      this.ragged_eof = true;
      if (this.suppress_ragged_eofs) return null;
      const e = new SSLEOFError(8, "EOF occurred in violation of protocol (_ssl.c:2580)");
      sticky_errors.add(e);
      throw e;
    }
    if (n === null && !this.close_notify && !this.#closing) {
      this.ragged_eof = true;
      if (!this.suppress_ragged_eofs) {
        if (this.ragged_raised === 0) this.#named_at = reset || this.raw_failed ? 1 : 0;
        throw this.ragged_error();
      }
    }
    return n;
  }

  #fatal_raised = false;

  /**
   * A read met the peer's EOF without close_notify, or raised a fatal TLS error: OpenSSL 3 then fails the session
   * (SSLfatal: no longer "init finished"), so CPython's version() is None and getpeercert() raises (P15-1). A reset
   * does not (OpenSSL fails the session on an EOF, not on a failed read).
   */
  session_failed = false;

  /**
   * The established session's fatal TLS error (a bad record, an alert; not a truncation, a reset or a handshake
   * failure), or null. A send after it raises SSLEOFError, as CPython's (A28-3).
   */
  get fatal(): SSLError | null {
    const e = this.error;
    const s = this.#session;
    return e instanceof SSLError && !(e instanceof SSLEOFError) && s.done && s.error === null ? e : null;
  }

  /** How many reads raised the truncation's SSLEOFError (suppress_ragged_eofs=False): every later read raises. */
  ragged_raised = 0;
  /** Which of those raises names UNEXPECTED_EOF_WHILE_READING (OpenSSL's queued error): 0 after a FIN, 1 a reset. */
  #named_at = 0;

  /**
   * The SSLEOFError of the next read after a truncation, as CPython 3.11's (A13a-5, A14b-4): each read raises
   * again; OpenSSL's queued UNEXPECTED_EOF_WHILE_READING names one of them (after a FIN, on either side: the first;
   * after a reset, seen by the read or under the session (raw_failed: a server's peer that closed with the session
   * tickets unread): the second), the others are bare. All name the read's line.
   */
  ragged_error(): SSLEOFError {
    const k = this.ragged_raised++;
    const e = k === this.#named_at
      ? new SSLEOFError(
        8,
        "[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of protocol (_ssl.c:2580)",
        { library: "SSL", reason: "UNEXPECTED_EOF_WHILE_READING" },
      )
      : new SSLEOFError(8, "EOF occurred in violation of protocol (_ssl.c:2580)");
    sticky_errors.add(e);
    return e;
  }

  /** Whether sends after the truncation raise BAD_LENGTH (decided by the first such send), or null before it. */
  #bad_length: boolean | null = null;

  /**
   * A send's error after a truncation was read, as CPython 3.11's: `BAD_LENGTH` when the first send came after
   * the read that named UNEXPECTED_EOF_WHILE_READING as the second (OpenSSL's state then), and every send after
   * it alike; null for the usual SSLEOFError.
   */
  ragged_send_error(): SSLError | null {
    this.#bad_length ??= this.ragged_raised > this.#named_at && this.#named_at === 1;
    return this.#bad_length
      ? new SSLError(1, "[SSL: BAD_LENGTH] bad length (_ssl.c:2427)", { library: "SSL", reason: "BAD_LENGTH" })
      : null;
  }

  /**
   * The peer's close_notify came: the TLS stream ended before the plain connection's EOF was read (Deno's
   * node:tls ends the stream at a plain EOF too).
   */
  get close_notify(): boolean {
    return this.#cn;
  }
  #cn = false;

  protected override on_end(): void {
    this.#cn = !this.#duplex.eof_seen;
  }

  override close(): void {
    this.#closing = true;
    super.close();
  }

  /** True once the peer's close_notify (its end of the TLS stream) has arrived. */
  get peer_closed(): boolean {
    return this.end_seen;
  }

  /** The Node TLS socket (for version, cipher, certificates). */
  get tls(): tls.TLSSocket {
    return this.#tls;
  }
}

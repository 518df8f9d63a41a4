// TLS under a pysocket stream socket: Deno's built-in `node:tls` runs over a
// `node:stream` Duplex that pulls ciphertext from the socket's existing
// StreamReader (so a read already in flight, or bytes already buffered, reach
// TLS instead of being lost) and pushes ciphertext through its StreamWriter.
// The plaintext side is a DuplexTransport (_duplex.ts), so the socket's own recv, timeouts,
// makefile and select readiness keep working unchanged on top of it.

import tls from "node:tls";
import { Duplex } from "node:stream";
import { Buffer } from "node:buffer";
import type { StreamReader, StreamWriter, Transport } from "./_stream.ts";
import { Deadline } from "./_wait.ts";
import { DuplexTransport } from "./_duplex.ts";
import { SSLEOFError } from "./_ssl_errors.ts";

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
  error(e: unknown): void;
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
}

const MIN_CIPHER_READ = 4 * 1024; // an idle session keeps this much; full reads double it
const MAX_CIPHER_READ = 256 * 1024;
/** The most ciphertext handed to TLS at once (one TLS record is up to ~16.6 KiB). */
const FEED = 16 * 1024;

/**
 * A Duplex of ciphertext over a socket's reader and writer. Deno's TLS
 * engine does not report an EOF or a read error that arrives during the
 * handshake, so they are also reported to `events`.
 */
export function raw_duplex(raw: RawParts, events: RawEvents): RawDuplex {
  let pulling = false;
  // Flow control: while the plaintext side holds enough unread bytes, no
  // ciphertext is taken from the connection (so the kernel's window closes
  // and a sender that goes on blocks, as with CPython). A read TLS asked for
  // meanwhile is made on resume().
  let paused = false;
  let wanted = false;
  const forever = () => Deadline.of(null); // the shared unbounded Deadline
  // Once the socket's reader holds nothing (bytes read before the upgrade go
  // to TLS first), ciphertext is read straight from the connection into a
  // buffer handed to TLS as is: no copy, and an idle session keeps one small
  // pending read (4 KiB, doubling on full reads up to 256 KiB, halving on
  // small ones; 4 KiB again while the peer pauses) instead of the reader's.
  let size = MIN_CIPHER_READ;
  // The last read came back short: the peer had paused, so the next read may
  // wait long. It waits in a small buffer (a pending read pins its whole
  // buffer: after a burst that would be up to 256 KiB per idle session); if
  // it fills, the reads after it are back at `size`.
  let short = false;
  // The last read's buffer, when TLS took all of it at once (node:tls copies
  // what it is handed into its engine): the next read of that size reuses it
  // instead of a fresh, zero-filled and page-faulted one (a bulk receive:
  // ~3% less CPU, less garbage).
  let spare: Uint8Array | null = null;
  const direct = () => {
    const want = short ? MIN_CIPHER_READ : size;
    const view = spare !== null && spare.length === want ? spare : new Uint8Array(want);
    spare = null;
    raw.transport.read(view).then((n) => {
      pulling = false;
      if (d.destroyed) return;
      if (n === null) {
        d.push(null);
        events.eof();
        return;
      }
      short = n < view.length;
      if (view.length === size) {
        if (n === view.length && size < MAX_CIPHER_READ) size *= 2;
        else if (n <= view.length / 4 && size > MIN_CIPHER_READ) size /= 2;
      }
      feed(view.buffer, 0, n);
      // Nothing left queued in the Duplex: every slice went to TLS synchronously (copied).
      if (d.readableLength === 0 && !d.destroyed) spare = view;
    }, (e: unknown) => {
      pulling = false;
      if (d.destroyed) return; // closed under the read: nothing to report
      events.error(e);
      d.destroy(e as Error);
    });
  };
  // Ciphertext goes to TLS in slices of at most FEED bytes: given a whole
  // 256 KiB read at once, Deno's TLS engine keeps a buffer that size per
  // session for good (idle TLS after a burst: 446 -> 204 KB RSS per
  // connection), and decrypts no faster.
  const feed = (buf: ArrayBufferLike, off: number, n: number) => {
    if (n === 0) d.push(Buffer.alloc(0)); // as before: ends this read() call's turn
    for (const end = off + n; off < end && !d.destroyed; off += FEED) {
      d.push(Buffer.from(buf, off, Math.min(FEED, end - off)));
    }
  };
  const pull = () => {
    if (pulling) return;
    if (paused) {
      wanted = true;
      return;
    }
    wanted = false;
    pulling = true;
    if (raw.reader.idle) return direct();
    raw.reader.fill(1, forever()).then(() => {
      pulling = false;
      if (d.destroyed) return;
      let chunk: Uint8Array;
      try {
        chunk = raw.reader.take(Math.max(raw.reader.buffered, 1));
      } catch (e) {
        events.error(e);
        d.destroy(e as Error);
        return;
      }
      if (chunk.length > 0) {
        feed(chunk.buffer, chunk.byteOffset, chunk.length);
      } else {
        d.push(null);
        events.eof();
      }
    }, (e: unknown) => {
      pulling = false;
      events.error(e);
      d.destroy(e as Error);
    });
  };
  const d = new Duplex({
    read() {
      pull();
    },
    write(chunk: Uint8Array, _enc: string, cb: (e?: Error | null) => void) {
      const refused = events.gate?.(chunk) ?? null;
      if (refused) return cb(refused);
      // After destroy() nobody waits for the callback: calling it would only make
      // node:stream build an ERR_STREAM_DESTROYED error per queued write.
      raw.writer.send_all(chunk, forever()).then(() => d.destroyed || cb(), (e: Error) => {
        if (d.destroyed) return;
        events.write_error?.(e);
        cb(e);
      });
    },
    final(cb: (e?: Error | null) => void) {
      raw.writer.shut_write().then(() => cb(), (e: Error) => cb(e));
    },
    destroy(err: Error | null, cb: (e: Error | null) => void) {
      close_once(raw.transport);
      cb(err);
    },
  }) as RawDuplex;
  d.pause_input = () => {
    paused = true;
  };
  d.resume_input = () => {
    paused = false;
    if (wanted) pull();
  };
  return d;
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
}

/**
 * The plaintext side of a TLS session, as the Transport the stream machinery
 * reads and writes (a DuplexTransport over the TLSSocket). Addresses and TCP
 * options are the plain connection's; closing closes it too. Errors are
 * turned into Python exceptions by `map`.
 */
export class TlsTransport extends DuplexTransport {
  #tls: tls.TLSSocket;

  constructor(socket: tls.TLSSocket, raw: Transport, map: (e: unknown) => Error) {
    super(socket, map, {
      local: () => raw.localAddr,
      remote: () => raw.remoteAddr,
      setNoDelay: (v) => raw.setNoDelay?.(v),
      setKeepAlive: (v) => raw.setKeepAlive?.(v),
      closed: () => close_once(raw),
      what: "TLS session",
    });
    this.#tls = socket;
    socket.once("end", () => this.#peer_closed = true);
  }

  #peer_closed = false;

  /**
   * A plaintext write. One that was still waiting for the connection when
   * writing it failed raises that failure, as CPython's SSL_write does,
   * instead of reporting bytes sent that never left (node:tls completes it
   * as a success; the session records the failure through `fail`).
   */
  override async write(p: Uint8Array): Promise<number> {
    const n = await super.write(p);
    const e = this.error;
    if (e !== null) throw e;
    return n;
  }

  /**
   * suppress_ragged_eofs=False: an EOF that comes without the peer's
   * close_notify (the connection just closed) raises SSLEOFError, as
   * CPython's recv does; true (the default) reads it as an empty result.
   */
  suppress_ragged_eofs = true;
  #closing = false;

  override async read(p: Uint8Array): Promise<number | null> {
    const n = await super.read(p);
    if (n === null && !this.suppress_ragged_eofs && !this.#peer_closed && !this.#closing) throw new SSLEOFError();
    return n;
  }

  override close(): void {
    this.#closing = true;
    super.close();
  }

  /** True once the peer's close_notify (its end of the TLS stream) has arrived. */
  get peer_closed(): boolean {
    return this.#peer_closed;
  }

  /** The Node TLS socket (for version, cipher, certificates). */
  get tls(): tls.TLSSocket {
    return this.#tls;
  }
}

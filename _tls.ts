// TLS under a pysocket stream socket: Deno's built-in `node:tls` runs over a
// `node:stream` Duplex that pulls ciphertext from the socket's existing
// StreamReader (so a read already in flight, or bytes already buffered, reach
// TLS instead of being lost) and pushes ciphertext through its StreamWriter.
// The plaintext side is a Transport, so the socket's own recv, timeouts,
// makefile and select readiness keep working unchanged on top of it.

import tls from "node:tls";
import { Duplex } from "node:stream";
import { Buffer } from "node:buffer";
import type { StreamReader, StreamWriter, Transport } from "./_stream.ts";
import { Deadline } from "./_wait.ts";
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
  error(e: unknown): void;
}

/**
 * A Duplex of ciphertext over a socket's reader and writer. Deno's TLS
 * engine does not report an EOF or a read error that arrives during the
 * handshake, so they are also reported to `events`.
 */
export function raw_duplex(raw: RawParts, events: RawEvents): Duplex {
  let pulling = false;
  const forever = () => new Deadline(null);
  const d: Duplex = new Duplex({
    read() {
      if (pulling) return;
      pulling = true;
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
          d.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
        } else {
          d.push(null);
          events.eof();
        }
      }, (e: unknown) => {
        pulling = false;
        events.error(e);
        d.destroy(e as Error);
      });
    },
    write(chunk: Uint8Array, _enc: string, cb: (e?: Error | null) => void) {
      raw.writer.send_all(chunk, forever()).then(() => cb(), (e: Error) => cb(e));
    },
    final(cb: (e?: Error | null) => void) {
      raw.writer.shut_write().then(() => cb(), (e: Error) => cb(e));
    },
    destroy(err: Error | null, cb: (e: Error | null) => void) {
      try {
        raw.transport.close();
      } catch { /* closed already */ }
      cb(err);
    },
  });
  return d;
}

const HIGH_WATER = 256 * 1024;

/**
 * The plaintext side of a TLS session, as the Transport the stream machinery
 * reads and writes. Errors are turned into Python exceptions by `map`.
 */
export class TlsTransport implements Transport {
  #tls: tls.TLSSocket;
  #raw: Transport;
  #map: (e: unknown) => Error;
  #chunks: Uint8Array[] = [];
  #queued = 0;
  #ended = false;
  #err: Error | null = null;
  #wake: (() => void) | null = null;
  #closed = false;

  constructor(socket: tls.TLSSocket, raw: Transport, map: (e: unknown) => Error) {
    this.#tls = socket;
    this.#raw = raw;
    this.#map = map;
    socket.on("data", (b: Uint8Array) => {
      this.#chunks.push(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
      this.#queued += b.byteLength;
      if (this.#queued >= HIGH_WATER) socket.pause();
      this.#notify();
    });
    socket.on("end", () => {
      this.#ended = true;
      this.#notify();
    });
    socket.on("close", () => {
      this.#ended = true;
      this.#notify();
    });
    socket.on("error", (e: unknown) => {
      this.fail(e);
    });
  }

  /** Record a failure of the session; the next read or write raises it. */
  fail(e: unknown): void {
    if (this.#err === null) this.#err = this.#map(e);
    this.#notify();
  }

  #notify(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }

  /** The session's failure, once there is one. */
  get error(): Error | null {
    return this.#err;
  }

  /** The Node TLS socket (for version, cipher, certificates). */
  get tls(): tls.TLSSocket {
    return this.#tls;
  }

  /** Decrypted bytes received and not yet read. */
  get pending(): number {
    return this.#queued;
  }

  read(p: Uint8Array): Promise<number | null> {
    if (this.#chunks.length > 0) return Promise.resolve(this.#copy(p));
    if (this.#err !== null) return Promise.reject(this.#err);
    if (this.#ended || this.#closed) return Promise.resolve(null);
    return new Promise<void>((resolve) => this.#wake = resolve).then(() => this.read(p));
  }

  #copy(p: Uint8Array): number {
    let n = 0;
    while (n < p.length && this.#chunks.length > 0) {
      const c = this.#chunks[0]!;
      const k = Math.min(c.length, p.length - n);
      p.set(c.subarray(0, k), n);
      n += k;
      if (k === c.length) this.#chunks.shift();
      else this.#chunks[0] = c.subarray(k);
    }
    this.#queued -= n;
    if (this.#queued < HIGH_WATER && this.#tls.isPaused()) this.#tls.resume();
    return n;
  }

  write(p: Uint8Array): Promise<number> {
    if (this.#err !== null) return Promise.reject(this.#err);
    if (this.#closed || this.#tls.destroyed) {
      return Promise.reject(new OSError(E.EPIPE, null, { detail: "TLS session closed" }));
    }
    const copy = Buffer.from(p);
    return new Promise<number>((resolve, reject) => {
      let settled = false;
      const onClose = () => {
        if (settled) return;
        settled = true;
        reject(this.#err ?? new OSError(E.EPIPE, null, { detail: "TLS session closed" }));
      };
      this.#tls.once("close", onClose);
      this.#tls.write(copy, (e?: Error | null) => {
        this.#tls.off("close", onClose);
        if (settled) return;
        settled = true;
        if (e) reject(this.#err ?? this.#map(e));
        else resolve(p.length);
      });
    });
  }

  closeWrite(): Promise<void> {
    if (this.#tls.destroyed || this.#tls.writableEnded) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        this.#tls.off("close", done);
        resolve();
      };
      this.#tls.once("close", done);
      this.#tls.end(done);
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#tls.destroy();
    try {
      this.#raw.close();
    } catch { /* closed already */ }
    this.#notify();
  }

  get localAddr(): Deno.Addr {
    return this.#raw.localAddr;
  }

  get remoteAddr(): Deno.Addr {
    return this.#raw.remoteAddr;
  }

  setNoDelay(noDelay?: boolean): void {
    this.#raw.setNoDelay?.(noDelay);
  }

  setKeepAlive(keepAlive?: boolean): void {
    this.#raw.setKeepAlive?.(keepAlive);
  }
}

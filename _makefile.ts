// Socket files (Python's socket.makefile): buffered readers and writers over
// a socket's own read-ahead buffer, so a timeout in readline() loses nothing:
// the partial line stays buffered for the next call.

import { OSError } from "./errors.ts";
import { as_bytes } from "./_args.ts";
import { as_int } from "./families/_ip.ts";
import type { Socket } from "./socket.ts";
import type { Deadline } from "./_wait.ts";
import type { StreamReader } from "./_stream.ts";
import type { SignalOptions } from "./types.ts";

/** Python's makefile keywords. */
export interface SocketFileOptions {
  /** Text encoding (text modes only); only UTF-8 family encodings are supported. */
  encoding?: string | null;
  /** Decoding error handling: "strict" (default) or "replace". */
  errors?: string | null;
  /** Newline handling for text: null (universal, default), "", "\n", "\r\n". */
  newline?: string | null;
}

const NL = 10;

/** fill(), again while another caller took the bytes first: short only at EOF or an error. */
async function fill_for(reader: StreamReader, want: number, dl: Deadline): Promise<void> {
  do await reader.fill(want, dl); while (reader.buffered < want && !reader.ended);
}

const DEFAULT_WBUF = 8192;

/**
 * A file object over a socket, as returned by `Socket.makefile()`. In binary
 * modes reads return `Uint8Array`; in text modes, strings.
 *
 * @example
 * ```ts
 * import { socketpair } from "./mod.ts";
 * const [a, b] = await socketpair();
 * const w = a.makefile("w");
 * await w.write("hello\nworld\n");
 * await w.flush();
 * const r = b.makefile("r");
 * console.log(await r.readline()); // "hello\n"
 * a.close(); b.close();
 * ```
 */
export class SocketFile implements AsyncDisposable, Disposable {
  #sock: Socket;
  #mode: string;
  #binary: boolean;
  #reading: boolean;
  #writing: boolean;
  #wbuf: Uint8Array[] = [];
  #wlen = 0;
  #wcap: number;
  #closed = false;
  #decoder: TextDecoder | null = null;
  #encoder = new TextEncoder();
  #text = "";
  #newline: string | null;

  /**
   * Use `Socket.makefile()`.
   * @param sock the socket.
   * @param mode "r", "w", "rw", "rb", "wb", "rwb".
   * @param buffering write buffer size (0: unbuffered), or null for the default.
   * @param options encoding, errors, newline.
   */
  constructor(
    sock: Socket,
    mode: string,
    buffering: number | null,
    options: SocketFileOptions = {},
  ) {
    if (
      typeof mode !== "string" || mode.length === 0 ||
      ![...mode].every((c) => "rwb".includes(c))
    ) {
      throw new RangeError(`invalid mode '${mode}' (only r, w, b allowed)`);
    }
    this.#sock = sock;
    this.#mode = mode;
    this.#binary = mode.includes("b");
    this.#reading = mode.includes("r") || !mode.includes("w");
    this.#writing = mode.includes("w");
    const b = buffering === null || buffering === undefined || buffering < 0 ? DEFAULT_WBUF : as_int(buffering);
    if (b === 0 && !this.#binary) {
      throw new RangeError("unbuffered streams must be binary");
    }
    this.#wcap = b;
    this.#newline = options.newline ?? null;
    if (!this.#binary) {
      const enc = (options.encoding ?? "utf-8").toLowerCase().replace("_", "-");
      this.#decoder = new TextDecoder(enc, {
        fatal: (options.errors ?? "strict") === "strict",
      });
    }
  }

  /** The mode given to makefile(). */
  get mode(): string {
    return this.#mode;
  }

  /** True once closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The socket's file number. */
  fileno(): number {
    return this.#sock.fileno();
  }

  /** True when the file was opened for reading. */
  readable(): boolean {
    return this.#reading;
  }

  /** True when the file was opened for writing. */
  writable(): boolean {
    return this.#writing;
  }

  #check(read: boolean): void {
    if (this.#closed) throw new RangeError("I/O operation on closed file.");
    if (read && !this.#reading) {
      throw new OSError(null, "File not open for reading");
    }
    if (!read && !this.#writing) {
      throw new OSError(null, "File not open for writing");
    }
  }

  // ---- bytes ---------------------------------------------------------

  async #read_bytes(n: number, signal?: AbortSignal): Promise<Uint8Array> {
    const { reader } = this.#sock._stream_parts();
    const dl = this.#sock._deadline(signal);
    if (n < 0) {
      // Until EOF or an error (bytes may still be buffered); another caller may take bytes meanwhile.
      while (!reader.ended) await reader.fill(reader.buffered + 1, dl);
      return reader.take(reader.buffered);
    }
    await fill_for(reader, n, dl);
    return reader.take(n);
  }

  async #readline_bytes(
    limit: number,
    signal?: AbortSignal,
  ): Promise<Uint8Array> {
    const { reader } = this.#sock._stream_parts();
    // Made only when the call has to wait (or has a signal, which may be aborted already).
    let dl: Deadline | null = signal ? this.#sock._deadline(signal) : null;
    let scanned = 0;
    for (;;) {
      const i = reader.index_of(NL, scanned);
      if (i >= 0) {
        return reader.take(limit >= 0 ? Math.min(i + 1, limit) : i + 1);
      }
      const have = reader.buffered;
      if (limit >= 0 && have >= limit) return reader.take(limit);
      // At EOF (or an error) the rest is the last line (the error is raised once nothing is left).
      if (reader.ended) return reader.take(have);
      scanned = have;
      const taken = reader.taken;
      await reader.fill(have + 1, dl ??= this.#sock._deadline(signal));
      if (reader.taken !== taken) scanned = 0; // another caller took bytes meanwhile: scan again
    }
  }

  // ---- text ----------------------------------------------------------

  #decode(b: Uint8Array, final: boolean): string {
    let s = this.#decoder!.decode(b, { stream: !final });
    if (this.#newline === null) s = s.replace(/\r\n?/g, "\n");
    return s;
  }

  // ---- public reading ------------------------------------------------

  /**
   * Read up to `size` bytes (or characters in text mode), waiting until that
   * many arrive or EOF; with no size, read to EOF.
   *
   * @param size how much to read; -1 or omitted: everything until EOF.
   * @param options `{ signal }`.
   * @returns bytes or a string (empty at EOF).
   */
  async read(
    size: number = -1,
    options: SignalOptions = {},
  ): Promise<Uint8Array | string> {
    this.#check(true);
    const n = size === null ? -1 : as_int(size);
    if (this.#binary) return await this.#read_bytes(n, options.signal);
    if (n < 0) {
      const rest = this.#text +
        this.#decode(await this.#read_bytes(-1, options.signal), true);
      this.#text = "";
      return rest;
    }
    while (this.#text.length < n) {
      const chunk = await this.#read_bytes(
        Math.max(1, n - this.#text.length),
        options.signal,
      );
      if (chunk.length === 0) {
        this.#text += this.#decode(new Uint8Array(0), true);
        break;
      }
      this.#text += this.#decode(chunk, false);
    }
    const out = this.#text.slice(0, n);
    this.#text = this.#text.slice(n);
    return out;
  }

  /**
   * Read one line, including its `\n` (at EOF the last line may lack it, and
   * an empty result means EOF).
   *
   * @param limit the most bytes (characters in text mode) to return.
   * @param options `{ signal }`.
   * @returns the line.
   */
  readline(
    limit: number = -1,
    options?: SignalOptions,
  ): Promise<Uint8Array | string> {
    // Fast path, without an async frame: binary, no limit or signal, a whole line buffered.
    if (this.#binary && this.#reading && !this.#closed && limit === -1 && options?.signal === undefined) {
      let line: Uint8Array | null = null;
      try {
        line = this.#sock._stream_parts().reader.take_line(NL);
      } catch { /* closed or not connected: the slow path rejects with the error */ }
      if (line !== null) return Promise.resolve(line);
    }
    return this.#readline(limit, options);
  }

  async #readline(limit: number, options?: SignalOptions): Promise<Uint8Array | string> {
    this.#check(true);
    const lim = limit === -1 || limit === null ? -1 : as_int(limit);
    const signal = options?.signal;
    if (this.#binary) {
      if (lim < 0 && signal === undefined) {
        const line = this.#sock._stream_parts().reader.take_line(NL);
        if (line !== null) return line;
      }
      return await this.#readline_bytes(lim, signal);
    }
    for (;;) {
      const i = this.#text.indexOf("\n");
      if (i >= 0 || (lim >= 0 && this.#text.length >= lim)) {
        const end = i >= 0 ? (lim >= 0 ? Math.min(i + 1, lim) : i + 1) : lim;
        const out = this.#text.slice(0, end);
        this.#text = this.#text.slice(end);
        return out;
      }
      const line = await this.#readline_bytes(-1, signal);
      if (line.length === 0) {
        const out = this.#text + this.#decode(line, true);
        this.#text = "";
        return out;
      }
      this.#text += this.#decode(line, false);
    }
  }

  /**
   * Read all lines until EOF.
   *
   * @param hint stop after about this many bytes/characters (-1: no limit).
   * @returns the lines.
   */
  async readlines(hint: number = -1): Promise<(Uint8Array | string)[]> {
    const out: (Uint8Array | string)[] = [];
    let total = 0;
    for (;;) {
      const line = await this.readline();
      if (line.length === 0) break;
      out.push(line);
      total += line.length;
      if (hint > 0 && total >= hint) break;
    }
    return out;
  }

  /**
   * Read into a buffer (binary mode); returns the count (0 at EOF).
   *
   * @param buffer where to write.
   * @param options `{ signal }`.
   * @returns the number of bytes written to the buffer.
   */
  async readinto(
    buffer: ArrayBufferView | ArrayBufferLike,
    options: SignalOptions = {},
  ): Promise<number> {
    this.#check(true);
    if (!this.#binary) {
      throw new OSError(null, "readinto() needs a binary file");
    }
    const view = as_bytes(buffer);
    const { reader } = this.#sock._stream_parts();
    await fill_for(reader, view.length, this.#sock._deadline(options.signal));
    return reader.take_into(view);
  }

  /**
   * Read what is available, up to `size` bytes, waiting only if nothing is
   * buffered (binary mode, as BufferedReader.read1).
   *
   * @param size the most bytes to return.
   * @param options `{ signal }`.
   * @returns the bytes (empty at EOF).
   */
  async read1(
    size: number = 65536,
    options: SignalOptions = {},
  ): Promise<Uint8Array> {
    this.#check(true);
    const n = size < 0 ? 65536 : as_int(size);
    const { reader } = this.#sock._stream_parts();
    await fill_for(reader, 1, this.#sock._deadline(options.signal));
    return reader.take(n);
  }

  /** Iterate over lines until EOF: `for await (const line of f)`. */
  async *[Symbol.asyncIterator](): AsyncGenerator<
    Uint8Array | string,
    void,
    undefined
  > {
    for (;;) {
      const line = await this.readline();
      if (line.length === 0) return;
      yield line;
    }
  }

  // ---- writing -------------------------------------------------------

  /**
   * Write bytes (binary modes) or a string (text modes). Buffered writes go
   * out on `flush()`, when the buffer fills, or at `close()`.
   *
   * @param data what to write.
   * @param options `{ signal }`.
   * @returns the count of bytes (characters in text mode) taken.
   */
  async write(
    data: ArrayBufferView | ArrayBufferLike | string,
    options: SignalOptions = {},
  ): Promise<number> {
    this.#check(false);
    let bytes: Uint8Array;
    if (this.#binary) {
      if (typeof data === "string") {
        throw new TypeError("a bytes-like object is required, not 'str'");
      }
      bytes = as_bytes(data);
    } else {
      if (typeof data !== "string") {
        throw new TypeError("write() argument must be str, not bytes");
      }
      const text = this.#newline === "\r\n" ? data.replace(/\n/g, "\r\n") : data;
      bytes = this.#encoder.encode(text);
    }
    if (this.#wcap === 0) {
      await this.#sock.sendall(bytes, options);
    } else {
      this.#wbuf.push(this.#binary ? bytes.slice() : bytes);
      this.#wlen += bytes.length;
      if (this.#wlen >= this.#wcap) await this.flush(options);
    }
    return typeof data === "string" ? data.length : bytes.length;
  }

  /**
   * Write each item of an iterable.
   *
   * @param lines the items to write.
   */
  async writelines(lines: Iterable<ArrayBufferView | string>): Promise<void> {
    for (const l of lines) await this.write(l);
  }

  /**
   * Send everything buffered.
   *
   * @param options `{ signal }`.
   */
  async flush(options: SignalOptions = {}): Promise<void> {
    if (this.#closed && this.#wlen === 0) return;
    if (this.#wlen === 0) return;
    const parts = this.#wbuf;
    const all = parts.length === 1 ? parts[0]! : new Uint8Array(this.#wlen);
    if (parts.length > 1) {
      let o = 0;
      for (const p of parts) {
        all.set(p, o);
        o += p.length;
      }
    }
    this.#wbuf = [];
    this.#wlen = 0;
    await this.#sock.sendall(all, options);
  }

  /** Flush, then close the file (the socket stays open, as in Python). */
  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      if (this.#writing && !this.#sock._closed) await this.flush();
    } finally {
      this.#closed = true;
    }
  }

  /** `await using`: flush and close. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** `using`: close; buffered writes are flushed in the background. */
  [Symbol.dispose](): void {
    this.close().catch(() => {});
  }
}

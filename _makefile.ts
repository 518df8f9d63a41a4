// Socket files (Python's socket.makefile): buffered readers and writers over
// a socket's own read-ahead buffer. As CPython's SocketIO, a file whose read
// timed out refuses every later read ("cannot read from timed out object");
// the socket's own recv() still has the bytes.
//
// Binary files read straight from the socket's StreamReader. Text files work
// as Python's TextIOWrapper: they take up to 8 KiB of bytes at a time
// (BufferedReader.read1), decode them incrementally (_codecs.ts, Python's
// messages) and handle newlines as Python's IncrementalNewlineDecoder does
// (a "\r" at the end of a chunk waits for the next one, so a "\r\n" split
// across reads is one line end). As in CPython, each wait for bytes gets the
// socket's whole timeout (a line that trickles in never times out).

import { BlockingIOError, errno, OSError, TimeoutError } from "./errors.ts";
import { as_bytes } from "./_args.ts";
import { arg_type, as_int, py_type } from "./families/_ip.ts";
import { type CodecName, type Decoder, type Encoder, lookup_codec, make_decoder, make_encoder } from "./_codecs.ts";
import type { Socket } from "./socket.ts";
import type { StreamReader } from "./_stream.ts";
import type { SignalOptions } from "./types.ts";

/**
 * Python's makefile keywords (all of them may be given by name).
 *
 * @category Sockets
 */
export interface SocketFileOptions {
  /** "r" (default), "w", "rw", "rb", "wb", "rwb". */
  mode?: string;
  /** Buffer size (0: unbuffered, binary only), or null/negative for the default (8192). */
  buffering?: number | null;
  /** Text encoding (text modes only): utf-8 (default), utf-8-sig, ascii, latin-1 and their aliases. */
  encoding?: string | null;
  /** Error handler (text modes only): "strict" (default), "ignore", "replace", "backslashreplace", "surrogateescape", "xmlcharrefreplace" (writing). */
  errors?: string | null;
  /** Newline handling for text: null (universal, default), "", "\n", "\r", "\r\n". */
  newline?: string | null;
}

const NL = 10;
/** readline()'s fast path with no limit: longer lines (none in practice) take the general path. */
const NO_LIMIT = 0x3fffffff;
/** Python's TextIOWrapper chunk size: bytes decoded at a time. */
const CHUNK = 8192;
const DEFAULT_BUFFER = 8192;
/** `parts` (`n` bytes in all) as one array (the array itself when there is one). */
function concat(parts: Uint8Array[], n: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const all = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return all;
}
/** CPython's TextIOWrapper `_CHUNK_SIZE`: encoded text held before it goes to the buffer. */
const TEXT_CHUNK = 8192;

// Waiting for bytes: `while (reader.buffered < want && !reader.ended) await reader.fill(...)`,
// then take at once. The check and the take run in the same synchronous step
// after the await, so another caller (recv, another file) that takes the bytes
// first sends this one back to waiting instead of taking nothing (a false EOF).
// Each wait gets the socket's whole timeout, as each of CPython's recv calls does.

/** Python's repr() of a str. */
function str_repr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  // deno-lint-ignore no-control-regex
  const body = s.replace(/\\/g, "\\\\").replace(/[\x00-\x1f\x7f]/g, (c) => {
    if (c === "\n") return "\\n";
    if (c === "\r") return "\\r";
    if (c === "\t") return "\\t";
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
  });
  return q + (q === "'" ? body.replace(/'/g, "\\'") : body) + q;
}

/** A str-or-None argument of TextIOWrapper, as Python checks it. */
function str_or_none(v: unknown, name: string): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== "string") {
    throw new TypeError(`TextIOWrapper() argument '${name}' must be str or None, not ${py_type(v)}`);
  }
  return v;
}

/** CPython's BufferedWriter's BlockingIOError: EAGAIN, its text, and how many of the write's bytes it took. */
function write_blocked(written: number, cause: unknown): BlockingIOError {
  const e = new BlockingIOError(errno.EAGAIN, "write could not complete without blocking", { cause });
  e.characters_written = written;
  return e;
}

/** Python's `io.UnsupportedOperation` (an OSError and a ValueError there; an OSError here). */
class UnsupportedOperation extends OSError {
  constructor(message: string) {
    super(null, message);
  }
}

/** CPython's OverflowError texts for a size past a Py_ssize_t: _Py_convert_optional_to_ssize_t's, and "n"'s. */
const INDEX_SIZED = "cannot fit 'int' into an index-sized integer";
const SSIZE_T = "Python int too large to convert to C ssize_t";

/**
 * A size argument of read()/readline()/readlines() (None: -1). A Python int past a Py_ssize_t (either sign) is
 * CPython's OverflowError, a RangeError here, at once (A18d-1: it was "read everything", waiting for the peer).
 * @param v the argument.
 * @param msg the text: {@linkcode INDEX_SIZED} (the io module's optional size) or {@linkcode SSIZE_T}.
 */
function size_arg(v: unknown, msg: string = INDEX_SIZED): number {
  if (v === null || v === undefined) return -1;
  if (typeof v === "number" && Number.isInteger(v) && v >= -(2 ** 63) && v < 2 ** 63) return v; // the usual case
  if (typeof v === "boolean" || typeof v === "bigint") return ssize(v, msg); // Python ints, as everywhere else
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new TypeError(`argument should be integer or None, not '${py_type(v)}'`);
  }
  throw new RangeError(msg); // a whole number at or past 2**63 (or below -2**63)
}

/** An int (as_int's types) within a Py_ssize_t, else RangeError(msg). */
function ssize(v: unknown, msg: string = SSIZE_T): number {
  if (typeof v === "bigint") {
    if (v >= 2n ** 63n || v < -(2n ** 63n)) throw new RangeError(msg);
    return Number(v);
  }
  const n = as_int(v);
  if (n >= 2 ** 63 || n < -(2 ** 63)) throw new RangeError(msg);
  return n;
}

/** Python's len() of a str: code points (a surrogate pair is one). */
function code_points(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** A cut at `end` of `t` moved past the low half when it would split a surrogate pair. */
function whole_chars(t: string, end: number): number {
  const c = t.charCodeAt(end - 1);
  return c >= 0xd800 && c < 0xdc00 && end < t.length ? end + 1 : end;
}

let drop_writes: (f: SocketFile) => void;

/** A stable number per file, for the `object at 0x…` of its repr (made on first repr only). */
const file_ids = new WeakMap<object, number>();
let next_file_id = 1;
function file_id(f: object): number {
  let id = file_ids.get(f);
  if (id === undefined) file_ids.set(f, id = next_file_id++);
  return id;
}

/**
 * Internal (socketserver's StreamRequestHandler.finish): forget a file's unsent writes after a flush that failed or
 * was given up, so its close() does not wait on the peer again.
 * @param f the file.
 */
export function _drop_pending_writes(f: SocketFile): void {
  drop_writes(f);
}

/**
 * A file object over a socket, as returned by `Socket.makefile()`. In binary
 * modes reads return `Uint8Array`; in text modes, strings.
 *
 * @example
 * ```ts
 * import { socketpair } from "@pysocket/socket";
 * const [a, b] = await socketpair();
 * const w = a.makefile("w");
 * await w.write("hello\nworld\n");
 * await w.flush();
 * const r = b.makefile("r");
 * console.log(await r.readline()); // "hello\n"
 * a.close(); b.close();
 * ```
 *
 * @category Sockets
 */
export class SocketFile implements AsyncDisposable, Disposable, AsyncIterable<Uint8Array | string> {
  #sock: Socket;
  #mode: string;
  #binary: boolean;
  #reading: boolean;
  #writing: boolean;
  /** The BufferedWriter's buffer: bytes written and not yet sent (at most #bufsize of them). */
  #wbuf: Uint8Array[] = [];
  #wlen = 0;
  /** Text modes: the TextIOWrapper's pending bytes (up to TEXT_CHUNK), handed to the buffer as Python's are. */
  #tbuf: Uint8Array[] = [];
  #tlen = 0;
  /** The last write step under way (writes, flushes run one after another), or null. */
  #wq: Promise<void> | null = null;
  #bufsize: number;
  #closed = false;
  /** A read timed out (the socket's timeout): every later read raises, as CPython's SocketIO (_timeout_occurred). */
  #timed_out = false;
  /** Open, binary and reading: readline()'s fast path may take a buffered line from the reader. */
  #fast_binary = false;
  /** The socket's stream state and reader, cached (checked against the socket's on each call). */
  #st: unknown = null;
  #reader: StreamReader | null = null;
  // text
  #codec: CodecName = "utf-8";
  #encoding = "UTF-8";
  #errors = "strict";
  #decoder: Decoder | null = null;
  #encoder: Encoder | null = null;
  #newline: string | null = null;
  /** Decoded text not yet returned: #text from #tpos. */
  #text = "";
  #tpos = 0;
  /** Universal newlines: a "\r" that ended the last chunk, held until the next one shows whether "\n" follows. */
  #pending_cr = false;
  /** The decoder saw EOF (its final call was made). */
  #text_eof = false;

  /**
   * Use `Socket.makefile()`.
   * @param sock the socket.
   * @param mode "r", "w", "rw", "rb", "wb", "rwb".
   * @param buffering buffer size (0: unbuffered), or null for the default.
   * @param options encoding, errors, newline.
   */
  constructor(
    sock: Socket,
    mode: string,
    buffering: number | null,
    options: SocketFileOptions = {},
  ) {
    if (typeof mode !== "string") throw new TypeError(`'${py_type(mode)}' object is not iterable`);
    if (![...mode].every((c) => c === "r" || c === "w" || c === "b")) {
      throw new RangeError(`invalid mode ${str_repr(mode)} (only r, w, b allowed)`);
    }
    this.#sock = sock;
    this.#binary = mode.includes("b");
    this.#writing = mode.includes("w");
    this.#reading = mode.includes("r") || !this.#writing;
    // A binary file's mode is its SocketIO's: "r", "w" or "rw", then "b" ("br" and "b" read "rb"); a text
    // file's is the mode as given (CPython sets it on the TextIOWrapper).
    this.#mode = this.#binary ? `${this.#reading ? "r" : ""}${this.#writing ? "w" : ""}b` : mode;
    if (buffering !== null && buffering !== undefined && typeof buffering !== "number") {
      throw new TypeError(`'<' not supported between instances of '${py_type(buffering)}' and 'int'`);
    }
    let b = buffering === null || buffering === undefined || buffering < 0 ? DEFAULT_BUFFER : buffering;
    if (b === 0 && !this.#binary) throw new RangeError("unbuffered streams must be binary");
    b = as_int(b);
    this.#bufsize = b;
    this.#fast_binary = this.#binary && this.#reading;
    if (this.#binary) return; // Python returns the buffer before the text keywords are looked at
    const encoding = str_or_none(options.encoding, "encoding");
    const errors = str_or_none(options.errors, "errors");
    const newline = str_or_none(options.newline, "newline");
    if (newline !== null && !["", "\n", "\r", "\r\n"].includes(newline)) {
      throw new RangeError(`illegal newline value: ${newline}`);
    }
    this.#codec = lookup_codec(encoding ?? "utf-8");
    this.#encoding = encoding ?? "UTF-8"; // Python names the locale's default so (a UTF-8 locale)
    this.#errors = errors ?? "strict";
    this.#newline = newline;
    this.#decoder = make_decoder(this.#codec, this.#errors);
    this.#encoder = make_encoder(this.#codec, this.#errors);
  }

  /** The mode given to makefile(). */
  get mode(): string {
    return this.#mode;
  }

  /** True once closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The text encoding as given (text modes), as Python's `encoding` attribute; undefined in binary modes. */
  get encoding(): string | undefined {
    return this.#binary ? undefined : this.#encoding;
  }

  /** The error handler (text modes); undefined in binary modes. */
  get errors(): string | undefined {
    return this.#binary ? undefined : this.#errors;
  }

  /**
   * The socket's file number. As CPython's: a buffered read-write file (a BufferedRWPair) has none (Python's
   * UnsupportedOperation, an OSError here); a closed file raises RangeError (Python's ValueError).
   */
  fileno(): number {
    const raw = this.#binary && this.#bufsize === 0;
    if (this.#reading && this.#writing && !raw) throw new UnsupportedOperation("fileno");
    if (this.#closed) throw new RangeError("I/O operation on closed file.");
    return this.#sock.fileno();
  }

  /** Python's `name` attribute: the socket's file number, -1 once this file (or the socket) is closed. */
  get name(): number {
    return this.#closed ? -1 : this.#sock.fileno();
  }

  /**
   * Python's repr() of the object makefile() returns (C2-3): `<_io.BufferedReader name=3>`, `<_io.BufferedWriter
   * name=3>`, `<_io.BufferedRWPair object at 0x…>` (rwb), `<_io.TextIOWrapper name=3 mode='r' encoding='UTF-8'>`
   * (no name over a read-write pair), `<socket.SocketIO object at 0x…>` (unbuffered); name=-1 once closed.
   */
  toString(): string {
    const at = () => `object at 0x${(0x7f0000000000 + file_id(this) * 0x40).toString(16)}`;
    if (this.#binary) {
      if (this.#bufsize === 0) return `<socket.SocketIO ${at()}>`;
      if (this.#reading && this.#writing) return `<_io.BufferedRWPair ${at()}>`;
      return `<_io.Buffered${this.#reading ? "Reader" : "Writer"} name=${this.name}>`;
    }
    const name = this.#reading && this.#writing ? "" : `name=${this.name} `;
    return `<_io.TextIOWrapper ${name}mode=${str_repr(this.#mode)} encoding=${str_repr(this.#encoding)}>`;
  }

  /** Deno's console.log() shows Python's repr. */
  [Symbol.for("Deno.customInspect")](): string {
    return this.toString();
  }

  /** Python's `line_buffering` (text modes: false, as makefile() makes it); undefined in binary modes. */
  get line_buffering(): boolean | undefined {
    return this.#binary ? undefined : false;
  }

  /**
   * False: a socket file cannot seek. Raises RangeError once closed, as Python's ValueError, except for a buffered
   * read-write file (CPython's BufferedRWPair answers false without looking).
   */
  seekable(): boolean {
    const pair = this.#reading && this.#writing && this.#bufsize !== 0;
    if (this.#closed && !pair) throw new RangeError("I/O operation on closed socket.");
    return false;
  }

  /**
   * Whether CPython's class here is one that names every unsupported call after `seek`/`truncate` and never
   * looks at closed (SocketIO for `buffering=0`, BufferedRWPair for a buffered `"rwb"`).
   */
  #raw_or_pair(): boolean {
    return this.#binary && (this.#bufsize === 0 || (this.#reading && this.#writing));
  }

  /**
   * Python's `tell()`: a socket file has no position, so this raises Python's `io.UnsupportedOperation` (an
   * `OSError` here) with CPython's message; a closed text file raises RangeError (Python's ValueError).
   *
   * @returns never.
   *
   * @example
   * ```ts
   * import { socketpair } from "@pysocket/socket";
   * const [a, b] = await socketpair();
   * const f = a.makefile("rb");
   * try { f.tell(); } catch (e) { console.log((e as Error).name, (e as Error).message); } // UnsupportedOperation seek
   * a.close(); b.close();
   * ```
   */
  tell(): number {
    if (!this.#binary) {
      if (this.#closed) throw new RangeError("I/O operation on closed file.");
      throw new UnsupportedOperation("underlying stream is not seekable");
    }
    throw new UnsupportedOperation("seek");
  }

  /**
   * Python's `seek(offset, whence=0)`: a socket file cannot seek, so this raises Python's
   * `io.UnsupportedOperation` (an `OSError` here) with CPython's message for the file's class, or RangeError
   * (Python's ValueError) where CPython's closed file says so first.
   *
   * @param _offset the position (never used).
   * @param _whence 0, 1 or 2 (never used).
   * @returns never.
   *
   * @example
   * ```ts
   * import { socketpair } from "@pysocket/socket";
   * const [a, b] = await socketpair();
   * const f = a.makefile("rb");
   * try { f.seek(0); } catch (e) { console.log((e as Error).message); } // File or stream is not seekable.
   * a.close(); b.close();
   * ```
   */
  seek(_offset: number, _whence: number = 0): number {
    if (this.#raw_or_pair()) throw new UnsupportedOperation("seek"); // SocketIO/BufferedRWPair take any arguments
    if (arguments.length === 0) throw new TypeError("seek expected at least 1 argument, got 0");
    if (!this.#binary) {
      if (this.#closed) throw new RangeError("I/O operation on closed file.");
      throw new UnsupportedOperation("underlying stream is not seekable");
    }
    if (this.#closed) throw new RangeError("seek of closed file");
    throw new UnsupportedOperation("File or stream is not seekable.");
  }

  /**
   * Python's `truncate(size=None)`: a socket file cannot be truncated, so this raises Python's
   * `io.UnsupportedOperation` (an `OSError` here), or RangeError (Python's ValueError) where CPython's closed
   * file says so first.
   *
   * @param _size the size (never used).
   * @returns never.
   *
   * @example
   * ```ts
   * import { socketpair } from "@pysocket/socket";
   * const [a, b] = await socketpair();
   * const f = a.makefile("wb");
   * try { f.truncate(); } catch (e) { console.log((e as Error).message); } // truncate
   * a.close(); b.close();
   * ```
   */
  truncate(_size: number | null = null): number {
    if (this.#closed && !this.#raw_or_pair()) {
      throw new RangeError(this.#binary ? "truncate of closed file" : "I/O operation on closed file.");
    }
    throw new UnsupportedOperation("truncate");
  }

  /** False: a socket is no terminal. Raises RangeError once closed, as Python's ValueError. */
  isatty(): boolean {
    if (this.#closed) throw new RangeError("I/O operation on closed file.");
    return false;
  }

  /**
   * True when the file was opened for reading. Once closed, raises RangeError (Python's ValueError) as CPython's
   * file does: a reading or an unbuffered one asks its closed socket; a buffered writer answers false.
   */
  readable(): boolean {
    if (this.#closed && (this.#reading || (this.#binary && this.#bufsize === 0))) {
      throw new RangeError("I/O operation on closed socket.");
    }
    return this.#reading;
  }

  /** True when the file was opened for writing; once closed, as {@linkcode SocketFile.readable}. */
  writable(): boolean {
    if (this.#closed && (this.#writing || (this.#binary && this.#bufsize === 0))) {
      throw new RangeError("I/O operation on closed socket.");
    }
    return this.#writing;
  }

  /**
   * Raise as Python's file would for `op` (read, read1, readline, readinto, readlines, write, writelines, flush):
   * the wrong direction first (Python's UnsupportedOperation, an OSError here), then a closed file (ValueError,
   * with the buffered classes' own wording).
   */
  #check(op: string): void {
    const reads = op.startsWith("read");
    const buffered = this.#binary && this.#bufsize !== 0;
    const lines = op === "readlines" || op === "writelines";
    const wrong = (reads && !this.#reading) || (op.startsWith("write") && !this.#writing);
    // Buffered binary files check the direction before closed, and name the method.
    if (wrong && buffered && !lines) {
      throw new UnsupportedOperation(op === "read1" ? "read1" : reads ? "read" : "write");
    }
    if (this.#closed) {
      let text = "I/O operation on closed file.";
      if (buffered) {
        if (op === "read" || op === "read1") text = "read of closed file";
        else if (op === "readline") text = this.#writing ? "peek of closed file" : "readline of closed file";
        else if (op === "readinto") text = "readinto of closed file";
        else if (op === "write") text = "write to closed file";
        else if (op === "flush" && this.#writing) text = "flush of closed file";
      }
      throw new RangeError(text);
    }
    // CPython's SocketIO.readinto after a timeout (its BufferedReader dropped the partial read with it).
    if (reads && !wrong && this.#timed_out) throw new OSError("cannot read from timed out object");
    if (wrong) {
      // SocketIO and TextIOWrapper say what the stream is not.
      const what = reads ? "readable" : "writable";
      throw new UnsupportedOperation(this.#binary ? `File or stream is not ${what}.` : `not ${what}`);
    }
  }

  /**
   * Wait within the socket's timeout until `want` bytes are buffered (or EOF). A socket detached meanwhile
   * ends a timed wait with EBADF, as CPython's file, whose recv_into then reads fd -1 (the bytes stay for the
   * socket that adopts the number); a blocking one goes on, as CPython's recv(2) on the descriptor.
   */
  async #fill(reader: StreamReader, want: number, signal: AbortSignal | undefined): Promise<void> {
    const dl = this.#sock._deadline(signal);
    try {
      await reader.fill(want, dl);
    } catch (e) {
      if (e instanceof TimeoutError) this.#timed_out = true;
      throw this.#sock._file_read_error(e);
    }
    if (!dl.unbounded && this.#sock.fileno() === -1) throw new OSError(errno.EBADF);
  }

  /** The socket's reader, checked (closed socket: EBADF; not connected: ENOTCONN); cached while the socket keeps it. */
  #get_reader(): StreamReader {
    if (this.#st === null && this.#sock.type === 2 && this.#sock.fileno() !== -1) {
      // SOCK_DGRAM (A13b-6): CPython's file reads datagrams as one byte stream; pysocket's reads a stream only.
      throw new OSError(errno.EOPNOTSUPP, null, {
        detail: "reading a socket file of a datagram socket is not supported: use recv() or recvfrom()",
      });
    }
    const st = this.#sock._stream_parts();
    if (st !== this.#st) {
      this.#st = st;
      this.#reader = st.reader;
    }
    return this.#reader!;
  }

  /**
   * The reader once the socket's connect in flight completes (A18a-5): waited for within the socket's timeout, as
   * recv's wait, and as CPython's recv(2) on a connecting socket; a timeout is the file's (later reads raise). A
   * blocking wait across detach() goes on with the socket that has the connection, as CPython's recv(2) on the
   * descriptor (reads after it raise EBADF).
   */
  async #reader_after_connect(signal: AbortSignal | undefined): Promise<StreamReader> {
    const st = await this.#sock._stream_parts_after_connect(signal).catch((e) => {
      if (e instanceof TimeoutError) this.#timed_out = true;
      throw e;
    });
    this.#st = st;
    this.#reader = st.reader;
    return st.reader;
  }

  // ---- bytes ---------------------------------------------------------

  async #read_bytes(n: number, signal?: AbortSignal): Promise<Uint8Array> {
    const reader = this.#sock._in_flight ? await this.#reader_after_connect(signal) : this.#get_reader();
    if (n < 0) {
      // Until EOF or an error (bytes may still be buffered); another caller may take bytes meanwhile.
      while (!reader.ended) await this.#fill(reader, reader.buffered + 1, signal);
      // A reset (any read error) before EOF: CPython's read() raises it rather than return a short "everything".
      reader.raise_error();
      return reader.take(reader.buffered);
    }
    if (n === 0) return new Uint8Array(0);
    const want = this.#bufsize === 0 ? 1 : n; // unbuffered (Python's raw SocketIO): one receive's worth
    while (reader.buffered < want && !reader.ended) await this.#fill(reader, want, signal);
    // Buffered (BufferedReader): a short read means EOF, so a read error before n bytes is raised (the bytes stay).
    if (want === n && reader.buffered < n) reader.raise_error();
    return reader.take(n);
  }

  async #readline_bytes(limit: number, signal?: AbortSignal): Promise<Uint8Array> {
    const reader = this.#sock._in_flight ? await this.#reader_after_connect(signal) : this.#get_reader();
    let scanned = 0;
    for (;;) {
      const i = reader.index_of(NL, scanned);
      if (i >= 0) {
        return reader.take(limit >= 0 ? Math.min(i + 1, limit) : i + 1);
      }
      const have = reader.buffered;
      if (limit >= 0 && have >= limit) return reader.take(limit);
      // At EOF the rest is the last line. A read error is raised first (the bytes stay), as CPython's readline
      // raises it: a line without its newline would read as the end of the stream.
      if (reader.ended) {
        reader.raise_error();
        return reader.take(have);
      }
      scanned = have;
      const taken = reader.taken;
      await this.#fill(reader, have + 1, signal);
      if (reader.taken !== taken) scanned = 0; // another caller took bytes meanwhile: scan again
    }
  }

  // ---- text ----------------------------------------------------------

  /** Decode bytes; universal newlines hold a trailing "\r" back and (newline=None) translate. */
  #decode(b: Uint8Array, final: boolean): string {
    let s = this.#decoder!.decode(b, final);
    if (this.#newline !== null && this.#newline !== "") return s;
    if (this.#pending_cr) {
      s = "\r" + s;
      this.#pending_cr = false;
    }
    if (!final && s.endsWith("\r")) {
      s = s.slice(0, -1);
      this.#pending_cr = true;
    }
    if (this.#newline === null && s.includes("\r")) s = s.replace(/\r\n?/g, "\n");
    return s;
  }

  /**
   * Take the next chunk of bytes (up to 8 KiB, as Python's read1) and decode
   * it into the text buffer, waiting for bytes if none are buffered.
   * False at EOF once everything is decoded.
   */
  async #read_chunk(signal?: AbortSignal): Promise<boolean> {
    if (this.#text_eof) return false;
    const reader = this.#sock._in_flight ? await this.#reader_after_connect(signal) : this.#get_reader();
    while (reader.buffered === 0 && !reader.ended) await this.#fill(reader, 1, signal);
    const bytes = reader.take(CHUNK);
    const final = bytes.length === 0;
    const s = this.#decode(bytes, final);
    // After the final decode only: one that raised (a truncated character) raises again next time, as CPython's.
    if (final) this.#text_eof = true;
    if (this.#tpos >= this.#text.length) {
      this.#text = s;
      this.#tpos = 0;
    } else {
      this.#text = this.#text.slice(this.#tpos) + s;
      this.#tpos = 0;
    }
    return !final || s.length > 0;
  }

  /**
   * #read_chunk for a reader that holds `parts` of its result: when the wait
   * fails (timeout, abort, error), the parts go back in front of the text,
   * so the next call gets them (nothing is lost).
   */
  async #more(parts: string[], signal?: AbortSignal): Promise<boolean> {
    try {
      return await this.#read_chunk(signal);
    } catch (e) {
      this.#text = parts.join("") + this.#text.slice(this.#tpos);
      this.#tpos = 0;
      throw e;
    }
  }

  /** The end (exclusive) of the first line ending in `t` at or after `from`, or -1. */
  #line_end(t: string, from: number): number {
    const nl = this.#newline;
    if (nl === null || nl === "\n") {
      const i = t.indexOf("\n", from);
      return i < 0 ? -1 : i + 1;
    }
    if (nl === "\r") {
      const i = t.indexOf("\r", from);
      return i < 0 ? -1 : i + 1;
    }
    if (nl === "\r\n") {
      const i = t.indexOf("\r\n", from);
      return i < 0 ? -1 : i + 2;
    }
    // newline="": "\r", "\n" or "\r\n" (a "\r" is never last unless at EOF: the decoder holds it back).
    for (let i = from; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c === 10) return i + 1;
      if (c === 13) return t.charCodeAt(i + 1) === 10 ? i + 2 : i + 1;
    }
    return -1;
  }

  /** A whole line of at most `max` UTF-16 units from the decoded text, or null when none is there. */
  #text_line(max: number): string | null {
    const end = this.#line_end(this.#text, this.#tpos);
    if (end < 0 || end - this.#tpos > max) return null;
    const out = this.#text.slice(this.#tpos, end);
    this.#tpos = end;
    return out;
  }

  async #readline_text(lim: number, signal?: AbortSignal): Promise<string> {
    // The line so far, in pieces (joined once: no quadratic concatenation on a long line).
    const parts: string[] = [];
    let have = 0;
    for (;;) {
      const t = this.#text, p = this.#tpos;
      let end = this.#line_end(t, p);
      // newline="\r\n": the "\r" ended the previous piece and the "\n" starts this one.
      if (end < 0 && this.#newline === "\r\n" && parts.length > 0 && parts.at(-1)!.endsWith("\r") && t[p] === "\n") {
        end = p + 1;
      }
      if (end >= 0 || (lim >= 0 && have + t.length - p >= lim)) {
        if (end < 0 || (lim >= 0 && have + end - p > lim)) end = whole_chars(t, p + (lim - have));
        this.#tpos = end;
        const piece = t.slice(p, end);
        if (parts.length === 0) return piece;
        parts.push(piece);
        return parts.join("");
      }
      if (p < t.length) {
        parts.push(p === 0 ? t : t.slice(p));
        have += t.length - p;
      }
      this.#text = "";
      this.#tpos = 0;
      if (!await this.#more(parts, signal)) return parts.join("");
    }
  }

  /** Up to n characters of text (everything until EOF when n < 0). */
  async #read_text(n: number, signal?: AbortSignal): Promise<string> {
    if (n < 0) {
      // Everything, then one decode, as Python's read() does (the text stays while waiting).
      const bytes = this.#text_eof ? new Uint8Array(0) : await this.#read_bytes(-1, signal);
      this.#text_eof = true;
      const rest = this.#text.slice(this.#tpos);
      this.#text = "";
      this.#tpos = 0;
      return rest + this.#decode(bytes, true);
    }
    const parts: string[] = [];
    let have = 0;
    for (;;) {
      const t = this.#text, p = this.#tpos;
      if (have + t.length - p >= n) {
        const end = whole_chars(t, p + (n - have));
        this.#tpos = end;
        parts.push(t.slice(p, end));
        return parts.join("");
      }
      if (p < t.length) {
        parts.push(p === 0 ? t : t.slice(p));
        have += t.length - p;
      }
      this.#text = "";
      this.#tpos = 0;
      if (!await this.#more(parts, signal)) return parts.join("");
    }
  }

  // ---- public reading ------------------------------------------------

  /**
   * Read up to `size` bytes (or characters in text mode), waiting until that
   * many arrive or EOF; with no size, read to EOF.
   *
   * @param size how much to read; -1, null or omitted: everything until EOF.
   * @param options `{ signal }`.
   * @returns bytes or a string (empty at EOF).
   */
  async read(size: number | null = -1, options: SignalOptions = {}): Promise<Uint8Array | string> {
    this.#check("read");
    // SocketIO.read (unbuffered) parses its size as "n"; BufferedReader and TextIOWrapper as an optional size.
    const n = size_arg(size, this.#binary && this.#bufsize === 0 ? SSIZE_T : INDEX_SIZED);
    if (n < -1 && this.#binary && this.#bufsize !== 0) {
      throw new RangeError("read length must be non-negative or -1"); // BufferedReader's check
    }
    if (this.#binary) return await this.#read_bytes(n, options.signal);
    if (this.#tlen) await this.#serial(() => this.#text_flush(options)); // TextIOWrapper.read: pending text to the buffer
    return await this.#read_text(n, options.signal);
  }

  /**
   * Read one line, including its line ending (at EOF the last line may lack
   * it, and an empty result means EOF). Text files end lines as their
   * `newline` says (universal newlines by default).
   *
   * @param limit the most bytes (characters in text mode) to return; -1 or null: no limit.
   * @param options `{ signal }`.
   * @returns the line.
   */
  readline(limit: number | null = -1, options?: SignalOptions): Promise<Uint8Array | string> {
    // Fast path, without an async frame: no signal, a whole line (within the limit) buffered.
    // No limit: -1, null or any negative; 0 and anything not an integer take the general path.
    if (options === undefined) {
      const max = limit === -1 || limit === null
        ? NO_LIMIT
        : Number.isInteger(limit)
        ? (limit < 0 ? NO_LIMIT : limit)
        : 0;
      if (max > 0) {
        const line = this.#buffered_line(max);
        if (line !== null) return Promise.resolve(line);
      }
    }
    return this.#readline(limit, options);
  }

  /**
   * A whole line of at most `max` bytes (characters in text mode) already
   * buffered (binary: in the socket's reader; text: decoded), or null.
   */
  #buffered_line(max: number): Uint8Array | string | null {
    if (this.#timed_out) return null; // the general path raises
    if (this.#fast_binary) {
      // The cached reader, while it is still the socket's (a closed file is not #fast_binary).
      const st = this.#st;
      return st !== null && this.#sock._stream === st ? this.#reader!.take_line(NL, max) : null;
    }
    if (this.#closed || !this.#reading || this.#binary || this.#tlen) return null;
    return this.#text_line(max);
  }

  async #readline(limit: number | null, options?: SignalOptions): Promise<Uint8Array | string> {
    this.#check("readline");
    const signal = options?.signal;
    if (this.#binary) {
      return await this.#readline_bytes(size_arg(limit), signal);
    }
    const lim = limit === null ? -1 : ssize(limit); // TextIOWrapper.readline: "n"
    if (this.#tlen) await this.#serial(() => this.#text_flush(options)); // as TextIOWrapper.readline
    return await this.#readline_text(lim, signal);
  }

  /**
   * Read all lines until EOF.
   *
   * @param hint stop after about this many bytes/characters (-1: no limit).
   * @returns the lines.
   */
  async readlines(hint: number | null = -1): Promise<(Uint8Array | string)[]> {
    this.#check("readlines");
    const h = size_arg(hint);
    const out: (Uint8Array | string)[] = [];
    let total = 0;
    for (;;) {
      const line = await this.readline();
      if (line.length === 0) break;
      out.push(line);
      total += line.length;
      if (h > 0 && total >= h) break;
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
    this.#check("readinto");
    if (!this.#binary) {
      throw new OSError(null, "readinto() needs a binary file");
    }
    const view = as_bytes(buffer);
    if (view.length === 0) return 0;
    const reader = this.#sock._in_flight ? await this.#reader_after_connect(options.signal) : this.#get_reader();
    const want = this.#bufsize === 0 ? 1 : view.length;
    while (reader.buffered < want && !reader.ended) await this.#fill(reader, want, options.signal);
    if (want === view.length && reader.buffered < want) reader.raise_error(); // BufferedReader.readinto fills it all
    return reader.take_into(view);
  }

  /**
   * The bytes buffered, without taking them, as `BufferedReader.peek()`: if
   * none are, one receive waits for some (binary buffered modes). As in
   * CPython, `size` is not a limit: everything buffered is returned (empty at EOF).
   *
   * @param size ignored, as CPython's (at least one byte is returned unless at EOF).
   * @param options `{ signal }`.
   * @returns the buffered bytes (a copy).
   *
   * @example
   * ```ts
   * import { socketpair } from "@pysocket/socket";
   * const [a, b] = await socketpair();
   * await a.sendall(new TextEncoder().encode("hello"));
   * const f = b.makefile("rb");
   * console.log((await f.peek(1)).length > 0, await f.read(5)); // true, the 5 bytes
   * a.close(); b.close();
   * ```
   */
  async peek(size: number = 0, options: SignalOptions = {}): Promise<Uint8Array> {
    ssize(size);
    if (!this.#binary || this.#bufsize === 0 || !this.#reading) throw new UnsupportedOperation("peek");
    if (this.#closed) throw new RangeError("peek of closed file");
    if (this.#timed_out) throw new OSError("cannot read from timed out object");
    const reader = this.#sock._in_flight ? await this.#reader_after_connect(options.signal) : this.#get_reader();
    if (reader.buffered === 0 && !reader.ended) await this.#fill(reader, 1, options.signal);
    else if (reader.settle_due) await reader.settle(); // a top-up read's bytes the kernel has (A21-6)
    return reader.peek(reader.buffered);
  }

  /**
   * Read what is available, up to `size` bytes, waiting only if nothing is
   * buffered (binary mode, as BufferedReader.read1).
   *
   * @param size the most bytes to return (-1: the buffer size).
   * @param options `{ signal }`.
   * @returns the bytes (empty at EOF).
   */
  async read1(size: number = -1, options: SignalOptions = {}): Promise<Uint8Array> {
    this.#check("read1");
    if (!this.#binary) throw new OSError(null, "read1() needs a binary file");
    let n = ssize(size);
    if (n < 0) n = this.#bufsize || DEFAULT_BUFFER;
    if (n === 0) return new Uint8Array(0);
    const reader = this.#sock._in_flight ? await this.#reader_after_connect(options.signal) : this.#get_reader();
    while (reader.buffered === 0 && !reader.ended) await this.#fill(reader, 1, options.signal);
    if (reader.settle_due) await reader.settle(); // a top-up read's bytes the kernel has (A21-6)
    return reader.take(n);
  }

  /**
   * Iterate over lines until EOF: `for await (const line of f)`. Lines
   * already buffered are delivered without a trip through the event loop;
   * leaving the loop early does not close the file (as in Python).
   */
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array | string, undefined> {
    const done: IteratorResult<Uint8Array | string, undefined> = { done: true, value: undefined };
    const next = (line: Uint8Array | string): IteratorResult<Uint8Array | string, undefined> =>
      line.length === 0 ? done : { done: false, value: line };
    return {
      next: (): Promise<IteratorResult<Uint8Array | string, undefined>> => {
        const line = this.#buffered_line(NO_LIMIT);
        if (line !== null) return Promise.resolve({ done: false, value: line });
        return this.#readline(-1).then(next);
      },
      return: (): Promise<IteratorResult<Uint8Array | string, undefined>> => Promise.resolve(done),
    };
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
    this.#check("write");
    let bytes: Uint8Array;
    if (this.#binary) {
      if (typeof data === "string") {
        throw new TypeError("a bytes-like object is required, not 'str'");
      }
      bytes = as_bytes(data);
    } else {
      if (typeof data !== "string") {
        throw new TypeError(`write() argument must be str, not ${arg_type(data)}`);
      }
      const nl = this.#newline;
      const text = (nl === "\r" || nl === "\r\n") && data.includes("\n") ? data.replace(/\n/g, nl) : data;
      bytes = this.#encoder!.encode(text);
    }
    const taken = typeof data === "string" ? code_points(data) : bytes.length;
    if (this.#bufsize === 0) {
      // CPython's SocketIO.write on a non-blocking socket is one send(): the count it took (A14b-8). (When it
      // takes nothing CPython returns None; here the send's BlockingIOError is raised: docs/limits.md.)
      if (this.#sock.gettimeout() === 0) return await this.#sock.send(bytes, options);
      await this.#sock.sendall(bytes, options);
    } else if (
      this.#wq === null &&
      (this.#binary ? this.#wlen + bytes.length <= this.#bufsize : this.#tlen + bytes.length < TEXT_CHUNK)
    ) {
      // The common write: it fits, and no other write is under way (nothing to wait for, nothing sent).
      if (this.#binary) {
        this.#wbuf.push(bytes.slice()); // a caller's buffer may change once write() returned
        this.#wlen += bytes.length;
      } else {
        this.#tbuf.push(bytes);
        this.#tlen += bytes.length;
      }
    } else if (this.#binary) {
      const copy = bytes.slice(); // taken now: the caller may change its buffer while an earlier write sends
      await this.#serial(() => this.#buffered_write(copy, options));
    } else {
      await this.#serial(() => this.#text_write(bytes, options));
    }
    return taken;
  }

  /**
   * Run a write step after every earlier one (BufferedWriter's lock): two tasks writing at once reach the peer
   * in the order their writes were called, never interleaved.
   */
  #serial(fn: () => Promise<void>): Promise<void> {
    const prev = this.#wq;
    const p = prev === null ? fn() : prev.then(fn, fn);
    const tail: Promise<void> = p.then(() => {}, () => {});
    this.#wq = tail;
    tail.then(() => {
      if (this.#wq === tail) this.#wq = null;
    });
    return p;
  }

  /**
   * TextIOWrapper.write: pending text goes to the buffer first when this would take it past the chunk size, and
   * all of it once it reaches the chunk size (CPython's textio.c).
   */
  async #text_write(bytes: Uint8Array, options: SignalOptions): Promise<void> {
    if (this.#tlen + bytes.length > TEXT_CHUNK) await this.#text_flush(options);
    this.#tbuf.push(bytes);
    this.#tlen += bytes.length;
    if (this.#tlen >= TEXT_CHUNK) await this.#text_flush(options);
  }

  /**
   * BufferedWriter.write: bytes that fit in the buffer stay there; otherwise the buffer is sent, then the new
   * bytes are sent too if they are more than the buffer holds, else they become the buffer (CPython's
   * bufferedio.c), so a peer sees exactly what a CPython program's peer sees.
   */
  async #buffered_write(bytes: Uint8Array, options: SignalOptions): Promise<void> {
    if (this.#wlen + bytes.length <= this.#bufsize) {
      this.#wbuf.push(bytes);
      this.#wlen += bytes.length;
      return;
    }
    try {
      await this.#send_buffer(options);
    } catch (e) {
      // Non-blocking (A14b-8, CPython's bufferedio.c): as much of the new bytes as fits is buffered, and the
      // BlockingIOError says how many were taken.
      if (!(e instanceof BlockingIOError) || e.characters_written === undefined) throw e;
      const avail = this.#bufsize - this.#wlen;
      const k = Math.min(avail, bytes.length);
      if (k > 0) {
        this.#wbuf.push(bytes.subarray(0, k));
        this.#wlen += k;
      }
      if (k === bytes.length) return;
      e.characters_written = k;
      throw e;
    }
    if (bytes.length > this.#bufsize && this.#sock.gettimeout() === 0) {
      // Non-blocking: raw writes while more than a buffer's worth is left; when the socket would block, a
      // buffer's worth is kept and BlockingIOError counts what was taken (sent + buffered), as CPython's.
      let written = 0;
      while (bytes.length - written > this.#bufsize) {
        try {
          written += await this.#sock.send(bytes.subarray(written), options);
        } catch (e) {
          if (!(e instanceof BlockingIOError)) throw e;
          this.#wbuf.push(bytes.subarray(written, written + this.#bufsize));
          this.#wlen += this.#bufsize;
          throw write_blocked(written + this.#bufsize, e);
        }
      }
      if (written < bytes.length) {
        this.#wbuf.push(bytes.subarray(written));
        this.#wlen += bytes.length - written;
      }
    } else if (bytes.length > this.#bufsize) {
      await this.#sock.sendall(bytes, options);
    } else {
      this.#wbuf.push(bytes);
      this.#wlen += bytes.length;
    }
  }

  /** TextIOWrapper's write flush: hand the pending text's bytes to the buffer (which may send). */
  async #text_flush(options: SignalOptions = {}): Promise<void> {
    if (this.#tlen === 0) return;
    const all = concat(this.#tbuf, this.#tlen);
    this.#tbuf = [];
    this.#tlen = 0;
    await this.#buffered_write(all, options);
  }

  /**
   * Write each item of an iterable.
   *
   * @param lines the items to write.
   */
  async writelines(lines: Iterable<ArrayBufferView | string>): Promise<void> {
    this.#check("writelines");
    for (const l of lines) await this.write(l);
  }

  /**
   * Send everything buffered.
   *
   * @param options `{ signal }`.
   */
  async flush(options: SignalOptions = {}): Promise<void> {
    if (this.#closed) this.#check("flush");
    if (this.#wq === null && this.#tlen === 0 && this.#wlen === 0) return;
    await this.#serial(async () => {
      await this.#text_flush(options);
      await this.#send_buffer(options);
    });
  }

  /**
   * Send the buffer's bytes. As BufferedWriter's flush: what the socket did not take when a send fails (a reset
   * peer, a timeout) stays buffered, so the next flush (or close) tries it again and raises again.
   */
  async #send_buffer(options: SignalOptions): Promise<void> {
    if (this.#wlen === 0) return;
    const all = concat(this.#wbuf, this.#wlen);
    this.#wbuf = [];
    this.#wlen = 0;
    let off = 0;
    try {
      while (off < all.length) off += await this.#sock.send(off === 0 ? all : all.subarray(off), options);
    } catch (e) {
      const rest = all.subarray(off);
      this.#wbuf.unshift(rest);
      this.#wlen += rest.length;
      // A non-blocking socket's flush: CPython's BufferedWriter text, none of a new write's bytes taken (A14b-8).
      throw e instanceof BlockingIOError && this.#sock.gettimeout() === 0 ? write_blocked(0, e) : e;
    }
  }

  /**
   * Flush, then close the file (the socket stays open, as in Python). Buffered bytes whose socket was closed or
   * detached first raise `EBADF` here (CPython's after `detach()`), never vanish silently.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      if (this.#writing && (!this.#sock._closed || this.#wlen + this.#tlen > 0 || this.#wq !== null)) {
        await this.flush();
      }
    } finally {
      this.#closed = true;
      this.#fast_binary = false;
    }
  }

  static {
    drop_writes = (f) => {
      f.#wbuf = [];
      f.#wlen = 0;
      f.#tbuf = [];
      f.#tlen = 0;
    };
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

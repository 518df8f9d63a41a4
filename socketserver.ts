/**
 * Python's `socketserver` for Deno: TCP, UDP and Unix servers in a few
 * lines, on pysocket sockets. Handlers are classes with an async
 * `handle()`, so porting a Python server is mostly adding `new`, `async`
 * and `await`: `serve_forever()`, `handle_request()` and `shutdown()` are
 * awaited; `server_close()` closes at once, as Python's does.
 *
 * Every request runs in its own task, so one slow client never blocks the
 * others (what Python needs `ThreadingMixIn` for); the `Threading*` servers
 * differ from the plain ones only at the end, as CPython's do. `max_concurrent`
 * bounds the number of running handlers: at the limit the server stops
 * accepting until one ends (datagram servers default to 256, so a flood at a
 * slow handler waits in the kernel's queue rather than in memory). `shutdown()` stops serving and, with
 * `block_on_close` (the default), waits for running handlers; a `Threading*`
 * server's `shutdown()` does not, its `server_close()` does (as CPython's
 * ThreadingMixIn joins its threads there). Called while nothing serves,
 * `shutdown()` resolves at once and the next `serve_forever()` returns at
 * once, as CPython's. A handler that throws is reported through
 * `handle_error` (a Python-like traceback on stderr) and never takes the
 * server down; an error that `handle_error` itself raises ends a plain
 * server's `handle_request()` or `serve_forever()`, as CPython's (a
 * `Threading*` server prints it and serves on), and so does an error of
 * `verify_request` on every server. `ForkingMixIn` and the `Forking*` servers do not exist: Deno
 * cannot fork. With `UDPServer`, a handler's `request` is
 * `[data, socket]` (`BaseRequestHandler<DatagramRequest>`), as Python's
 * `(data, socket)`.
 *
 * Class attributes that Python subclasses override (`allow_reuse_address`,
 * `request_queue_size`, `address_family`, `timeout`, `block_on_close`,
 * `max_packet_size`, ...) are `static` members here, read when the server
 * is made; each can also be given in a trailing options object, and is
 * then an ordinary instance attribute.
 *
 * Hostile or stuck clients never stop the server. Nothing the server does
 * after a handler ends waits on the peer without a deadline
 * (`shutdown_request` gives `shutdown(SHUT_WR)` at most a second,
 * `StreamRequestHandler.finish` flushes within the connection's timeout),
 * so a handler's `timeout` frees its `max_concurrent` slot even when the
 * client stopped reading. `serve_forever` backs off (10 ms, doubling to
 * 1 s) only when the process runs out of resources (EMFILE, ENFILE,
 * ENOBUFS, ENOMEM), never after one client's failure; a failed accept,
 * such as a TLS handshake that failed, goes to `handle_error` and serving
 * goes on at once (CPython drops a failed accept silently). Client
 * addresses in error reports print as CPython prints them, except that a
 * path with control characters prints as its `repr`. A Unix datagram
 * client that sends without reading stalls a `UnixDatagramServer` until it
 * reads or leaves, as CPython's does. Each failed TLS handshake reported
 * through `handle_error` prints about 15 traceback lines (CPython prints
 * nothing). `StreamRequestHandler.timeout` is per operation, as in
 * CPython: a client that sends a byte within each timeout keeps its
 * handler and its `max_concurrent` slot; bound whole requests yourself if
 * that matters.
 *
 * `server_close()` closes the socket at once, as Python's does, and
 * returns a promise that resolves once the port is really free: after
 * `await server.server_close()` (or `await using`) a connect is refused;
 * after a plain `server.server_close()` (or `using`), from the next
 * event-loop turn on. A `UnixStreamServer`'s socket file is deleted when
 * it closes (Deno's doing; CPython leaves it).
 *
 * @example A line echo server, and a client
 *
 * ```ts
 * import { create_connection } from "@pysocket/socket";
 * import { StreamRequestHandler, TCPServer } from "@pysocket/socket/socketserver";
 *
 * class Echo extends StreamRequestHandler {
 *   override async handle() {
 *     const line = await this.rfile.readline();
 *     await this.wfile.write(line);
 *   }
 * }
 *
 * await using server = new TCPServer(["127.0.0.1", 0], Echo);
 * const serving = server.serve_forever();
 * using c = await create_connection(server.server_address as [string, number]);
 * await c.sendall(new TextEncoder().encode("hello\n"));
 * console.log(new TextDecoder().decode(await c.recv(100))); // "hello\n"
 * await server.shutdown();
 * await serving;
 * ```
 *
 * @example A UDP server: the request is `[data, socket]`
 *
 * ```ts
 * import { AF_INET, SOCK_DGRAM, socket } from "@pysocket/socket";
 * import { BaseRequestHandler, type DatagramRequest, UDPServer } from "@pysocket/socket/socketserver";
 *
 * class Upper extends BaseRequestHandler<DatagramRequest> {
 *   override async handle() {
 *     const [data, sock] = this.request; // Python: data, sock = self.request
 *     const text = new TextDecoder().decode(data).toUpperCase();
 *     await sock.sendto(new TextEncoder().encode(text), this.client_address);
 *   }
 * }
 *
 * await using server = new UDPServer(["127.0.0.1", 0], Upper);
 * const serving = server.serve_forever();
 * using c = socket(AF_INET, SOCK_DGRAM);
 * c.bind(["127.0.0.1", 0]);
 * await c.sendto(new TextEncoder().encode("hi"), server.server_address);
 * console.log(new TextDecoder().decode(await c.recv(100))); // HI
 * await server.shutdown();
 * await serving;
 * ```
 * @module
 */

import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  IPPROTO_TCP,
  SHUT_WR,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SOCK_DGRAM,
  SOCK_STREAM,
  SOL_SOCKET,
  TCP_NODELAY,
} from "./constants.ts";
import { AsyncLocalStorage } from "node:async_hooks";
import { errno, OSError, TimeoutError } from "./errors.ts";
import { _listener_released, type Socket, socket } from "./socket.ts";
import { _drop_pending_writes, type SocketFile } from "./_makefile.ts";
import { as_bytes, is_plain_object } from "./_args.ts";
import { py_type } from "./families/_ip.ts";
import { after } from "./_wait.ts";
import { listeners_released } from "./_stream.ts";
import type { Address, AddressInput, Buffer, SignalOptions } from "./types.ts";

// The types this module's signatures name, so its docs stand on their own.
export type { MakefileOptions, RecvOptions, Socket } from "./socket.ts";
export type { SocketFile, SocketFileOptions } from "./_makefile.ts";
export type { Address, AddressInput, Buffer, Inet6Address, InetAddress, SignalOptions, UnixAddress } from "./types.ts";

/**
 * A datagram server's request: the datagram's bytes and the server's socket, as Python's `(data, socket)`.
 *
 * @category Servers
 */
export type DatagramRequest = [data: Uint8Array, socket: Socket];

/**
 * A request: the connected socket (stream servers) or a {@linkcode DatagramRequest}.
 *
 * @category Servers
 */
export type Request = Socket | DatagramRequest;

/**
 * What a server asks of a request handler instance.
 *
 * @category Servers
 */
export interface RequestHandler {
  /** Called first. */
  setup(): void | Promise<void>;
  /** Serve the request. */
  handle(): void | Promise<void>;
  /** Called last, even when `handle()` threw. */
  finish(): void | Promise<void>;
}

/**
 * A request handler class: constructed with `(request, client_address,
 * server)` for every request, as Python's.
 *
 * @category Servers
 */
export type RequestHandlerClass = new (
  request: never,
  client_address: never,
  server: never,
) => RequestHandler;

/**
 * Server attributes that may be given when a server is made (all optional).
 *
 * @category Servers
 */
export interface ServerOptions {
  /** Bind and listen at once (default true), as Python's third parameter. */
  bind_and_activate?: boolean;
  /** Set SO_REUSEADDR before binding. */
  allow_reuse_address?: boolean;
  /** Set SO_REUSEPORT before binding (needs `--unstable-net`). */
  allow_reuse_port?: boolean;
  /** The listen() backlog (default 5). */
  request_queue_size?: number;
  /** Seconds `handle_request()` waits for a request (null: forever). */
  timeout?: number | null;
  /** `shutdown()` waits for running handlers (default true). */
  block_on_close?: boolean;
  /** Python's ThreadingMixIn flag: when true, running handlers are not waited for. */
  daemon_threads?: boolean;
  /**
   * The most handlers running at once (null: no limit; default null, 256 on datagram servers); at the limit the
   * server stops accepting (receiving).
   */
  max_concurrent?: number | null;
  /** The largest datagram a datagram server receives (default 8192). */
  max_packet_size?: number;
}

/**
 * Options of `get_request` and `handle_request`.
 *
 * @category Servers
 */
export type RequestOptions = SignalOptions;

const TICK = Symbol("poll_interval");
const STOP = Symbol("shutdown");

/** The outcome of a get_request(), kept until a caller takes it. */
type Got = { ok: true; value: [Request, Address] } | { ok: false; error: unknown };

/** Each server's get_request() in flight (see BaseServer.#next_request). */
const inflight = new WeakMap<BaseServer, Promise<Got>>();

/** Wakes a server's serving loop wherever it waits (server_close: it then sees the socket closed). */
const wake_loop = new WeakMap<BaseServer, () => void>();
/** Each server's wait for its running handlers (BaseServer's private #join, for TCPServer.server_close). */
const joiners = new WeakMap<BaseServer, () => Promise<void>>();
/** The classes ThreadingMixIn made (their subclasses are threading servers too). */
const THREADING = new WeakSet<object>();
/** ThreadingMixIn's class for each base class, made once. */
const MIXED = new WeakMap<object, unknown>();

/** True for a server of a class made by ThreadingMixIn (ThreadingTCPServer…) or a subclass of one. */
function is_threading(server: BaseServer): boolean {
  for (let c: unknown = server.constructor; typeof c === "function"; c = Object.getPrototypeOf(c)) {
    if (THREADING.has(c)) return true;
  }
  return false;
}
const CLOSED = Symbol("server_close");
/** The abort reason that wakes serve_forever() for an error that must leave it (C1-6). */
const ESCAPED = Symbol("escaped");

/** Where an error that leaves a plain server's request goes: the handle_request() awaiting it. */
type Escape = { set: boolean; error?: unknown };

/** Close a request's socket without the server's hooks (CPython leaves it to the garbage collector). */
function close_quietly(request: Request): void {
  if (Array.isArray(request)) return;
  try {
    (request as Socket).close();
  } catch { /* closed already */ }
}

/**
 * The threading server whose handler the running code is part of (a handler's "current thread"): its
 * server_close() must not wait for itself, and raises as CPython's `thread.join()` of the current thread does.
 */
const handler_of = new AsyncLocalStorage<BaseServer>();

/** Python's RuntimeError (no JavaScript class is Python's; the name is what a traceback shows). */
function runtime_error(text: string): Error {
  const e = new Error(text);
  e.name = "RuntimeError";
  return e;
}

/** Back-off of serve_forever while the process is out of resources. */
const MIN_BACKOFF_MS = 10;
const MAX_BACKOFF_MS = 1000;

/** Errors that say the process, not the client, ran out of something. */
const EXHAUSTION = new Set([errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM]);

/**
 * accept(2)'s errors that belong to one connection (Linux's man page: the
 * network errors "should be treated like EAGAIN by retrying"); a TLS
 * listener's failed handshake is one too.
 */
const ONE_CLIENT = new Set([
  errno.ECONNABORTED,
  errno.ECONNRESET,
  errno.EPERM,
  errno.EPROTO,
  errno.ENETDOWN,
  errno.ENOPROTOOPT,
  errno.EHOSTDOWN,
  errno.ENONET,
  errno.EHOSTUNREACH,
  errno.ENETUNREACH,
  errno.ETIMEDOUT,
]);

/**
 * What a failed get_request() means: "timeout" (nothing came), "again"
 * (a non-blocking socket had nothing), "exhausted" (the process is out
 * of descriptors or memory), "client" (one client's failure) or "other"
 * (something about the server's socket that retrying at once will not fix).
 */
function failure_kind(e: OSError): "timeout" | "again" | "exhausted" | "client" | "other" {
  if (e instanceof TimeoutError) return "timeout";
  if (e.errno === errno.EAGAIN || e.name === "SSLWantReadError" || e.name === "SSLWantWriteError") return "again";
  if (e.name.startsWith("SSL")) return "client";
  if (e.errno !== null && EXHAUSTION.has(e.errno)) return "exhausted";
  if (e.errno !== null && ONE_CLIENT.has(e.errno)) return "client";
  return "other";
}

/** `p`'s value, or null as soon as `signal` aborts (p goes on). */
function until_aborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T | null> {
  if (signal.aborted) return Promise.resolve(null);
  return new Promise<T | null>((resolve) => {
    const abort = () => resolve(null);
    signal.addEventListener("abort", abort, { once: true });
    p.then((v) => {
      signal.removeEventListener("abort", abort);
      resolve(v);
    });
  });
}

/** How long server_close() waits for the get_request() in flight to settle (an event-loop turn for a listener). */
const SETTLE_WAIT_MS = 2000;

/**
 * After a server's socket was closed: resolves once its get_request() in
 * flight (if any) has settled, which for a listener is when its port is
 * free; a connection it brought that nobody took is closed. Bounded.
 */
async function settle_inflight(server: BaseServer): Promise<void> {
  wake_loop.get(server)?.();
  const p = inflight.get(server);
  if (!p) return;
  await at_most(
    p.then((got) => {
      if (inflight.get(server) !== p) return; // a serving loop took it
      inflight.delete(server);
      if (got.ok) {
        try {
          server.close_request(got.value[0]);
        } catch { /* gone already */ }
      }
    }),
    SETTLE_WAIT_MS,
  );
}

/** How long shutdown_request waits for SHUT_WR (less when the connection's timeout is shorter). */
const SHUTDOWN_WAIT_MS = 1000;
/** How long StreamRequestHandler.finish may flush a connection that has no timeout: the close linger. */
const FINISH_WAIT_MS = 30_000;

/**
 * The errors of CPython's wait in serve_forever() and handle_request(): socketserver waits with
 * `selectors.PollSelector`, which rounds the timeout up to milliseconds (`math.ceil`: ValueError for NaN,
 * OverflowError for infinity) for poll(), whose int of milliseconds ends at 2**31-1 (about 24.8 days) and which
 * makes it int64 nanoseconds first. Python's ValueError and OverflowError are RangeErrors here, with CPython's
 * messages.
 */
function check_poll_timeout(t: number): void {
  if (Number.isNaN(t)) throw new RangeError("cannot convert float NaN to integer");
  if (t <= 0) return; // a poll (-inf included)
  if (t === Infinity) throw new RangeError("cannot convert float infinity to integer");
  const ms = Math.ceil(t * 1e3);
  if (ms > 9_223_372_036_854) throw new RangeError("timestamp too large to convert to C _PyTime_t");
  if (ms > 2 ** 31 - 1) throw new RangeError("timeout is too large");
}

/** Wait for `p` at most `ms` (it goes on in the background); never rejects. */
async function at_most(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([p.catch(() => {}), new Promise<void>((r) => timer = setTimeout(r, ms))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Characters Python's `str.isprintable()` rejects (a space is printable). */
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

/** Python's quote choice: single quotes unless the text has ' and no ". */
function quote_of(text: string): string {
  return text.includes("'") && !text.includes('"') ? '"' : "'";
}

/** Python's `repr()` of a str: control and other non-printable characters escaped. */
function py_repr_str(text: string): string {
  const q = quote_of(text);
  let out = q;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (ch === "\\" || ch === q) out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch !== " " && NON_PRINTABLE.test(ch)) {
      out += c <= 0xff
        ? "\\x" + c.toString(16).padStart(2, "0")
        : c <= 0xffff
        ? "\\u" + c.toString(16).padStart(4, "0")
        : "\\U" + c.toString(16).padStart(8, "0");
    } else out += ch;
  }
  return out + q;
}

/** Python's `repr()` of bytes: `b'...'`, everything outside printable ASCII as `\xNN`. */
function py_repr_bytes(data: Uint8Array): string {
  const text = String.fromCharCode(...data);
  const q = quote_of(text);
  let out = "b" + q;
  for (const c of data) {
    const ch = String.fromCharCode(c);
    if (ch === "\\" || ch === q) out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c < 0x20 || c >= 0x7f) out += "\\x" + c.toString(16).padStart(2, "0");
    else out += ch;
  }
  return out + q;
}

/**
 * A client address as CPython's `print(..., client_address)` shows it, but
 * never raw control characters: a tuple is its repr; an abstract Unix name
 * (leading NUL) is bytes in CPython, so its bytes repr; a path is printed
 * as is when printable (as CPython does) and as its repr otherwise, so a
 * client cannot forge log lines or send terminal escapes.
 */
function format_client(address: unknown): string {
  if (address === null || address === undefined) return "None";
  if (typeof address === "string") {
    if (address.startsWith("\0")) return py_repr_bytes(new TextEncoder().encode(address));
    return NON_PRINTABLE.test(address.replaceAll(" ", "")) ? py_repr_str(address) : address;
  }
  if (address instanceof Uint8Array) return py_repr_bytes(address);
  if (Array.isArray(address)) {
    const parts = address.map((v) =>
      typeof v === "string" ? py_repr_str(v) : typeof v === "number" ? String(v) : format_client(v)
    );
    return "(" + parts.join(", ") + (parts.length === 1 ? ",)" : ")");
  }
  if (typeof address === "number") return String(address);
  return py_repr_str(String(address));
}

/** Python's traceback text for an error. */
function traceback(error: unknown): string {
  if (error instanceof Error) {
    const stack = error.stack ?? `${error.name}: ${error.message}`;
    const lines = stack.split("\n");
    const head = lines[0] ?? "";
    const frames = lines.slice(1).map((l) => "  " + l.trim().replace(/^at /, "File "));
    return ["Traceback (most recent call last):", ...frames.reverse(), head].join("\n");
  }
  return `Traceback (most recent call last):\nError: ${String(error)}`;
}

/**
 * The base of every server, as Python's `socketserver.BaseServer`: the
 * serving loop, request dispatch, concurrency and shutdown. Subclasses
 * supply `get_request()` (and usually a socket).
 *
 * @example
 * ```ts
 * import { BaseServer, TCPServer } from "@pysocket/socket/socketserver";
 * console.log(new TCPServer(["127.0.0.1", 0], class {
 *   setup() {}
 *   handle() {}
 *   finish() {}
 * }, false) instanceof BaseServer); // true
 * ```
 *
 * @category Servers
 */
export class BaseServer implements Disposable, AsyncDisposable {
  /** Seconds `handle_request()` waits (class default for every instance). */
  static timeout: number | null = null;
  /** Whether `shutdown()` waits for running handlers (class default). */
  static block_on_close = true;
  /** Python's ThreadingMixIn flag (class default). */
  static daemon_threads = false;
  /** The most handlers running at once (class default; null: no limit). */
  static max_concurrent: number | null = null;

  /** The address the server is bound to (after binding, the real one). */
  server_address: Address;
  /** The handler class made for each request. */
  RequestHandlerClass: RequestHandlerClass;
  /** Seconds `handle_request()` waits for a request; null waits forever. */
  timeout: number | null;
  /** When true, `shutdown()` and `await using` wait for running handlers. */
  block_on_close: boolean;
  /** When true, running handlers are never waited for (Python's ThreadingMixIn). */
  daemon_threads: boolean;
  /** The most handlers running at once; null for no limit. */
  max_concurrent: number | null;

  #tasks = new Set<Promise<void>>();
  #freed = new Set<() => void>();
  #serving = false;
  #shutdown_request = false;
  /** An error that must leave the running serve_forever() (a plain server's handler task raised it; C1-6). */
  #escaped: { error: unknown } | null = null;
  /** The handle_request() box for the request process_request() is called for now (C1-6). */
  #box: Escape | null = null;
  #ctl: AbortController | null = null;
  /** Resolves when the serving loop ends: true when it ended by an exception (its joined calls serve on). */
  #stopped: Promise<boolean> = Promise.resolve(false);

  /**
   * Make a server (a subclass binds a socket; BaseServer only stores its arguments).
   *
   * @param server_address the address to serve on.
   * @param RequestHandlerClass the handler class.
   * @param options attributes to set (see {@linkcode ServerOptions}).
   */
  constructor(
    server_address: AddressInput,
    RequestHandlerClass: RequestHandlerClass,
    options: ServerOptions = {},
  ) {
    const cls = this.constructor as typeof BaseServer;
    this.server_address = server_address as Address;
    this.RequestHandlerClass = RequestHandlerClass;
    this.timeout = options.timeout !== undefined ? options.timeout : cls.timeout;
    this.block_on_close = options.block_on_close ?? cls.block_on_close;
    this.daemon_threads = options.daemon_threads ?? cls.daemon_threads;
    this.max_concurrent = options.max_concurrent !== undefined ? options.max_concurrent : cls.max_concurrent;
    wake_loop.set(this, () => this.#ctl?.abort(CLOSED));
    joiners.set(this, () => this.#join());
  }

  /** The number of handlers running now. */
  get active_count(): number {
    return this.#tasks.size;
  }

  /**
   * Handle requests until {@linkcode BaseServer.shutdown} is called: each
   * request runs in its own task. Waits on `accept` directly (no polling);
   * every `poll_interval` seconds without a request it calls
   * `service_actions()`. Resolves once shut down, or when the server's
   * socket is closed.
   *
   * The `get_request()` it waits on is never abandoned: after `shutdown()`
   * it stays in flight, so a client that connects before the next
   * `serve_forever()` is served then (as from the kernel's backlog), and
   * `server_close()` can wait for it to settle. A failed accept is
   * reported to `handle_error` and serving goes on at once, except that
   * it backs off (10 ms, doubling to 1 s) when the process is out of
   * descriptors or memory, or the socket itself is at fault.
   *
   * @param poll_interval seconds between `service_actions()` calls when idle (null: never); also by name,
   *   as Python's keyword: `serve_forever({ poll_interval: 0.1 })`.
   *   A call while the server already serves (Python: another worker thread on the same server) joins the
   *   running loop: it calls `service_actions()` at its own `poll_interval`, resolves when that loop ends
   *   by `shutdown()` or `server_close()`, and serves on when that loop ended by an exception. Unlike
   *   CPython's, whose `shutdown()` stops one of the threads (the one that saw the request first resets
   *   it, the others serve on), `shutdown()` here ends every joined call.
   *
   * @example
   * ```ts
   * import { BaseRequestHandler, TCPServer } from "@pysocket/socket/socketserver";
   * await using server = new TCPServer(["127.0.0.1", 0], BaseRequestHandler);
   * const serving = server.serve_forever(0.1);
   * await server.shutdown();
   * await serving;
   * ```
   */
  async serve_forever(poll_interval: number | null | { poll_interval?: number | null } = 0.5): Promise<void> {
    if (is_plain_object(poll_interval)) {
      // Python's serve_forever(poll_interval=0.1): the keyword in a trailing object (README rule 7).
      for (const k of Object.keys(poll_interval)) {
        if (k !== "poll_interval") {
          throw new TypeError(`BaseServer.serve_forever() got an unexpected keyword argument '${k}'`);
        }
      }
      poll_interval = poll_interval.poll_interval === undefined ? 0.5 : poll_interval.poll_interval;
    }
    // CPython's selector registers the server first: fileno() -1 is "Invalid file descriptor: -1" (C1-5), and
    // serve_forever()'s finally forgets a shutdown() asked for meanwhile.
    if (this.#socket_closed()) {
      if (!this.#serving) this.#shutdown_request = false;
      throw new RangeError("Invalid file descriptor: -1");
    }
    // A bool and a bigint are Python ints: CPython's selector takes them.
    const pi: unknown = poll_interval;
    if (typeof pi === "boolean" || typeof pi === "bigint") poll_interval = Number(pi);
    if (poll_interval !== null && typeof poll_interval !== "number") {
      // CPython's selector compares it first: `timeout <= 0`.
      throw new TypeError(`'<=' not supported between instances of '${py_type(poll_interval)}' and 'int'`);
    }
    if (poll_interval !== null) check_poll_timeout(poll_interval);
    if (this.#serving) {
      // Python allows several threads in serve_forever() on one server (a pool of workers, Python Cookbook
      // 11.2); every request already runs in its own task here, so a further call joins the running loop and
      // returns when it ends (finding P11-1). A joined call checks its poll_interval first, as CPython's
      // thread does in its own select(), and when the loop it joined died of an exception (service_actions
      // raised), it serves on, as CPython's other threads do (adv15 A15-1, A15-2).
      const failed = await this.#joined(poll_interval === null ? null : Math.max(1, Math.ceil(poll_interval * 1000)));
      if (!failed) return;
      return await this.serve_forever(poll_interval);
    }
    this.#serving = true;
    let failed = false;
    let stop!: (failed: boolean) => void;
    this.#stopped = new Promise<boolean>((r) => stop = r);
    const ms = poll_interval === null ? null : Math.max(1, Math.ceil(poll_interval * 1000));
    let backoff = 0; // ms; grows while accepts keep failing for the server's own reasons
    let resume_at = 0;
    try {
      while (!this.#shutdown_request && !this.#socket_closed()) {
        const ctl = new AbortController();
        this.#ctl = ctl;
        const timer = ms === null ? undefined : setTimeout(() => ctl.abort(TICK), ms);
        try {
          this.#take_escaped();
          if (performance.now() < resume_at) {
            // Out of descriptors or memory (handlers may end and free some), or nothing there yet.
            await this.#sleep(resume_at - performance.now(), ctl.signal);
          } else if (this.max_concurrent !== null && this.#tasks.size >= this.max_concurrent) {
            // Back-pressure: accept nothing until a handler ends.
            await this.#until_freed(ctl.signal);
          } else {
            const got = await this.#next_request(ctl.signal);
            if (got && got.ok) {
              backoff = 0;
              await this.#dispatch(got.value[0], got.value[1], false);
            } else if (got) {
              const e = got.error;
              if (this.#shutdown_request || this.#socket_closed()) break;
              if (!(e instanceof OSError)) throw e;
              const kind = failure_kind(e);
              // One client's failure (a TLS handshake that failed): report it, go on at once.
              // The server's own trouble: back off, 10 ms doubling to 1 s, so it never spins.
              if (kind === "client" || kind === "other") this.#report(null, null, e);
              if (kind === "exhausted" || kind === "other") {
                backoff = Math.min(MAX_BACKOFF_MS, Math.max(MIN_BACKOFF_MS, backoff * 2));
                resume_at = performance.now() + backoff;
              } else if (kind === "again") resume_at = performance.now() + MIN_BACKOFF_MS;
            }
          }
          this.#take_escaped();
          if (this.#shutdown_request) break;
          await this.service_actions();
        } finally {
          clearTimeout(timer);
          this.#ctl = null;
        }
      }
      this.#take_escaped();
    } catch (e) {
      failed = !this.#shutdown_request && !this.#socket_closed();
      throw e;
    } finally {
      this.#shutdown_request = false;
      this.#serving = false;
      this.#escaped = null;
      stop(failed);
    }
  }

  /** Throw the error a plain server's handler task left for the serving loop (C1-6). */
  #take_escaped(): void {
    const got = this.#escaped;
    if (got === null) return;
    this.#escaped = null;
    throw got.error;
  }

  /**
   * A joined serve_forever(): wait for the running loop to end, calling service_actions() every `ms` (its own
   * poll_interval) meanwhile, as CPython's thread does after each select() that timed out (adv15 A15-3).
   * True when that loop ended by an exception.
   */
  async #joined(ms: number | null): Promise<boolean> {
    const ended = this.#stopped;
    const stopped = ended.then(() => false);
    for (;;) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const tick = ms === null ? null : new Promise<boolean>((r) => timer = setTimeout(() => r(true), ms));
      const ticked = await (tick ? Promise.race([stopped, tick]) : stopped);
      clearTimeout(timer);
      if (!ticked) return await ended;
      if (!this.#shutdown_request && this.#serving) await this.service_actions();
    }
  }

  /**
   * The next request: the one a get_request() already in flight brings (it
   * is never abandoned, so no accept is left pending behind the server's
   * back and a connection that arrives while nobody serves waits, as in the
   * kernel's backlog), else a new get_request(). Null when `signal` aborts
   * first; the get_request then stays in flight for the next caller.
   */
  async #next_request(signal: AbortSignal): Promise<Got | null> {
    for (;;) {
      let p = inflight.get(this);
      if (!p) {
        p = (async () => await this.get_request())().then(
          (value): Got => ({ ok: true, value }),
          (error): Got => ({ ok: false, error }),
        );
        inflight.set(this, p);
      }
      const got = await until_aborted(p, signal);
      if (got === null) return null;
      if (inflight.get(this) !== p) continue; // another caller took it
      inflight.delete(this);
      return got;
    }
  }

  #socket_closed(): boolean {
    try {
      return this.fileno() < 0;
    } catch {
      return false;
    }
  }

  #sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      signal.addEventListener("abort", done, { once: true });
      function done() {
        clearTimeout(t);
        signal.removeEventListener("abort", done);
        resolve();
      }
    });
  }

  #until_freed(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.#freed.delete(done);
        signal.removeEventListener("abort", done);
        resolve();
      };
      this.#freed.add(done);
      signal.addEventListener("abort", done, { once: true });
    });
  }

  /**
   * Python's _handle_request_noblock after get_request: verify, then process. As CPython's, an error of
   * verify_request(), of handle_error() or of shutdown_request() here leaves it (handle_request(),
   * serve_forever()) on every server; the request's socket is closed all the same (C1-6).
   */
  async #dispatch(request: Request, client_address: Address, wait: boolean): Promise<void> {
    let ok: boolean;
    try {
      ok = await this.verify_request(request, client_address);
    } catch (e) {
      close_quietly(request);
      throw e;
    }
    if (!ok) {
      await this.#shutdown_or_close(request);
      return;
    }
    let task: Promise<void> | void;
    const box: Escape = { set: false };
    this.#box = wait ? box : null;
    try {
      task = this.process_request(request, client_address);
    } catch (e) {
      await this.#process_failed(request, client_address, e);
      return;
    } finally {
      this.#box = null;
    }
    // pysocket's process_request() never rejects; an override's may, as CPython's process_request() raises.
    if (wait && task) {
      try {
        await task;
      } catch (e) {
        await this.#process_failed(request, client_address, e);
      }
    } else if (task && typeof (task as Promise<void>).then === "function") {
      (task as Promise<void>).then(
        undefined,
        (e) =>
          this.#process_failed(request, client_address, e).catch((e2) =>
            this.#escape(e2, request, client_address, null)
          ),
      );
    }
    if (box.set) throw box.error;
  }

  /**
   * CPython's _handle_request_noblock when process_request() raised: handle_error(), then shutdown_request(); an
   * error of either leaves (the request's socket is closed).
   */
  async #process_failed(request: Request, client_address: Address, e: unknown): Promise<void> {
    try {
      this.handle_error(request, client_address, e);
    } catch (e2) {
      close_quietly(request);
      throw e2;
    }
    await this.#shutdown_or_close(request);
  }

  /**
   * An error that leaves a plain server's request after process_request() returned (C1-6): to the
   * handle_request() awaiting it (`box`), else to the running serve_forever(), else printed as handle_error prints.
   */
  #escape(e: unknown, request: Request, client_address: Address, box: Escape | null): void {
    close_quietly(request);
    if (box) {
      if (!box.set) Object.assign(box, { set: true, error: e });
    } else if (this.#serving) {
      this.#escaped ??= { error: e };
      this.#ctl?.abort(ESCAPED);
    } else BaseServer.prototype.handle_error.call(this, request, client_address, e);
  }

  /** shutdown_request(); when it raises, close the request's socket and raise. */
  async #shutdown_or_close(request: Request): Promise<void> {
    try {
      await this.shutdown_request(request);
    } catch (e) {
      close_quietly(request);
      throw e;
    }
  }

  /** handle_error that can never throw out of the server. */
  #report(request: Request | null, client_address: Address | null, error: unknown): void {
    try {
      this.handle_error(request, client_address, error);
    } catch (e) {
      BaseServer.prototype.handle_error.call(this, request, client_address, e);
    }
  }

  async #quiet_shutdown(request: Request): Promise<void> {
    try {
      await this.shutdown_request(request);
    } catch { /* the request is gone either way */ }
  }

  /**
   * Stop {@linkcode BaseServer.serve_forever} and resolve once it has
   * stopped; with `block_on_close` (and not `daemon_threads`), a plain
   * server also waits for the running handlers (CPython's handles a request
   * inside `serve_forever()`), while a `Threading*` server (ThreadingMixIn)
   * does not: its `server_close()` waits for them, as CPython's. The
   * listening socket stays open until {@linkcode BaseServer.server_close}.
   * From inside a handler, call it without `await` (on a plain server the
   * handler must end before it resolves). Called while the server is not
   * serving, it resolves at once (CPython's would block) and is kept, as
   * CPython's: the next `serve_forever()` returns at once.
   *
   * @example
   * ```ts
   * import { BaseRequestHandler, TCPServer } from "@pysocket/socket/socketserver";
   * using server = new TCPServer(["127.0.0.1", 0], BaseRequestHandler);
   * const serving = server.serve_forever();
   * await server.shutdown();
   * await serving;
   * ```
   */
  async shutdown(): Promise<void> {
    // Not serving: resolve at once (CPython's would block until a serve_forever() ends), but keep the request,
    // as CPython's __shutdown_request: the next serve_forever() returns at once (C1-4).
    this.#shutdown_request = true;
    if (this.#serving) {
      this.#ctl?.abort(STOP);
      await this.#stopped;
    }
    // CPython's ThreadingMixIn waits for its handler threads in server_close(), not here; a plain server
    // handles a request inside serve_forever(), so its shutdown() returns after that handler.
    if (this.block_on_close && !this.daemon_threads && !is_threading(this)) await this.#join();
  }

  async #join(): Promise<void> {
    while (this.#tasks.size > 0) await Promise.all([...this.#tasks]);
  }

  /**
   * Called by `serve_forever` after each request and every `poll_interval`
   * when idle; does nothing by default. May be async.
   *
   * @example
   * ```ts
   * import { BaseRequestHandler, TCPServer } from "@pysocket/socket/socketserver";
   * class Ticking extends TCPServer {
   *   ticks = 0;
   *   override service_actions() { this.ticks++; }
   * }
   * using s = new Ticking(["127.0.0.1", 0], BaseRequestHandler);
   * s.service_actions();
   * console.log(s.ticks); // 1
   * ```
   */
  service_actions(): void | Promise<void> {}

  /**
   * Wait for one request (at most `timeout` seconds, see Python) and handle
   * it; resolves once its handler has finished. Calls `handle_timeout()`
   * when no request came in time. On a closed server it throws CPython's
   * `ValueError` (a `RangeError`): "Invalid file descriptor: -1".
   *
   * @param options `{ signal }`: an abort rejects with `signal.reason`.
   *
   * @example
   * ```ts
   * import { create_connection } from "@pysocket/socket";
   * import { BaseRequestHandler, TCPServer } from "@pysocket/socket/socketserver";
   * let handled = 0;
   * class H extends BaseRequestHandler {
   *   override handle() { handled++; }
   * }
   * using server = new TCPServer(["127.0.0.1", 0], H);
   * using c = await create_connection(server.server_address as [string, number]);
   * await server.handle_request();
   * console.log(handled); // 1
   * ```
   */
  async handle_request(options: RequestOptions = {}): Promise<void> {
    let timeout: number | null = null;
    const sock = (this as { socket?: Socket }).socket;
    try {
      timeout = sock?.gettimeout() ?? null;
    } catch { /* no socket */ }
    // this.timeout is the user's: a bool or a bigint is a Python int; anything else but a number fails as
    // CPython's `time() + timeout` or `min(timeout, self.timeout)` does.
    let own: unknown = this.timeout;
    if (typeof own === "boolean" || typeof own === "bigint") own = Number(own);
    if (own !== null && own !== undefined && typeof own !== "number") {
      throw new TypeError(
        timeout === null
          ? `unsupported operand type(s) for +: 'float' and '${py_type(own)}'`
          : `'<' not supported between instances of '${py_type(own)}' and 'float'`,
      );
    }
    if (timeout === null) timeout = (own ?? null) as number | null;
    else if (own !== null && own !== undefined) timeout = Math.min(timeout, own as number);
    // CPython's selector registers the server before its select(timeout) (C1-5).
    if (this.#socket_closed()) throw new RangeError("Invalid file descriptor: -1");
    if (timeout !== null) check_poll_timeout(timeout);
    const ctl = new AbortController();
    const timer = timeout === null ? undefined : after(timeout * 1000, () => ctl.abort(TICK));
    const user = options.signal;
    const signal = user ? AbortSignal.any([ctl.signal, user]) : ctl.signal;
    let got: Got | null;
    try {
      got = await this.#next_request(signal);
    } finally {
      timer?.();
    }
    if (got === null) {
      if (user?.aborted) throw user.reason;
      return await this.handle_timeout();
    }
    if (!got.ok) {
      const e = got.error;
      if (!(e instanceof OSError)) throw e;
      const kind = failure_kind(e);
      if (kind === "timeout" || kind === "again") return await this.handle_timeout();
      if (!this.#socket_closed() && (kind === "client" || kind === "other")) this.#report(null, null, e);
      return;
    }
    await this.#dispatch(got.value[0], got.value[1], true);
  }

  /**
   * Called when `handle_request()` waited `timeout` seconds in vain; does
   * nothing by default. May be async.
   *
   * @example
   * ```ts
   * import { BaseRequestHandler, TCPServer } from "@pysocket/socket/socketserver";
   * let timeouts = 0;
   * class S extends TCPServer {
   *   static override timeout = 0.01;
   *   override handle_timeout() { timeouts++; }
   * }
   * using s = new S(["127.0.0.1", 0], BaseRequestHandler);
   * await s.handle_request();
   * console.log(timeouts); // 1
   * ```
   */
  handle_timeout(): void | Promise<void> {}

  /**
   * Accept or refuse a request before it is processed; true by default. May be async.
   *
   * @param _request the request.
   * @param _client_address the client's address.
   * @returns true to process the request.
   *
   * @example
   * ```ts
   * import { BaseRequestHandler, type Request, TCPServer } from "@pysocket/socket/socketserver";
   * import type { Address } from "@pysocket/socket";
   * class LocalOnly extends TCPServer {
   *   override verify_request(_r: Request, addr: Address) {
   *     return Array.isArray(addr) && addr[0] === "127.0.0.1";
   *   }
   * }
   * using s = new LocalOnly(["127.0.0.1", 0], BaseRequestHandler);
   * console.log(s.verify_request(null!, ["10.0.0.1", 1])); // false
   * ```
   */
  verify_request(_request: Request, _client_address: Address): boolean | Promise<boolean> {
    return true;
  }

  /**
   * Start handling a request in its own task and return at once; the
   * returned promise settles (never rejects) when the request is done.
   * Errors go to `handle_error`; the request is always shut down. On a
   * plain (non-threading) server, an error that `handle_error` or
   * `shutdown_request` raises leaves the `handle_request()` or
   * `serve_forever()` that took the request, as CPython's (its socket is
   * closed); a `Threading*` server's is printed and serving goes on.
   *
   * @param request the request.
   * @param client_address the client's address.
   * @returns the request's task.
   *
   * @example
   * ```ts
   * import { socketpair } from "@pysocket/socket";
   * import { BaseRequestHandler, TCPServer } from "@pysocket/socket/socketserver";
   * class H extends BaseRequestHandler {
   *   override async handle() { await this.request.sendall(new Uint8Array([7])); }
   * }
   * using server = new TCPServer(["127.0.0.1", 0], H, false);
   * const [a, b] = await socketpair();
   * await server.process_request(a, "");
   * console.log(await b.recv(1)); // Uint8Array [7]
   * b.close();
   * ```
   */
  process_request(request: Request, client_address: Address): Promise<void> {
    const box = this.#box;
    this.#box = null;
    const threading = is_threading(this);
    // A plain server: CPython's process_request() runs inside _handle_request_noblock, so an error that
    // handle_error() or shutdown_request() raises leaves handle_request() or serve_forever() (C1-6).
    const escape = (e: unknown) => this.#escape(e, request, client_address, box);
    const run = threading
      ? async () => {
        try {
          await this.finish_request(request, client_address);
        } catch (e) {
          this.#report(request, client_address, e);
        } finally {
          await this.#quiet_shutdown(request);
        }
      }
      : async () => {
        let failed = false;
        try {
          await this.finish_request(request, client_address);
        } catch (e) {
          failed = true;
          try {
            this.handle_error(request, client_address, e);
          } catch (e2) {
            return escape(e2);
          }
        }
        try {
          await this.shutdown_request(request);
        } catch (e) {
          if (failed) return escape(e);
          // CPython: process_request() raised: handle_error(), then shutdown_request() again.
          try {
            this.handle_error(request, client_address, e);
            await this.shutdown_request(request);
          } catch (e2) {
            escape(e2);
          }
        }
      };
    // A threading server's handler is marked as its "thread", so its own server_close() cannot wait for it.
    const task = threading ? handler_of.run(this, run) : run();
    this.#tasks.add(task);
    task.finally(() => {
      this.#tasks.delete(task);
      for (const f of [...this.#freed]) f();
    });
    return task;
  }

  /**
   * Make the handler for a request and run its `setup`, `handle` and
   * (always) `finish`.
   *
   * @param request the request.
   * @param client_address the client's address.
   *
   * @example
   * ```ts
   * import { socketpair } from "@pysocket/socket";
   * import { StreamRequestHandler, TCPServer } from "@pysocket/socket/socketserver";
   * class Hello extends StreamRequestHandler {
   *   override async handle() { await this.wfile.write(new TextEncoder().encode("hi")); }
   * }
   * using server = new TCPServer(["127.0.0.1", 0], Hello, false);
   * const [a, b] = await socketpair();
   * await server.finish_request(a, "");
   * console.log(await b.recv(2)); // Uint8Array [104, 105]
   * a.close(); b.close();
   * ```
   */
  async finish_request(request: Request, client_address: Address): Promise<void> {
    const h = new this.RequestHandlerClass(request as never, client_address as never, this as never);
    await h.setup();
    try {
      await h.handle();
    } finally {
      await h.finish();
    }
  }

  /**
   * Report a handler's error: prints Python's report and a traceback to
   * stderr. Override to log elsewhere; pysocket passes the error as a third
   * argument (Python reads it from `sys.exc_info()`).
   *
   * The client's address is printed as CPython prints it (a tuple's repr;
   * an abstract Unix name as bytes, `b'\x00name'`), except that a path with
   * control or other non-printable characters is printed as its `repr`
   * (CPython prints it raw), so no client can forge log lines.
   *
   * Also called, with `request` and `client_address` null, when accepting
   * a request failed (CPython drops those silently): for one client's
   * failure, such as a TLS handshake that failed on a listener wrapped
   * with `wrap_socket`, serving goes on at once; for a fault of the
   * server's socket (`EINVAL` when it is not listening, ...),
   * `serve_forever` backs off first (10 ms, doubling to 1 s). Running out
   * of descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM) is not
   * reported: the server backs off until handlers end and free some.
   *
   * @param _request the request (null when accepting it failed).
   * @param client_address the client's address (null when unknown).
   * @param error what was thrown.
   *
   * @example
   * ```ts
   * import { BaseRequestHandler, type Request, TCPServer } from "@pysocket/socket/socketserver";
   * import type { Address } from "@pysocket/socket";
   * class Quiet extends TCPServer {
   *   errors: unknown[] = [];
   *   override handle_error(_r: Request, _a: Address, error?: unknown) { this.errors.push(error); }
   * }
   * using s = new Quiet(["127.0.0.1", 0], BaseRequestHandler);
   * s.handle_error(null!, "", new Error("boom"));
   * console.log(s.errors.length); // 1
   * ```
   */
  handle_error(_request: Request | null, client_address: Address | null, error?: unknown): void {
    const line = "-".repeat(40);
    console.error(
      `${line}\nException occurred during processing of request from ${format_client(client_address)}\n` +
        `${traceback(error)}\n${line}`,
    );
  }

  /**
   * End a request: on stream servers, shut down the sending half, then close.
   *
   * @param request the request.
   */
  async shutdown_request(request: Request): Promise<void> {
    this.close_request(request);
    await Promise.resolve();
  }

  /**
   * Close a request's socket (stream servers); nothing for datagrams.
   *
   * @param _request the request.
   */
  close_request(_request: Request): void {}

  /**
   * Wait for the next request; subclasses implement it.
   *
   * @param _options `{ signal }`.
   * @returns `[request, client_address]`.
   */
  get_request(_options: RequestOptions = {}): Promise<[Request, Address]> {
    return Promise.reject(new Error("NotImplementedError: get_request()"));
  }

  /**
   * The server socket's number; subclasses with a socket implement it.
   *
   * @returns the number.
   */
  fileno(): number {
    throw new Error("NotImplementedError: fileno()");
  }

  /**
   * Clean up the server: subclasses close their socket here, at once, and
   * return a promise that resolves once it is really closed (see
   * {@linkcode TCPServer.server_close}); never rejects. BaseServer has
   * nothing to close.
   *
   * @returns a promise that resolves once closed.
   */
  server_close(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * `using`: {@linkcode BaseServer.server_close} without waiting (a port
   * whose accept was pending is free an event-loop turn later); use
   * `await using` to wait.
   */
  [Symbol.dispose](): void {
    void this.server_close();
  }

  /** `await using`: stop serving, close, and (with `block_on_close`) wait for handlers; the port is then free. */
  async [Symbol.asyncDispose](): Promise<void> {
    try {
      await this.shutdown();
    } finally {
      await this.server_close();
      await listeners_released(); // Deno frees a port a turn after close() when an accept was in flight
      // A child spawned by another thread meanwhile may hold the port a moment longer (socket.ts, let_go).
      const a = this.server_address;
      if (Array.isArray(a) && typeof a[1] === "number") await _listener_released(String(a[0]), a[1]);
    }
  }
}

/**
 * A TCP server, as Python's `socketserver.TCPServer` (every request in its
 * own task, like `ThreadingTCPServer`).
 *
 * @example
 * ```ts
 * import { create_connection } from "@pysocket/socket";
 * import { BaseRequestHandler, TCPServer } from "@pysocket/socket/socketserver";
 * class Hello extends BaseRequestHandler {
 *   override async handle() { await this.request.sendall(new TextEncoder().encode("hello")); }
 * }
 * await using server = new TCPServer(["127.0.0.1", 0], Hello, { allow_reuse_address: true });
 * const serving = server.serve_forever();
 * using c = await create_connection(server.server_address as [string, number]);
 * console.log(new TextDecoder().decode(await c.recv(5))); // "hello"
 * await server.shutdown();
 * await serving;
 * ```
 *
 * @category Servers
 */
export class TCPServer extends BaseServer {
  /** The family of the server socket (class default). */
  static address_family: number = AF_INET;
  /** The type of the server socket (class default). */
  static socket_type: number = SOCK_STREAM;
  /** The listen() backlog (class default). */
  static request_queue_size = 5;
  /** Set SO_REUSEADDR before binding (class default). */
  static allow_reuse_address = false;
  /** Set SO_REUSEPORT before binding (class default). */
  static allow_reuse_port = false;

  /** The family of the server socket. */
  address_family: number;
  /** The type of the server socket. */
  socket_type: number;
  /** The listen() backlog. */
  request_queue_size: number;
  /** Set SO_REUSEADDR before binding. */
  allow_reuse_address: boolean;
  /** Set SO_REUSEPORT before binding (needs `--unstable-net`). */
  allow_reuse_port: boolean;
  /** The server's socket. */
  socket: Socket;

  /**
   * Make the server; binds and listens at once unless `bind_and_activate` is false.
   *
   * @param server_address `[host, port]` (or a path for Unix servers).
   * @param RequestHandlerClass the handler class.
   * @param bind_and_activate bind and listen now (default true), or the options object.
   * @param options attributes to set (see {@linkcode ServerOptions}).
   * @throws {OSError} EADDRINUSE and the other errors of bind.
   */
  constructor(
    server_address: AddressInput,
    RequestHandlerClass: RequestHandlerClass,
    bind_and_activate: boolean | ServerOptions = true,
    options: ServerOptions = {},
  ) {
    const opts = typeof bind_and_activate === "object" ? bind_and_activate : options;
    super(server_address, RequestHandlerClass, opts);
    const cls = this.constructor as typeof TCPServer;
    this.address_family = cls.address_family;
    this.socket_type = cls.socket_type;
    this.request_queue_size = opts.request_queue_size ?? cls.request_queue_size;
    this.allow_reuse_address = opts.allow_reuse_address ?? cls.allow_reuse_address;
    this.allow_reuse_port = opts.allow_reuse_port ?? cls.allow_reuse_port;
    this.socket = socket(this.address_family, this.socket_type);
    const bind = typeof bind_and_activate === "object"
      ? (bind_and_activate.bind_and_activate ?? true)
      : (opts.bind_and_activate ?? bind_and_activate);
    if (bind) {
      try {
        this.server_bind();
        this.server_activate();
      } catch (e) {
        this.server_close();
        throw e;
      }
    }
  }

  /**
   * Apply the reuse options and bind the socket; `server_address` becomes the real address.
   *
   * @example
   * ```ts
   * import { BaseRequestHandler, TCPServer } from "@pysocket/socket/socketserver";
   * using s = new TCPServer(["127.0.0.1", 0], BaseRequestHandler, false);
   * s.server_bind();
   * console.log((s.server_address as [string, number])[1] > 0); // true
   * ```
   */
  server_bind(): void {
    const fam = this.address_family;
    if (this.allow_reuse_address && (fam === AF_INET || fam === AF_INET6)) {
      this.socket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
    }
    if (this.allow_reuse_port && (fam === AF_INET || fam === AF_INET6)) {
      this.socket.setsockopt(SOL_SOCKET, SO_REUSEPORT, 1);
    }
    this.socket.bind(this.server_address);
    this.server_address = this.socket.getsockname();
  }

  /**
   * Listen with `request_queue_size` as the backlog.
   *
   * @example
   * ```ts
   * import { BaseRequestHandler, TCPServer } from "@pysocket/socket/socketserver";
   * using s = new TCPServer(["127.0.0.1", 0], BaseRequestHandler, false);
   * s.server_bind();
   * s.server_activate();
   * ```
   */
  server_activate(): void {
    this.socket.listen(this.request_queue_size);
  }

  /**
   * Close the listening socket (running handlers go on). It closes at once,
   * as Python's does; the returned promise resolves once the port is really
   * free. Deno frees a listener's port only when an accept pending on it
   * has settled, an event-loop turn after close: until then a client's
   * connect would land in the old backlog and be reset. So
   * `await server.server_close()` (and `await using`) guarantee that a
   * connect made afterwards is refused (`ConnectionRefusedError`); plain
   * `server.server_close()` (and `using`) only guarantee it from the next
   * event-loop turn on. This covers the accepts the server makes itself
   * (`serve_forever`, `handle_request`, whose get_request is never
   * abandoned); one started on `server.socket` by other code is not
   * waited for. A Unix server's socket file is deleted by Deno when the
   * listener closes (by path, even if another file has replaced it since
   * bind), while CPython never deletes it.
   *
   * A `Threading*` server's promise (ThreadingMixIn), with `block_on_close`
   * and not `daemon_threads`, also waits for the running handlers, as
   * CPython's `server_close()` joins its handler threads: forever if a
   * handler never ends, as CPython's (set `daemon_threads` or
   * `block_on_close = false` for servers whose handlers may block). Called
   * from one of its own handlers it closes the socket, then rejects with
   * CPython's `RuntimeError: cannot join current thread` instead of waiting
   * for itself.
   *
   * @returns a promise that resolves once the port is free (rejects only in a threading server's own handler).
   *
   * @example
   * ```ts
   * import { BaseRequestHandler, TCPServer } from "@pysocket/socket/socketserver";
   * const s = new TCPServer(["127.0.0.1", 0], BaseRequestHandler);
   * await s.server_close();
   * console.log(s.fileno()); // -1
   * ```
   */
  override server_close(): Promise<void> {
    try {
      this.socket.close();
    } catch { /* closed already */ }
    const settled = settle_inflight(this);
    // CPython's ThreadingMixIn.server_close() joins the handler threads (block_on_close, not daemon_threads).
    if (!is_threading(this) || !this.block_on_close || this.daemon_threads) return settled;
    // CPython joins the handler threads; from one of them that is "cannot join current thread" (a handler
    // awaiting it would otherwise wait for itself forever).
    if (handler_of.getStore() === this) {
      return settled.then(() => Promise.reject(runtime_error("cannot join current thread")));
    }
    return settled.then(() => joiners.get(this)?.());
  }

  /**
   * The server socket's number (-1 once closed).
   *
   * @returns the number.
   *
   * @example
   * ```ts
   * import { BaseRequestHandler, TCPServer } from "@pysocket/socket/socketserver";
   * using s = new TCPServer(["127.0.0.1", 0], BaseRequestHandler);
   * console.log(s.fileno() === s.socket.fileno()); // true
   * ```
   */
  override fileno(): number {
    return this.socket.fileno();
  }

  /**
   * Accept a connection: `[conn, client_address]`.
   *
   * @param options `{ signal }`.
   * @returns the request and the client's address.
   */
  override async get_request(options: RequestOptions = {}): Promise<[Request, Address]> {
    return await this.socket.accept(options);
  }

  /**
   * Shut down the sending half, then close the connection. Never waits for
   * the peer to read: `shutdown(SHUT_WR)` is given at most one second (less
   * when the connection's timeout is shorter), then the connection is
   * closed and what is still queued goes out in the background, bounded by
   * the close linger. So a client that stops reading cannot pin a handler,
   * its `max_concurrent` slot or `server.shutdown()`. Errors are ignored.
   *
   * @param request the connection.
   */
  override async shutdown_request(request: Request): Promise<void> {
    const s = request as Socket;
    let wait = SHUTDOWN_WAIT_MS;
    try {
      const t = s.gettimeout();
      if (t !== null) wait = Math.min(wait, t * 1000);
    } catch { /* closed */ }
    let shut: Promise<void>;
    try {
      shut = s.shutdown(SHUT_WR);
    } catch (e) {
      shut = Promise.reject(e);
    }
    await at_most(shut, wait); // the peer may be gone already: errors ignored
    this.close_request(request);
  }

  /**
   * Close the connection.
   *
   * @param request the connection.
   */
  override close_request(request: Request): void {
    (request as Socket).close();
  }
}

/**
 * A UDP server, as Python's `socketserver.UDPServer`: each datagram is a
 * request `[data, socket]`, handled in its own task. Needs `--unstable-net`.
 *
 * @example
 * ```ts ignore
 * import { AF_INET, SOCK_DGRAM, socket } from "@pysocket/socket";
 * import { DatagramRequestHandler, UDPServer } from "@pysocket/socket/socketserver";
 * class Upper extends DatagramRequestHandler {
 *   override handle() {
 *     this.wfile.write(new TextEncoder().encode(new TextDecoder().decode(this.rfile.read()).toUpperCase()));
 *   }
 * }
 * await using server = new UDPServer(["127.0.0.1", 0], Upper);
 * const serving = server.serve_forever();
 * using c = socket(AF_INET, SOCK_DGRAM);
 * await c.sendto(new TextEncoder().encode("hi"), server.server_address);
 * console.log(new TextDecoder().decode((await c.recvfrom(100))[0])); // "HI"
 * await server.shutdown();
 * await serving;
 * ```
 *
 * @category Servers
 */
export class UDPServer extends TCPServer {
  /** SOCK_DGRAM. */
  static override socket_type: number = SOCK_DGRAM;
  /** Not set for datagram servers. */
  static override allow_reuse_address = false;
  /** The largest datagram received (class default). */
  static max_packet_size = 8192;
  /**
   * The most handlers running at once (class default 256; null: no limit). CPython's UDPServer handles one
   * datagram at a time, and what its kernel queue cannot hold is dropped; here each datagram runs in its own
   * task, so without a bound a flood at a slow handler kept every datagram and its handler in memory (A18d-2).
   * At the bound the server stops receiving until a handler ends: datagrams wait in the kernel's queue, and
   * the kernel drops what it cannot hold, as for CPython's server.
   */
  static override max_concurrent: number | null = 256;

  /** The largest datagram received; longer ones are truncated. */
  max_packet_size: number;

  /**
   * Make the server; binds at once unless `bind_and_activate` is false.
   *
   * @param server_address `[host, port]` (or a path for Unix servers).
   * @param RequestHandlerClass the handler class.
   * @param bind_and_activate bind now (default true), or the options object.
   * @param options attributes to set (see {@linkcode ServerOptions}).
   */
  constructor(
    server_address: AddressInput,
    RequestHandlerClass: RequestHandlerClass,
    bind_and_activate: boolean | ServerOptions = true,
    options: ServerOptions = {},
  ) {
    super(server_address, RequestHandlerClass, bind_and_activate, options);
    const opts = typeof bind_and_activate === "object" ? bind_and_activate : options;
    this.max_packet_size = opts.max_packet_size ?? (this.constructor as typeof UDPServer).max_packet_size;
  }

  /** Nothing to do: datagram sockets do not listen. */
  override server_activate(): void {}

  /**
   * Receive a datagram: `[[data, socket], client_address]`.
   *
   * @param options `{ signal }`.
   * @returns the request and the client's address.
   */
  override async get_request(options: RequestOptions = {}): Promise<[Request, Address]> {
    const [data, addr] = await this.socket.recvfrom(this.max_packet_size, options);
    return [[data, this.socket], addr as Address];
  }

  /**
   * Nothing to shut down for a datagram.
   *
   * @param request the request.
   */
  override async shutdown_request(request: Request): Promise<void> {
    this.close_request(request);
    await Promise.resolve();
  }

  /**
   * Nothing to close for a datagram.
   *
   * @param _request the request.
   */
  override close_request(_request: Request): void {}
}

/**
 * A Unix stream socket server, as Python's `socketserver.UnixStreamServer`.
 *
 * Unlike CPython, closing the server deletes its socket file: Deno removes
 * a Unix listener's path when the listener closes, by path, even if
 * another file has replaced it since bind. CPython never deletes it (a
 * Python server usually unlinks a stale file before binding; that still
 * works here).
 *
 * @example
 * ```ts
 * import { BaseRequestHandler, UnixStreamServer } from "@pysocket/socket/socketserver";
 * const path = `${Deno.makeTempDirSync()}/s.sock`;
 * using s = new UnixStreamServer(path, BaseRequestHandler);
 * console.log(s.server_address === path); // true
 * ```
 *
 * @category Servers
 */
export class UnixStreamServer extends TCPServer {
  /** AF_UNIX. */
  static override address_family: number = AF_UNIX;
}

/**
 * A Unix datagram socket server, as Python's
 * `socketserver.UnixDatagramServer`. Needs `--unstable-net`. Its socket
 * file stays after closing, as in CPython (only stream listeners' files
 * are deleted, see {@linkcode UnixStreamServer}).
 *
 * Requests are handled one at a time. A reply to a client whose socket
 * queue is full (a client that sends without ever reading) waits until
 * that client reads or goes away, and the server receives nothing
 * meanwhile: CPython's blocking `sendto` waits the same way, and Deno can
 * neither take back a send nor receive while one waits on the socket.
 *
 * @example
 * ```ts ignore
 * import { DatagramRequestHandler, UnixDatagramServer } from "@pysocket/socket/socketserver";
 * const path = `${Deno.makeTempDirSync()}/d.sock`;
 * using s = new UnixDatagramServer(path, DatagramRequestHandler);
 * console.log(s.server_address === path); // true
 * ```
 *
 * @category Servers
 */
export class UnixDatagramServer extends UDPServer {
  /** AF_UNIX. */
  static override address_family: number = AF_UNIX;
  // Deno cannot send on an AF_UNIX datagram socket while a receive is pending on
  // it, so the next datagram is not received until the running handler has
  // ended (sent its reply): requests are handled one at a time, as Python's
  // non-threading UnixDatagramServer does.
  #running: Promise<void> = Promise.resolve();

  /**
   * Run the handler; the next `get_request()` waits for it to end.
   *
   * @param request the request.
   * @param client_address the sender's path (null for an unbound sender).
   * @returns the handler's task.
   */
  override process_request(request: Request, client_address: Address): Promise<void> {
    const task = super.process_request(request, client_address);
    this.#running = task.catch(() => {});
    return task;
  }

  /**
   * Receive the next datagram once the running handler has ended.
   *
   * @param options `{ signal }`.
   * @returns the request and the client's address.
   */
  override async get_request(options: RequestOptions = {}): Promise<[Request, Address]> {
    const signal = options.signal;
    if (signal?.aborted) throw signal.reason;
    await new Promise<void>((resolve, reject) => {
      const abort = () => reject(signal?.reason);
      signal?.addEventListener("abort", abort, { once: true });
      this.#running.then(() => {
        signal?.removeEventListener("abort", abort);
        resolve();
      });
    });
    return await super.get_request(options);
  }
}

/**
 * Python's `ThreadingMixIn`: a subclass of `Base` that ends as CPython's
 * ThreadingMixIn servers end. Every pysocket server already runs each
 * request in its own task; what differs is the end: `shutdown()` only stops
 * serving, and `server_close()` (awaited) waits for the running handlers
 * unless `block_on_close` is false or `daemon_threads` true. The class is
 * made once per base. `class S extends ThreadingMixIn(TCPServer) {}` ports
 * `class S(ThreadingMixIn, TCPServer)`.
 *
 * @param Base a server class.
 * @returns its threading subclass (`Base` itself when it is one already).
 *
 * @example
 * ```ts
 * import { TCPServer, ThreadingMixIn, ThreadingTCPServer } from "@pysocket/socket/socketserver";
 * console.log(ThreadingMixIn(TCPServer) === ThreadingTCPServer); // true
 * console.log(Object.getPrototypeOf(ThreadingTCPServer) === TCPServer); // true
 * ```
 *
 * @category Servers
 */
export function ThreadingMixIn<T extends typeof BaseServer>(Base: T): T {
  for (let c: unknown = Base; typeof c === "function"; c = Object.getPrototypeOf(c)) {
    if (THREADING.has(c)) return Base;
  }
  let made = MIXED.get(Base) as T | undefined;
  if (made === undefined) {
    const name = `Threading${Base.name}`;
    made = { [name]: class extends (Base as typeof BaseServer) {} }[name] as unknown as T;
    THREADING.add(made);
    MIXED.set(Base, made);
  }
  return made;
}

/**
 * Python's `ThreadingTCPServer`: `ThreadingMixIn(TCPServer)`, a
 * {@linkcode TCPServer} whose `server_close()` waits for running handlers
 * and whose `shutdown()` does not (see {@linkcode ThreadingMixIn}).
 *
 * @example
 * ```ts
 * import { TCPServer, ThreadingTCPServer } from "@pysocket/socket/socketserver";
 * console.log(Object.getPrototypeOf(ThreadingTCPServer) === TCPServer); // true
 * ```
 *
 * @category Servers
 */
export const ThreadingTCPServer: typeof TCPServer = ThreadingMixIn(TCPServer);

/**
 * Python's `ThreadingUDPServer`: `ThreadingMixIn(UDPServer)` (see {@linkcode ThreadingMixIn}).
 *
 * @example
 * ```ts
 * import { ThreadingUDPServer, UDPServer } from "@pysocket/socket/socketserver";
 * console.log(Object.getPrototypeOf(ThreadingUDPServer) === UDPServer); // true
 * ```
 *
 * @category Servers
 */
export const ThreadingUDPServer: typeof UDPServer = ThreadingMixIn(UDPServer);

/**
 * Python's `ThreadingUnixStreamServer`: `ThreadingMixIn(UnixStreamServer)` (see {@linkcode ThreadingMixIn}).
 *
 * @example
 * ```ts
 * import { ThreadingUnixStreamServer, UnixStreamServer } from "@pysocket/socket/socketserver";
 * console.log(Object.getPrototypeOf(ThreadingUnixStreamServer) === UnixStreamServer); // true
 * ```
 *
 * @category Servers
 */
export const ThreadingUnixStreamServer: typeof UnixStreamServer = ThreadingMixIn(UnixStreamServer);

/**
 * Python's `ThreadingUnixDatagramServer`: `ThreadingMixIn(UnixDatagramServer)` (see {@linkcode ThreadingMixIn}).
 *
 * @example
 * ```ts
 * import { ThreadingUnixDatagramServer, UnixDatagramServer } from "@pysocket/socket/socketserver";
 * console.log(Object.getPrototypeOf(ThreadingUnixDatagramServer) === UnixDatagramServer); // true
 * ```
 *
 * @category Servers
 */
export const ThreadingUnixDatagramServer: typeof UnixDatagramServer = ThreadingMixIn(UnixDatagramServer);

/**
 * The base request handler, as Python's `socketserver.BaseRequestHandler`:
 * one instance per request; the server calls `setup()`, `handle()` and
 * (always) `finish()`, each of which may be async.
 *
 * @typeParam R the request type: a `Socket` (stream servers) or a {@linkcode DatagramRequest}.
 * @typeParam S the server type.
 *
 * @example
 * ```ts
 * import { BaseRequestHandler } from "@pysocket/socket/socketserver";
 * class Echo extends BaseRequestHandler {
 *   override async handle() {
 *     const data = await this.request.recv(1024);
 *     await this.request.sendall(data);
 *   }
 * }
 * console.log(typeof Echo); // "function"
 * ```
 *
 * @category Servers
 */
export class BaseRequestHandler<R extends Request = Socket, S extends BaseServer = BaseServer>
  implements RequestHandler {
  /** The request: the connected socket, or `[data, socket]` for datagrams. */
  request: R;
  /** The client's address. */
  client_address: Address;
  /** The server handling the request. */
  server: S;

  /**
   * Made by the server for each request.
   *
   * @param request the request.
   * @param client_address the client's address.
   * @param server the server.
   */
  constructor(request: R, client_address: Address, server: S) {
    this.request = request;
    this.client_address = client_address;
    this.server = server;
  }

  /** Prepare (called before `handle`). */
  setup(): void | Promise<void> {}

  /** Serve the request. */
  handle(): void | Promise<void> {}

  /** Clean up (called after `handle`, even when it threw). */
  finish(): void | Promise<void> {}
}

/**
 * A stream request handler, as Python's `StreamRequestHandler`: `rfile`
 * reads the connection (buffered, `makefile("rb", rbufsize)`) and `wfile`
 * writes it (unbuffered by default: `wbufsize = 0`, every write is a
 * `sendall`). `timeout` sets the connection's timeout and
 * `disable_nagle_algorithm` sets TCP_NODELAY.
 *
 * @example
 * ```ts
 * import { StreamRequestHandler } from "@pysocket/socket/socketserver";
 * class Upper extends StreamRequestHandler {
 *   override timeout = 30;
 *   override async handle() {
 *     for await (const line of this.rfile) {
 *       await this.wfile.write(new TextEncoder().encode(new TextDecoder().decode(line as Uint8Array).toUpperCase()));
 *     }
 *   }
 * }
 * console.log(new Upper(null!, "", null!).wbufsize); // 0
 * ```
 *
 * @category Servers
 */
export class StreamRequestHandler<S extends BaseServer = BaseServer> extends BaseRequestHandler<Socket, S> {
  /** Read buffering of `rfile` (-1: default). */
  rbufsize: number = -1;
  /** Write buffering of `wfile` (0: unbuffered, as Python's default). */
  wbufsize: number = 0;
  /** Timeout (seconds) for the connection; null: none. */
  timeout: number | null = null;
  /** Set TCP_NODELAY on the connection. */
  disable_nagle_algorithm: boolean = false;
  /** The connection (the same as `request`). */
  connection!: Socket;
  /** The connection's reading file (bytes). */
  rfile!: SocketFile;
  /** The connection's writing file (bytes). */
  wfile!: SocketFile;

  /** Apply timeout and TCP_NODELAY, and make `rfile` and `wfile`. */
  override setup(): void | Promise<void> {
    // Python's class attributes: a subclass may give these as static members too, as a server's settings are
    // given (README rule 8); an instance field left at its default takes the static (finding P11-2).
    const cls = this.constructor as unknown as Partial<Record<"rbufsize" | "wbufsize" | "timeout", number | null>>;
    const nagle = (this.constructor as unknown as { disable_nagle_algorithm?: boolean }).disable_nagle_algorithm;
    if (this.rbufsize === -1 && typeof cls.rbufsize === "number") this.rbufsize = cls.rbufsize;
    if (this.wbufsize === 0 && typeof cls.wbufsize === "number") this.wbufsize = cls.wbufsize;
    if (this.timeout === null && cls.timeout !== undefined) this.timeout = cls.timeout;
    if (!this.disable_nagle_algorithm && nagle !== undefined) this.disable_nagle_algorithm = nagle;
    this.connection = this.request;
    if (this.timeout !== null) this.connection.settimeout(this.timeout);
    if (this.disable_nagle_algorithm) this.connection.setsockopt(IPPROTO_TCP, TCP_NODELAY, true);
    this.rfile = this.connection.makefile("rb", this.rbufsize);
    this.wfile = this.connection.makefile("wb", this.wbufsize);
  }

  /**
   * Flush `wfile` and close both files. Never waits without a deadline:
   * the flush is bounded by the connection's timeout, or by the close
   * linger (30 s) when it has none (CPython would wait for as long as the
   * peer does not read). Errors of a vanished or stuck peer are ignored.
   */
  override async finish(): Promise<void> {
    if (!this.wfile.closed) {
      const ctl = new AbortController();
      const timer = setTimeout(() => ctl.abort(new TimeoutError()), FINISH_WAIT_MS);
      try {
        await this.wfile.flush({ signal: ctl.signal });
      } catch (e) {
        if (!(e instanceof OSError)) throw e;
        _drop_pending_writes(this.wfile); // a failed flush keeps its bytes (as CPython's): close must not retry
      } finally {
        clearTimeout(timer);
      }
    }
    try {
      await this.wfile.close(); // nothing left to flush: the flush above emptied the buffer (or gave it up)
    } catch { /* flushed or failed above */ }
    await this.rfile.close();
  }
}

/**
 * Python's `io.BytesIO` (the files of a {@linkcode DatagramRequestHandler}): reads from the initial bytes, writes
 * at the position (past the end, the gap is zero-filled), `getvalue()` returns everything. Errors are CPython's:
 * a closed buffer raises RangeError (Python's ValueError) `I/O operation on closed file.`.
 *
 * @example
 * ```ts
 * import { BytesIO } from "@pysocket/socket/socketserver";
 * const f = new BytesIO(new TextEncoder().encode("a\nb\n"));
 * console.log(f.readline()); // Uint8Array [97, 10]
 * const w = new BytesIO();
 * w.write(new Uint8Array([1, 2]));
 * w.writelines([new Uint8Array([3])]);
 * console.log(w.getvalue()); // Uint8Array [1, 2, 3]
 * ```
 *
 * @category Servers
 */
export class BytesIO implements Iterable<Uint8Array>, Disposable {
  #buf: Uint8Array;
  #len: number;
  #pos = 0;
  #closed = false;

  /**
   * A buffer holding a copy of `initial` (none: empty), positioned at its start.
   *
   * @param initial the initial bytes.
   */
  constructor(initial?: Buffer | null) {
    this.#buf = initial === undefined || initial === null ? new Uint8Array(64) : as_bytes(initial).slice();
    this.#len = initial === undefined || initial === null ? 0 : this.#buf.length;
  }

  #check(): void {
    if (this.#closed) throw new RangeError("I/O operation on closed file.");
  }

  /** True once closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Read up to `size` bytes (all with -1 or null).
   *
   * @param size how many.
   * @returns the bytes (empty at the end).
   */
  read(size: number | null = -1): Uint8Array {
    this.#check();
    const n = size_arg(size);
    const start = Math.min(this.#pos, this.#len);
    const end = n < 0 ? this.#len : Math.min(this.#len, start + n);
    this.#pos = Math.max(this.#pos, end);
    return this.#buf.slice(start, Math.max(start, end));
  }

  /**
   * As {@linkcode BytesIO.read} (Python's `read1`).
   *
   * @param size how many.
   * @returns the bytes.
   */
  read1(size: number | null = -1): Uint8Array {
    return this.read(size);
  }

  /**
   * Read into `buffer`; the count read.
   *
   * @param buffer a writable bytes-like object.
   * @returns the count (0 at the end).
   */
  readinto(buffer: Buffer): number {
    if (!ArrayBuffer.isView(buffer) && !(buffer instanceof ArrayBuffer)) {
      throw new TypeError(`readinto() argument must be read-write bytes-like object, not ${py_type(buffer)}`);
    }
    const view = as_bytes(buffer);
    const got = this.read(view.length);
    view.set(got);
    return got.length;
  }

  /**
   * Read one line including its `\n`.
   *
   * @param size the most bytes to return (-1 or null: no limit).
   * @returns the line (empty at the end).
   */
  readline(size: number | null = -1): Uint8Array {
    this.#check();
    const n = size_arg(size);
    const start = Math.min(this.#pos, this.#len);
    const i = this.#buf.subarray(start, this.#len).indexOf(10);
    let end = i < 0 ? this.#len : start + i + 1;
    if (n >= 0) end = Math.min(end, start + n);
    this.#pos = Math.max(this.#pos, end);
    return this.#buf.slice(start, end);
  }

  /**
   * Read the remaining lines; with `hint` > 0, stop once the lines read hold `hint` bytes or more.
   *
   * @param hint the byte count to stop at (-1, 0 or null: all).
   * @returns the lines.
   */
  readlines(hint: number | null = -1): Uint8Array[] {
    this.#check();
    if (hint !== null && (typeof hint !== "number" || !Number.isInteger(hint))) {
      throw new TypeError(`integer argument expected, got '${py_type(hint)}'`);
    }
    const out: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const line = this.readline();
      if (line.length === 0) return out;
      out.push(line);
      total += line.length;
      if (hint !== null && hint > 0 && total >= hint) return out;
    }
  }

  /**
   * Write bytes at the current position (past the end, the gap is zero-filled).
   *
   * @param data bytes-like.
   * @returns the count written.
   */
  write(data: Buffer): number {
    this.#check();
    const b = as_bytes(data);
    if (b.length === 0) return 0;
    const need = this.#pos + b.length;
    if (need > this.#buf.length) {
      const nb = new Uint8Array(Math.max(need, this.#buf.length * 2));
      nb.set(this.#buf.subarray(0, this.#len));
      this.#buf = nb;
    } else if (this.#pos > this.#len) {
      this.#buf.fill(0, this.#len, this.#pos); // truncate() leaves old bytes beyond the end
    }
    this.#buf.set(b, this.#pos);
    this.#pos = need;
    this.#len = Math.max(this.#len, need);
    return b.length;
  }

  /**
   * Write each item of an iterable of bytes-like objects.
   *
   * @param lines the items.
   */
  writelines(lines: Iterable<Buffer>): void {
    this.#check();
    for (const l of lines) this.write(l);
  }

  /**
   * Everything in the buffer.
   *
   * @returns a copy of the bytes.
   */
  getvalue(): Uint8Array {
    this.#check();
    return this.#buf.slice(0, this.#len);
  }

  /**
   * Move the position: from the start (`whence` 0, the default), the current position (1) or the end (2).
   *
   * @param pos the offset.
   * @param whence 0, 1 or 2.
   * @returns the new position.
   */
  seek(pos: number, whence: number = 0): number {
    this.#check();
    const p = int_arg(pos), w = int_arg(whence);
    if (w === 0) {
      if (p < 0) throw new RangeError(`negative seek value ${p}`);
      this.#pos = p;
    } else if (w === 1 || w === 2) {
      this.#pos = Math.max(0, (w === 1 ? this.#pos : this.#len) + p);
    } else {
      throw new RangeError(`invalid whence (${w}, should be 0, 1 or 2)`);
    }
    return this.#pos;
  }

  /**
   * The position.
   *
   * @returns the position.
   */
  tell(): number {
    this.#check();
    return this.#pos;
  }

  /**
   * Cut the buffer to `size` bytes (default: the position); the position stays.
   *
   * @param size the new size.
   * @returns the size.
   */
  truncate(size: number | null = null): number {
    this.#check();
    const n = size === null ? this.#pos : int_arg(size);
    if (n < 0) throw new RangeError(`negative size value ${n}`);
    this.#len = Math.min(this.#len, n);
    return n;
  }

  /** Nothing to flush; raises once closed, as Python's. */
  flush(): void {
    this.#check();
  }

  /**
   * True (a buffer can be read).
   *
   * @returns true.
   */
  readable(): boolean {
    this.#check();
    return true;
  }

  /**
   * True (a buffer can be written).
   *
   * @returns true.
   */
  writable(): boolean {
    this.#check();
    return true;
  }

  /**
   * True (a buffer can seek).
   *
   * @returns true.
   */
  seekable(): boolean {
    this.#check();
    return true;
  }

  /**
   * False (a buffer is no terminal).
   *
   * @returns false.
   */
  isatty(): boolean {
    this.#check();
    return false;
  }

  /** Close; further calls raise RangeError (Python's ValueError). Closing twice is fine. */
  close(): void {
    this.#closed = true;
  }

  /** `using`: close. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Iterate over the remaining lines. */
  *[Symbol.iterator](): Iterator<Uint8Array> {
    this.#check();
    for (;;) {
      const line = this.readline();
      if (line.length === 0) return;
      yield line;
    }
  }
}

/** A size argument of BytesIO's reads: an int or null (Python's None), else CPython's TypeError. */
function size_arg(v: unknown): number {
  if (v === null || v === undefined) return -1;
  if (typeof v === "boolean") return Number(v);
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new TypeError(`argument should be integer or None, not '${py_type(v)}'`);
  }
  return v;
}

/** An int argument (seek, truncate): CPython's `'str' object cannot be interpreted as an integer`. */
function int_arg(v: unknown): number {
  if (typeof v === "boolean") return Number(v);
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new TypeError(`'${py_type(v)}' object cannot be interpreted as an integer`);
  }
  return v;
}

/**
 * A datagram request handler, as Python's `DatagramRequestHandler`:
 * `rfile` reads the datagram, and what is written to `wfile` is sent back
 * to the client in one datagram when the handler finishes.
 *
 * @example
 * ```ts
 * import { DatagramRequestHandler } from "@pysocket/socket/socketserver";
 * class Echo extends DatagramRequestHandler {
 *   override handle() { this.wfile.write(this.rfile.read()); }
 * }
 * console.log(typeof Echo); // "function"
 * ```
 *
 * @category Servers
 */
export class DatagramRequestHandler<S extends BaseServer = BaseServer> extends BaseRequestHandler<DatagramRequest, S> {
  /** The datagram's bytes. */
  packet!: Uint8Array;
  /** The server's socket, to answer on. */
  socket!: Socket;
  /** Reads the datagram. */
  rfile!: BytesIO;
  /** Collects the reply. */
  wfile!: BytesIO;

  /** Split the request and make `rfile` and `wfile`. */
  override setup(): void | Promise<void> {
    [this.packet, this.socket] = this.request;
    this.rfile = new BytesIO(this.packet);
    this.wfile = new BytesIO();
  }

  /** Send what was written to `wfile` back to the client. */
  override async finish(): Promise<void> {
    await this.socket.sendto(this.wfile.getvalue(), this.client_address);
  }
}

// Types this entry point's API refers to, re-exported so its docs stand alone (tools/doc_rewrite.ts).
export type { SendfileOptions } from "./socket.ts";
export type { AddressOf } from "./types.ts";

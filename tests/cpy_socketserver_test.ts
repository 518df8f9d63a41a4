// cpy1: CPython 3.11's Lib/test/test_socketserver.py, ported onto pysocket as an acceptance suite. Each test keeps
// CPython's class and method name and asserts what CPython's asserts; CPython's threads are concurrent tasks. Tests
// that need what Deno cannot give (fork, SystemExit, signals) are ignored with the reason in their name. A difference
// from CPython is a finding (C1-n): its test is ignored and prints the finding.

import assert from "node:assert/strict";
import {
  type Address,
  type AddressInput,
  AF_INET,
  AF_UNIX,
  create_connection,
  IPPROTO_TCP,
  SOCK_DGRAM,
  SOCK_STREAM,
  type Socket,
  socket,
} from "../mod.ts";
import { select } from "../selectors.ts";
import * as socketserver from "../socketserver.ts";
import {
  BaseRequestHandler,
  BaseServer,
  DatagramRequestHandler,
  type Request,
  StreamRequestHandler,
  TCPServer,
  ThreadingMixIn,
  ThreadingTCPServer,
  ThreadingUDPServer,
  ThreadingUnixDatagramServer,
  ThreadingUnixStreamServer,
  UDPServer,
  UnixDatagramServer,
  UnixStreamServer,
} from "../socketserver.ts";
import { attempt, cpython, settled_within, sleep } from "./_twin.ts";
import { TempDir } from "./_socket_fixtures.ts";

const TEST_STR = new TextEncoder().encode("hello world\n");
const HOST = "127.0.0.1";
const SHORT_TIMEOUT = 30; // test.support.SHORT_TIMEOUT
const SOCK_MAX_SIZE = 16 * 1024 * 1024; // test.support.SOCK_MAX_SIZE

const concat = (a: Uint8Array, b: Uint8Array) => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};
const has_newline = (buf: Uint8Array) => buf.includes(10);

/** CPython's receive(): select() with a timeout, then recv(). */
async function receive(sock: Socket, n: number, timeout = SHORT_TIMEOUT): Promise<Uint8Array> {
  const [r] = await select([sock], [], [], timeout);
  if (r.includes(sock)) return await sock.recv(n);
  throw new Error(`RuntimeError: timed out on ${sock}`);
}

type ServerClass = typeof TCPServer;
type HandlerBase = typeof StreamRequestHandler | typeof DatagramRequestHandler;

/** SocketServerTest: pickaddr, make_server, run_server, stream_examine, dgram_examine. */
class SocketServerTest {
  dir = new TempDir();
  #n = 0;

  pickaddr(proto: number): AddressInput {
    if (proto === AF_INET) return [HOST, 0];
    return this.dir.sock(`unix_socket.${this.#n++}`);
  }

  make_server(addr: AddressInput, svrcls: ServerClass, hdlrbase: HandlerBase): TCPServer {
    class MyServer extends svrcls {
      override handle_error(request: Request | null, _client_address: Address | null, error?: unknown): void {
        if (request !== null) this.close_request(request);
        throw error;
      }
    }
    // deno-lint-ignore no-explicit-any
    const Base = hdlrbase as any;
    class MyHandler extends (Base as typeof StreamRequestHandler) {
      override async handle() {
        const line = await this.rfile.readline();
        await this.wfile.write(line);
      }
    }
    const server = new MyServer(addr, MyHandler);
    assert.deepEqual(server.server_address, server.socket.getsockname());
    return server;
  }

  async run_server(
    svrcls: ServerClass,
    hdlrbase: HandlerBase,
    testfunc: (proto: number, addr: Address) => Promise<void>,
  ): Promise<void> {
    const server = this.make_server(this.pickaddr(svrcls.address_family), svrcls, hdlrbase);
    try {
      // We had the OS pick a port, so pull the real address out of the server.
      const addr = server.server_address;
      // Short poll interval to make the test finish quickly.
      const t = server.serve_forever({ poll_interval: 0.01 });
      for (let i = 0; i < 3; i++) await testfunc(svrcls.address_family, addr);
      await server.shutdown();
      await t;
      await server.server_close();
      assert.equal(server.socket.fileno(), -1);
    } finally {
      server.server_close();
    }
  }

  stream_examine = async (proto: number, addr: Address): Promise<void> => {
    using s = socket(proto, SOCK_STREAM);
    await s.connect(addr);
    await s.sendall(TEST_STR);
    let data = await receive(s, 100);
    let buf = data;
    while (data.length && !has_newline(buf)) {
      data = await receive(s, 100);
      buf = concat(buf, data);
    }
    assert.deepEqual(buf, TEST_STR);
  };

  dgram_examine = async (proto: number, addr: Address): Promise<void> => {
    using s = socket(proto, SOCK_DGRAM);
    if (proto === AF_UNIX) s.bind(this.pickaddr(proto));
    await s.sendto(TEST_STR, addr);
    let data = await receive(s, 100);
    let buf = data;
    while (data.length && !has_newline(buf)) {
      data = await receive(s, 100);
      buf = concat(buf, data);
    }
    assert.deepEqual(buf, TEST_STR);
  };

  [Symbol.dispose](): void {
    this.dir[Symbol.dispose]();
  }
}

const RUNS: [string, ServerClass, HandlerBase, "stream" | "dgram"][] = [
  ["test_TCPServer", TCPServer, StreamRequestHandler, "stream"],
  ["test_ThreadingTCPServer", ThreadingTCPServer, StreamRequestHandler, "stream"],
  ["test_UnixStreamServer", UnixStreamServer, StreamRequestHandler, "stream"],
  ["test_ThreadingUnixStreamServer", ThreadingUnixStreamServer, StreamRequestHandler, "stream"],
  ["test_UDPServer", UDPServer, DatagramRequestHandler, "dgram"],
  ["test_ThreadingUDPServer", ThreadingUDPServer, DatagramRequestHandler, "dgram"],
  ["test_UnixDatagramServer", UnixDatagramServer, DatagramRequestHandler, "dgram"],
  ["test_ThreadingUnixDatagramServer", ThreadingUnixDatagramServer, DatagramRequestHandler, "dgram"],
];
for (const [name, svrcls, hdlrbase, kind] of RUNS) {
  Deno.test(`test_socketserver: SocketServerTest.${name}`, async () => {
    using self = new SocketServerTest();
    await self.run_server(svrcls, hdlrbase, kind === "stream" ? self.stream_examine : self.dgram_examine);
  });
}

Deno.test("test_socketserver: SocketServerTest.test_shutdown", async () => {
  // Issue #2302: shutdown() should always succeed in making an other thread leave serve_forever().
  class MyServer extends TCPServer {}
  class MyHandler extends StreamRequestHandler {}
  const threads: [() => Promise<void>, MyServer][] = [];
  try {
    for (let i = 0; i < 20; i++) {
      const s = new MyServer([HOST, 0], MyHandler);
      threads.push([() => s.serve_forever({ poll_interval: 0.01 }), s]);
    }
    const started: Promise<void>[] = [];
    for (const [t, s] of threads) {
      started.push(t());
      await s.shutdown();
    }
    await Promise.all(started);
    for (const [, s] of threads) await s.server_close();
  } finally {
    for (const [, s] of threads) s.server_close();
  }
});

const C1_4 = "C1-4: shutdown() called before serve_forever() has started (CPython's Issue #2302 race: " +
  "t.start(); s.shutdown()) resolves at once and the serve_forever() that then starts serves forever; CPython's " +
  "shutdown() sets __shutdown_request, so that serve_forever() returns at once; fix in socketserver.ts " +
  "BaseServer.shutdown(): when not serving, set #shutdown_request = true (serve_forever's loop then ends at once " +
  "and its finally resets it), still resolving at once";

/** test_shutdown with each serving task starting only after shutdown() was called (the thread started late). */
async function shutdown_before_serving(): Promise<void> {
  class MyServer extends TCPServer {}
  class MyHandler extends StreamRequestHandler {}
  const servers: MyServer[] = [];
  try {
    for (let i = 0; i < 20; i++) servers.push(new MyServer([HOST, 0], MyHandler));
    const started: Promise<void>[] = [];
    for (const s of servers) {
      const shut = s.shutdown();
      started.push(sleep(10).then(() => s.serve_forever({ poll_interval: 0.01 }))); // the thread starts late
      await shut;
    }
    assert.notEqual(await settled_within(Promise.all(started), 2000), null, "a serve_forever() never returned");
  } finally {
    for (const s of servers) {
      await s.shutdown();
      s.server_close();
    }
  }
}

Deno.test({
  name: "test_socketserver: SocketServerTest.test_shutdown (serve_forever starting after shutdown()) (C1-4, fixed)",
  fn: shutdown_before_serving,
});

Deno.test("test_socketserver: C1-4 twin (shutdown() before serve_forever() starts)", async () => {
  const py = await cpython(`
import socketserver
s = socketserver.TCPServer(("127.0.0.1", 0), socketserver.StreamRequestHandler)
def late():
    time.sleep(0.2); s.serve_forever(0.01)
t = threading.Thread(target=late, daemon=True); t.start()
s.shutdown()
t.join(2)
s.server_close()
print(json.dumps(["serve_forever returned", not t.is_alive()]))
`);
  assert.deepEqual(py, ["serve_forever returned", true]);
  const s = new TCPServer([HOST, 0], StreamRequestHandler);
  try {
    await s.shutdown();
    await sleep(200);
    const ended = await settled_within(s.serve_forever(0.01).then(() => true), 1000);
    const ts = ["serve_forever returned", ended === true];
    if (JSON.stringify(ts) !== JSON.stringify(py)) {
      console.log(`${C1_4}\n  CPython ${JSON.stringify(py)}, pysocket ${JSON.stringify(ts)}`);
    }
  } finally {
    await s.shutdown();
    s.server_close();
  }
});

const C1_5 = "C1-5: serve_forever() and handle_request() on a server whose server_close() has run return " +
  "silently; CPython's raise ValueError('Invalid file descriptor: -1') (its selector registers fileno() -1); fix " +
  "in socketserver.ts BaseServer.serve_forever() and handle_request(): at entry, when the server's fileno() is " +
  "-1, throw RangeError('Invalid file descriptor: -1') (a close during serving still ends it quietly)";

/** The calls of a closed server, for each server class: what CPython gives, what pysocket gives. */
async function closed_server_calls(): Promise<[unknown[], unknown[]]> {
  const py = await cpython(`
import socketserver
out = []
for cls, addr in [(socketserver.TCPServer, ("127.0.0.1", 0)), (socketserver.UDPServer, ("127.0.0.1", 0))]:
    s = cls(addr, socketserver.BaseRequestHandler); s.server_close()
    out.append(attempt(lambda: s.serve_forever(0.01)))
    out.append(attempt(lambda: s.handle_request()))
print(json.dumps(out))
`) as unknown[];
  const ts: unknown[] = [];
  for (const cls of [TCPServer, UDPServer]) {
    const s = new cls([HOST, 0], BaseRequestHandler);
    await s.server_close();
    for (const call of [() => s.serve_forever(0.01), () => s.handle_request()]) {
      const r = await settled_within(attempt(call), 1000);
      ts.push(r ?? ["still waiting", null]);
    }
  }
  return [py, ts];
}

Deno.test({
  name: "test_socketserver: C1-5 serve_forever()/handle_request() after server_close() (fixed)",
  async fn() {
    const [py, ts] = await closed_server_calls();
    assert.deepEqual(
      ts.map((x) => (x as unknown[])[0]),
      (py as unknown[][]).map((x) => x[0] === "ValueError" ? "RangeError" : x[0]),
    );
  },
});

Deno.test("test_socketserver: C1-5 twin (calls on a closed server)", async () => {
  const [py, ts] = await closed_server_calls();
  assert.deepEqual(py, [["ValueError", null], ["ValueError", null], ["ValueError", null], ["ValueError", null]]);
  const want = (py as unknown[][]).map((x) => x[0] === "ValueError" ? "RangeError" : x[0]);
  const got = ts.map((x) => (x as unknown[])[0]);
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    console.log(`${C1_5}\n  CPython ${JSON.stringify(py)}, pysocket ${JSON.stringify(ts)}`);
  }
});

Deno.test("test_socketserver: SocketServerTest.test_close_immediately", async () => {
  class MyServer extends ThreadingMixIn(TCPServer) {}
  const server = new MyServer([HOST, 0], (() => null) as never);
  await server.server_close();
});

Deno.test("test_socketserver: SocketServerTest.test_tcpserver_bind_leak", () => {
  // Issue #22435: the server socket wouldn't be closed if bind()/listen() failed.
  for (let i = 0; i < 1024; i++) {
    assert.throws(() => new TCPServer([HOST, -1], StreamRequestHandler), RangeError); // OverflowError
  }
});

Deno.test("test_socketserver: SocketServerTest.test_context_manager", async () => {
  let server: TCPServer;
  {
    await using s = new TCPServer([HOST, 0], StreamRequestHandler);
    server = s;
  }
  assert.equal(server.socket.fileno(), -1);
});

// ErrorHandlerTest: the servers pass normal exceptions from the handler to handle_error(). CPython's log file is
// an array of lines here.

type ErrorClass = new (msg: string) => Error;

/** BaseErrorTestServer(exception) and ThreadingErrorTestServer(exception): CPython's __init__ is this function. */
async function error_test_server(exception: ErrorClass, threading: boolean, log: string[]): Promise<void> {
  class BadHandler extends BaseRequestHandler<Socket, Base> {
    override handle(): void {
      log.push("Handler called\n");
      throw new this.server.exception("Test error");
    }
  }
  class Base extends TCPServer {
    exception = exception;
    override handle_error(_request: Request | null, _client_address: Address | null): void {
      log.push("Error handled\n");
    }
  }
  let done: () => void = () => {};
  const done_p = new Promise<void>((r) => done = r);
  class Threading extends ThreadingMixIn(Base) {
    override async shutdown_request(request: Request): Promise<void> {
      await super.shutdown_request(request);
      done();
    }
  }
  const cls = threading ? Threading : Base;
  const server = new cls([HOST, 0], BadHandler);
  {
    using _c = await create_connection(server.server_address as [string, number]);
  }
  try {
    await server.handle_request();
  } finally {
    await server.server_close();
  }
  if (threading) await done_p; // wait_done()
}

function check_result(log: string[], handled: boolean): void {
  assert.equal(log.join(""), "Handler called\n" + (handled ? "Error handled\n" : ""));
}

Deno.test("test_socketserver: ErrorHandlerTest.test_sync_handled", async () => {
  const log: string[] = [];
  await error_test_server(RangeError, false, log); // ValueError
  check_result(log, true);
});

Deno.test("test_socketserver: ErrorHandlerTest.test_threading_handled", async () => {
  const log: string[] = [];
  await error_test_server(RangeError, true, log); // ValueError
  check_result(log, true);
});

// The not_handled tests' class, reachable in JavaScript: an error that escapes handle_error() (it re-raises, as
// SocketServerTest.make_server's MyServer does). CPython's plain server lets it out of handle_request() and
// serve_forever(); a threading server's handler thread reports it and serving goes on.
const C1_6 = "C1-6: on a plain (non-threading) server, an error that handle_error() raises does not leave " +
  "handle_request() or serve_forever() (pysocket prints it with the default handle_error and serves on); CPython's " +
  "_handle_request_noblock lets it out of both (threading servers agree: the thread reports it); fix in " +
  "socketserver.ts BaseServer: when !is_threading(this), let #report's second failure reach the awaiting " +
  "handle_request() (#dispatch with wait) and end serve_forever() with it (keep it until its loop's next turn)";

/** What handle_request() and serve_forever() do when handle_error() re-raises, for TCPServer and ThreadingTCPServer. */
async function escaping_errors(): Promise<[Record<string, string>, Record<string, string>]> {
  const py = await cpython(`
import socketserver, io
sys.stderr = io.StringIO()
def run(base, mode):
    class H(socketserver.BaseRequestHandler):
        def handle(self): raise ValueError("boom")
    class S(base):
        def handle_error(self, request, client_address):
            raise
    s = S(("127.0.0.1", 0), H)
    c = create_connection(s.server_address)
    out = []
    def call():
        try:
            s.handle_request() if mode == "handle_request" else s.serve_forever(0.01)
            out.append("returned")
        except Exception as e:
            out.append("raised " + type(e).__name__.replace("ValueError", "RangeError"))
    t = threading.Thread(target=call, daemon=True); t.start(); t.join(1)
    if not out:
        s.shutdown(); t.join()
        out.insert(0, "still serving")
    c.close(); s.server_close()
    return out[0]
print(json.dumps({b.__name__ + "." + m: run(b, m) for b in (socketserver.TCPServer, socketserver.ThreadingTCPServer)
                  for m in ("handle_request", "serve_forever")}))
`) as Record<string, string>;
  const ts: Record<string, string> = {};
  for (const [bname, base] of [["TCPServer", TCPServer], ["ThreadingTCPServer", ThreadingTCPServer]] as const) {
    for (const mode of ["handle_request", "serve_forever"]) {
      class H extends BaseRequestHandler {
        override handle(): void {
          throw new RangeError("boom");
        }
      }
      class S extends base {
        override handle_error(_r: Request | null, _a: Address | null, e?: unknown): void {
          throw e;
        }
      }
      const s = new S([HOST, 0], H);
      const c = await create_connection(s.server_address as [string, number]);
      try {
        const p = (mode === "handle_request" ? s.handle_request() : s.serve_forever(0.01))
          .then(() => "returned", (e) => `raised ${(e as Error).name}`);
        ts[`${bname}.${mode}`] = (await settled_within(p, 1000)) ?? "still serving";
        await s.shutdown();
        await p;
      } finally {
        c.close();
        await s.server_close();
      }
    }
  }
  return [py, ts];
}

Deno.test({
  name: "test_socketserver: ErrorHandlerTest (an error escaping handle_error) (C1-6, fixed)",
  async fn() {
    const [py, ts] = await escaping_errors();
    assert.deepEqual(ts, py);
  },
});

Deno.test("test_socketserver: C1-6 twin (an error escaping handle_error)", async () => {
  const [py, ts] = await escaping_errors();
  assert.deepEqual({ ...py }, {
    "TCPServer.handle_request": "raised RangeError",
    "TCPServer.serve_forever": "raised RangeError",
    "ThreadingTCPServer.handle_request": "returned",
    "ThreadingTCPServer.serve_forever": "still serving",
  });
  // The threading rows agree (pinned); the plain server's rows are C1-6.
  for (const k of Object.keys(py)) {
    if (k.startsWith("Threading")) assert.equal(ts[k], py[k], k);
    else if (ts[k] !== py[k]) console.log(`${C1_6}\n  ${k}: CPython ${py[k]}, pysocket ${ts[k]}`);
  }
});

Deno.test("test_socketserver: SocketWriterTest.test_basics", async () => {
  let server_wfile: socketserver.SocketFile | null = null;
  let wfile_fileno = -2, request_fileno = -3;
  class Handler extends StreamRequestHandler {
    override handle(): void {
      server_wfile = this.wfile;
      wfile_fileno = this.wfile.fileno();
      request_fileno = this.request.fileno();
    }
  }
  const server = new TCPServer([HOST, 0], Handler);
  try {
    const s = socket(server.address_family, SOCK_STREAM, IPPROTO_TCP);
    {
      using _s = s;
      await s.connect(server.server_address);
    }
    await server.handle_request();
    // assertIsInstance(server.wfile, io.BufferedIOBase): pysocket has no io classes; a socket file (writable) it is.
    assert.ok(server_wfile !== null && typeof (server_wfile as socketserver.SocketFile).write === "function");
    assert.equal(wfile_fileno, request_fileno);
  } finally {
    await server.server_close();
  }
});

Deno.test("test_socketserver: SocketWriterTest.test_write (without its SIGUSR1 interruption)", async () => {
  // wfile.write() sends data immediately and does not truncate a large send. (CPython's test also interrupts
  // that send with SIGUSR1 from the client thread: Deno has no such signal delivery to a blocked send.)
  const got: { sent1: number; received: Uint8Array; sent2: number } = {
    sent1: -1,
    received: new Uint8Array(),
    sent2: -1,
  };
  class Handler extends StreamRequestHandler {
    override async handle() {
      got.sent1 = await this.wfile.write(new TextEncoder().encode("write data\n"));
      // Should be sent immediately, without requiring flush()
      got.received = await this.rfile.readline() as Uint8Array;
      const big_chunk = new Uint8Array(SOCK_MAX_SIZE);
      got.sent2 = await this.wfile.write(big_chunk);
    }
  }
  const server = new TCPServer([HOST, 0], Handler);
  let response1: Uint8Array | null = null;
  let received2: number | null = null;
  const run_client = async () => {
    const s = socket(server.address_family, SOCK_STREAM, IPPROTO_TCP);
    using _s = s;
    const reader = s.makefile("rb");
    try {
      await s.connect(server.server_address);
      response1 = await reader.readline() as Uint8Array;
      await s.sendall(new TextEncoder().encode("client response\n"));
      await reader.read(100);
      received2 = (await reader.read() as Uint8Array).length;
    } finally {
      await reader.close();
    }
  };
  try {
    const background = run_client();
    await server.handle_request();
    await background;
    assert.equal(got.sent1, response1!.length);
    assert.equal(new TextDecoder().decode(response1!), "write data\n");
    assert.equal(new TextDecoder().decode(got.received), "client response\n");
    assert.equal(got.sent2, SOCK_MAX_SIZE);
    assert.equal(received2, SOCK_MAX_SIZE - 100);
  } finally {
    await server.server_close();
  }
});

Deno.test("test_socketserver: MiscTestCase.test_all", async () => {
  // objects defined in the module should be in __all__: here, the module's exported values are CPython's __all__
  // but for the Forking names (Deno cannot fork: README rule 13) and BytesIO (Python's io.BytesIO, which
  // DatagramRequestHandler's files are; pysocket has no io module to hold it).
  const all = await cpython(`import socketserver; print(json.dumps(sorted(socketserver.__all__)))`) as string[];
  const ours = Object.keys(socketserver).sort();
  assert.deepEqual(
    all.filter((n) => !ours.includes(n)),
    ["ForkingMixIn", "ForkingTCPServer", "ForkingUDPServer"],
  );
  assert.deepEqual(ours.filter((n) => !all.includes(n)), ["BytesIO"]);
});

Deno.test("test_socketserver: MiscTestCase.test_shutdown_request_called_if_verify_request_false", async () => {
  // Issue #26309: BaseServer should call shutdown_request even if verify_request is False
  class MyServer extends TCPServer {
    override verify_request(_request: Request, _client_address: Address): boolean {
      return false;
    }
    shutdown_called = 0;
    override async shutdown_request(request: Request): Promise<void> {
      this.shutdown_called += 1;
      await TCPServer.prototype.shutdown_request.call(this, request);
    }
  }
  const server = new MyServer([HOST, 0], StreamRequestHandler);
  try {
    const s = socket(server.address_family, SOCK_STREAM);
    await s.connect(server.server_address);
    s.close();
    await server.handle_request();
    assert.equal(server.shutdown_called, 1);
  } finally {
    await server.server_close();
  }
});

Deno.test("test_socketserver: MiscTestCase.test_threads_reaped", async () => {
  // #37193: not every request's thread is kept forever. CPython counts server._threads; pysocket's tasks are
  // private, and active_count is how many it still holds.
  class MyServer extends ThreadingMixIn(TCPServer) {}
  const server = new MyServer([HOST, 0], StreamRequestHandler);
  try {
    for (let n = 0; n < 10; n++) {
      using _c = await create_connection(server.server_address as [string, number]);
      await server.handle_request();
    }
    assert.ok(server.active_count < 10);
  } finally {
    await server.server_close();
  }
});

const NA: [string, string][] = [
  ["SocketServerTest.test_ForkingTCPServer", "os.fork(): Deno cannot fork, pysocket has no ForkingMixIn"],
  ["SocketServerTest.test_ForkingUnixStreamServer", "os.fork(), as above"],
  ["SocketServerTest.test_ForkingUDPServer", "os.fork(), as above"],
  ["SocketServerTest.test_ForkingUnixDatagramServer", "os.fork(), as above"],
  ["ErrorHandlerTest.test_forking_handled", "os.fork(), as above"],
  ["ErrorHandlerTest.test_forking_not_handled", "os.fork(), as above"],
  [
    "ErrorHandlerTest.test_sync_not_handled",
    "SystemExit: JavaScript has no exception outside Exception's tree; every handler error goes to handle_error",
  ],
  ["ErrorHandlerTest.test_threading_not_handled", "SystemExit and threading.excepthook, as above"],
];
for (const [name, why] of NA) {
  Deno.test({ name: `test_socketserver: ${name} [not applicable: ${why}]`, ignore: true, fn() {} });
}

// BaseServer is imported so the port names CPython's class hierarchy; keep the import used.
void BaseServer;

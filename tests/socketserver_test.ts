import assert from "node:assert/strict";
import { AF_INET, AF_UNIX, create_connection, SOCK_DGRAM, type Socket, socket, socketpair } from "../mod.ts";
import {
  BaseRequestHandler,
  BaseServer,
  BytesIO,
  type DatagramRequest,
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
import type { Address } from "../types.ts";
import { lone_v4, run_example, test_needing, within as bounded } from "./_socket_fixtures.ts";

const test = test_needing("python3");

const enc = new TextEncoder();
const dec = new TextDecoder();
const HAS_DGRAM = typeof (Deno as { listenDatagram?: unknown }).listenDatagram === "function";

/** Fail instead of hanging when `p` takes longer than `ms`. */
const within = <T>(ms: number, p: Promise<T>): Promise<T> => bounded(p, ms, "socketserver test");

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Read lines from a socket until `n` complete lines arrived (or EOF). */
async function read_lines(s: Socket, n: number): Promise<string[]> {
  let buf = "";
  const lines: string[] = [];
  while (lines.length < n) {
    const chunk = await s.recv(65536);
    if (chunk.length === 0) break;
    buf += dec.decode(chunk, { stream: true });
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      lines.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  }
  return lines;
}

/** Run a python3 script with arguments; returns stdout, throws with stderr on failure. */
async function python(script: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command("python3", {
    args: ["-c", script, ...args],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(20_000),
  }).output();
  if (!out.success) throw new Error(`python3 failed: ${dec.decode(out.stderr)}`);
  return dec.decode(out.stdout);
}

class LineEcho extends StreamRequestHandler {
  override async handle() {
    for (;;) {
      const line = await this.rfile.readline() as Uint8Array;
      if (line.length === 0) return;
      await this.wfile.write(line);
    }
  }
}

/** A server whose errors are collected instead of printed. */
class QuietTCPServer extends TCPServer {
  static override allow_reuse_address = true;
  errors: unknown[] = [];
  override handle_error(_r: Request, _a: Address, error?: unknown) {
    this.errors.push(error);
  }
}

function inet(server: BaseServer): [string, number] {
  return server.server_address as [string, number];
}

test("TCPServer echoes lines for 50 concurrent clients without losing a message", async () => {
  await using server = new QuietTCPServer(["127.0.0.1", 0], LineEcho, { request_queue_size: 128 });
  const serving = server.serve_forever(0.05);
  const CLIENTS = 50, LINES = 20;
  const client = async (id: number) => {
    using c = await create_connection(inet(server), 10);
    const want: string[] = [];
    for (let i = 0; i < LINES; i++) want.push(`client ${id} line ${i} ${"x".repeat(i * 10)}`);
    await c.sendall(enc.encode(want.join("\n") + "\n"));
    assert.deepEqual(await read_lines(c, LINES), want);
  };
  await within(20_000, Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i))));
  await within(5000, server.shutdown());
  await serving;
  assert.deepEqual(server.errors, []);
  assert.equal(server.active_count, 0);
});

test("TCPServer runs requests concurrently: a slow client never blocks the others", async () => {
  await using server = new QuietTCPServer(["127.0.0.1", 0], LineEcho);
  const serving = server.serve_forever();
  using slow = await create_connection(inet(server), 5);
  await slow.sendall(enc.encode("partial line without newline"));
  using fast = await create_connection(inet(server), 5);
  await fast.sendall(enc.encode("quick\n"));
  assert.deepEqual(await within(3000, read_lines(fast, 1)), ["quick"]);
  slow.close();
  fast.close();
  await within(5000, server.shutdown());
  await serving;
});

test("TCPServer survives a handler that throws and reports it through handle_error", async () => {
  class Boom extends StreamRequestHandler {
    override async handle() {
      const line = dec.decode(await this.rfile.readline() as Uint8Array).trim();
      if (line === "boom") throw new RangeError("handler exploded");
      await this.wfile.write(enc.encode(`ok ${line}\n`));
    }
  }
  await using server = new QuietTCPServer(["127.0.0.1", 0], Boom);
  const serving = server.serve_forever();
  for (const word of ["a", "boom", "b", "boom", "c"]) {
    using c = await create_connection(inet(server), 5);
    await c.sendall(enc.encode(word + "\n"));
    const lines = await within(3000, read_lines(c, 1));
    assert.deepEqual(lines, word === "boom" ? [] : [`ok ${word}`]);
  }
  await within(5000, server.shutdown());
  await serving;
  assert.equal(server.errors.length, 2);
  assert.ok(server.errors.every((e) => e instanceof RangeError && e.message === "handler exploded"));
});

test("BaseServer.handle_error() prints Python's report and a traceback to stderr", () => {
  const printed: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void printed.push(args.join(" "));
  try {
    const server = new TCPServer(["127.0.0.1", 0], BaseRequestHandler, false);
    server.handle_error(null!, ["127.0.0.1", 4242], new Error("boom"));
    server.server_close();
  } finally {
    console.error = original;
  }
  const text = printed.join("\n");
  assert.match(text, /^-{40}\nException occurred during processing of request from \('127\.0\.0\.1', 4242\)\n/);
  assert.match(text, /Traceback \(most recent call last\):/);
  assert.match(text, /Error: boom\n-{40}$/);
});

test("TCPServer.shutdown() waits for connected clients' handlers, then new clients are refused", async () => {
  // On a loopback address of its own: the port freed by server_close() cannot be given meanwhile to another test
  // file's 127.0.0.1 listener (the files run in parallel).
  const server = new QuietTCPServer([lone_v4(), 0], LineEcho);
  const serving = server.serve_forever(0.05);
  const clients = await Promise.all(Array.from({ length: 5 }, () => create_connection(inet(server), 5)));
  for (const c of clients) await c.sendall(enc.encode("hi\n"));
  for (const c of clients) assert.deepEqual(await within(3000, read_lines(c, 1)), ["hi"]);
  let resolved = false;
  const stopping = server.shutdown().then(() => resolved = true);
  await within(3000, serving); // the loop stops at once
  await sleep(50);
  assert.equal(resolved, false, "block_on_close: shutdown waits for the running handlers");
  // Running handlers still serve their clients.
  await clients[0]!.sendall(enc.encode("still here\n"));
  assert.deepEqual(await within(3000, read_lines(clients[0]!, 1)), ["still here"]);
  for (const c of clients) c.close();
  await within(5000, stopping);
  assert.equal(server.active_count, 0);
  server.server_close();
  // Deno closes the listener once its pending accept is cancelled, so a
  // connect right after server_close() may be reset instead of refused.
  await assert.rejects(create_connection(inet(server), 2), /ConnectionRefusedError|ConnectionResetError/);
  assert.deepEqual(server.errors, []);
});

test("TCPServer.shutdown() with block_on_close false resolves while clients stay connected", async () => {
  await using server = new QuietTCPServer(["127.0.0.1", 0], LineEcho, { block_on_close: false });
  const serving = server.serve_forever(10);
  using c = await create_connection(inet(server), 5);
  await c.sendall(enc.encode("one\n"));
  assert.deepEqual(await within(3000, read_lines(c, 1)), ["one"]);
  await within(2000, server.shutdown());
  await serving;
  assert.equal(server.active_count, 1);
  await c.sendall(enc.encode("two\n"));
  assert.deepEqual(await within(3000, read_lines(c, 1)), ["two"]);
  c.close();
  server.block_on_close = true; // so `await using` waits for the last handler
});

test("TCPServer handlers never hang on a client that disconnects mid-request", async () => {
  let finished = 0;
  class Slow extends StreamRequestHandler {
    override async handle() {
      const head = await this.rfile.read(100); // wants 100 bytes; gets fewer, then EOF
      await this.wfile.write(head);
      await sleep(50);
      // The client is gone: writing fails (handle_error) or is swallowed, never hangs.
      for (let i = 0; i < 50; i++) await this.wfile.write(new Uint8Array(65536));
    }
    override async finish() {
      await super.finish();
      finished++;
    }
  }
  await using server = new QuietTCPServer(["127.0.0.1", 0], Slow);
  const serving = server.serve_forever();
  for (let i = 0; i < 5; i++) {
    const c = await create_connection(inet(server), 5);
    await c.sendall(enc.encode("partial"));
    c.close();
  }
  const raw = await create_connection(inet(server), 5);
  raw.close(); // connect and vanish at once
  await within(10_000, server.shutdown());
  await serving;
  assert.equal(finished, 6);
  assert.ok(server.errors.every((e) => (e as Error).name.endsWith("Error")));
});

test("TCPServer max_concurrent applies back-pressure: at most N handlers run at once", async () => {
  let running = 0, peak = 0, served = 0;
  const gate = Promise.withResolvers<void>();
  class Gated extends BaseRequestHandler {
    override async handle() {
      running++;
      peak = Math.max(peak, running);
      await gate.promise;
      await this.request.sendall(enc.encode("done\n"));
      running--;
      served++;
    }
  }
  await using server = new QuietTCPServer(["127.0.0.1", 0], Gated, { max_concurrent: 2 });
  assert.equal(server.max_concurrent, 2);
  const serving = server.serve_forever(0.02);
  const clients = await Promise.all(Array.from({ length: 6 }, () => create_connection(inet(server), 5)));
  await sleep(150);
  assert.equal(running, 2);
  assert.equal(server.active_count, 2);
  gate.resolve();
  for (const c of clients) assert.deepEqual(await within(5000, read_lines(c, 1)), ["done"]);
  for (const c of clients) c.close();
  await within(5000, server.shutdown());
  await serving;
  assert.equal(peak, 2);
  assert.equal(served, 6);
});

test("TCPServer.serve_forever() calls service_actions every poll_interval and stops on server_close", async () => {
  class Ticking extends TCPServer {
    ticks = 0;
    override service_actions() {
      this.ticks++;
    }
  }
  const server = new Ticking(["127.0.0.1", 0], BaseRequestHandler);
  const serving = server.serve_forever(0.02);
  await sleep(200);
  assert.ok(server.ticks >= 3, `ticks: ${server.ticks}`);
  // A second serve_forever() (Python: another worker thread on the same server) joins the running loop and
  // ends with it (finding P11-1; it used to reject with "already running").
  const joined = server.serve_forever();
  server.server_close();
  await within(2000, serving);
  await within(2000, joined);
});

test("TCPServer.handle_request() handles one request, or calls handle_timeout", async () => {
  const seen: Address[] = [];
  class Record extends BaseRequestHandler {
    override async handle() {
      seen.push(this.client_address);
      await this.request.sendall(enc.encode("hi"));
    }
  }
  class Timed extends TCPServer {
    static override timeout = 0.05;
    timeouts = 0;
    override handle_timeout() {
      this.timeouts++;
    }
  }
  using server = new Timed(["127.0.0.1", 0], Record);
  assert.equal(server.timeout, 0.05);
  await within(2000, server.handle_request());
  assert.equal(server.timeouts, 1);
  using c = await create_connection(inet(server), 5);
  await within(2000, server.handle_request());
  assert.equal(seen.length, 1);
  assert.equal((seen[0] as [string, number])[0], "127.0.0.1");
  assert.equal(dec.decode(await c.recv(10)), "hi");
  assert.equal((await c.recv(10)).length, 0); // shutdown_request closed it
  const ac = new AbortController();
  const reason = new Error("abort");
  server.timeout = null;
  const p = server.handle_request({ signal: ac.signal });
  ac.abort(reason);
  await assert.rejects(p, (e) => e === reason);
});

test("TCPServer.verify_request() refusing a client closes it without running the handler", async () => {
  let handled = 0;
  class H extends BaseRequestHandler {
    override handle() {
      handled++;
    }
  }
  class Refusing extends TCPServer {
    override verify_request() {
      return Promise.resolve(false);
    }
  }
  await using server = new Refusing(["127.0.0.1", 0], H);
  const serving = server.serve_forever();
  using c = await create_connection(inet(server), 5);
  assert.equal((await within(3000, c.recv(10))).length, 0);
  await server.shutdown();
  await serving;
  assert.equal(handled, 0);
});

test("TCPServer takes Python's constructor, class attributes and options", () => {
  class Reuse extends TCPServer {
    static override allow_reuse_address = true;
    static override request_queue_size = 17;
  }
  using a = new Reuse(["127.0.0.1", 0], BaseRequestHandler);
  assert.equal(a.allow_reuse_address, true);
  assert.equal(a.request_queue_size, 17);
  assert.equal(a.address_family, AF_INET);
  assert.equal(a.fileno(), a.socket.fileno());
  assert.equal(a.RequestHandlerClass, BaseRequestHandler);
  assert.equal(a.block_on_close, true);
  using b = new TCPServer(["127.0.0.1", 0], BaseRequestHandler, false);
  assert.deepEqual(b.server_address, ["127.0.0.1", 0]);
  b.server_bind();
  b.server_activate();
  assert.ok((b.server_address as [string, number])[1] > 0);
  const port = (b.server_address as [string, number])[1];
  assert.throws(() => new TCPServer(["127.0.0.1", port], BaseRequestHandler), (e: Error) => e.name === "OSError");
  using c = new TCPServer(["127.0.0.1", 0], BaseRequestHandler, { request_queue_size: 3, timeout: 2 });
  assert.deepEqual([c.request_queue_size, c.timeout], [3, 2]);
  // The Threading* servers are ThreadingMixIn's subclasses (they end as CPython's: tests/ported4/ss_block_on_close).
  assert.equal(Object.getPrototypeOf(ThreadingTCPServer), TCPServer);
  assert.equal(Object.getPrototypeOf(ThreadingUDPServer), UDPServer);
  assert.equal(Object.getPrototypeOf(ThreadingUnixStreamServer), UnixStreamServer);
  assert.equal(Object.getPrototypeOf(ThreadingUnixDatagramServer), UnixDatagramServer);
  assert.equal(ThreadingMixIn(TCPServer), ThreadingTCPServer);
  assert.equal(ThreadingMixIn(ThreadingTCPServer), ThreadingTCPServer);
});

test("StreamRequestHandler applies timeout, TCP_NODELAY and an unbuffered wfile", async () => {
  const seen: unknown[] = [];
  class Opts extends StreamRequestHandler {
    override timeout = 0.2;
    override disable_nagle_algorithm = true;
    override async handle() {
      seen.push(this.connection.gettimeout(), this.connection.getsockopt(6, 1), this.connection === this.request);
      await this.wfile.write(enc.encode("unbuffered"));
      // The client sends nothing: readline() times out after 0.2 s.
      await this.rfile.readline();
    }
  }
  await using server = new QuietTCPServer(["127.0.0.1", 0], Opts);
  const serving = server.serve_forever();
  using c = await create_connection(inet(server), 5);
  // wbufsize = 0: the bytes arrive while the handler still runs.
  assert.equal(dec.decode(await within(3000, c.recv(100))), "unbuffered");
  assert.equal(server.errors.length, 0);
  await within(
    3000,
    (async () => {
      while (server.errors.length === 0) await sleep(10);
    })(),
  );
  assert.deepEqual(seen, [0.2, 1, true]);
  assert.equal((server.errors[0] as Error).name, "TimeoutError");
  await server.shutdown();
  await serving;
});

test("UnixStreamServer echoes lines over a Unix socket", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/echo.sock`;
    await using server = new UnixStreamServer(path, LineEcho);
    assert.equal(server.server_address, path);
    assert.equal(server.address_family, AF_UNIX);
    const serving = server.serve_forever();
    const clients = await Promise.all(Array.from({ length: 10 }, async (_, i) => {
      using c = socket(AF_UNIX);
      await c.connect(path);
      await c.sendall(enc.encode(`unix ${i}\n`));
      return (await read_lines(c, 1))[0];
    }));
    assert.deepEqual(clients, Array.from({ length: 10 }, (_, i) => `unix ${i}`));
    await within(5000, server.shutdown());
    await serving;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

test("TCPServer line echo answers a python3 client", async () => {
  await using server = new QuietTCPServer(["127.0.0.1", 0], LineEcho);
  const serving = server.serve_forever();
  const out = await python(
    `
import socket, sys
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10) as s:
    f = s.makefile("rwb")
    for i in range(100):
        f.write(b"py line %d\\n" % i)
    f.flush()
    for i in range(100):
        assert f.readline() == b"py line %d\\n" % i
print("ok")
`,
    String(inet(server)[1]),
  );
  assert.equal(out.trim(), "ok");
  await within(5000, server.shutdown());
  await serving;
});

test("BytesIO reads lines and collects writes as Python's io.BytesIO", () => {
  const f = new BytesIO(enc.encode("a\nbc\nd"));
  assert.equal(dec.decode(f.readline()), "a\n");
  assert.deepEqual(f.readlines().map((l) => dec.decode(l)), ["bc\n", "d"]);
  assert.equal(f.read().length, 0);
  f.seek(0);
  assert.equal(dec.decode(f.read(2)), "a\n");
  const w = new BytesIO();
  w.write(enc.encode("x".repeat(100)));
  w.write(new Uint8Array([10]));
  assert.equal(w.getvalue().length, 101);
  w.close();
  assert.throws(() => w.write(new Uint8Array(1)), RangeError);
});

test("DatagramRequestHandler replies with what the handler wrote (socketpair-free unit)", async () => {
  // Runs the handler protocol directly, without datagram sockets.
  const sent: [Uint8Array, unknown][] = [];
  const fake = {
    sendto: (d: Uint8Array, a: unknown) => (sent.push([d, a]), Promise.resolve(d.length)),
  } as unknown as Socket;
  class Upper extends DatagramRequestHandler {
    override handle() {
      this.wfile.write(enc.encode(dec.decode(this.rfile.read()).toUpperCase()));
    }
  }
  const server = new TCPServer(["127.0.0.1", 0], Upper, false);
  await server.finish_request([enc.encode("shout"), fake] as DatagramRequest, ["127.0.0.1", 9]);
  server.server_close();
  assert.equal(dec.decode(sent[0]![0]), "SHOUT");
  assert.deepEqual(sent[0]![1], ["127.0.0.1", 9]);
  const [a, b] = await socketpair();
  a.close(), b.close();
});

// ---- datagram servers (need --unstable-net) ---------------------------------

class TimeHandler extends DatagramRequestHandler {
  override handle() {
    const id = dec.decode(this.rfile.readline()).trim();
    this.wfile.write(enc.encode(`${id} ${new Date().toISOString()}\n`));
  }
}

test({
  name: "UDPServer time server answers 50 concurrent clients without losing a reply",
  ignore: !HAS_DGRAM,
  async fn() {
    await using server = new UDPServer(["127.0.0.1", 0], TimeHandler);
    const serving = server.serve_forever(0.05);
    const CLIENTS = 50, REQUESTS = 5;
    const client = async (id: number) => {
      using c = socket(AF_INET, SOCK_DGRAM);
      c.settimeout(5);
      for (let i = 0; i < REQUESTS; i++) {
        await c.sendto(enc.encode(`${id}-${i}\n`), server.server_address);
        const [data, from] = await c.recvfrom(1024);
        const [rid, time] = dec.decode(data).trim().split(" ");
        assert.equal(rid, `${id}-${i}`);
        assert.ok(!Number.isNaN(Date.parse(time!)));
        assert.deepEqual(from, server.server_address);
      }
    };
    await within(20_000, Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i))));
    await within(5000, server.shutdown());
    await serving;
  },
});

test({
  name: "UDPServer with BaseRequestHandler gets [data, socket] requests, as Python's",
  ignore: !HAS_DGRAM,
  async fn() {
    class Echo extends BaseRequestHandler<DatagramRequest> {
      override async handle() {
        const [data, sock] = this.request;
        await sock.sendto(data.slice().reverse(), this.client_address);
      }
    }
    await using server = new UDPServer(["127.0.0.1", 0], Echo, { max_packet_size: 4 });
    assert.equal(server.max_packet_size, 4);
    const serving = server.serve_forever();
    using c = socket(AF_INET, SOCK_DGRAM);
    c.settimeout(5);
    await c.sendto(enc.encode("abcdef"), server.server_address);
    assert.equal(dec.decode((await c.recvfrom(100))[0]), "dcba"); // truncated to max_packet_size
    await server.shutdown();
    await serving;
  },
});

test({
  name: "UDPServer time server answers a python3 client",
  ignore: !HAS_DGRAM,
  async fn() {
    await using server = new UDPServer(["127.0.0.1", 0], TimeHandler);
    const serving = server.serve_forever();
    const out = await python(
      `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
for i in range(20):
    s.sendto(b"py-%d\\n" % i, ("127.0.0.1", int(sys.argv[1])))
    data, addr = s.recvfrom(1024)
    assert data.split()[0] == b"py-%d" % i, data
print("ok")
`,
      String(inet(server)[1]),
    );
    assert.equal(out.trim(), "ok");
    await within(5000, server.shutdown());
    await serving;
  },
});

test({
  name: "UnixDatagramServer hands each datagram from a bound Unix client to a handler",
  ignore: !HAS_DGRAM,
  async fn() {
    // Replies are not exercised here: Deno's unixpacket DatagramConn refuses
    // a send while a receive is pending ("Busy"), and the serving loop always
    // has one pending (reported to the datagram engine's owner).
    const dir = await Deno.makeTempDir();
    try {
      const got: [string, Address][] = [];
      class Record extends BaseRequestHandler<DatagramRequest> {
        override handle() {
          got.push([dec.decode(this.request[0]), this.client_address]);
        }
      }
      await using server = new UnixDatagramServer(`${dir}/srv.sock`, Record);
      assert.equal(server.server_address, `${dir}/srv.sock`);
      const serving = server.serve_forever();
      using c = socket(AF_UNIX, SOCK_DGRAM);
      c.bind(`${dir}/cli.sock`);
      for (const m of ["u1", "u2", "u3"]) await c.sendto(enc.encode(m), `${dir}/srv.sock`);
      await within(
        3000,
        (async () => {
          while (got.length < 3) await sleep(5);
        })(),
      );
      assert.deepEqual(got.map(([m]) => m).sort(), ["u1", "u2", "u3"]);
      assert.equal(got[0]![1], `${dir}/cli.sock`);
      await within(5000, server.shutdown());
      await serving;
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

// ---- examples/chat_server.ts ------------------------------------------------

test("examples/chat_server.ts --self-test chats with 20 clients and exits by itself", async () => {
  const out = await run_example("chat_server.ts", ["--self-test"], async () => {});
  assert.match(out, /self-test ok: 20 clients, 3800 lines delivered/);
});

test("examples/chat_server.ts serves python3 chat clients", async () => {
  const out = await run_example("chat_server.ts", ["--port", "0", "--clients", "3"], async (port) => {
    const res = await python(
      `
import socket, sys
port = int(sys.argv[1])
socks = []
for name in ["ann", "bob", "cat"]:
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    f = s.makefile("rwb", buffering=0)
    s.sendall(name.encode() + b"\\n")
    assert f.readline().startswith(b"* hello " + name.encode()), name
    socks.append((name, s, f))
for name, s, f in socks:
    s.sendall(b"hi from " + name.encode() + b"\\n")
for name, s, f in socks:
    got = []
    while len(got) < 2:
        line = f.readline()
        assert line, "eof"
        if not line.startswith(b"* "):
            got.append(line.decode().strip())
    others = sorted(n for n, _, _ in socks if n != name)
    assert sorted(got) == ["%s: hi from %s" % (o, o) for o in others], got
s = socks[0][1]
s.sendall(b"/who\\n")
f = socks[0][2]
while True:
    line = f.readline()
    if line.startswith(b"* online:"):
        assert b"ann" in line and b"bob" in line and b"cat" in line, line
        break
for name, s, f in socks:
    s.sendall(b"/quit\\n")
    while f.readline():
        pass
    s.close()
print("ok")
`,
      String(port),
    );
    assert.equal(res.trim(), "ok");
  });
  assert.match(out, /done: 3 sessions/);
});

test("ChatServer delivers every line among 50 concurrent chat clients, none lost", async () => {
  const { ChatHandler, ChatServer, chat_check } = await import("../examples/chat_server.ts");
  await using server = new ChatServer(["127.0.0.1", 0], ChatHandler);
  const serving = server.serve_forever();
  const delivered = await within(30_000, chat_check(inet(server)[1], 50, 5));
  assert.equal(delivered, 50 * 49 * 5);
  await within(5000, server.shutdown());
  await serving;
  assert.equal(server.sessions, 50);
});

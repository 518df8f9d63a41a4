// socketserver against hostile and stuck clients (issue 13 "Servers keep
// serving", issue 12's socketserver-with-TLS bullet, issue 14's
// server_close bullet): real python3 peers on loopback, every wait bounded.

import assert from "node:assert/strict";
import process from "node:process";
import { create_connection, type Socket } from "../mod.ts";
import { ConnectionRefusedError, OSError, TimeoutError } from "../errors.ts";
import {
  BaseRequestHandler,
  type Request,
  StreamRequestHandler,
  TCPServer,
  UnixStreamServer,
} from "../socketserver.ts";
import { create_default_context, Purpose } from "../ssl.ts";
import type { Address } from "../types.ts";
import { within as bounded } from "./_socket_fixtures.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const within = <T>(ms: number, p: Promise<T>): Promise<T> => bounded(p, ms, "socketserver hostile test");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `cond` every 20 ms for at most `ms`; fail with `what` otherwise. */
async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(20);
  }
}

/** A python3 child: its stdout read line by line; killed on dispose. */
class Py implements AsyncDisposable {
  #child: Deno.ChildProcess;
  #lines: string[] = [];
  #buf = "";
  #reading: Promise<void>;
  #stderr: Promise<string>;
  constructor(script: string, ...args: string[]) {
    const child = new Deno.Command("python3", {
      args: ["-u", "-c", script, ...args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#child = child;
    this.#stderr = new Response(child.stderr).text();
    this.#reading = (async () => {
      for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
        this.#buf += chunk;
        let i;
        while ((i = this.#buf.indexOf("\n")) >= 0) {
          this.#lines.push(this.#buf.slice(0, i));
          this.#buf = this.#buf.slice(i + 1);
        }
      }
    })();
  }
  /** The next line of stdout (within `ms`). */
  async line(ms = 20_000): Promise<string> {
    await until(() => this.#lines.length > 0, ms, "python3 output");
    return this.#lines.shift()!;
  }
  /** Wait for the child to exit (within `ms`); its stderr on failure. */
  async done(ms = 30_000): Promise<string[]> {
    const st = await within(ms, this.#child.status);
    await this.#reading;
    if (!st.success) throw new Error(`python3 failed: ${await this.#stderr}`);
    return this.#lines.splice(0);
  }
  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.#child.kill("SIGKILL");
    } catch { /* exited already */ }
    await this.#child.status;
    await this.#reading.catch(() => {});
    await this.#stderr.catch(() => "");
  }
}

/** Run a python3 script to its end; returns its stdout. */
async function python(script: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command("python3", {
    args: ["-c", script, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  if (!out.success) throw new Error(`python3 failed: ${dec.decode(out.stderr)}`);
  return dec.decode(out.stdout);
}

/** A TCPServer that records handle_error's calls instead of printing them. */
class Recording extends TCPServer {
  errors: { request: Request | null; address: Address | null; error: unknown }[] = [];
  override handle_error(request: Request | null, address: Address | null, error?: unknown): void {
    this.errors.push({ request, address, error });
  }
}

const port_of = (s: TCPServer) => (s.server_address as [string, number])[1];

// ---- certificates (self-signed, for localhost), made with openssl ------

const certdir = Deno.makeTempDirSync({ prefix: "pysocket_srv_tls_" });
globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(certdir, { recursive: true });
  } catch { /* gone */ }
});
{
  const out = await new Deno.Command("openssl", {
    args: [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      "key.pem",
      "-out",
      "cert.pem",
      "-days",
      "2",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
    ],
    cwd: certdir,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`openssl: ${dec.decode(out.stderr)}`);
}
const CERT = `${certdir}/cert.pem`;
const KEY = `${certdir}/key.pem`;

/** Wrap a server's listening socket in TLS, as the README shows. */
async function make_tls(server: TCPServer): Promise<void> {
  const ctx = create_default_context(Purpose.CLIENT_AUTH);
  ctx.load_cert_chain(CERT, KEY);
  server.socket = await ctx.wrap_socket(server.socket, { server_side: true });
}

// python3 client pieces shared by the scripts below.
const PY_CONNECT = `
import socket, ssl, sys, time, json
def connect(port, tls):
    c = socket.create_connection(("127.0.0.1", port), timeout=30)
    if tls:
        ctx = ssl.create_default_context(cafile=sys.argv[3])
        c = ctx.wrap_socket(c, server_hostname="localhost")
    return c
`;

// ---- 1. a client that stops reading never pins a handler ---------------

for (const tls of [false, true]) {
  const kind = tls ? "TLS" : "plain";
  Deno.test(`TCPServer (${kind}): a client that stops reading frees its handler, its max_concurrent slot and shutdown() after the handler's timeout`, async () => {
    let ended = 0;
    class Flood extends StreamRequestHandler {
      override timeout = 1;
      override async handle() {
        const line = await this.rfile.readline();
        if (dec.decode(line as Uint8Array) === "flood\n") {
          // Far more than the kernel's buffers hold: the peer never reads.
          const chunk = new Uint8Array(1 << 20);
          for (let i = 0; i < 256; i++) await this.wfile.write(chunk);
        } else await this.wfile.write(enc.encode("served\n"));
      }
      override async finish() {
        await super.finish();
        ended++;
      }
    }
    const server = new Recording(["127.0.0.1", 0], Flood, { max_concurrent: 1 });
    if (tls) await make_tls(server);
    const serving = server.serve_forever(0.05);
    try {
      // The stuck client: asks for a flood, then never reads.
      await using stuck = new Py(
        PY_CONNECT + `
c = connect(int(sys.argv[1]), sys.argv[2] == "1")
c.sendall(b"flood\\n")
print("sent", flush=True)
time.sleep(60)
`,
        String(port_of(server)),
        tls ? "1" : "0",
        CERT,
      );
      assert.equal(await stuck.line(), "sent");
      await until(() => server.active_count === 1, 10_000, "the stuck request started");
      // A good client waits for the only slot; the stuck handler's timeout frees it.
      const t0 = performance.now();
      const good = await python(
        PY_CONNECT + `
c = connect(int(sys.argv[1]), sys.argv[2] == "1")
c.sendall(b"hello\\n")
print(c.makefile("rb").readline().decode(), end="")
`,
        String(port_of(server)),
        tls ? "1" : "0",
        CERT,
      );
      const waited = performance.now() - t0;
      assert.equal(good, "served\n");
      await until(() => ended === 2 && server.active_count === 0, 10_000, "both requests ended");
      const timeouts = server.errors.filter((e) => e.error instanceof TimeoutError);
      assert.equal(timeouts.length, 1, String(server.errors.map((e) => e.error)));
      console.log(`  ${kind}: the good client was served after ${waited.toFixed(0)} ms (handler timeout 1000 ms)`);
      await within(10_000, server.shutdown());
    } finally {
      await server.shutdown();
      await server.server_close();
      await serving;
    }
  });
}

Deno.test("TCPServer.shutdown_request() never waits for a peer that does not read (plain and TLS)", async () => {
  for (const tls of [false, true]) {
    let conn: Socket | null = null;
    let release!: () => void;
    const released = new Promise<void>((r) => release = r);
    class Keep extends BaseRequestHandler {
      override async handle() {
        conn = this.request as Socket;
        await released; // held until the test is done with the connection
      }
    }
    const server = new Recording(["127.0.0.1", 0], Keep);
    if (tls) await make_tls(server);
    await using stuck = new Py(
      PY_CONNECT + `
c = connect(int(sys.argv[1]), sys.argv[2] == "1")
print("connected", flush=True)
time.sleep(60)
`,
      String(port_of(server)),
      tls ? "1" : "0",
      CERT,
    );
    const accepted = server.handle_request();
    assert.equal(await stuck.line(), "connected");
    await until(() => conn !== null, 10_000, "accepted");
    const c = conn! as Socket;
    // Fill the send queue: a timed sendall gives up with bytes still queued.
    c.settimeout(0.5);
    await assert.rejects(c.sendall(new Uint8Array(64 << 20)), TimeoutError);
    c.settimeout(null); // no timeout left to bound anything
    const t0 = performance.now();
    await within(10_000, server.shutdown_request(c));
    const took = performance.now() - t0;
    assert.equal(c.fileno(), -1);
    console.log(`  ${tls ? "TLS" : "plain"}: shutdown_request returned after ${took.toFixed(0)} ms`);
    release();
    await within(10_000, accepted);
    await server.server_close();
  }
});

// ---- 2. serve_forever never pauses for one client's failure ------------

Deno.test("TCPServer with TLS: a flood of plain-text clients never pauses the accept loop; each failed handshake goes to handle_error", async () => {
  class Echo extends StreamRequestHandler {
    override timeout = 10;
    override async handle() {
      const line = dec.decode(await this.rfile.readline() as Uint8Array);
      await this.wfile.write(enc.encode(line.replace("hello", "served")));
    }
  }
  const server = new Recording(["127.0.0.1", 0], Echo, { request_queue_size: 128 });
  await make_tls(server);
  const serving = server.serve_forever(0.05);
  try {
    const out = await python(
      `
import socket, ssl, sys, time, json, threading
port, nbad, cafile = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
bad = [0]
stop = [False]
def flood():
    while not stop[0] and bad[0] < nbad:
        try:
            c = socket.create_connection(("127.0.0.1", port), timeout=10)
            c.sendall(b"GET / HTTP/1.0\\r\\n\\r\\n")  # plain text to a TLS server
            c.close()
        except OSError:
            pass
        bad[0] += 1
threads = [threading.Thread(target=flood) for _ in range(4)]
for t in threads: t.start()
while bad[0] < 100: time.sleep(0.01)  # the flood is on
ctx = ssl.create_default_context(cafile=cafile)
lat = []
for i in range(10):
    t0 = time.monotonic()
    c = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=30), server_hostname="localhost")
    c.sendall(b"hello %d\\n" % i)
    got = c.makefile("rb").readline()
    c.close()
    assert got == b"served %d\\n" % i, got
    lat.append(round((time.monotonic() - t0) * 1000))
stop[0] = True
for t in threads: t.join()
print(json.dumps({"lat_ms": lat, "bad": bad[0]}))
`,
      String(port_of(server)),
      "3000",
      CERT,
    );
    const { lat_ms, bad } = JSON.parse(out) as { lat_ms: number[]; bad: number };
    console.log(`  good TLS round trips (ms) during the flood: ${lat_ms.join(" ")}`);
    await until(() => server.errors.length > 0, 10_000, "failed handshakes reported");
    const failed = server.errors.filter((e) => e.request === null && e.error instanceof OSError);
    console.log(
      `  ${bad} plain-text clients; ${failed.length} failed accepts reported (${[
        ...new Set(failed.map((e) => (e.error as Error).name)),
      ]})`,
    );
    assert.ok(failed.length > 0, "failed handshakes are reported through handle_error");
    assert.ok(failed.every((e) => (e.error as Error).name.startsWith("SSL")), "reported as SSL errors");
    assert.equal(server.errors.length, failed.length, "no handler failed");
    // Before: each failed handshake paused the loop 10 ms (3,000 of them: 30 s).
    assert.ok(Math.max(...lat_ms) < 10_000, `good client delayed: ${lat_ms}`);
  } finally {
    await server.shutdown();
    await server.server_close();
    await serving;
  }
});

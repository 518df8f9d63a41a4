// The adversary's socketserver tests: log injection through whatever a
// client controls (an abstract Unix name it binds, a TLS server name, ALPN
// names), and slowloris by trickling: a client that sends one byte inside
// each of the handler's timeouts, against pysocket and CPython's
// socketserver side by side.

import assert from "node:assert/strict";
import { make_certs, python, python_server, read_first_line } from "./_ssl_fixtures.ts";
import { missing, test_needing } from "./_socket_fixtures.ts";

const test = test_needing("openssl");

const dec = new TextDecoder();
const ROOT = new URL("..", import.meta.url).href;
// Without openssl every test here is registered as ignored (test_needing), and no certificate is made.
const certs = (missing("openssl") ? undefined : await make_certs())!;

// A pysocket server in its own process, so its stderr (handle_error's output) can be read whole.
const SERVER = `
const [root, kind, cert, key, seconds] = Deno.args;
const { TCPServer, UnixStreamServer, StreamRequestHandler } = await import(root + "socketserver.ts");
const { create_default_context, Purpose } = await import(root + "ssl.ts");
class H extends StreamRequestHandler {
  timeout = 5;
  async handle() {
    await this.rfile.readline();
    throw new Error("handler failed");
  }
}
let server;
if (kind === "unix") {
  const path = cert.replace(/[^/]+$/, "") + "adv.sock";
  server = new UnixStreamServer(path, H);
  console.log(path);
} else {
  server = new TCPServer(["127.0.0.1", 0], H);
  const ctx = create_default_context(Purpose.CLIENT_AUTH);
  ctx.load_cert_chain(cert, key);
  server.socket = await ctx.wrap_socket(server.socket, { server_side: true });
  console.log(server.server_address[1]);
}
const serving = server.serve_forever(0.05);
await new Promise((r) => setTimeout(r, Number(seconds) * 1000));
await server.shutdown();
await server.server_close();
await serving;
`;

async function run_server(kind: string, client: string, ...args: string[]): Promise<string> {
  const path = `${certs.dir}/adv_server_${kind}.ts`;
  Deno.writeTextFileSync(path, SERVER);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-net", path, ROOT, kind, certs.P("server.pem"), certs.P("server.key"), "4"],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
    signal: AbortSignal.timeout(30_000),
  }).spawn();
  const reader = child.stdout.getReader();
  const first = await read_first_line(reader);
  reader.releaseLock();
  const c = await python(client, first.trim(), ...args);
  const out = await child.output();
  return dec.decode(out.stderr) + "\n(client: " + c.out + c.err + ")";
}

/** No line of the log starts with what the attacker planted, and no raw escape reached it. */
function assert_clean(log: string): void {
  for (const line of log.split("\n")) assert.doesNotMatch(line, /^(FAKE|-+ forged)/, log);
  assert.ok(!log.includes("\x1b"), "a raw terminal escape reached the log");
}

test("adversary: a Unix client bound to an abstract name full of newlines and escapes cannot forge log lines", async () => {
  // Abstract names are machine-wide (no temp dir): a random tail keeps two runs of the suite apart.
  const tag = crypto.randomUUID().slice(0, 8);
  const log = await run_server(
    "unix",
    `
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(b"\\0x\\n---------------------------------------- forged\\nFAKE LINE\\x1b[2J\\r" + sys.argv[2].encode())
s.connect(sys.argv[1])
s.sendall(b"go\\n")
s.recv(10)
s.close()
`,
    tag,
  );
  assert.match(log, /handler failed/);
  assert.match(log, new RegExp(String.raw`request from b'\\x00x\\n-+ forged\\nFAKE LINE\\x1b\[2J\\r${tag}'`), log);
  assert_clean(log);
});

test("adversary: TLS server names and ALPN names with newlines and escapes cannot forge log lines", async () => {
  const log = await run_server(
    "tls",
    `
import socket, ssl, sys
port = int(sys.argv[1])
for name, alpn in [("evil\\nFAKE LINE\\x1b[2J", None), ("ok.example", ["h2\\nFAKE ALPN\\x1b[2J"]), ("ok.example", None)]:
    ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
    if alpn: ctx.set_alpn_protocols(alpn)
    try:
        with ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5), server_hostname=name) as s:
            s.sendall(b"go\\n"); s.recv(10)
    except Exception as e:
        print(type(e).__name__)
`,
  );
  assert.match(log, /handler failed/, log); // the good client's request reached the handler
  assert_clean(log);
});

// ---- slowloris by trickling ------------------------------------------------

// A client that sends one byte every 0.4 s, never a newline, to a handler
// with timeout 1 s that reads a line; prints how long the server kept it.
const TRICKLER = `
import socket, sys, time
port, limit = int(sys.argv[1]), float(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port)); s.settimeout(0.4)
t0 = time.time()
while time.time() - t0 < limit:
    try:
        s.sendall(b"x")
        if s.recv(100) == b"": break
    except socket.timeout:
        continue
    except OSError:
        break
print(round(time.time() - t0, 1), flush=True)
`;

const CPYTHON_SERVER = `
import socketserver, sys, threading, time
class H(socketserver.StreamRequestHandler):
    timeout = 1
    def handle(self):
        self.rfile.readline()
class S(socketserver.ThreadingTCPServer):
    daemon_threads = True
    def handle_error(self, request, address): pass
with S(("127.0.0.1", 0), H) as srv:
    print(srv.server_address[1], flush=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    time.sleep(float(sys.argv[1]))
`;

const PYSOCKET_SERVER = `
const [root, seconds] = Deno.args;
const { ThreadingTCPServer, StreamRequestHandler } = await import(root + "socketserver.ts");
class H extends StreamRequestHandler {
  timeout = 1;
  async handle() { await this.rfile.readline(); }
}
class S extends ThreadingTCPServer { handle_error() {} }
const server = new S(["127.0.0.1", 0], H);
console.log(server.server_address[1]);
const serving = server.serve_forever(0.05);
await new Promise((r) => setTimeout(r, Number(seconds) * 1000));
await server.shutdown();
await server.server_close();
await serving;
`;

test("adversary: a client trickling a byte inside each timeout holds its handler as long as in CPython (the timeout is per operation)", async () => {
  const twin = await python_server(CPYTHON_SERVER, "8");
  const cp = await python(TRICKLER, twin.first, "4");
  twin.kill();
  await twin.rest();
  const path = `${certs.dir}/adv_trickle_server.ts`;
  Deno.writeTextFileSync(path, PYSOCKET_SERVER);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-net", path, ROOT, "8"],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
    signal: AbortSignal.timeout(30_000),
  }).spawn();
  const reader = child.stdout.getReader();
  const port = await read_first_line(reader);
  reader.releaseLock();
  const ours = await python(TRICKLER, port.trim(), "4");
  child.kill();
  await child.output().catch(() => null);
  const [a, b] = [Number(cp.out.trim()), Number(ours.out.trim())];
  console.log(`  trickling client held its handler: CPython ${a} s, pysocket ${b} s (limit 4 s, handler timeout 1 s)`);
  // Both keep the trickler for the whole 4 s: a per-operation timeout never fires. Documented in socketserver.
  assert.ok(a >= 3.5 && b >= 3.5, `CPython ${a} s, pysocket ${b} s`);
});

// Runs the examples as a user would (`deno run` in a subprocess, loopback
// only, bounded time) and checks what they print and send.

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3");

const DENO = Deno.execPath();
const EXAMPLES = fileURLToPath(new URL("../examples/", import.meta.url));
const LIMIT_MS = 30_000; // no example may run longer than this

/** A subprocess whose stdout and stderr are collected as they arrive. */
class Proc implements AsyncDisposable {
  #child: Deno.ChildProcess;
  #out = "";
  #err = "";
  #bytes: Uint8Array[] = [];
  #done: Promise<void>;
  #keep_bytes: boolean;
  status: Promise<Deno.CommandStatus>;

  constructor(
    cmd: string,
    args: string[],
    opts: { cwd?: string; stdin?: "piped" | "null"; keep_bytes?: boolean } = {},
  ) {
    this.#keep_bytes = opts.keep_bytes ?? false;
    this.#child = new Deno.Command(cmd, {
      args,
      cwd: opts.cwd ?? EXAMPLES,
      stdin: opts.stdin ?? "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
      signal: AbortSignal.timeout(LIMIT_MS),
    }).spawn();
    this.status = this.#child.status;
    this.#done = Promise.all([
      this.#collect(this.#child.stdout, (s, b) => {
        this.#out += s;
        if (this.#keep_bytes) this.#bytes.push(b);
      }),
      this.#collect(this.#child.stderr, (s) => (this.#err += s)),
    ]).then(() => {});
  }

  async #collect(stream: ReadableStream<Uint8Array>, sink: (s: string, b: Uint8Array) => void): Promise<void> {
    const dec = new TextDecoder();
    for await (const chunk of stream) sink(dec.decode(chunk, { stream: true }), chunk);
  }

  get stdin(): WritableStream<Uint8Array> {
    return this.#child.stdin;
  }

  /** Wait (bounded) until stdout+stderr match `re`; returns the match. */
  async wait_for(re: RegExp, ms = 15_000): Promise<RegExpMatchArray> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const m = (this.#out + this.#err).match(re);
      if (m) return m;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`timed out waiting for ${re}; stdout: ${this.#out}\nstderr: ${this.#err}`);
  }

  /** Wait for the exit; returns the code and everything printed. */
  async result(): Promise<{ code: number; out: string; err: string; bytes: Uint8Array }> {
    const st = await this.status;
    await this.#done;
    const total = this.#bytes.reduce((n, b) => n + b.length, 0);
    const bytes = new Uint8Array(total);
    let off = 0;
    for (const b of this.#bytes) bytes.set(b, off), off += b.length;
    return { code: st.code, out: this.#out, err: this.#err, bytes };
  }

  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.#child.kill();
    } catch { /* exited already */ }
    try {
      await this.#child.stdin?.close();
    } catch { /* not piped, or closed */ }
    await this.status;
    await this.#done;
  }
}

/** `deno run <flags> examples/<name> <args>`. */
function example(name: string, flags: string[], args: string[] = [], opts: { cwd?: string } = {}): Proc {
  return new Proc(DENO, ["run", "--no-prompt", ...flags, EXAMPLES + name, ...args], opts);
}

test("examples/echo_server.ts and echo_client.ts talk as in Python's tutorial", async () => {
  await using srv = example("echo_server.ts", ["--allow-net=127.0.0.1"], ["0", "127.0.0.1"]);
  const [, port] = await srv.wait_for(/Listening on \[ "127\.0\.0\.1", (\d+) \]/);
  await using cli = example("echo_client.ts", ["--allow-net=127.0.0.1"], ["127.0.0.1", port!]);
  const c = await cli.result();
  assert.equal(c.code, 0, c.err);
  assert.equal(c.out, "Received b'Hello, world'\n");
  const s = await srv.result();
  assert.equal(s.code, 0, s.err);
  assert.match(s.out, /Connected by \[ "127\.0\.0\.1", \d+ \]/);
});

test("examples/echo_server.ts serves the Python tutorial's own client (python3)", async () => {
  await using srv = example("echo_server.ts", ["--allow-net=127.0.0.1"], ["0", "127.0.0.1"]);
  const [, port] = await srv.wait_for(/Listening on \[ "127\.0\.0\.1", (\d+) \]/);
  const py = [
    "import socket",
    `HOST = '127.0.0.1'`,
    `PORT = ${port}`,
    "with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:",
    "    s.settimeout(10)",
    "    s.connect((HOST, PORT))",
    "    s.sendall(b'Hello, world')",
    "    data = s.recv(1024)",
    "print('Received', repr(data))",
  ].join("\n");
  await using cli = new Proc("python3", ["-c", py]);
  const c = await cli.result();
  assert.equal(c.code, 0, c.err);
  assert.equal(c.out, "Received b'Hello, world'\n");
  assert.equal((await srv.result()).code, 0);
});

test("examples/echo_client.ts talks to the Python tutorial's own server (python3)", async () => {
  const py = [
    "import socket, sys",
    "with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:",
    "    s.settimeout(20)",
    "    s.bind(('127.0.0.1', 0))",
    "    s.listen(1)",
    "    print('PORT', s.getsockname()[1], flush=True)",
    "    conn, addr = s.accept()",
    "    with conn:",
    "        while True:",
    "            data = conn.recv(1024)",
    "            if not data: break",
    "            conn.sendall(data)",
  ].join("\n");
  await using srv = new Proc("python3", ["-c", py]);
  const [, port] = await srv.wait_for(/PORT (\d+)/);
  await using cli = example("echo_client.ts", ["--allow-net=127.0.0.1"], ["127.0.0.1", port!]);
  const c = await cli.result();
  assert.equal(c.code, 0, c.err);
  assert.equal(c.out, "Received b'Hello, world'\n");
  assert.equal((await srv.result()).code, 0);
});

test("examples/unix_ipc.ts: two processes exchange lines over a Unix socket", async () => {
  await using p = example("unix_ipc.ts", ["--allow-read", "--allow-write", "--allow-net", "--allow-run"]);
  const r = await p.result();
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /\[child \d+\] connected to \/.*ipc\.sock/);
  assert.match(r.out, /\[child \d+\] answer: HELLO PARENT \(answered by \d+\)/);
  assert.match(r.out, /child said goodbye after 3 lines/);
  assert.match(r.out, /child exited with code 0/);
  const dir = r.out.match(/listening on (\/\S+)\/ipc\.sock/)?.[1];
  assert.ok(dir);
  await assert.rejects(Deno.stat(dir), Deno.errors.NotFound); // it cleaned up
});

test("examples/http_get.ts with no URL fetches from its own local server", async () => {
  await using p = example("http_get.ts", ["--allow-net=127.0.0.1"]);
  const r = await p.result();
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^HTTP\/1\.1 200 OK$/m);
  assert.match(r.out, /^ {2}Server: pysocket$/m);
  const len = Number(r.out.match(/Content-Length: (\d+)/)?.[1]);
  assert.ok(len > 0);
  assert.match(r.out, new RegExp(`^body: ${len} bytes \\(Content-Length\\)$`, "m"));
});

test("examples/http_get.ts fetches from python3's http.server", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const body = new Uint8Array(100_000).fill(97);
    await Deno.writeFile(`${dir}/a.txt`, body);
    await using srv = new Proc("python3", ["-u", "-m", "http.server", "0", "--bind", "127.0.0.1"], { cwd: dir });
    const [, port] = await srv.wait_for(/port (\d+)/);
    await using p = example("http_get.ts", ["--allow-net=127.0.0.1"], [`http://127.0.0.1:${port}/a.txt`]);
    const r = await p.result();
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^HTTP\/1\.[01] 200 OK$/m);
    assert.match(r.out, /^body: 100000 bytes/m);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Run netcat -l and a netcat client whose stdin is `file` (a real file redirect). */
async function netcat_copy(
  flags: string[],
  listen_args: string[],
  connect_args: (m: RegExpMatchArray) => string[],
  file: string,
  cwd: string,
): Promise<{ got: Uint8Array; client_err: string; server_err: string }> {
  const nc = EXAMPLES + "netcat.ts";
  await using srv = new Proc(DENO, ["run", "--no-prompt", ...flags, nc, "-l", ...listen_args], {
    cwd,
    keep_bytes: true,
  });
  const m = await srv.wait_for(/netcat: listening on (.*)\n/);
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  const cmd = [DENO, "run", "--no-prompt", ...flags, nc, ...connect_args(m)].map(quote).join(" ");
  await using cli = new Proc("bash", ["-c", `exec ${cmd} < ${quote(file)}`], { cwd });
  const c = await cli.result();
  assert.equal(c.code, 0, c.err);
  const s = await srv.result();
  assert.equal(s.code, 0, s.err);
  return { got: s.bytes, client_err: c.err, server_err: s.err };
}

test("examples/netcat.ts copies a file over TCP, run as a command from another directory", async () => {
  const cwd = await Deno.makeTempDir();
  try {
    const data = crypto.getRandomValues(new Uint8Array(65536));
    const big = new Uint8Array(3 * 1024 * 1024 + 17);
    for (let i = 0; i < big.length; i += data.length) big.set(data.subarray(0, big.length - i), i);
    await Deno.writeFile(`${cwd}/in.bin`, big);
    // Only the permission README grants to netcat on loopback: --allow-net=127.0.0.1.
    const r = await netcat_copy(
      ["--allow-net=127.0.0.1"],
      ["127.0.0.1", "0"],
      (m) => ["127.0.0.1", String(JSON.parse(m[1]!)[1])],
      `${cwd}/in.bin`,
      cwd,
    );
    assert.equal(r.got.length, big.length);
    assert.deepEqual(r.got, big);
    assert.match(
      r.client_err,
      new RegExp(`sent ${big.length} bytes, received 0 bytes in [\\d.]+ s \\([\\d.]+ \\S+/s\\)`),
    );
    assert.match(r.server_err, new RegExp(`sent 0 bytes, received ${big.length} bytes`));
    assert.doesNotMatch(r.client_err, /\r/); // stderr is not a terminal: no progress line
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

test("examples/netcat.ts copies a file over a Unix socket (-U) and IPv6 (-6)", async () => {
  const cwd = await Deno.makeTempDir();
  try {
    const data = crypto.getRandomValues(new Uint8Array(50_000));
    await Deno.writeFile(`${cwd}/in.bin`, data);
    const path = `${cwd}/nc.sock`;
    const u = await netcat_copy(
      ["--allow-net", `--allow-read=${cwd}`, `--allow-write=${cwd}`],
      ["-U", path],
      () => ["-U", path],
      `${cwd}/in.bin`,
      cwd,
    );
    assert.deepEqual(u.got, data);
    await assert.rejects(Deno.stat(path), Deno.errors.NotFound); // netcat -lU removes its socket file
    const v6 = await netcat_copy(
      ["--allow-net=[::1]"],
      ["-6", "::1", "0"],
      (m) => ["-6", "::1", String(JSON.parse(m[1]!)[1])],
      `${cwd}/in.bin`,
      cwd,
    );
    assert.deepEqual(v6.got, data);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

test("examples/netcat.ts talks both ways with a python3 peer and quits after -w idle", async () => {
  const py = [
    "import socket",
    "s = socket.create_server(('127.0.0.1', 0))",
    "s.settimeout(20)",
    "print('PORT', s.getsockname()[1], flush=True)",
    "c, _ = s.accept()",
    "c.settimeout(20)",
    "c.sendall(b'from python\\n')",
    "data = b''",
    "while not data.endswith(b'\\n'):",
    "    chunk = c.recv(100)",
    "    if not chunk: break",
    "    data += chunk",
    "print('GOT', data.decode().strip(), flush=True)",
    "import time; time.sleep(3)", // stay connected but idle: netcat -w 1 must quit
    "c.close()",
  ].join("\n");
  await using srv = new Proc("python3", ["-c", py]);
  const [, port] = await srv.wait_for(/PORT (\d+)/);
  await using nc = new Proc(DENO, [
    "run",
    "--no-prompt",
    "--allow-net=127.0.0.1",
    EXAMPLES + "netcat.ts",
    "-w",
    "1",
    "127.0.0.1",
    port!,
  ], {
    stdin: "piped",
  });
  const w = nc.stdin.getWriter();
  await w.write(new TextEncoder().encode("from deno\n"));
  const start = Date.now();
  const r = await nc.result(); // stdin stays open: only -w ends it
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, "from python\n");
  assert.ok(Date.now() - start < 2900, "netcat -w 1 quit before the peer closed");
  assert.match(r.err, /sent 10 bytes, received 12 bytes/);
  await srv.wait_for(/GOT from deno/);
  await w.close().catch(() => {}); // the pipe is gone: netcat exited
});

test("examples/netcat.ts --help, bad options, and -u without --unstable-net", async () => {
  await using h = example("netcat.ts", [], ["--help"]);
  const help = await h.result();
  assert.equal(help.code, 0);
  assert.match(help.out, /^usage: netcat\.ts/);
  for (const flag of ["-l", "-u", "-U", "-6", "-w", "--help"]) assert.ok(help.out.includes(flag), flag);

  await using bad = example("netcat.ts", [], ["-x", "host", "1"]);
  const b = await bad.result();
  assert.equal(b.code, 2);
  assert.match(b.err, /Unknown option '-x'/);

  await using noport = example("netcat.ts", [], ["127.0.0.1"]);
  assert.equal((await noport.result()).code, 2);

  await using udp = example("netcat.ts", ["--allow-net=127.0.0.1"], ["-u", "127.0.0.1", "9"]);
  const u = await udp.result();
  assert.equal(u.code, 1);
  assert.match(u.err, /--unstable-net/);
});

test("examples/netcat.ts -u (with --unstable-net) answers a python3 UDP client", async () => {
  await using nc = new Proc(DENO, [
    "run",
    "--no-prompt",
    "--unstable-net",
    "--allow-net=127.0.0.1",
    EXAMPLES + "netcat.ts",
    "-u",
    "-w",
    "1",
    "-l",
    "127.0.0.1",
    "0",
  ], { stdin: "piped" });
  const [, port] = await nc.wait_for(/listening on \["127\.0\.0\.1",(\d+)\]/);
  const w = nc.stdin.getWriter();
  await w.write(new TextEncoder().encode("pong\n")); // sent to the first sender
  const py = [
    "import socket",
    "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
    "s.settimeout(10)",
    `s.sendto(b'ping\\n', ('127.0.0.1', ${port}))`,
    "data, addr = s.recvfrom(100)",
    "print('GOT', data.decode().strip(), addr[1] == " + port + ")",
  ].join("\n");
  await using cli = new Proc("python3", ["-c", py]);
  const c = await cli.result();
  assert.equal(c.code, 0, c.err);
  assert.equal(c.out, "GOT pong True\n");
  const r = await nc.result(); // -w 1: quits once idle
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, "ping\n");
  assert.match(r.err, /sent 5 bytes, received 5 bytes/);
  await w.close().catch(() => {});
});

test("examples/netcat.ts installs with deno install and runs as a command", async () => {
  const root = await Deno.makeTempDir();
  try {
    await using inst = new Proc(DENO, [
      "install",
      "--global",
      "--root",
      root,
      "--allow-net=127.0.0.1",
      // From a checkout, the example's `@pysocket/socket` import resolves through the package's own deno.json
      // (a global install reads no config unless told); the published file's import is a jsr: specifier.
      "--config",
      fileURLToPath(new URL("../deno.json", import.meta.url)),
      "-n",
      "pync",
      EXAMPLES + "netcat.ts",
    ], { cwd: root });
    const i = await inst.result();
    assert.equal(i.code, 0, i.err);
    await using run = new Proc(`${root}/bin/pync`, ["--help"], { cwd: root });
    const r = await run.result();
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^usage: netcat\.ts/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

// ---- docs/tour.md: every step's command prints the output the tour shows ----

const ROOT = fileURLToPath(new URL("../", import.meta.url));

interface TourStep {
  command: string;
  expected: string[];
}

/** Each ```sh block of docs/tour.md with one `deno run` line, paired with the ```text block that follows it. */
async function tour_steps(): Promise<TourStep[]> {
  const md = await Deno.readTextFile(`${ROOT}docs/tour.md`);
  const steps: TourStep[] = [];
  for (const m of md.matchAll(/```sh\n(deno run [^\n]+)\n```\n+```text\n([\s\S]*?)\n```/g)) {
    steps.push({ command: m[1]!, expected: m[2]!.split("\n") });
  }
  return steps;
}

/** What may differ between machines and runs, per example: masked on both sides before comparing. */
const TOUR_MASKS: Record<string, { re: RegExp; check: RegExp }[]> = {
  "examples/ports.ts": [{ re: /^ {2}port \d+: /, check: /^ {2}port \d{1,5}: (open|closed \(ECONNREFUSED\))$/ }],
  "examples/addresses.ts": [{
    re: /^getaddrinfo\("localhost", 80\): .*/,
    check: /^getaddrinfo\("localhost", 80\): (AF_INET \["127\.0\.0\.1",80\]|AF_INET6 \["::1",80,0,0\])$/,
  }],
  "examples/mac_addresses.ts": [{
    re: /^.*$/,
    check: /^\S+ +MAC ([0-9a-f]{2}:){5}[0-9a-f]{2} {2}IP( [0-9a-f.:]+\/\d+)*$/,
  }],
};

function mask(file: string, lines: string[]): string[] {
  return lines.map((l) => {
    for (const m of TOUR_MASKS[file] ?? []) {
      if (m.re.test(l)) {
        assert.match(l, m.check);
        return `<${m.re.source}>`;
      }
    }
    return l;
  });
}

test("docs/tour.md: each step's command prints the output the tour shows", async () => {
  const steps = await tour_steps();
  assert.deepEqual(
    steps.map((s) => s.command.match(/examples\/\S+\.ts/)?.[0]),
    ["examples/layers.ts", "examples/addresses.ts", "examples/mac_addresses.ts", "examples/ports.ts"],
  );
  for (const step of steps) {
    const args = step.command.split(/\s+/).slice(2); // after "deno run"
    const file = args.find((a) => a.startsWith("examples/"))!;
    await using p = new Proc(DENO, ["run", "--no-prompt", ...args], { cwd: ROOT });
    const r = await p.result();
    assert.equal(r.code, 0, `${step.command}\n${r.err}`);
    const got = r.out.replace(/\n$/, "").split("\n");
    if (file === "examples/mac_addresses.ts") {
      // Interfaces differ by machine: same format, and loopback is there with its all-zero MAC.
      mask(file, got), mask(file, step.expected);
      assert.ok(got.some((l) => /^lo +MAC 00:00:00:00:00:00 {2}IP .*127\.0\.0\.1\/8/.test(l)), r.out);
      continue;
    }
    if (file === "examples/addresses.ts") {
      // /etc/hosts may map localhost to both families: one line per address, as the tour says.
      const fixed = (ls: string[]) => ls.filter((l) => !l.startsWith('getaddrinfo("localhost"'));
      assert.deepEqual(fixed(got), fixed(step.expected), step.command);
      const local = got.filter((l) => l.startsWith('getaddrinfo("localhost"'));
      assert.ok(local.length >= 1 && local.length <= 2, r.out);
      mask(file, local), mask(file, step.expected);
      continue;
    }
    assert.deepEqual(mask(file, got), mask(file, step.expected), step.command);
  }
});

test("docs/tour.md: the values the tour prints are CPython's (python3)", async () => {
  const py = [
    "import socket",
    "print(f\"IPv4 127.0.0.1 is 4 bytes: {socket.inet_pton(socket.AF_INET, '127.0.0.1').hex()}\")",
    "v6 = socket.inet_pton(socket.AF_INET6, '2001:0db8:0000:0000:0000:0000:0000:0001')",
    "print(f'IPv6 2001:0db8:0000:0000:0000:0000:0000:0001 is {len(v6)} bytes, printed as {socket.inet_ntop(socket.AF_INET6, v6)}')",
    "print(f\"IPv4 inside IPv6: {socket.inet_ntop(socket.AF_INET6, socket.inet_pton(socket.AF_INET6, '::ffff:127.0.0.1'))}\")",
    "print(f\"The classic short form 127.1 is {socket.inet_ntoa(socket.inet_aton('127.1'))}\")",
    "for name in ('http', 'ftp', 'smtp', 'ssh', 'https'): print(f'getservbyname(\"{name}\") = {socket.getservbyname(name)}')",
    "print(f'getservbyport(443) = \"{socket.getservbyport(443)}\"')",
  ].join("\n");
  await using p = new Proc("python3", ["-c", py]);
  const r = await p.result();
  assert.equal(r.code, 0, r.err);
  const expected = (await tour_steps()).flatMap((s) => s.expected);
  for (const line of r.out.trim().split("\n")) assert.ok(expected.includes(line), `CPython printed ${line}`);
});

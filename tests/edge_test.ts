// Edge runtimes (Deno Deploy and friends) have Deno.connect but no
// Deno.listen / Deno.listenDatagram. pysocket must import there, its client
// sockets must work, and its server calls must raise a clear OSError.
// Each scenario runs in a subprocess whose Deno.listen* were deleted before
// pysocket was imported.

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = new URL("../", import.meta.url);
const DENO = Deno.execPath();

/** The package's entry points, from deno.json's exports map. */
async function entry_points(): Promise<string[]> {
  const cfg = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  const exp = typeof cfg.exports === "string" ? { ".": cfg.exports } : cfg.exports;
  return Object.values(exp as Record<string, string>).map((p) => new URL(p, ROOT).href);
}

/** Run `code` (a module) in a subprocess without Deno.listen*; returns its JSON output. */
async function run_edge(code: string, flags: string[]): Promise<{ code: number; out: string; err: string }> {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/edge.ts`;
    await Deno.writeTextFile(
      file,
      [
        "const d = Deno as unknown as Record<string, unknown>;",
        "for (const k of ['listen', 'listenDatagram', 'listenTls']) delete d[k];",
        "if (typeof d.listen !== 'undefined') throw new Error('could not remove Deno.listen');",
        code,
      ].join("\n"),
    );
    const out = await new Deno.Command(DENO, {
      args: ["run", "--no-prompt", "--no-check", ...flags, file],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
      signal: AbortSignal.timeout(30_000),
    }).output();
    const dec = new TextDecoder();
    return { code: out.code, out: dec.decode(out.stdout), err: dec.decode(out.stderr) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("edge: without Deno.listen, client sockets work and server calls raise OSError", async () => {
  // The server lives here, in the test process, with Deno's own API.
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  const served = (async () => {
    for (let i = 0; i < 2; i++) {
      using conn = await listener.accept();
      const buf = new Uint8Array(64);
      const n = await conn.read(buf);
      const text = new TextDecoder().decode(buf.subarray(0, n ?? 0));
      await conn.write(new TextEncoder().encode(text.toUpperCase()));
    }
  })();

  const mod = new URL("mod.ts", ROOT).href;
  const code = `
    const m = await import(${JSON.stringify(mod)});
    const enc = new TextEncoder(), dec = new TextDecoder();
    const out: Record<string, unknown> = {};
    // Clients: socket().connect and create_connection.
    {
      using s = m.socket();
      s.settimeout(10);
      await s.connect(["127.0.0.1", ${port}]);
      await s.sendall(enc.encode("ping"));
      out.socket = dec.decode(await s.recv(64));
    }
    {
      using s = await m.create_connection(["127.0.0.1", ${port}], 10);
      await s.sendall(enc.encode("hello"));
      out.create_connection = dec.decode(await s.recv(64));
    }
    // Servers: each must raise OSError with a clear message, nothing else.
    const server_calls: Record<string, () => unknown> = {
      bind: () => m.socket().bind(["127.0.0.1", 0]),
      listen: () => m.socket().listen(),
      bind_unix: () => m.socket(m.AF_UNIX).bind("\\0pysocket-edge"),
      create_server: () => m.create_server(["127.0.0.1", 0]),
      socketpair: () => m.socketpair(),
    };
    for (const [name, f] of Object.entries(server_calls)) {
      try {
        await f();
        out[name] = "no error";
      } catch (e) {
        out[name] = (e instanceof m.OSError ? "OSError: " : "OTHER " + (e as Error).name + ": ") + (e as Error).message;
      }
    }
    out.has_dualstack_ipv6 = m.has_dualstack_ipv6();
    console.log(JSON.stringify(out));
  `;
  const r = await run_edge(code, ["--allow-net=127.0.0.1"]);
  await served;
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out);
  assert.equal(out.socket, "PING");
  assert.equal(out.create_connection, "HELLO");
  for (const name of ["bind", "listen", "bind_unix", "create_server", "socketpair"]) {
    assert.match(out[name], /^OSError: .*Deno\.listen/, `${name}: ${out[name]}`);
  }
  assert.equal(out.has_dualstack_ipv6, false);
});

Deno.test("edge: every entry point imports without Deno.listen, with no permission and no flag", async () => {
  const imports = (await entry_points()).map((u) => `await import(${JSON.stringify(u)});`).join("\n");
  const r = await run_edge(imports + "\nconsole.log('imported');", []);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, "imported\n");
  assert.equal(r.err, "");
});

Deno.test("edge: SOCK_DGRAM without Deno.listenDatagram raises an OSError naming --unstable-net", async () => {
  const mod = new URL("mod.ts", ROOT).href;
  const code = `
    const m = await import(${JSON.stringify(mod)});
    try {
      m.socket(m.AF_INET, m.SOCK_DGRAM);
      console.log("no error");
    } catch (e) {
      console.log((e instanceof m.OSError ? "OSError: " : "OTHER: ") + (e as Error).message);
    }
  `;
  // Even with --unstable-net: the runtime has no listenDatagram at all.
  const r = await run_edge(code, ["--unstable-net"]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^OSError: .*--unstable-net/);
});

// Keep the helper honest: the root really is the package directory.
Deno.test("edge: the test finds the package's deno.json", async () => {
  const eps = await entry_points();
  assert.ok(eps.length >= 1);
  assert.ok(eps.every((u) => u.startsWith(new URL("./", ROOT).href)));
  assert.ok(fileURLToPath(eps[0]!).endsWith("mod.ts"));
});

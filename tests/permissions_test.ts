// Permissions (issue 9): a client and a server run in subprocesses without
// --allow-net, or with --allow-net scoped to another host. Each gets
// PermissionError (errno EACCES) whose message names the missing permission,
// the program exits with the code it chose, and nothing crashes or is left
// uncaught.

import assert from "node:assert/strict";
import { AF_INET, create_server, errno, SOCK_DGRAM, socket } from "../mod.ts";

const PROBE = new URL("./fixtures/perm_probe.ts", import.meta.url).pathname;

interface Probe {
  code: number;
  report: { class: string; errno?: number | null; message?: string };
  stderr: string;
}

async function probe(flags: string[], op: string, arg: string): Promise<Probe> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--no-check", ...flags, PROBE, op, arg],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).output();
  const stdout = new TextDecoder().decode(out.stdout).trim();
  const stderr = new TextDecoder().decode(out.stderr);
  let report: Probe["report"];
  try {
    report = JSON.parse(stdout.split("\n").pop() ?? "");
  } catch {
    throw new Error(`probe printed no report (exit ${out.code})\nstdout: ${stdout}\nstderr: ${stderr}`);
  }
  return { code: out.code, report, stderr };
}

function assert_denied(p: Probe, what: string, flag = "--allow-net"): void {
  assert.equal(p.report.class, "PermissionError", `${what}: ${JSON.stringify(p.report)} ${p.stderr}`);
  assert.equal(p.report.errno, errno.EACCES, what);
  assert.ok((p.report.message ?? "").includes(flag), `${what}: the message names ${flag}: ${p.report.message}`);
  assert.equal(p.code, 42, `${what}: the program's own exit code`);
  assert.doesNotMatch(p.stderr, /Uncaught|panicked|error:/i, `${what}: no crash on stderr`);
}

const CASES: [string, string[]][] = [
  ["no --allow-net", []],
  ["--allow-net scoped to another host", ["--allow-net=example.com:443"]],
  ["--allow-net=localhost (does not cover 127.0.0.1)", ["--allow-net=localhost"]],
];

for (const [label, flags] of CASES) {
  Deno.test(`create_connection() in a subprocess with ${label} raises PermissionError naming --allow-net`, async () => {
    using srv = create_server(["127.0.0.1", 0]);
    const port = String((srv.getsockname() as [string, number])[1]);
    assert_denied(await probe(flags, "connect", port), "connect");
  });

  Deno.test(`create_server() in a subprocess with ${label} raises PermissionError naming --allow-net`, async () => {
    assert_denied(await probe(flags, "server", "0"), "server");
  });
}

// Deno 2.9.6 checks a Unix socket path for read, then write, then net access.
Deno.test("Socket.connect() AF_UNIX in a subprocess raises PermissionError naming each missing flag", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/nope.sock`;
    assert_denied(await probe(["--allow-read", "--allow-write"], "unix-connect", path), "unix connect", "--allow-net");
    assert_denied(await probe(["--allow-net", "--allow-write"], "unix-connect", path), "unix connect", "--allow-read");
    assert_denied(await probe(["--allow-net", "--allow-read"], "unix-connect", path), "unix connect", "--allow-write");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Socket.bind() SOCK_DGRAM in a subprocess with --unstable-net but no --allow-net raises PermissionError", async () => {
  using rx = socket(AF_INET, SOCK_DGRAM);
  rx.bind(["127.0.0.1", 0]);
  const port = String((rx.getsockname() as [string, number])[1]);
  assert_denied(await probe(["--unstable-net"], "udp", port), "udp");
});

Deno.test("create_connection() in a subprocess with --allow-net for the right host succeeds (control)", async () => {
  using srv = create_server(["127.0.0.1", 0]);
  const port = String((srv.getsockname() as [string, number])[1]);
  const p = await probe([`--allow-net=127.0.0.1:${port}`], "connect", port);
  assert.equal(p.report.class, "ok", JSON.stringify(p.report) + p.stderr);
  assert.equal(p.code, 0);
  const [conn] = await srv.accept();
  conn.close();
});

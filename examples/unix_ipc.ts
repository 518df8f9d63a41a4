/**
 * Two processes talking over a Unix socket: the parent binds a socket file
 * in a temporary directory, starts a child copy of this script with
 * `Deno.Command`, and the two exchange lines: the child asks, the parent
 * answers, the child half-closes (`shutdown(SHUT_WR)`), both finish.
 *
 * ```sh
 * deno run --allow-read --allow-write --allow-net --allow-run examples/unix_ipc.ts
 * ```
 *
 * On Deno 2.9.6 a Unix socket needs `--allow-read` and `--allow-write` for
 * its path (to bind and to connect) and `--allow-net`; the child gets only
 * the permissions for the one socket path.
 *
 * In Python this is `socket.socket(socket.AF_UNIX)` with `bind(path)` and
 * `connect(path)`, and `subprocess.Popen([sys.executable, __file__, ...])`.
 * @module
 */

import { AF_UNIX, SHUT_WR, SOCK_STREAM, socket } from "@pysocket/socket";

const enc = new TextEncoder();
const dec = new TextDecoder();

if (Deno.args[0] === "child") {
  await child(Deno.args[1]!);
} else {
  await parent();
}

/** The parent: listen on a socket file, start the child, answer its lines. */
async function parent(): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "pysocket-ipc-" });
  const path = `${dir}/ipc.sock`;
  try {
    using srv = socket(AF_UNIX, SOCK_STREAM);
    srv.bind(path);
    srv.listen(1);
    srv.settimeout(20); // never wait forever for a child that failed to start
    console.log(`[parent ${Deno.pid}] listening on ${srv.getsockname()}`);

    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-prompt",
        `--allow-read=${path}`,
        `--allow-write=${path}`,
        `--allow-net=unix:${path}`,
        import.meta.url,
        "child",
        path,
      ],
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();

    // If the child dies before connecting, stop waiting for it.
    const gone = new AbortController();
    child.status.then(() => gone.abort(new Error("the child exited before connecting")));
    try {
      const [conn, addr] = await srv.accept({ signal: gone.signal });
      using _conn = conn;
      conn.settimeout(20);
      // An unbound Unix client has no name: Python prints '' too.
      console.log(`[parent ${Deno.pid}] child connected from ${JSON.stringify(addr)}`);
      const rfile = conn.makefile("r");
      let served = 0;
      while (true) {
        const line = await rfile.readline() as string;
        if (line === "") break; // the child shut down its sending side
        const question = line.trimEnd();
        console.log(`[parent ${Deno.pid}] got: ${question}`);
        await conn.sendall(enc.encode(`${question.toUpperCase()} (answered by ${Deno.pid})\n`));
        served++;
      }
      console.log(`[parent ${Deno.pid}] child said goodbye after ${served} lines`);
    } finally {
      const status = await child.status;
      console.log(`[parent ${Deno.pid}] child exited with code ${status.code}`);
      if (!status.success) Deno.exitCode = 1;
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The child: connect, ask three questions, half-close, read the rest. */
async function child(path: string): Promise<void> {
  using s = socket(AF_UNIX, SOCK_STREAM);
  s.settimeout(20);
  await s.connect(path);
  console.log(`[child ${Deno.pid}] connected to ${s.getpeername()}`);
  const rfile = s.makefile("r");
  for (const q of ["hello parent", "what is my pid?", `it is ${Deno.pid}`]) {
    await s.sendall(enc.encode(q + "\n"));
    const answer = await rfile.readline() as string;
    console.log(`[child ${Deno.pid}] answer: ${answer.trimEnd()}`);
  }
  await s.shutdown(SHUT_WR); // the parent reads EOF; we could still read
  const rest = await s.recv(1024);
  console.log(`[child ${Deno.pid}] done (${dec.decode(rest) === "" ? "parent closed" : "extra bytes"})`);
}

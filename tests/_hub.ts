// A python3 process of peer threads for tests (tests/_hub.ts): one process per test instead of one per row.

const HUB = `import json, socket, sys, threading
CODE = compile(sys.argv[1], "peer.py", "exec")
ERRORS = sys.argv[2] == "errors"
lock = threading.Lock()
jobs = {}
def emit(jid, line):
    with lock:
        sys.stdout.write(jid + " " + line + "\\n"); sys.stdout.flush()
def run(jid, argv, listeners):
    g = {"__name__": "peer", "ARGV": argv, "LISTEN": listeners.append,
         "print": lambda *a, **k: emit(jid, " ".join(map(str, a)))}
    try:
        exec(CODE, g)
    except SystemExit:
        pass
    except BaseException as e:
        if ERRORS: emit(jid, "#error " + repr(e))
    emit(jid, "#end")
def stop(listeners):
    for ls in listeners:
        if callable(ls):
            ls(); continue
        try: ls.shutdown(socket.SHUT_RDWR)
        except OSError: pass
        ls.close()
for line in sys.stdin:
    jid, cmd, arg = line.rstrip("\\n").split(" ", 2)
    if cmd == "run":
        jobs[jid] = []
        threading.Thread(target=run, args=(jid, json.loads(arg), jobs[jid]), daemon=True).start()
    elif cmd == "kill":
        threading.Thread(target=stop, args=(jobs.get(jid, []),), daemon=True).start()
`;

/** A peer job of a Hub: its print() lines, and whether its script returned. */
export class Job {
  lines: string[] = [];
  ended = false;
  wake: (() => void) | null = null;
  constructor(readonly hub: Hub, readonly id: string) {}
  async #wait(what: string): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const woke = await new Promise<boolean>((r) => {
      this.wake = () => r(true);
      timer = setTimeout(() => r(false), 30_000);
    });
    clearTimeout(timer);
    if (!woke) {
      this.wake = null;
      throw new Error(`peer ${this.id}: ${what} within 30 s`);
    }
  }
  /** The job's next line (30 s at most). */
  async line(): Promise<string> {
    for (let i = 0; i < 1000 && !this.lines.length && !this.ended; i++) await this.#wait("no line");
    const l = this.lines.shift();
    if (l === undefined) throw new Error(`peer ${this.id} ended without a line`);
    return l;
  }
  /** Until the job's script returned (30 s at most). */
  async end(): Promise<void> {
    for (let i = 0; i < 1000 && !this.ended; i++) await this.#wait("not ended");
  }
  kill(): Promise<void> {
    return this.hub.send(`${this.id} kill -`).catch(() => {});
  }
}

/**
 * One python3 process that runs every CPython peer of a test, each a thread (a python3 start costs 0.1-0.2 s of CPU,
 * and tables started one per row): a job runs the role script with its own ARGV, its print() lines come back tagged
 * with its id, "#end" when it returns; kill closes the listening sockets it registered (LISTEN), which ends its
 * accept loop, or calls the functions it registered there. With `errors`, a script that raises (other than
 * SystemExit) sends "#error <repr>" as a line before "#end".
 */
export class Hub {
  #child: Deno.ChildProcess;
  #stdin: WritableStreamDefaultWriter<Uint8Array>;
  #jobs = new Map<string, Job>();
  #next = 0;
  #done: Promise<void>;
  constructor(script: string, options: { errors?: boolean } = {}) {
    this.#child = new Deno.Command("python3", {
      args: ["-u", "-c", HUB, script, options.errors ? "errors" : ""],
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
      signal: AbortSignal.timeout(180_000),
    }).spawn();
    this.#stdin = this.#child.stdin.getWriter();
    this.#done = this.#read();
  }
  async #read(): Promise<void> {
    let buf = "";
    const dec = new TextDecoder();
    for await (const chunk of this.#child.stdout) {
      buf += dec.decode(chunk, { stream: true });
      for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
        const l = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const sp = l.indexOf(" ");
        const job = this.#jobs.get(l.slice(0, sp));
        if (!job) continue;
        const rest = l.slice(sp + 1);
        if (rest === "#end") job.ended = true;
        else job.lines.push(rest);
        const w = job.wake;
        job.wake = null;
        w?.();
      }
    }
    for (const job of this.#jobs.values()) {
      job.ended = true;
      const w = job.wake;
      job.wake = null;
      w?.();
    }
  }
  send(line: string): Promise<void> {
    return this.#stdin.write(new TextEncoder().encode(line + "\n"));
  }
  /** A peer running the role script with these arguments (its ARGV[1:]). */
  run(...args: string[]): Job {
    const job = new Job(this, String(this.#next++));
    this.#jobs.set(job.id, job);
    this.send(`${job.id} run ${JSON.stringify(["peer.py", ...args])}`).catch(() => {});
    return job;
  }
  async close(): Promise<void> {
    await this.#stdin.close().catch(() => {});
    try {
      this.#child.kill();
    } catch { /* ended */ }
    await this.#done.catch(() => {});
    await this.#child.status;
  }
}

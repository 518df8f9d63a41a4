// Helpers shared by the bench rows: the raw-Deno peer on its own thread,
// running the CPython and Node peers, and small utilities.

import type { PeerDone, PeerJob } from "./peer_worker.ts";

/** The raw-Deno peer thread; runs one job at a time. */
export class Peer {
  #w: Worker;
  #waiting: ((d: PeerDone) => void) | null = null;
  #on_ready: ((d: PeerDone) => void) | null = null;

  constructor() {
    this.#w = new Worker(new URL("./peer_worker.ts", import.meta.url), { type: "module" });
    this.#w.onmessage = (e: MessageEvent<PeerDone>) => {
      if (e.data.ready) {
        const r = this.#on_ready;
        this.#on_ready = null;
        r?.(e.data);
        return;
      }
      const w = this.#waiting;
      this.#waiting = null;
      w?.(e.data);
    };
  }

  /** Start a job; the promise resolves when the peer reports it done. */
  run(job: PeerJob): Promise<PeerDone> {
    if (this.#waiting) throw new Error("peer busy");
    const p = new Promise<PeerDone>((r) => this.#waiting = r);
    this.#w.postMessage(job);
    return p.then((d) => {
      if (!d.ok) throw new Error(`peer ${job.op} failed: ${d.error}`);
      return d;
    });
  }

  /** Start a listening job: `ready` resolves with its port, `done` when it reports done. */
  start(job: PeerJob): { ready: Promise<number>; done: Promise<PeerDone> } {
    let fail!: (e: unknown) => void;
    const ready = new Promise<number>((r, j) => {
      this.#on_ready = (d) => r(d.port!);
      fail = j;
    });
    const done = this.run(job);
    // A job that fails before it listens rejects `ready` too.
    done.catch((e) => fail(e));
    return { ready, done };
  }

  /** Stop the thread. */
  close(): void {
    this.#w.terminate();
  }
}

/** The line protocol's lines (CPython's peer.py and peer.mjs build the same). */
export function line_blob(n: number): Uint8Array {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    parts.push(`line ${String(i).padStart(7, "0")} abcdefghijklmnopqrstuvwxyz\n`);
  }
  return new TextEncoder().encode(parts.join(""));
}

/** Run an external peer script and parse its one-line JSON result. */
export async function run_json(cmd: string, args: string[]): Promise<Record<string, unknown>> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr).slice(-500)}`);
  }
  const last = text.split("\n").pop() ?? "";
  return JSON.parse(last) as Record<string, unknown>;
}

/** The first line of `cmd --version`, or null when the command is absent. */
export async function version_of(cmd: string, arg = "--version"): Promise<string | null> {
  try {
    const out = await new Deno.Command(cmd, { args: [arg], stdout: "piped", stderr: "piped" }).output();
    if (!out.success) return null;
    const t = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    return t.trim().split("\n")[0] ?? null;
  } catch {
    return null;
  }
}

/**
 * Run an external peer script that prints one JSON line with its `port` as soon as it listens, then
 * its result line. `port` resolves with the first, `result` with the last.
 */
export function run_listening(
  cmd: string,
  args: string[],
): { port: Promise<number>; result: Promise<Record<string, unknown>> } {
  const child = new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).spawn();
  let got_port!: (p: number) => void, no_port!: (e: unknown) => void;
  const port = new Promise<number>((r, j) => {
    got_port = r;
    no_port = j;
  });
  const err_text = new Response(child.stderr).text();
  const result = (async () => {
    const lines: string[] = [];
    let rest = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      rest += chunk;
      let i;
      while ((i = rest.indexOf("\n")) >= 0) {
        const line = rest.slice(0, i).trim();
        rest = rest.slice(i + 1);
        if (!line) continue;
        if (lines.length === 0) got_port((JSON.parse(line) as { port: number }).port);
        lines.push(line);
      }
    }
    if (rest.trim()) lines.push(rest.trim());
    const status = await child.status;
    if (!status.success || lines.length < 2) {
      const e = new Error(`${cmd} ${args.join(" ")} failed: ${(await err_text).slice(-500)}`);
      no_port(e);
      throw e;
    }
    return JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
  })();
  result.catch(() => {});
  return { port, result };
}

/** A fresh temporary Unix socket path (its directory is removed by `cleanup`). */
export function unix_path(): { path: string; cleanup: () => void } {
  const dir = Deno.makeTempDirSync({ prefix: "pysocket-bench-" });
  return {
    path: `${dir}/s`,
    cleanup: () => {
      try {
        Deno.removeSync(dir, { recursive: true });
      } catch { /* gone */ }
    },
  };
}

/** Median of a non-empty list. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

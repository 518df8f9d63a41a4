// What the ported-program tests share (tests/ported_more*_test.ts): running a CPython original or its port as a
// child process, bounded in time, and comparing what it printed with CPython's.

import assert from "node:assert/strict";
import { make_certs } from "./_ssl_fixtures.ts";

/** How long a program may run before it is killed: generous, as several processes share 2 cores. */
export const RUN_MS = 90_000;
/** PORTED_RUN_IGNORED=1 runs the programs that are ignored for a known finding (to check a fix). */
export const RUN_IGNORED = Deno.env.get("PORTED_RUN_IGNORED") === "1";

/** Which side runs: the CPython original (`py`) or its port (`ts`). */
export type Lang = "py" | "ts";
/** What a program printed, and how it ended. */
export interface Result {
  out: string;
  err: string;
  code: number;
}

/** Read a stream to its end as text; `on_text` sees the text so far after each chunk. */
async function read_all(stream: ReadableStream<Uint8Array>, on_text?: (text: string) => void): Promise<string> {
  const d = new TextDecoder();
  let text = "";
  for await (const chunk of stream) {
    text += d.decode(chunk, { stream: true });
    on_text?.(text);
  }
  return text + d.decode();
}

/** A running program: its first stdout line (or null once it ended without one) and its whole output. */
export interface Running {
  child: Deno.ChildProcess;
  first: Promise<string | null>;
  done: Promise<Result>;
}

/**
 * Run `<root><prog>.py` under python3 or `<root><prog>.ts` under Deno (with `-A --unstable-net`), killed after
 * `ms`; `first` resolves with its first stdout line.
 */
export function run(root: string, lang: Lang, prog: string, args: string[], ms = RUN_MS): Running {
  const [cmd, pre] = lang === "py"
    ? ["python3", ["-u", `${root}${prog}.py`]]
    : [Deno.execPath(), ["run", "-A", "--unstable-net", "--no-prompt", `${root}${prog}.ts`]];
  const child = new Deno.Command(cmd, {
    args: [...pre, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  let got_first: (line: string | null) => void = () => {};
  const first = new Promise<string | null>((r) => got_first = r);
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  }, ms);
  const done = (async () => {
    try {
      const [out, err, status] = await Promise.all([
        read_all(child.stdout, (t) => {
          const nl = t.indexOf("\n");
          if (nl >= 0) got_first(t.slice(0, nl));
        }),
        read_all(child.stderr),
        child.status,
      ]);
      got_first(null);
      return { out, err, code: status.code };
    } finally {
      clearTimeout(timer);
    }
  })();
  return { child, first, done };
}

/** Paths the programs take as arguments. */
export interface Ctx {
  certs: string;
}
let certs_dir: Promise<string> | null = null;
/** The test certificates' directory, made once per test file. */
export const ctx = async (): Promise<Ctx> => ({ certs: await (certs_dir ??= make_certs().then((c) => c.dir)) });

/** A SingleSpec's `args`: the test certificates' directory. */
export const certs = async (): Promise<string[]> => [(await ctx()).certs];

/** The port printed what CPython printed (and ended with its exit code, when `exit_code`). */
export function same(label: string, got: Result, want: Result, exit_code = true): void {
  assert.equal(got.out, want.out, `${label}: stdout differs from CPython's.\n--- stderr ---\n${got.err}`);
  if (exit_code) assert.equal(got.code, want.code, `${label}: exit code\n${got.err}`);
}

/** What pair_tests() needs of a client/server pair. */
export interface PairBase {
  name: string;
  /** Only these (server, client) runs beside the reference (default: py+ts, ts+py, ts+ts). */
  runs?: [Lang, Lang][];
  /** The server is stopped by a signal once the client is done: its stderr and exit code are not compared. */
  kill?: boolean;
  ignore?: string;
}

/** How a promise ended, kept so that runs started together never leave a rejection unhandled. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };
/** `p`, settled: it never rejects. */
export function settle<T>(p: Promise<T>): Promise<Settled<T>> {
  return p.then((value) => ({ ok: true as const, value }), (error) => ({ ok: false as const, error }));
}
/** The value of a settled promise, or its error thrown again. */
export function unwrap<T>(s: Settled<T>): T {
  if (!s.ok) throw s.error;
  return s.value;
}

/** The pairings a pair runs beside the reference by default. */
export const DEFAULT_RUNS: [Lang, Lang][] = [["py", "ts"], ["ts", "py"], ["ts", "ts"]];

/**
 * One test per pair: python3 server and client as the reference, then each run of `spec.runs` as a step, the
 * client's and the server's stdout compared with the reference's (`run_pair` runs one pairing). The reference and
 * the pairings run at once (each pairing has its own processes and its own port or path, so they are independent
 * runs); each step waits for its own pairing.
 */
export function pair_tests<S extends PairBase, C>(
  test: (t: Deno.TestDefinition) => void,
  prefix: string,
  specs: S[],
  ctx: () => Promise<C>,
  run_pair: (spec: S, c: C, sl: Lang, cl: Lang) => Promise<{ server: Result; client: Result }>,
): void {
  for (const spec of specs) {
    test({
      name: `${prefix}: ${spec.name}`,
      ignore: spec.ignore !== undefined && !RUN_IGNORED,
      sanitizeOps: false,
      sanitizeResources: false,
      async fn(t) {
        const c = await ctx();
        const runs = spec.runs ?? DEFAULT_RUNS;
        const first = settle(run_pair(spec, c, "py", "py"));
        const got = runs.map(([sl, cl]) => settle(run_pair(spec, c, sl, cl)));
        try {
          let ref = unwrap(await first);
          if (ref.client.code !== 0) {
            // The reference itself failed (a loaded machine): once more, said aloud.
            console.log(
              `${prefix}: ${spec.name}: CPython's client ended with ${ref.client.code}; running the pair again`,
            );
            ref = await run_pair(spec, c, "py", "py");
          }
          assert.equal(ref.client.code, 0, `the CPython client failed:\n${ref.client.err}`);
          if (!spec.kill) assert.equal(ref.server.err, "", `the CPython server complained:\n${ref.server.err}`);
          for (const [i, [sl, cl]] of runs.entries()) {
            await t.step(`${sl} server + ${cl} client`, async () => {
              const run = unwrap(await got[i]!);
              same(`${cl} client`, run.client, ref.client);
              same(`${sl} server`, run.server, ref.server, !spec.kill);
            });
          }
        } finally {
          await Promise.all(got);
        }
      },
    });
  }
}

/** A program that holds every side itself (threads become tasks) and prints no port numbers. */
export interface SingleSpec {
  name: string;
  prog: string;
  /** Arguments (certificate paths), made once. */
  args?: () => Promise<string[]>;
  /** The exit code CPython's run ends with (default 0): a program that ends by sys.exit(n). */
  code?: number;
  /**
   * Why CPython's run and the port's run one after the other (a program that prints how its own tasks or threads
   * were scheduled: two runs at once on a loaded machine change it).
   */
  alone?: string;
  ignore?: string;
}

/** One test per single program of `root`: python3 and the port print the same and end with the same code. */
export function single_tests(
  test: (t: Deno.TestDefinition) => void,
  prefix: string,
  root: string,
  specs: SingleSpec[],
  /** Why every program of this file runs CPython's run and the port's one after the other (see `alone`). */
  all_alone?: string,
): void {
  for (const spec of specs) {
    test({
      name: `${prefix}: ${spec.name}`,
      ignore: spec.ignore !== undefined && !RUN_IGNORED,
      sanitizeOps: false,
      sanitizeResources: false,
      async fn() {
        const args = spec.args ? await spec.args() : [];
        // The port runs beside CPython's run (a single program binds port 0 and makes its own temp paths), or
        // after it (`alone`).
        const port_run = () => settle(run(root, "ts", spec.prog, args).done);
        let ts = spec.alone ?? all_alone ? null : port_run();
        try {
          let py = await run(root, "py", spec.prog, args).done;
          if (py.code !== (spec.code ?? 0)) {
            // The reference itself failed (a loaded machine can stall a program's threads past its own timeouts):
            // once more, said aloud; a program that fails twice under CPython fails the test.
            console.log(`${prefix}: ${spec.prog}: CPython's run ended with ${py.code}; running it again`);
            py = await run(root, "py", spec.prog, args).done;
          }
          assert.equal(py.code, spec.code ?? 0, `CPython failed:\n${py.err}`);
          ts ??= port_run();
          const first = unwrap(await ts);
          try {
            same(spec.prog, first, py);
          } catch (e) {
            // A program that prints how it was scheduled (`alone`) may print otherwise on a loaded machine, under
            // CPython as under the port: both run once more, one after the other, said aloud; the second pair must
            // agree (a difference that comes back fails the test).
            if (spec.alone === undefined) throw e;
            console.log(`${prefix}: ${spec.prog}: the runs differ (${spec.alone}); both run again`);
            const py2 = await run(root, "py", spec.prog, args).done;
            same(spec.prog, unwrap(await port_run()), py2);
          }
        } finally {
          await ts;
        }
      },
    });
  }
}

/**
 * One test per single program of `root`, as single_tests() makes, for programs that are independent (each binds
 * port 0 and makes its own temp paths): they run `lanes` at a time from the first test on, in the tests' order
 * (CPython's run beside the port's), and each test waits for its own pair, so the file takes about a third of the
 * time. A program that must run `alone` belongs in single_tests() instead.
 */
export function lane_tests(
  test: (t: Deno.TestDefinition) => void,
  prefix: string,
  root: string,
  specs: SingleSpec[],
  lanes = 3,
): void {
  type Pair = { py: Result; ts: Result };
  /** CPython's run and the port's, at once; CPython's once more, said aloud, if it failed (a loaded machine). */
  const run_spec = async (spec: SingleSpec): Promise<Pair> => {
    const args = spec.args ? await spec.args() : [];
    const ts = settle(run(root, "ts", spec.prog, args).done);
    let py = await run(root, "py", spec.prog, args).done;
    if (py.code !== (spec.code ?? 0)) {
      console.log(`${prefix}: ${spec.prog}: CPython's run ended with ${py.code}; running it again`);
      py = await run(root, "py", spec.prog, args).done;
    }
    return { py, ts: unwrap(await ts) };
  };

  let runs: Map<string, Promise<Settled<Pair>>> | null = null;
  /** Starts every program that is not ignored, `lanes` at a time (once). */
  const start_all = (): Map<string, Promise<Settled<Pair>>> => {
    if (runs) return runs;
    runs = new Map();
    const todo = specs.filter((s) => s.ignore === undefined || RUN_IGNORED);
    const done = new Map<string, (r: Settled<Pair>) => void>();
    for (const spec of todo) runs.set(spec.prog, new Promise((r) => done.set(spec.prog, r)));
    let next = 0;
    const lane = async () => {
      while (next < todo.length) {
        const spec = todo[next++]!;
        done.get(spec.prog)!(await settle(run_spec(spec)));
      }
    };
    for (let i = 0; i < lanes; i++) lane();
    return runs;
  };

  for (const spec of specs) {
    test({
      name: `${prefix}: ${spec.name}`,
      ignore: spec.ignore !== undefined && !RUN_IGNORED,
      sanitizeOps: false,
      sanitizeResources: false,
      async fn() {
        const { py, ts } = unwrap(await start_all().get(spec.prog)!);
        assert.equal(py.code, spec.code ?? 0, `CPython failed:\n${py.err}`);
        same(spec.prog, ts, py);
      },
    });
  }
}

/** A server program that prints its port as the last word of its first line, and its client. */
export interface PortPairSpec extends PairBase {
  server: string;
  client: string;
  /** Arguments after the port, for both sides. */
  args?: (ctx: Ctx) => string[];
}

/**
 * Runs a PortPairSpec of `root` once: the server on port 0, the client given the port it printed; the port
 * is PORT in both outputs.
 */
export function port_pair_runner(
  root: string,
): (spec: PortPairSpec, c: Ctx, sl: Lang, cl: Lang) => Promise<{ server: Result; client: Result }> {
  return async (spec, c, sl, cl) => {
    const extra = spec.args?.(c) ?? [];
    const server = run(root, sl, spec.server, ["0", ...extra], RUN_MS + 30_000);
    const line = await server.first;
    if (line === null) {
      const r = await server.done;
      throw new Error(`${sl} server ${spec.server} ended before printing its port:\n${r.out}\n${r.err}`);
    }
    const m = /(\d+)\s*$/.exec(line);
    assert.ok(m, `${sl} server's first line names no port: ${line}`);
    const port = Number(m[1]);
    const client = await run(root, cl, spec.client, [String(port), ...extra]).done;
    const s = await server.done;
    const n = (r: Result) => ({ ...r, out: r.out.replaceAll(String(port), "PORT") });
    return { server: n(s), client: n(client) };
  };
}

/** Prints why each ignored program is ignored (its finding). */
export function print_ignored(prefix: string, specs: { name: string; ignore?: string }[]): void {
  for (const p of specs.filter((p) => p.ignore)) console.log(`ignored: ${prefix}: ${p.name}: ${p.ignore}`);
}

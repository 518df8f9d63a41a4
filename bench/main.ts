// pysocket's benchmark suite: every row runs pysocket next to raw Deno (and
// CPython's blocking socket and Node's net where asked) in ONE process run,
// with interleaved rounds; the table shows medians, the min–max spread and
// ratios measured side by side. See bench/README.md.
//
// usage: deno task bench [--json] [--rounds=N] [--only=SUBSTR] [--quick]

import { median, Peer, run_json, run_listening, version_of } from "./_peer.ts";
import { make_certs } from "./_certs.ts";
import {
  py_longline,
  py_select_echo,
  py_tls_client_hs,
  py_tls_recv,
  py_tls_send,
  py_tls_server_hs,
  raw_select_echo,
  raw_tls_client_hs,
  raw_tls_recv,
  raw_tls_send,
  raw_tls_server_hs,
} from "./_tls_rows.ts";
import { line_blob } from "./_peer.ts";
import type { PeerJob } from "./peer_worker.ts";
import {
  idle_sample,
  memory_sample,
  node_idle_sample,
  py_bulk,
  py_churn,
  py_pingpong,
  py_readline,
  py_select_rw,
  py_sendall,
  py_small_sends,
  py_udp,
  raw_bulk,
  raw_churn,
  raw_pingpong,
  raw_sendall,
  raw_small_sends,
  raw_udp,
  type Sample,
  udp_skip_reason,
} from "./_deno_rows.ts";

// ---- configuration -----------------------------------------------------

const args = new Map<string, string>();
for (const a of Deno.args) {
  const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
  if (m) args.set(m[1]!, m[2] ?? "true");
}
const JSON_OUT = args.has("json");
const QUICK = args.has("quick");
const ROUNDS = Number(args.get("rounds") ?? (QUICK ? 2 : 5));
const ONLY = args.get("only") ?? "";
const MiB = 1024 * 1024;
const SCALE = QUICK ? 8 : 1;
const BULK = 256 * MiB / SCALE;
const SENDALL = 256 * MiB / SCALE;
const PINGS = 20_000 / SCALE;
const SMALL_SENDS = 200_000 / SCALE;
/** CPython pays a syscall per message (8,000-85,000 a second on the 2-core hosts seen): a quarter as many. */
const SMALL_SENDS_PY = SMALL_SENDS / 4;
const CHURN = 5_000 / SCALE;
const STARTS = QUICK ? 3 : 10;
const DGRAMS = 100_000 / SCALE;
const LINES = 1_000_000 / SCALE;
const PAIRS = 5_000 / SCALE;
const MEM_ROUNDS = Math.min(ROUNDS, 3);
const TLS_BULK = 64 * MiB / SCALE;
const HANDSHAKES = Math.ceil(300 / SCALE);
const ROOT_HANDSHAKES = Math.ceil(100 / SCALE);
const SEL_CONNS = 1000 / (QUICK ? 4 : 1);
const ECHOES = 20_000 / SCALE;
// 1,000 and 500 (round ten: 2,000 and 1,000): the four memory-idle rows took 7 minutes of a 12-minute run on a
// host whose syscalls were slower; bytes per connection do not depend on the count.
const IDLE_TCP = 1000 / (QUICK ? 4 : 1);
const IDLE_TLS = 500 / (QUICK ? 4 : 1);
const IDLE_BURST = MiB;
const LONG_LINE = 128 * MiB / SCALE;

function log(msg: string): void {
  if (!JSON_OUT) console.error(msg);
  else console.error(msg);
}

// ---- rows --------------------------------------------------------------

type Measure = () => Promise<Sample>;

interface Variant {
  name: string;
  run: Measure | null;
  skip?: string;
}

interface Ratio {
  num: string;
  den: string;
  /** Target for num/den (higher is better unless `lower`). */
  target?: number | undefined;
  stretch?: boolean;
}

interface Group {
  id: string;
  title: string;
  unit:
    | "MB/s"
    | "ops/s"
    | "dgrams/s"
    | "lines/s"
    | "bytes/pair"
    | "hs/s"
    | "echoes/s"
    | "bytes/conn"
    | "msgs/s"
    | "starts/s";
  lower?: boolean;
  rounds?: number;
  variants: Variant[];
  ratios: Ratio[];
  note?: string;
}

const python = await version_of("python3");
const node = await version_of("node");
const no_python = python === null ? "python3 not found on PATH" : undefined;
const no_node = node === null ? "node not found on PATH" : undefined;

function ext(cmd: "python3" | "node", script: string, argv: (string | number)[], skip?: string): Variant {
  const name = cmd === "python3" ? "CPython" : "Node";
  if (skip) return { name, run: null, skip };
  const path = new URL(script, import.meta.url).pathname;
  return {
    name,
    run: async () => {
      const r = await run_json(cmd, [path, ...argv.map(String)]);
      const secs = r.seconds as number;
      const amount = (r.bytes as number | undefined) ?? (r.ops as number);
      return { value: amount / secs };
    },
  };
}

/**
 * A CPython/Node client of a raw-Deno peer job that listens: the peer starts, then the script runs with
 * the peer's port first among its arguments.
 */
function ext_client(
  cmd: "python3" | "node" | "deno",
  script: string,
  kind: string,
  job: PeerJob,
  argv: (string | number)[],
  skip?: string,
): Variant {
  // "deno": the Node script run by Deno itself (its built-in node:tls on a native socket).
  const name = cmd === "python3" ? "CPython" : cmd === "node" ? "Node" : "Deno node:tls";
  if (skip) return { name, run: null, skip };
  const path = new URL(script, import.meta.url).pathname;
  return {
    name,
    run: async () => {
      const { ready, done } = peer.start(job);
      const port = await ready;
      const args = [path, kind, String(port), ...argv.map(String)];
      const r = cmd === "deno" ? await run_json(Deno.execPath(), ["run", "-A", ...args]) : await run_json(cmd, args);
      await done;
      return { value: ((r.bytes as number | undefined) ?? (r.ops as number)) / (r.seconds as number) };
    },
  };
}

/**
 * A CPython/Node server: the script prints its port, then the raw-Deno peer runs `job(port)` against it.
 * The value is the script's own timing, or the peer's (`by_peer`).
 */
function ext_server(
  cmd: "python3" | "node",
  script: string,
  argv: (string | number)[],
  job: (port: number) => PeerJob,
  by_peer: boolean,
  skip?: string,
): Variant {
  const name = cmd === "python3" ? "CPython" : "Node";
  if (skip) return { name, run: null, skip };
  const path = new URL(script, import.meta.url).pathname;
  return {
    name,
    run: async () => {
      const ext = run_listening(cmd, [path, ...argv.map(String)]);
      const d = await peer.run(job(await ext.port));
      const r = await ext.result;
      if (by_peer) return { value: d.bytes / d.seconds! };
      return { value: ((r.bytes as number | undefined) ?? (r.ops as number)) / (r.seconds as number) };
    },
  };
}

const peer = new Peer();
const certs = await make_certs();
globalThis.addEventListener("unload", () => certs.cleanup());
const blob = line_blob(LINES);
await peer.run({ op: "store", data: blob });

const groups: Group[] = [];
for (const fam of ["tcp", "unix"] as const) {
  const F = fam === "tcp" ? "TCP" : "Unix";
  groups.push({
    id: `bulk-${fam}-recv_into`,
    title: `bulk ${F} ${BULK / MiB} MiB, recv_into(64 KiB reused)`,
    unit: "MB/s",
    variants: [
      { name: "pysocket", run: () => py_bulk(peer, fam, "into", BULK) },
      { name: "raw Deno", run: () => raw_bulk(peer, fam, "into", BULK) },
      ext("python3", "./peer.py", ["bulk", fam, "recv_into", BULK], no_python),
      ext("node", "./peer.mjs", ["bulk", fam, "reused", BULK], no_node),
    ],
    ratios: [
      { num: "pysocket", den: "raw Deno", target: 0.95 },
      { num: "pysocket", den: "CPython", target: fam === "tcp" ? 1.0 : undefined, stretch: true },
      { num: "pysocket", den: "Node" },
    ],
    note: "raw: conn.read into one reused 64 KiB buffer; sender: the same raw Deno writer thread for both",
  });
  groups.push({
    id: `bulk-${fam}-recv`,
    title: `bulk ${F} ${BULK / MiB} MiB, recv(65536)`,
    unit: "MB/s",
    variants: [
      { name: "pysocket", run: () => py_bulk(peer, fam, "recv", BULK) },
      { name: "raw Deno", run: () => raw_bulk(peer, fam, "recv", BULK) },
      ext("python3", "./peer.py", ["bulk", fam, "recv", BULK], no_python),
      ext("node", "./peer.mjs", ["bulk", fam, "fresh", BULK], no_node),
    ],
    ratios: [
      { num: "pysocket", den: "raw Deno", target: 1.0 },
      { num: "pysocket", den: "CPython" },
      { num: "pysocket", den: "Node" },
    ],
    note: "raw: conn.read into a fresh 64 KiB buffer each time",
  });
}
groups.push({
  id: "sendall-tcp",
  title: `sendall TCP ${SENDALL / MiB} MiB in 64 KiB`,
  unit: "MB/s",
  variants: [
    { name: "pysocket", run: () => py_sendall(peer, SENDALL) },
    { name: "raw Deno", run: () => raw_sendall(peer, SENDALL) },
  ],
  ratios: [{ num: "pysocket", den: "raw Deno", target: 0.95 }],
  note: "raw: conn.write loop; receiver: the same raw Deno reader thread for both",
});
groups.push({
  id: "select-rw",
  title: `select([s], [s], []) client loop, ${PINGS / 4} echoes of 64 B`,
  unit: "ops/s",
  variants: [
    { name: "pysocket", run: () => py_select_rw(peer, PINGS / 4, 64) },
    ext("python3", "./peer.py", ["select-rw", PINGS / 4, 64], no_python),
  ],
  ratios: [{ num: "pysocket", den: "CPython", target: 0.8 }],
  note: "a non-blocking client sends when writable and nothing is out, reads the echo when readable; echo peer: " +
    "pysocket: the raw Deno peer thread, CPython: a Python thread; target: as select-echo's",
});
groups.push({
  id: "small-sends",
  title: `${SMALL_SENDS} timed sendall() calls of 64 B (settimeout(5))`,
  unit: "msgs/s",
  variants: [
    { name: "pysocket", run: () => py_small_sends(peer, SMALL_SENDS, 64) },
    { name: "raw Deno", run: () => raw_small_sends(peer, SMALL_SENDS, 64) },
    ext("python3", "./peer.py", ["small-sends", SMALL_SENDS_PY, 64], no_python),
  ],
  ratios: [
    { num: "pysocket", den: "raw Deno", target: 1.0 },
    { num: "pysocket", den: "CPython" },
  ],
  note: "receiver: the same raw Deno sink thread (CPython: a Python thread); raw Deno: one awaited conn.write per " +
    `message; timed until the receiver has every byte; CPython sends ${SMALL_SENDS_PY} (a syscall each); target: ` +
    "no slower than raw Deno's own write loop",
});
groups.push({
  id: "pingpong",
  title: `ping-pong TCP 64 B x ${PINGS}, TCP_NODELAY`,
  unit: "ops/s",
  variants: [
    { name: "pysocket", run: () => py_pingpong(peer, PINGS, 64) },
    { name: "raw Deno", run: () => raw_pingpong(peer, PINGS, 64) },
    ext("python3", "./peer.py", ["pingpong", PINGS, 64], no_python),
    ext("node", "./peer.mjs", ["pingpong", PINGS, 64], no_node),
  ],
  ratios: [
    { num: "pysocket", den: "raw Deno", target: 1.0 },
    { num: "pysocket", den: "CPython" },
    { num: "pysocket", den: "Node" },
  ],
  note: "echo peer: the same raw Deno thread for both; target: issue 17's (>= 1.0x raw Deno)",
});
groups.push({
  id: "churn",
  title: `churn TCP ${CHURN} x connect+accept+close`,
  unit: "ops/s",
  variants: [
    { name: "pysocket", run: () => py_churn(CHURN) },
    { name: "raw Deno", run: () => raw_churn(CHURN) },
    ext("node", "./peer.mjs", ["churn", CHURN], no_node),
  ],
  ratios: [{ num: "pysocket", den: "raw Deno", target: 0.95 }, { num: "pysocket", den: "Node" }],
  note: "target: issue 17's (>= 0.95x raw Deno)",
});
/** Cold starts per second: `starts` fresh `deno run` processes of bench/_startup.ts, one after another. */
async function cold_starts(variant: "pysocket" | "raw", starts: number): Promise<Sample> {
  const script = new URL("./_startup.ts", import.meta.url).pathname;
  const t0 = performance.now();
  for (let i = 0; i < starts; i++) {
    const r = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--no-check", script, variant],
      env: { DENO_NO_UPDATE_CHECK: "1" },
      stdout: "null",
      stderr: "piped",
    }).output();
    if (r.code !== 0) throw new Error(`${variant} start failed: ${new TextDecoder().decode(r.stderr).slice(0, 300)}`);
  }
  return { value: starts / ((performance.now() - t0) / 1000) };
}
groups.push({
  id: "startup",
  title: `startup: ${STARTS} x a fresh deno run (import, listen, connect, accept, close)`,
  unit: "starts/s",
  variants: [
    { name: "pysocket", run: () => cold_starts("pysocket", STARTS) },
    { name: "raw Deno", run: () => cold_starts("raw", STARTS) },
  ],
  ratios: [{ num: "pysocket", den: "raw Deno" }],
  note: "the whole process, Deno's own start included; pysocket's import loads no node: module",
});
const udp_skip = udp_skip_reason();
groups.push({
  id: "udp",
  title: `UDP ${DGRAMS} x 64 B, receiver keeping up`,
  unit: "dgrams/s",
  variants: [
    udp_skip
      ? { name: "pysocket", run: null, skip: udp_skip }
      : { name: "pysocket", run: () => py_udp(peer, DGRAMS, 64) },
    { name: "raw Deno", run: () => raw_udp(peer, DGRAMS, 64) },
  ],
  ratios: [{ num: "pysocket", den: "raw Deno", target: 0.9 }],
  note: "sender: the same raw Deno thread, at most 128 datagrams ahead of the receiver",
});
groups.push({
  id: "readline",
  title: `readline ${LINES} lines (39 B) via makefile("rb")`,
  unit: "lines/s",
  variants: [
    { name: "pysocket", run: () => py_readline(peer, LINES) },
    ext("python3", "./peer.py", ["readline", LINES], no_python),
    ext("node", "./peer.mjs", ["readline", LINES], no_node),
  ],
  ratios: [{ num: "pysocket", den: "CPython", target: 1.0 }, { num: "pysocket", den: "Node" }],
  note: "CPython: makefile('rb').readline(); Node: readline.createInterface (strings)",
});
groups.push({
  id: "memory",
  title: `memory: ${PAIRS} idle TCP pairs, RSS per pair`,
  unit: "bytes/pair",
  lower: true,
  rounds: MEM_ROUNDS,
  variants: [
    { name: "pysocket", run: () => memory_sample("pysocket", PAIRS) },
    { name: "raw Deno", run: () => memory_sample("raw", PAIRS) },
  ],
  ratios: [{ num: "pysocket", den: "raw Deno", target: 1.25 }],
  note: "one subprocess per variant and round; heap per pair in the extras",
});

// ---- issue 17: TLS, select(), idle connections --------------------------------

const serve = (mode: "send" | "sink" | "hs", total: number, count: number): PeerJob => ({
  op: "tls-serve",
  mode,
  cert: certs.cert,
  key: certs.key,
  total,
  count,
});
// TLS bulk, both directions: the same variants and ratios (the peer sends, or sinks).
for (
  const [id, mode, title, note, py, raw] of [
    [
      "tls-recv",
      "send",
      "receive",
      "server: the same raw Deno.listenTls thread for all; raw client: Deno.connect + startTls, conn.read",
      py_tls_recv,
      raw_tls_recv,
    ],
    [
      "tls-send",
      "sink",
      "send",
      "receiver: the same raw Deno.listenTls thread for all, timed until it has read everything",
      py_tls_send,
      raw_tls_send,
    ],
  ] as const
) {
  const job = serve(mode, TLS_BULK, 1);
  groups.push({
    id,
    title: `TLS bulk ${title} ${TLS_BULK / MiB} MiB, client ${
      id === "tls-recv" ? "recv_into(64 KiB reused)" : "sendall(64 KiB)"
    }`,
    unit: "MB/s",
    variants: [
      { name: "pysocket", run: () => py(peer, certs, TLS_BULK) },
      { name: "raw Deno", run: () => raw(peer, certs, TLS_BULK) },
      ext_client("python3", "./peer.py", id, job, [certs.ca, TLS_BULK], no_python),
      ext_client("node", "./peer.mjs", id, job, [certs.ca, TLS_BULK], no_node),
      ext_client("deno", "./peer.mjs", id, job, [certs.ca, TLS_BULK]),
    ],
    ratios: [
      { num: "pysocket", den: "raw Deno", target: 0.9 },
      { num: "Deno node:tls", den: "raw Deno" },
      { num: "pysocket", den: "Deno node:tls" },
      { num: "pysocket", den: "CPython" },
      { num: "pysocket", den: "Node" },
    ],
    note,
  });
}
groups.push({
  id: "tls-hs-client",
  title: `TLS client handshakes x ${HANDSHAKES} (connect, handshake, read to EOF, close)`,
  unit: "hs/s",
  variants: [
    { name: "pysocket", run: () => py_tls_client_hs(peer, certs, HANDSHAKES) },
    { name: "raw Deno", run: () => raw_tls_client_hs(peer, certs, HANDSHAKES) },
    ext_client("python3", "./peer.py", "tls-client-hs", serve("hs", 0, HANDSHAKES), [certs.ca, HANDSHAKES], no_python),
    ext_client("node", "./peer.mjs", "tls-client-hs", serve("hs", 0, HANDSHAKES), [certs.ca, HANDSHAKES], no_node),
    ext_client("deno", "./peer.mjs", "tls-client-hs", serve("hs", 0, HANDSHAKES), [certs.ca, HANDSHAKES]),
  ],
  ratios: [
    { num: "pysocket", den: "raw Deno", target: 0.8 },
    { num: "Deno node:tls", den: "raw Deno" },
    { num: "pysocket", den: "Deno node:tls" },
    { num: "pysocket", den: "CPython" },
    { num: "pysocket", den: "Node" },
  ],
  note: "server: the same raw Deno.listenTls thread (accept, setNoDelay, handshake, close); raw client: " +
    "Deno.connect + setNoDelay + startTls; every client sets TCP_NODELAY",
});
groups.push({
  id: "tls-hs-server",
  title: `TLS server handshakes x ${HANDSHAKES} (accept with handshake, close)`,
  unit: "hs/s",
  variants: [
    { name: "pysocket", run: () => py_tls_server_hs(peer, certs, HANDSHAKES) },
    { name: "raw Deno", run: () => raw_tls_server_hs(peer, certs, HANDSHAKES) },
    ext_server(
      "python3",
      "./peer.py",
      ["tls-server-hs", certs.cert, certs.key, HANDSHAKES],
      (port) => ({ op: "tls-connect", port, ca: certs.ca, count: HANDSHAKES }),
      false,
      no_python,
    ),
    ext_server(
      "node",
      "./peer.mjs",
      ["tls-server-hs", certs.cert, certs.key, HANDSHAKES],
      (port) => ({ op: "tls-connect", port, ca: certs.ca, count: HANDSHAKES }),
      false,
      no_node,
    ),
  ],
  ratios: [
    { num: "pysocket", den: "raw Deno", target: 0.8 },
    { num: "pysocket", den: "CPython" },
    { num: "pysocket", den: "Node" },
  ],
  note: "client: the same raw Deno thread (connect, setNoDelay, startTls, handshake, read to EOF, close); " +
    "pysocket and CPython: a wrapped listening socket's accept(); raw: Deno.listenTls + handshake()",
});
groups.push({
  id: "tls-roots",
  title: `TLS client handshakes x ${ROOT_HANDSHAKES}: default roots + one CA vs the CA alone`,
  unit: "hs/s",
  variants: [
    { name: "pysocket +roots", run: () => py_tls_client_hs(peer, certs, ROOT_HANDSHAKES, true) },
    { name: "pysocket CA only", run: () => py_tls_client_hs(peer, certs, ROOT_HANDSHAKES, false) },
  ],
  ratios: [{ num: "pysocket +roots", den: "pysocket CA only", target: 0.67 }],
  note: "+roots: create_default_context() + load_verify_locations(ca); CA only: SSLContext(PROTOCOL_TLS_CLIENT) " +
    "+ load_verify_locations(ca); target: at most 1.5x slower",
});
for (const mode of ["readline", "waitall"] as const) {
  groups.push({
    id: `longline-${mode}`,
    title: `one ${LONG_LINE / MiB} MiB line, ${
      mode === "readline" ? 'makefile("rb").readline()' : "recv(n, MSG_WAITALL)"
    }`,
    unit: "MB/s",
    variants: [
      { name: "pysocket", run: () => py_longline(peer, mode, LONG_LINE) },
      ext("python3", "./peer.py", ["longline", mode, LONG_LINE], no_python),
    ],
    ratios: [{ num: "pysocket", den: "CPython", target: 0.5 }],
    note: "sender: raw Deno thread (pysocket) / a Python thread (CPython), 64 KiB writes, no newline, then EOF; " +
      "target: within 2x CPython's time",
  });
}
for (const active of [10, 100]) {
  groups.push({
    id: `select-echo-${active}`,
    title: `select() echo server, ${SEL_CONNS} connections, ${active} active, ${ECHOES} x 16 B echoes`,
    unit: "echoes/s",
    variants: [
      { name: "pysocket", run: () => py_select_echo(peer, SEL_CONNS, active, ECHOES) },
      { name: "raw Deno", run: () => raw_select_echo(peer, SEL_CONNS, active, ECHOES) },
      ext_server(
        "python3",
        "./peer.py",
        ["select-echo", SEL_CONNS],
        (port) => ({ op: "echo-many", port, conns: SEL_CONNS, active, total: ECHOES }),
        true,
        no_python,
      ),
    ],
    ratios: [
      { num: "pysocket", den: "CPython", target: 0.8 },
      { num: "pysocket", den: "raw Deno" },
      { num: "raw Deno", den: "CPython" },
    ],
    note: "clients: the same raw Deno thread for all, timing the echo phase; servers: DefaultSelector over " +
      "non-blocking sockets, recv(4096) + send; raw Deno: one conn.read/conn.write loop per connection",
  });
}
for (const tls of [false, true]) {
  for (const burst of [0, IDLE_BURST]) {
    const n = tls ? IDLE_TLS : IDLE_TCP;
    groups.push({
      id: `memory-idle-${tls ? "tls" : "tcp"}${burst ? "-burst" : ""}`,
      title: `memory: ${n} ${tls ? "TLS " : ""}connections waiting in recv${
        burst ? `, after a ${burst / MiB} MiB burst each` : ", fresh"
      }`,
      unit: "bytes/conn",
      lower: true,
      rounds: MEM_ROUNDS,
      variants: [
        { name: "pysocket", run: () => idle_sample({ variant: "pysocket", tls, pairs: n, burst }, certs.dir) },
        { name: "raw Deno", run: () => idle_sample({ variant: "raw", tls, pairs: n, burst }, certs.dir) },
        { name: "raw 4K", run: () => idle_sample({ variant: "raw4k", tls, pairs: n, burst }, certs.dir) },
        no_node
          ? { name: "Node", run: null, skip: no_node }
          : { name: "Node", run: () => node_idle_sample({ tls, pairs: n, burst }, certs.dir) },
        {
          name: tls ? "Deno node:tls" : "Deno node:net",
          run: () => node_idle_sample({ tls, pairs: n, burst }, certs.dir, true),
        },
      ],
      ratios: tls
        ? [
          { num: "pysocket", den: "Node", target: 1 },
          { num: "Deno node:tls", den: "Node" },
          { num: "pysocket", den: "Deno node:tls" },
          { num: "pysocket", den: "raw Deno" },
          { num: "pysocket", den: "raw 4K" },
        ]
        : [{ num: "pysocket", den: "raw Deno", target: 2 }, { num: "pysocket", den: "raw 4K" }, {
          num: "pysocket",
          den: "Node",
        }],
      note: "server ends only, in a process of their own: pysocket recv(65536) / raw conn.read into a 64 KiB " +
        "(raw 4K: 4 KiB) buffer of its own / Node a flowing socket with a data listener (Deno node:*: the same script run by Deno, " +
        "the floor for code built on Deno's node:tls); client ends: raw Deno in " +
        "a separate process (bench/_idle_clients.ts) for all; RSS after GC and malloc_trim (live memory); heap, " +
        "ext(ernal ArrayBuffer) per connection in the extras; one subprocess per variant and round",
    });
  }
}

// ---- running -------------------------------------------------------------

interface Result {
  name: string;
  skip?: string | undefined;
  samples: number[];
  median?: number;
  min?: number;
  max?: number;
  extra?: Record<string, number>;
}

interface GroupResult {
  id: string;
  title: string;
  unit: string;
  note?: string | undefined;
  results: Result[];
  ratios: {
    num: string;
    den: string;
    ratio: number | null;
    target?: number | undefined;
    stretch?: boolean | undefined;
    met?: boolean | undefined;
    why?: string | undefined;
  }[];
}

const selected = groups.filter((g) => ONLY === "" || ONLY.split(",").some((o) => g.id.includes(o)));
const t_start = performance.now();
const out: GroupResult[] = [];

for (const g of selected) {
  const rounds = g.rounds ?? ROUNDS;
  const res: Result[] = g.variants.map((v) => ({ name: v.name, skip: v.skip, samples: [] }));
  const extras: Record<string, number[]>[] = g.variants.map(() => ({}));
  log(`# ${g.title}`);
  // Warm-up: one unmeasured run of each in-process variant (JIT, allocator).
  for (const v of g.variants) {
    if (v.run && v.name !== "CPython" && v.name !== "Node" && !g.id.startsWith("memory")) {
      try {
        await v.run();
      } catch { /* reported by the measured rounds */ }
    }
  }
  for (let r = 0; r < rounds; r++) {
    // Interleave: the order of variants alternates every round.
    const order = g.variants.map((_, i) => i);
    if (r % 2 === 1) order.reverse();
    for (const i of order) {
      const v = g.variants[i]!;
      if (!v.run || res[i]!.skip) continue;
      try {
        const s = await v.run();
        res[i]!.samples.push(s.value);
        for (const [k, x] of Object.entries(s.extra ?? {})) (extras[i]![k] ??= []).push(x);
      } catch (e) {
        res[i]!.skip = `failed: ${(e as Error).message}`;
        log(`  ${v.name}: ${res[i]!.skip}`);
      }
    }
  }
  res.forEach((x, i) => {
    if (x.samples.length === 0) return;
    x.median = median(x.samples);
    x.min = Math.min(...x.samples);
    x.max = Math.max(...x.samples);
    const ex = Object.entries(extras[i]!);
    if (ex.length) x.extra = Object.fromEntries(ex.map(([k, xs]) => [k, k === "loss" ? Math.max(...xs) : median(xs)]));
  });
  const ratios = g.ratios.map((q) => {
    const a = res.find((x) => x.name === q.num), b = res.find((x) => x.name === q.den);
    const ratio = a?.median !== undefined && b?.median !== undefined ? a.median / b.median : null;
    let met: boolean | undefined;
    let why: string | undefined;
    if (ratio === null) why = a?.skip ?? b?.skip ?? "no samples";
    else if (q.target !== undefined) {
      met = g.lower ? ratio <= q.target : ratio >= q.target;
      if (g.id === "udp" && (a?.extra?.loss ?? 0) > 0) {
        met = false;
        why = `lost ${a?.extra?.loss} datagrams`;
      }
    }
    return { num: q.num, den: q.den, ratio, target: q.target, stretch: q.stretch, met, why };
  });
  out.push({ id: g.id, title: g.title, unit: g.unit, note: g.note, results: res, ratios });
  log(`  done in ${((performance.now() - t_start) / 1000).toFixed(1)} s total`);
}
peer.close();

// ---- reporting -----------------------------------------------------------

function fmt(v: number | undefined, unit: string): string {
  if (v === undefined) return "-";
  if (unit === "MB/s") return (v / 1e6).toFixed(0);
  if (unit === "bytes/pair" || unit === "bytes/conn") return v.toFixed(0);
  if (unit === "starts/s") return v.toFixed(1);
  return v >= 1e5 ? (v / 1e3).toFixed(0) + "k" : v.toFixed(0);
}

const machine = {
  cpu: (() => {
    try {
      const m = /model name\s*:\s*(.*)/.exec(Deno.readTextFileSync("/proc/cpuinfo"));
      return m?.[1] ?? "unknown";
    } catch {
      return "unknown";
    }
  })(),
  cores: navigator.hardwareConcurrency,
  os: `${Deno.build.os} ${Deno.osRelease()}`,
  deno: Deno.version.deno,
  v8: Deno.version.v8,
  python: python ?? "absent",
  node: node ?? "absent",
};
const config = {
  rounds: ROUNDS,
  memory_rounds: MEM_ROUNDS,
  quick: QUICK,
  bulk_bytes: BULK,
  sendall_bytes: SENDALL,
  pings: PINGS,
  churn: CHURN,
  datagrams: DGRAMS,
  lines: LINES,
  pairs: PAIRS,
  tls_bulk_bytes: TLS_BULK,
  handshakes: HANDSHAKES,
  root_handshakes: ROOT_HANDSHAKES,
  select_connections: SEL_CONNS,
  echoes: ECHOES,
  idle_tcp: IDLE_TCP,
  idle_tls: IDLE_TLS,
  idle_burst: IDLE_BURST,
  long_line: LONG_LINE,
  seconds: (performance.now() - t_start) / 1000,
};

if (JSON_OUT) {
  console.log(JSON.stringify({ machine, config, rows: out }, null, 2));
} else {
  const lines: string[] = [];
  lines.push(
    `pysocket bench: ${machine.cpu}, ${machine.cores} cores, ${machine.os}; deno ${machine.deno}, ${machine.python}, node ${machine.node}`,
  );
  lines.push(
    `${ROUNDS} interleaved rounds (memory: ${MEM_ROUNDS}); median [min-max]; MB = 10^6 bytes; run took ${
      config.seconds.toFixed(0)
    } s${QUICK ? "; --quick: workloads scaled down 8x" : ""}`,
  );
  lines.push("");
  lines.push(`| row | variant | median | min-max | unit |`);
  lines.push(`| --- | --- | ---: | --- | --- |`);
  for (const g of out) {
    for (const r of g.results) {
      const ex = r.extra ? " " + Object.entries(r.extra).map(([k, v]) => `${k}=${v.toFixed(0)}`).join(" ") : "";
      if (r.median === undefined) lines.push(`| ${g.id} | ${r.name} | skipped | ${r.skip ?? ""} | |`);
      else {
        lines.push(
          `| ${g.id} | ${r.name} | ${fmt(r.median, g.unit)} | ${fmt(r.min, g.unit)}-${
            fmt(r.max, g.unit)
          }${ex} | ${g.unit} |`,
        );
      }
    }
  }
  lines.push("");
  lines.push(`| row | ratio | value | target | met |`);
  lines.push(`| --- | --- | ---: | --- | --- |`);
  for (const g of out) {
    for (const q of g.ratios) {
      const tgt = q.target === undefined
        ? ""
        : `${g.unit.startsWith("bytes") ? "<=" : ">="} ${q.target}${q.stretch ? " (stretch)" : ""}`;
      const met = q.ratio === null
        ? `skipped: ${q.why}`
        : q.met === undefined
        ? ""
        : q.met
        ? "yes"
        : `NO${q.why ? ` (${q.why})` : ""}`;
      lines.push(
        `| ${g.id} | ${q.num} / ${q.den} | ${q.ratio === null ? "-" : q.ratio.toFixed(2)} | ${tgt} | ${met} |`,
      );
    }
  }
  lines.push("");
  for (const g of out) if (g.note) lines.push(`- ${g.id}: ${g.note}`);
  console.log(lines.join("\n"));
}

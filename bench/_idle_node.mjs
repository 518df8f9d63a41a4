// The Node variant of the idle-connection rows: N connections accepted by a
// node:net / node:tls server that reads each one's burst and then idles (a
// flowing socket with a `data` listener, Node's ordinary idle connection).
// Clients: bench/_idle_clients.ts in a Deno subprocess, as for the others.
//
// usage: node --expose-gc bench/_idle_node.mjs tcp|tls N BURST CERT_DIR DENO_PATH
// Prints {"rss","heap","external"} per connection, as bench/memory.ts does.
// Run by Deno (deno run -A --v8-flags=--expose-gc) it measures Deno's own
// node:net / node:tls servers: the floor for anything built on node:tls in
// Deno. There glibc is asked to return free pages first (malloc_trim), as in
// memory.ts; Node has no FFI, so its RSS may reuse pages its warm-up freed.

import net from "node:net";
import tls from "node:tls";
import fs from "node:fs";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const [kind, n_s, burst_s, dir, deno] = process.argv.slice(2);
const n = Number(n_s);
const burst = Number(burst_s);
const clients = fileURLToPath(new URL("./_idle_clients.ts", import.meta.url));

const trim = (() => {
  try {
    const libc = globalThis.Deno.dlopen("libc.so.6", { malloc_trim: { parameters: ["usize"], result: "i32" } });
    return () => void libc.symbols.malloc_trim(0n);
  } catch {
    return () => {};
  }
})();

async function settle() {
  for (let i = 0; i < 3; i++) {
    if (globalThis.Deno) globalThis.gc({ type: "major", execution: "sync", flavor: "last-resort" });
    else globalThis.gc();
    await new Promise((r) => setTimeout(r, 20));
    trim();
  }
  return process.memoryUsage();
}

async function open() {
  const keep = [];
  let read = 0;
  const on_conn = (s) => {
    keep.push(s);
    s.on("data", (d) => read += d.length);
    s.on("error", () => {});
  };
  const srv = kind === "tls"
    ? tls.createServer(
      { cert: fs.readFileSync(`${dir}/server.pem`), key: fs.readFileSync(`${dir}/server.key`) },
      on_conn,
    )
    : net.createServer(on_conn);
  await new Promise((r) => srv.listen({ port: 0, host: "127.0.0.1", backlog: 1024 }, r));
  const child = spawn(deno, [
    "run",
    "-A",
    clients,
    String(srv.address().port),
    String(n),
    kind,
    String(burst),
    `${dir}/ca.pem`,
  ], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  await new Promise((r) => child.stdout.once("data", r));
  for (let i = 0; i < 5000 && (keep.length < n || read < n * burst); i++) await new Promise((r) => setTimeout(r, 2));
  return async () => {
    child.stdin.end();
    await new Promise((r) => child.on("exit", r));
    for (const s of keep) s.destroy();
    srv.close();
  };
}

await (await open())();
const before = await settle();
const close = await open();
await new Promise((r) => setTimeout(r, 1000));
const after = await settle();
await close();
console.log(JSON.stringify({
  rss: (after.rss - before.rss) / n,
  heap: (after.heapUsed - before.heapUsed) / n,
  external: (after.external - before.external) / n,
}));
process.exit(0);

// Node side of the pysocket bench: the same work with node:net written the
// fastest obvious way, the peer in a worker thread. Prints one JSON object.
//
// usage: node bench/peer.mjs bulk tcp|unix reused|fresh TOTAL_BYTES
//        node bench/peer.mjs pingpong COUNT SIZE
//        node bench/peer.mjs readline LINES
//        node bench/peer.mjs churn COUNT
//        node bench/peer.mjs tls-recv|tls-send PORT CA TOTAL   (client of the raw Deno TLS server)
//        node bench/peer.mjs tls-client-hs PORT CA COUNT
//        node bench/peer.mjs tls-server-hs CERT KEY COUNT      (prints {"port"} first)

import net from "node:net";
import tls from "node:tls";
import os from "node:os";
import path from "node:path";
import fs from "node:fs";
import readline from "node:readline";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";

const CHUNK = 65536;

function lineBlob(n) {
  const parts = [];
  for (let i = 0; i < n; i++) parts.push(`line ${String(i).padStart(7, "0")} abcdefghijklmnopqrstuvwxyz\n`);
  return Buffer.from(parts.join(""), "latin1");
}

function listen(family) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    if (family === "unix") {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pysocket-bench-"));
      const p = path.join(dir, "s");
      srv.listen(p, () => resolve([srv, { path: p }, dir]));
    } else {
      srv.listen(0, "127.0.0.1", () => resolve([srv, { port: srv.address().port, host: "127.0.0.1" }, null]));
    }
  });
}

function startPeer(job) {
  const w = new Worker(new URL(import.meta.url), { workerData: job });
  return new Promise((resolve, reject) => {
    w.on("message", resolve);
    w.on("error", reject);
  });
}

// ---- worker side -------------------------------------------------------

function writeAll(sock, buf) {
  return new Promise((resolve) => {
    if (sock.write(buf)) resolve();
    else sock.once("drain", resolve);
  });
}

async function peerMain(job) {
  let sock;
  if (job.op === "serve-send") {
    // Bulk: the peer listens, so that the measured side can be a client
    // socket (only client sockets take Node's reused-buffer `onread`).
    const [srv, addr, dir] = await listen(job.family);
    parentPort.postMessage({ addr });
    sock = await accept(srv);
    srv.close();
    const buf = Buffer.alloc(CHUNK, 0x61);
    for (let left = job.total; left > 0; left -= CHUNK) await writeAll(sock, buf);
    sock.end();
    sock.on("data", () => {});
    await new Promise((r) => sock.once("close", r));
    if (dir) fs.rmSync(dir, { recursive: true });
    parentPort.postMessage("done");
    return;
  }
  sock = net.connect(job.addr);
  await new Promise((r) => sock.once("connect", r));
  if (job.op === "echo") {
    sock.setNoDelay(true);
    sock.on("data", (b) => sock.write(b));
    sock.on("end", () => sock.end());
  } else if (job.op === "blob") {
    const blob = lineBlob(job.lines);
    for (let off = 0; off < blob.length; off += CHUNK) await writeAll(sock, blob.subarray(off, off + CHUNK));
    sock.end();
  }
  sock.on("data", () => {});
  await new Promise((r) => sock.once("close", r));
  parentPort.postMessage("done");
}

// ---- main side ---------------------------------------------------------

function accept(srv) {
  return new Promise((r) => srv.once("connection", r));
}

async function bulk(family, mode, total) {
  const w = new Worker(new URL(import.meta.url), { workerData: { op: "serve-send", family, total } });
  const msgs = [];
  let wake = null;
  w.on("message", (m) => {
    msgs.push(m);
    wake?.();
  });
  const next = async () => {
    while (msgs.length === 0) await new Promise((r) => wake = r);
    return msgs.shift();
  };
  const { addr } = await next();
  let got = 0;
  const t0 = performance.now();
  await new Promise((resolve) => {
    const opts = { ...addr };
    if (mode === "reused") {
      opts.onread = { buffer: Buffer.alloc(CHUNK), callback: (n) => void (got += n) };
    }
    const c = net.connect(opts);
    if (mode !== "reused") c.on("data", (b) => got += b.length);
    c.on("end", () => {
      c.end();
      resolve();
    });
  });
  const dt = (performance.now() - t0) / 1000;
  await next();
  await w.terminate();
  return { seconds: dt, bytes: got, note: mode === "reused" ? "onread into one reused 64 KiB Buffer" : "data events" };
}

async function pingpong(count, size) {
  const [srv, addr] = await listen("tcp");
  const peer = startPeer({ op: "echo", addr });
  const conn = await accept(srv);
  conn.setNoDelay(true);
  const req = Buffer.alloc(size, 0x78);
  let i = 0, got = 0, t0 = 0;
  await new Promise((resolve) => {
    conn.on("data", (b) => {
      got += b.length;
      if (got < size) return;
      got -= size;
      if (++i === count) return resolve();
      conn.write(req);
    });
    t0 = performance.now();
    conn.write(req);
  });
  const dt = (performance.now() - t0) / 1000;
  conn.end();
  await peer;
  srv.close();
  return { seconds: dt, ops: count };
}

async function readlines(lines) {
  const [srv, addr] = await listen("tcp");
  const t0 = performance.now();
  const peer = startPeer({ op: "blob", addr, lines });
  const conn = await accept(srv);
  const rl = readline.createInterface({ input: conn, crlfDelay: Infinity });
  let n = 0;
  for await (const _line of rl) n++;
  const dt = (performance.now() - t0) / 1000;
  conn.end();
  await peer;
  srv.close();
  if (n !== lines) throw new Error(`got ${n} lines, expected ${lines}`);
  return { seconds: dt, ops: n, note: "readline.createInterface (strings)" };
}

async function churn(count) {
  const [srv, addr] = await listen("tcp");
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const acc = accept(srv);
    const c = net.connect(addr);
    await new Promise((r) => c.once("connect", r));
    const a = await acc;
    a.destroy();
    c.destroy();
  }
  const dt = (performance.now() - t0) / 1000;
  srv.close();
  return { seconds: dt, ops: count };
}

function tlsConnect(port, ca) {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: "127.0.0.1", port: Number(port), ca, servername: "localhost", noDelay: true });
    s.once("secureConnect", () => resolve(s));
    s.once("error", reject);
  });
}

async function tlsRecv(port, caFile, total) {
  const ca = fs.readFileSync(caFile);
  const t0 = performance.now();
  const s = await tlsConnect(port, ca);
  let got = 0;
  s.on("data", (b) => got += b.length);
  await new Promise((r) => s.once("end", r));
  const dt = (performance.now() - t0) / 1000;
  s.destroy();
  if (got !== total) throw new Error(`got ${got} of ${total}`);
  return { seconds: dt, bytes: got, note: "data events" };
}

async function tlsSend(port, caFile, total) {
  const s = await tlsConnect(port, fs.readFileSync(caFile));
  const buf = Buffer.alloc(CHUNK, 0x61);
  const t0 = performance.now();
  for (let left = total; left > 0; left -= CHUNK) await writeAll(s, buf);
  s.end();
  s.on("data", () => {});
  s.on("error", () => {});
  await new Promise((r) => s.once("close", r));
  const dt = (performance.now() - t0) / 1000;
  return { seconds: dt, bytes: total };
}

async function tlsClientHs(port, caFile, count) {
  const ca = fs.readFileSync(caFile);
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const s = await tlsConnect(port, ca);
    s.on("data", () => {});
    s.on("error", () => {});
    await new Promise((r) => s.once("close", r));
  }
  return { seconds: (performance.now() - t0) / 1000, ops: count };
}

async function tlsServerHs(certFile, keyFile, count) {
  const srv = tls.createServer({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile), noDelay: true });
  let n = 0, t0 = 0, resolve;
  const done = new Promise((r) => resolve = r);
  srv.on("secureConnection", (s) => {
    s.on("error", () => {});
    s.end();
    if (++n === count) resolve();
  });
  srv.on("tlsClientError", () => {});
  await new Promise((r) => srv.listen(0, "127.0.0.1", r));
  console.log(JSON.stringify({ port: srv.address().port }));
  t0 = performance.now();
  await done;
  const dt = (performance.now() - t0) / 1000;
  srv.close();
  return { seconds: dt, ops: count };
}

if (!isMainThread) {
  await peerMain(workerData);
} else {
  const [kind, a, b, c] = process.argv.slice(2);
  let out;
  if (kind === "bulk") out = await bulk(a, b, Number(c));
  else if (kind === "pingpong") out = await pingpong(Number(a), Number(b));
  else if (kind === "readline") out = await readlines(Number(a));
  else if (kind === "churn") out = await churn(Number(a));
  else if (kind === "tls-recv") out = await tlsRecv(a, b, Number(c));
  else if (kind === "tls-send") out = await tlsSend(a, b, Number(c));
  else if (kind === "tls-client-hs") out = await tlsClientHs(a, b, Number(c));
  else if (kind === "tls-server-hs") out = await tlsServerHs(a, b, Number(c));
  else throw new Error(`unknown kind ${kind}`);
  out.node = process.version;
  console.log(JSON.stringify(out));
}

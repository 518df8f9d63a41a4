// Classic epoll programs beside their ports: Scot Doyle's "How To Use Linux epoll with Python" HTTP servers,
// level-triggered (example 3: modify() between EPOLLIN and EPOLLOUT, modify(fd, 0) then shutdown(SHUT_RDWR) and
// the EPOLLHUP that follows) and edge-triggered (example 4: EPOLLET on the listener and the connections, accept,
// recv and send looped until EAGAIN). Each is run as the python3 original (tests/rdy9/*.py) and as the port
// (tests/rdy9/*.ts, the original plus `await`), against the same python3 client (tests/rdy9/client.py: requests one
// after another, then at once, some sent in two pieces); the client's responses and the server's request log must
// be the same. A third, tutorial-style echo server on a Unix socket closes connections on EPOLLRDHUP and re-arms a
// one-shot listener with modify() (tests/rdy9/epoll_rdhup.*, against tests/rdy9/unix_client.py).
// (rdy9 gap 1: select.epoll() was missing; gap 2: EPOLLHUP/EPOLLRDHUP; gap 3: registration by fileno().)

import assert from "node:assert/strict";
import { test_needing } from "./_socket_fixtures.ts";
import { serve as serve_lt } from "./rdy9/epoll_lt.ts";
import { serve as serve_et } from "./rdy9/epoll_et.ts";
import { serve as serve_rdhup } from "./rdy9/epoll_rdhup.ts";

const test = test_needing("python3");
const DIR = new URL("./rdy9/", import.meta.url).pathname;
const SEQ = 4, PAR = 6;

/** Run a python3 script; its stdout lines as they come, and its end. */
function py(script: string, args: string[]) {
  const child = new Deno.Command("python3", {
    args: [DIR + script, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const killer = setTimeout(() => child.kill(), 60_000);
  const done = child.output().then((o) => {
    clearTimeout(killer);
    const err = new TextDecoder().decode(o.stderr);
    assert.equal(o.code, 0, `${script} failed:\n${err}`);
    return new TextDecoder().decode(o.stdout).trim().split("\n");
  });
  return done;
}

/**
 * Start a python3 server script: its first stdout line (its port, or "ready") once printed, and at its end its
 * last line parsed as JSON (its log or its counts).
 */
async function py_server(script: string, args: string[]): Promise<[string, Promise<unknown>]> {
  const child = new Deno.Command("python3", {
    args: [DIR + script, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const killer = setTimeout(() => child.kill(), 60_000);
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  const first = text.split("\n")[0]!;
  const rest = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    const status = await child.status;
    clearTimeout(killer);
    const err = await new Response(child.stderr).text();
    assert.equal(status.code, 0, `${script} failed:\n${err}`);
    return JSON.parse(text.trim().split("\n").at(-1)!);
  })();
  return [first, rest];
}

for (
  const [name, script, serve] of [
    ["level-triggered (example 3)", "epoll_lt.py", serve_lt],
    ["edge-triggered (example 4)", "epoll_et.py", serve_et],
  ] as const
) {
  test(`Scot Doyle's ${name} epoll HTTP server: the python3 original and its port answer the same client alike`, async () => {
    const [py_port, py_log] = await py_server(script, [String(SEQ + PAR)]);
    const py_client = JSON.parse((await py("client.py", [String(py_port), String(SEQ), String(PAR)])).at(-1)!);
    const want_log = await py_log;
    assert.equal(py_client.length, SEQ + PAR);
    assert.ok((py_client as string[]).every((r) => r.endsWith("\r\n\r\nHello, world!")));

    let port_ready: (p: number) => void = () => {};
    const port = new Promise<number>((r) => port_ready = r);
    const ts_log = serve(SEQ + PAR, port_ready);
    const ts_client = JSON.parse((await py("client.py", [String(await port), String(SEQ), String(PAR)])).at(-1)!);
    assert.deepEqual(ts_client, py_client);
    assert.deepEqual(await ts_log, want_log);
  });
}

test("A tutorial-style epoll echo server on a Unix socket (EPOLLRDHUP, a one-shot listener re-armed by modify()): the python3 original and its port answer the same client alike", async () => {
  const N = 6;
  const dir = Deno.makeTempDirSync({ prefix: "rdy9_" });
  try {
    // The original: it prints "ready" once bound, then its byte counts at its end.
    const [ready_line, py_end] = await py_server("epoll_rdhup.py", [`${dir}/py.sock`, String(N)]);
    assert.equal(ready_line, "ready");
    const py_client = JSON.parse((await py("unix_client.py", [`${dir}/py.sock`, String(N)])).at(-1)!);
    const py_counts = await py_end;
    assert.equal(py_client.length, N);

    let ready: () => void = () => {};
    const bound = new Promise<void>((r) => ready = r);
    const ts_counts = serve_rdhup(`${dir}/ts.sock`, N, ready);
    await bound;
    const ts_client = JSON.parse((await py("unix_client.py", [`${dir}/ts.sock`, String(N)])).at(-1)!);
    assert.deepEqual(ts_client, py_client);
    assert.deepEqual(await ts_counts, py_counts);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

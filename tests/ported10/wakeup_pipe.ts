// Port of wakeup_pipe.py (argv[1] is Deno.args[0]; threads are tasks; queue.Queue is an array; bytes.split is done on the decoded text;
// `x is y` is ===; select()'s lists compare by their single member).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { select } from "../../selectors.ts";
import { b, bjoin, decode, list, print, repr, sleep } from "../ported/_py.ts";

const results: [Socket, Uint8Array][] = [];
const [r_wake, w_wake] = await socket.socketpair();
r_wake.setblocking(false);
w_wake.setblocking(false);

async function wake() {
  try {
    await w_wake.send(Uint8Array.of(0));
  } catch (e) {
    if (!(e instanceof socket.BlockingIOError)) throw e;
  }
}

async function worker(conn: Socket, job: string) {
  const n = Number(job);
  await sleep((n * 7 % 5) / 100);
  results.push([conn, b(`${n} squared is ${n * n}\n`)]);
  await wake();
}

const lsock = socket.create_server(["127.0.0.1", 0]);
lsock.setblocking(false);
const port = (lsock.getsockname() as [string, number])[1];
const replies = new Map<number, string[]>();

async function client(i: number) {
  using s = await socket.create_connection(["127.0.0.1", port], 10);
  const jobs = Array.from({ length: 6 }, (_, k) => i * 10 + k);
  await s.sendall(b(jobs.map((j) => `${j}\n`).join("")));
  const f = s.makefile("rb");
  const got: string[] = [];
  for (const _ of jobs) got.push(decode(await f.readline() as Uint8Array).trim());
  replies.set(i, got.sort());
  await f.close();
}

const clients = [0, 1, 2, 3, 4].map(client);

const conns: Socket[] = [];
const bufs = new Map<Socket, string>();
let done = 0;
let wakeups = 0;
let jobs = 0;
const workers: Promise<void>[] = [];
const deadline = performance.now() + 20_000;
while (done < 5 && performance.now() < deadline) {
  const [readable] = await select([lsock, r_wake, ...conns], [], [], 1.0);
  for (const s of readable) {
    if (s === lsock) {
      const [conn] = await lsock.accept();
      conn.setblocking(true);
      conn.settimeout(5);
      conns.push(conn);
      bufs.set(conn, "");
    } else if (s === r_wake) {
      while (true) {
        let got: Uint8Array;
        try {
          got = await r_wake.recv(4096);
        } catch (e) {
          if (!(e instanceof socket.BlockingIOError)) throw e;
          break;
        }
        wakeups += got.length;
      }
      while (results.length) {
        const [conn, line] = results.shift()!;
        await conn.sendall(line);
      }
    } else {
      const data = await s.recv(4096);
      if (!data.length) {
        conns.splice(conns.indexOf(s), 1);
        s.close();
        done += 1;
        continue;
      }
      const lines = (bufs.get(s)! + decode(data)).split("\n");
      bufs.set(s, lines.pop()!);
      for (const job of lines) {
        jobs += 1;
        workers.push(worker(s, job));
      }
    }
  }
}
await Promise.all(clients);
await Promise.all(workers);
for (const i of [...replies.keys()].sort()) print(i, repr(list(replies.get(i)!)));
print("jobs", jobs, "woken at least once:", wakeups >= 1, "at most once per job:", wakeups <= jobs);

let written = 0;
while (true) {
  try {
    written += await w_wake.send(bjoin([b("x".repeat(65536))]));
  } catch (e) {
    if (!(e instanceof socket.BlockingIOError)) throw e;
    break;
  }
}
print("filled the wakeup pair:", written > 0);
const sel_r = await select([r_wake], [], [], 1);
print("readable:", sel_r[0].length === 1 && sel_r[0][0] === r_wake);
let sel_w = await select([], [w_wake], [], 0);
print("writable while full:", sel_w[1].length === 1 && sel_w[1][0] === w_wake);
let drained = 0;
while (true) {
  let got: Uint8Array;
  try {
    got = await r_wake.recv(65536);
  } catch (e) {
    if (!(e instanceof socket.BlockingIOError)) throw e;
    break;
  }
  drained += got.length;
}
const strict = Deno.args[0] === "strict";
const drain_deadline = performance.now() + 10_000;
while (!strict && drained < written && performance.now() < drain_deadline) {
  if ((await select([r_wake], [], [], 1))[0].length) drained += (await r_wake.recv(65536)).length;
}
print("drained every byte:", drained === written);
sel_w = await select([], [w_wake], [], 1);
print("writable again:", sel_w[1].length === 1 && sel_w[1][0] === w_wake);
for (const s of [lsock, r_wake, w_wake]) s.close();

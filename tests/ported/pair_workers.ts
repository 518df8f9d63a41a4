// Port of pair_workers.py (threads are tasks; struct '!I' is a DataView; ConnectionError is pysocket's).
import * as socket from "../../mod.ts";
import { select } from "../../selectors.ts";
import { bjoin, join, print } from "./_py.ts";

type Msg = { [k: string]: unknown } | null;

async function send_msg(sock: socket.Socket, obj: Msg) {
  const data = new TextEncoder().encode(JSON.stringify(obj));
  const head = new Uint8Array(4);
  new DataView(head.buffer).setUint32(0, data.length);
  await sock.sendall(bjoin([head, data]));
}

async function recv_exact(sock: socket.Socket, n: number) {
  const buf = new Uint8Array(n);
  let got = 0;
  while (got < n) {
    const k = await sock.recv_into(buf.subarray(got), n - got);
    if (k === 0) {
      throw new socket.ConnectionError(null, `peer closed after ${got} of ${n} bytes`);
    }
    got += k;
  }
  return buf;
}

async function recv_msg(sock: socket.Socket): Promise<Msg> {
  const n = new DataView((await recv_exact(sock, 4)).buffer).getUint32(0);
  return JSON.parse(new TextDecoder().decode(await recv_exact(sock, n)));
}

async function worker(sock: socket.Socket, wid: number) {
  using _sock = sock;
  while (true) {
    const job = await recv_msg(sock);
    if (job === null) {
      await send_msg(sock, { worker: wid, bye: true });
      return;
    }
    const n = job.n as number;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += i * i;
    await send_msg(sock, { job: job.id, worker: wid, sum, pad: "x".repeat(n % 5000) });
  }
}

const ends: socket.Socket[] = [];
const threads: Promise<void>[] = [];
const alive = new Set<number>();
for (let wid = 0; wid < 3; wid++) {
  const [parent, child] = await socket.socketpair();
  const t = worker(child, wid);
  alive.add(wid);
  t.finally(() => alive.delete(wid));
  ends.push(parent);
  threads.push(t);
}

const jobs = Array.from({ length: 12 }, (_, i) => ({ id: i, n: 1000 + i * 997 }));
for (const [i, job] of jobs.entries()) {
  await send_msg(ends[i % 3]!, job);
}
for (const end of ends) {
  await send_msg(end, null);
}

const results = new Map<number, [unknown, unknown, number]>();
let byes = 0;
const live = [...ends];
while (live.length) {
  const [readable] = await select(live, [], [], 10);
  if (!readable.length) {
    break;
  }
  for (const end of readable) {
    const msg = (await recv_msg(end))!;
    if (msg.bye) {
      byes += 1;
      live.splice(live.indexOf(end), 1);
    } else {
      results.set(msg.job as number, [msg.worker, msg.sum, (msg.pad as string).length]);
    }
  }
}
for (const t of threads) {
  await join(t, 5);
}
for (const job_id of [...results.keys()].sort((a, b) => a - b)) {
  print(job_id, results.get(job_id));
}
print("byes", byes, "workers alive", alive.size);
for (const end of ends) {
  print("after bye", await end.recv(10));
  try {
    await recv_msg(end);
  } catch (e) {
    if (!(e instanceof socket.ConnectionError)) throw e;
    print(e.name, e);
  }
  end.close();
}

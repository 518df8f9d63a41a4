// Port of beanstalk_queue.py (the server loop and the worker thread are tasks; threading.Event is a Promise; the
// per-connection buffer is the selector key's data; (pri, id, body) tuples sort by pri then id; b"%d" % n is a
// template string).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { DefaultSelector, EVENT_READ } from "../../selectors.ts";
import { b, beq, bjoin, decode, join, list, print, repr } from "../ported/_py.ts";

const MAX_JOB = 64;
const log: string[] = [];

type Job = [number, number, Uint8Array];

/** bytes.partition(b"\r\n"): [before, found, after]. */
function partition(x: Uint8Array): [Uint8Array, boolean, Uint8Array] {
  for (let i = 0; i + 1 < x.length; i++) {
    if (x[i] === 0x0d && x[i + 1] === 0x0a) return [x.subarray(0, i), true, x.subarray(i + 2)];
  }
  return [x, false, new Uint8Array(0)];
}

class Server {
  sel = new DefaultSelector<Uint8Array | null>();
  accepted = 0;
  open = 0;
  next_id = 1;
  ready: Job[] = [];
  reserved = new Map<number, [Socket, number, Uint8Array]>();
  waiters: Socket[] = [];
  names = new Map<Socket, string>();

  constructor(public lsock: Socket, public nconns: number) {
    this.sel.register(lsock, EVENT_READ, { data: null });
  }

  async give(conn: Socket, job: Job) {
    const [pri, jid, body] = job;
    this.reserved.set(jid, [conn, pri, body]);
    await conn.sendall(bjoin([b(`RESERVED ${jid} ${body.length}\r\n`), body, b("\r\n")]));
  }

  async push(job: Job) {
    if (this.waiters.length) {
      await this.give(this.waiters.shift()!, job);
    } else {
      this.ready.push(job);
      this.ready.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    }
  }

  /** Handle one command at the start of buf; return what is left, or null if it is incomplete. */
  async command(conn: Socket, buf: Uint8Array): Promise<Uint8Array | null> {
    const [line, sep, rest] = partition(buf);
    if (!sep) return null;
    const args = decode(line).split(/\s+/).filter((a) => a);
    const cmd = args[0] ?? "";
    if (cmd === "put") {
      const n = Number(args[4]);
      if (n > MAX_JOB) {
        await conn.sendall(b("JOB_TOO_BIG\r\n"));
        // beanstalkd reads and drops the body
        if (rest.length < n + 2) return null;
        return rest.subarray(n + 2);
      }
      if (rest.length < n + 2) return null;
      const body = rest.slice(0, n);
      const tail = rest.subarray(n, n + 2);
      if (!beq(tail, b("\r\n"))) {
        await conn.sendall(b("EXPECTED_CRLF\r\n"));
        return partition(rest.subarray(n))[2];
      }
      const jid = this.next_id;
      this.next_id += 1;
      await conn.sendall(b(`INSERTED ${jid}\r\n`));
      await this.push([Number(args[1]), jid, body]);
      return rest.subarray(n + 2);
    }
    if (cmd === "reserve") {
      if (this.ready.length) await this.give(conn, this.ready.shift()!);
      else this.waiters.push(conn);
    } else if (cmd === "reserve-with-timeout") {
      if (this.ready.length) await this.give(conn, this.ready.shift()!);
      else await conn.sendall(b("TIMED_OUT\r\n"));
    } else if (cmd === "delete") {
      const jid = Number(args[1]);
      const job = this.reserved.get(jid);
      if (job && job[0] === conn) {
        this.reserved.delete(jid);
        await conn.sendall(b("DELETED\r\n"));
      } else {
        await conn.sendall(b("NOT_FOUND\r\n"));
      }
    } else if (cmd === "release") {
      const [jid, pri] = [Number(args[1]), Number(args[2])];
      const job = this.reserved.get(jid);
      if (job && job[0] === conn) {
        this.reserved.delete(jid);
        await conn.sendall(b("RELEASED\r\n"));
        await this.push([pri, jid, job[2]]);
      } else {
        await conn.sendall(b("NOT_FOUND\r\n"));
      }
    } else if (cmd === "quit") {
      await this.drop(conn);
      return new Uint8Array(0);
    } else {
      await conn.sendall(b("UNKNOWN_COMMAND\r\n"));
    }
    return rest;
  }

  async drop(conn: Socket) {
    const back = [...this.reserved].filter(([, job]) => job[0] === conn).map(([jid]) => jid).sort((x, y) => x - y);
    for (const jid of back) {
      const [, pri, body] = this.reserved.get(jid)!;
      this.reserved.delete(jid);
      await this.push([pri, jid, body]);
    }
    const i = this.waiters.indexOf(conn);
    if (i >= 0) this.waiters.splice(i, 1);
    log.push(`server: ${this.names.get(conn)} left, jobs back in the queue: ${repr(list(back))}`);
    this.sel.unregister(conn);
    conn.close();
    this.open -= 1;
  }

  async run() {
    while (this.accepted < this.nconns || this.open) {
      for (const [key] of await this.sel.select(5)) {
        if (key.fileobj === this.lsock) {
          const [conn] = await this.lsock.accept();
          this.accepted += 1;
          this.open += 1;
          this.names.set(conn, `conn ${this.accepted}`);
          this.sel.register(conn, EVENT_READ, { data: new Uint8Array(0) });
          continue;
        }
        const conn = key.fileobj as Socket;
        const data = await conn.recv(4096);
        if (!data.length) {
          await this.drop(conn);
          continue;
        }
        let buf: Uint8Array = bjoin([key.data!, data]);
        while (buf.length) {
          const rest = await this.command(conn, buf);
          if (rest === null) break;
          buf = rest;
        }
        if (conn.fileno() >= 0) this.sel.modify(conn, EVENT_READ, { data: buf });
      }
    }
    this.sel.close();
    log.push(`server: ready jobs left: ${repr(list(this.ready.map(([p, j]) => [p, j])))}`);
  }
}

class Client {
  sock!: Socket;
  f!: ReturnType<Socket["makefile"]>;

  static async create(addr: [string, number]): Promise<Client> {
    const c = new Client();
    c.sock = await socket.create_connection(addr, { timeout: 5 });
    c.f = c.sock.makefile("rwb");
    return c;
  }

  async send(data: Uint8Array) {
    await this.f.write(data);
    await this.f.flush();
  }

  async reply(): Promise<string> {
    const line = await this.f.readline() as Uint8Array;
    const text = decode(line);
    if (text.startsWith("RESERVED")) {
      const [, jid, n] = text.trim().split(/\s+/);
      const body = (await this.f.read(Number(n) + 2) as Uint8Array).subarray(0, -2);
      return `RESERVED ${jid} ${repr(body)}`;
    }
    return text.replace(/[\r\n]+$/, "");
  }

  async call(data: Uint8Array): Promise<string> {
    await this.send(data);
    return await this.reply();
  }

  async quit() {
    await this.send(b("quit\r\n"));
    print("  after quit:", await this.f.read());
    await this.f.close();
    this.sock.close();
  }
}

const put = (body: Uint8Array, pri = 100) => bjoin([b(`put ${pri} 0 60 ${body.length}\r\n`), body, b("\r\n")]);

async function worker(addr: [string, number], out: string[], connected: () => void) {
  const w = await Client.create(addr);
  connected();
  out.push("worker: reserve -> " + await w.call(b("reserve\r\n")));
  out.push("worker: delete 1 -> " + await w.call(b("delete 1\r\n")));
  await w.send(b("quit\r\n"));
  out.push(`worker: after quit ${repr(await w.f.read())}`);
  await w.f.close();
  w.sock.close();
}

{
  using lsock = socket.create_server(["127.0.0.1", 0]);
  const addr = lsock.getsockname() as [string, number];
  const server = new Server(lsock, 4);
  const st = server.run();

  const wlog: string[] = [];
  let set_connected!: () => void;
  const connected = new Promise<void>((r) => set_connected = r);
  const wt = worker(addr, wlog, set_connected);
  await join(connected, 5); // the worker is the server's first connection
  const p = await Client.create(addr);
  print("producer: put -> ", await p.call(put(b("resize img1.png"))));
  await join(wt, 5);
  for (const line of wlog) print(line);

  print("producer: pipelined puts");
  await p.send(bjoin([
    put(b("thumbnail"), 10),
    put(b("urgent"), 5),
    b("put 100 0 60 3\r\nabcdef\r\n"),
    put(b("x".repeat(100))),
    put(b("urgent too"), 5),
    b("bury 1\r\n"),
  ]));
  for (let i = 0; i < 6; i++) print("  ", await p.reply());

  const c = await Client.create(addr);
  print("consumer:");
  for (
    const cmd of [
      "reserve\r\n",
      "reserve\r\n",
      "release 4 1 0\r\n",
      "reserve\r\n",
      "delete 4\r\n",
      "delete 4\r\n",
      "delete 3\r\n",
      "release 99 1 0\r\n",
      "reserve-with-timeout 0\r\n",
    ]
  ) {
    print(`  ${cmd.trim()} -> ${await c.call(b(cmd))}`);
  }

  const q = await Client.create(addr);
  print("quitter: put ->", await q.call(put(b("last job"))));
  print("quitter: reserve ->", await q.call(b("reserve-with-timeout 0\r\n")));
  await q.quit();
  print("consumer after the quitter left:");
  for (const cmd of ["reserve-with-timeout 0\r\n", "delete 5\r\n", "reserve-with-timeout 0\r\n"]) {
    print(`  ${cmd.trim()} -> ${await c.call(b(cmd))}`);
  }
  await c.quit();
  await p.quit();
  await join(st, 10);
}

for (const line of log) print(line);

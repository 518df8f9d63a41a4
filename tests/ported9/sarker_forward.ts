// deno-lint-ignore-file require-await -- handlers keep asyncore's async shape; the loop awaits each one
// Port of sarker_forward.py (asyncore is ./_asyncore.ts; threads are tasks, joined by awaiting them; the lock
// goes: code between two awaits runs alone).
import * as socket from "../../mod.ts";
import * as asyncore from "./_asyncore.ts";
import { b, bjoin, bupper, print, repr } from "../ported/_py.ts";

const use_poll = Deno.args[0] === "poll";
const LOCAL_SERVER_HOST = "127.0.0.1";
const REMOTE_SERVER_HOST = "127.0.0.1";
const BUFSIZE = 4096;

class PortForwarder extends asyncore.dispatcher {
  constructor(ip: string, port: number, public remoteip: string, public remoteport: number, backlog = 5) {
    super();
    this.create_socket(socket.AF_INET, socket.SOCK_STREAM);
    this.set_reuse_addr();
    this.bind([ip, port]);
    this.listen(backlog);
  }

  override async handle_accept() {
    const [conn, addr] = (await this.accept())!;
    print("Connected to:", (addr as [string, number])[0]);
    await new Sender(new Receiver(conn), this.remoteip, this.remoteport).ready;
  }
}

class Receiver extends asyncore.dispatcher {
  from_remote_buffer: Uint8Array = new Uint8Array();
  to_remote_buffer: Uint8Array = new Uint8Array();
  sender: Sender | null = null;

  constructor(conn: socket.Socket) {
    super(conn);
  }

  override async handle_connect() {}

  override async handle_read() {
    const read = await this.recv(BUFSIZE);
    this.from_remote_buffer = bjoin([this.from_remote_buffer, read]);
  }

  override writable(): boolean {
    return this.to_remote_buffer.length > 0;
  }

  override async handle_write() {
    const sent = await this.send(this.to_remote_buffer);
    this.to_remote_buffer = this.to_remote_buffer.subarray(sent);
  }

  override async handle_close() {
    this.close();
    if (this.sender) this.sender.close();
  }
}

class Sender extends asyncore.dispatcher {
  ready: Promise<void>;
  constructor(public receiver: Receiver, remoteaddr: string, remoteport: number) {
    super();
    receiver.sender = this;
    this.create_socket(socket.AF_INET, socket.SOCK_STREAM);
    this.ready = this.connect([remoteaddr, remoteport]);
  }

  override async handle_connect() {}

  override async handle_read() {
    const read = await this.recv(BUFSIZE);
    this.receiver.to_remote_buffer = bjoin([this.receiver.to_remote_buffer, read]);
  }

  override writable(): boolean {
    return this.receiver.from_remote_buffer.length > 0;
  }

  override async handle_write() {
    const sent = await this.send(this.receiver.from_remote_buffer);
    this.receiver.from_remote_buffer = this.receiver.from_remote_buffer.subarray(sent);
  }

  override async handle_close() {
    this.close();
    this.receiver.close();
  }
}

async function remote_server(lsock: socket.Socket, conns: number) {
  const tasks: Promise<void>[] = [];
  for (let i = 0; i < conns; i++) {
    const [conn] = await lsock.accept();
    tasks.push(remote_conn(conn));
  }
  lsock.close();
  await Promise.all(tasks);
}

async function remote_conn(conn: socket.Socket) {
  using c = conn;
  const f = c.makefile("rb");
  for await (const line of f) await c.sendall(bupper(line as Uint8Array));
  await f.close();
}

const results = new Map<string, Uint8Array[]>();

async function client(name: string, port: number, lines: Uint8Array[]) {
  const got: Uint8Array[] = [];
  {
    using s = await socket.create_connection(["127.0.0.1", port], { timeout: 20 });
    const f = s.makefile("rb");
    for (const line of lines) {
      await s.sendall(line);
      got.push(await f.readline() as Uint8Array);
    }
    await f.close();
  }
  results.set(name, got);
}

const remote = socket.create_server(["127.0.0.1", 0]);
const remote_task = remote_server(remote, 3);
const fwd = new PortForwarder(
  LOCAL_SERVER_HOST,
  0,
  REMOTE_SERVER_HOST,
  (remote.getsockname() as [string, number])[1],
);
const port = (fwd.socket!.getsockname() as [string, number])[1];
print("Starting port forwarding local to remote");

async function loop_until(cond: () => boolean, limit = 600) {
  for (let i = 0; i < limit; i++) {
    if (cond()) return;
    await asyncore.loop(0.05, use_poll, undefined, 1);
  }
  print("loop limit reached");
}

const t = client("one", port, [b("hello\n"), b("port forwarding\n"), b("bye\n")]);
await loop_until(() => results.has("one") && asyncore.socket_map.size === 1);
await t;
const big = b("z".repeat(100000) + "\n");
const ts = ([["two", [big, b("bye\n")]], ["three", [b("a\n"), b("b\n"), b("bye\n")]]] as [string, Uint8Array[]][])
  .map(([n, ls]) => client(n, port, ls));
await loop_until(() => results.size === 3 && asyncore.socket_map.size === 1);
await Promise.all(ts);
fwd.close();
await remote_task;
for (const name of ["one", "two", "three"]) {
  print(
    name,
    "[" + results.get(name)!.map((g) => g.length < 100 ? repr(g) : repr([g.length, g.subarray(0, 3)])).join(", ") + "]",
  );
}

print("map empty:", asyncore.socket_map.size === 0);

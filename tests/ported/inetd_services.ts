// Port of inetd_services.py (the loop thread is a task; the selector keeps async callbacks).
import * as socket from "../../mod.ts";
import * as selectors from "../../selectors.ts";
import { b, beq, bjoin, join, print, repr } from "./_py.ts";

type Callback = (sock: socket.Socket) => Promise<void>;
const sel = new selectors.DefaultSelector<Callback>();
const log: string[] = [];

function chargen_line(i: number) {
  let chars = "";
  for (let c = 33; c < 127; c++) chars += String.fromCharCode(c);
  const start = i % chars.length;
  return (chars + chars).slice(start, start + 72) + "\r\n";
}

function tcp_listener(_name: string, on_conn: (conn: socket.Socket) => Promise<void>) {
  const l = socket.create_server(["127.0.0.1", 0]);
  l.setblocking(false);

  const accept = async (sock: socket.Socket) => {
    const [conn] = await sock.accept();
    conn.setblocking(false);
    await on_conn(conn);
  };

  sel.register(l, selectors.EVENT_READ, { data: accept });
  return l;
}

// deno-lint-ignore require-await -- every service handler has one async signature (chargen awaits)
async function echo_conn(conn: socket.Socket) {
  const readable = async (sock: socket.Socket) => {
    const data = await sock.recv(4096);
    if (data.length) {
      sock.setblocking(true);
      await sock.sendall(data);
      sock.setblocking(false);
    } else {
      log.push("echo closed");
      sel.unregister(sock);
      sock.close();
    }
  };
  sel.register(conn, selectors.EVENT_READ, { data: readable });
}

// deno-lint-ignore require-await -- every service handler has one async signature (chargen awaits)
async function discard_conn(conn: socket.Socket) {
  let total = 0;

  const readable = async (sock: socket.Socket) => {
    const data = await sock.recv(4096);
    total += data.length;
    if (!data.length) {
      log.push(`discarded ${total} bytes`);
      sel.unregister(sock);
      sock.close();
    }
  };
  sel.register(conn, selectors.EVENT_READ, { data: readable });
}

async function chargen_conn(conn: socket.Socket) {
  conn.setblocking(true);
  await conn.sendall(b([0, 1, 2, 3, 4].map(chargen_line).join("")));
  await conn.shutdown(socket.SHUT_WR);
  conn.close();
  log.push("chargen sent 5 lines");
}

let running = true;

// deno-lint-ignore require-await -- every service handler has one async signature (chargen awaits)
async function quit_conn(conn: socket.Socket) {
  conn.close();
  running = false;
}

const ports: Record<string, [string, number]> = {};
const listeners: socket.Socket[] = [];
for (
  const [name, handler] of [["echo", echo_conn], ["discard", discard_conn], ["chargen", chargen_conn], [
    "quit",
    quit_conn,
  ]] as [string, (c: socket.Socket) => Promise<void>][]
) {
  const l = tcp_listener(name, handler);
  listeners.push(l);
  ports[name] = l.getsockname() as [string, number];
}
const udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
udp.bind(["127.0.0.1", 0]);
udp.setblocking(false);

async function udp_echo(sock: socket.Socket) {
  const [data, addr] = await sock.recvfrom(65535);
  await sock.sendto(data, addr!);
}

sel.register(udp, selectors.EVENT_READ, { data: udp_echo });
ports["udp echo"] = udp.getsockname() as [string, number];

async function loop() {
  while (running) {
    for (const [key] of await sel.select(1)) {
      await key.data!(key.fileobj as socket.Socket);
    }
  }
}

const t = loop();
let alive = true;
t.finally(() => alive = false);

{
  using s = await socket.create_connection(ports["echo"]!, 5);
  for (const word of [b("alpha"), b("beta"), b("gamma".repeat(1000))]) {
    await s.sendall(word);
    let got = new Uint8Array(0);
    while (got.length < word.length) {
      got = bjoin([got, await s.recv(65536)]);
    }
    print("echo", word.length, beq(got, word));
  }
}
{
  using s = await socket.create_connection(ports["discard"]!, 5);
  await s.sendall(new Uint8Array(100000).fill(120));
  await s.shutdown(socket.SHUT_WR);
  print("discard reply", await s.recv(10));
}
{
  using s = await socket.create_connection(ports["chargen"]!, 5);
  const f = s.makefile("r", { newline: "" });
  const lines = await f.readlines() as string[];
  print("chargen", lines.length, repr(lines[0]), repr(lines.at(-1)));
  await f.close();
}
const u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
u.settimeout(5);
for (const msg of [b("one"), b(""), b("three".repeat(100))]) {
  await u.sendto(msg, ports["udp echo"]!);
  const [data, addr] = await u.recvfrom(65535);
  print("udp echo", msg.length, beq(data, msg), JSON.stringify(addr) === JSON.stringify(ports["udp echo"]));
}
u.close();
(await socket.create_connection(ports["quit"]!)).close();
await join(t, 10);
print("loop ended", !alive);
for (const line of log.sort()) {
  print(line);
}
for (const l of [...listeners, udp]) {
  sel.unregister(l);
  l.close();
}
sel.close();

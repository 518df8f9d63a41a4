// Port of socks4_proxy.py (threads are tasks; struct "!BBH4s" is a DataView).
import * as socket from "../../mod.ts";
import { select } from "../../selectors.ts";
import { b, beq, bjoin, bupper, decode, join, print } from "./_py.ts";

function pack(vn: number, cd: number, port: number, ip: Uint8Array): Uint8Array {
  const out = new Uint8Array(8);
  const v = new DataView(out.buffer);
  v.setUint8(0, vn);
  v.setUint8(1, cd);
  v.setUint16(2, port);
  out.set(ip.subarray(0, 4), 4);
  return out;
}
function unpack(head: Uint8Array): [number, number, number, Uint8Array] {
  const v = new DataView(head.buffer, head.byteOffset, 8);
  return [v.getUint8(0), v.getUint8(1), v.getUint16(2), head.slice(4, 8)];
}

async function upper_server(listener: socket.Socket) {
  while (true) {
    const [conn] = await listener.accept();
    using _conn = conn;
    let data = new Uint8Array(0);
    while (true) {
      const chunk = await conn.recv(65536);
      if (!chunk.length) {
        break;
      }
      if (decode(chunk) === "STOP") {
        return;
      }
      data = bjoin([data, chunk]);
    }
    await conn.sendall(bupper(data));
  }
}

async function relay(a: socket.Socket, bs: socket.Socket) {
  const open_dirs = new Map([[a, bs], [bs, a]]);
  while (open_dirs.size) {
    const [readable] = await select([...open_dirs.keys()], [], [], 10);
    if (!readable.length) {
      break;
    }
    for (const src of readable) {
      const dst = open_dirs.get(src)!;
      const data = await src.recv(65536);
      if (data.length) {
        await dst.sendall(data);
      } else {
        await dst.shutdown(socket.SHUT_WR);
        open_dirs.delete(src);
      }
    }
  }
}

async function proxy(listener: socket.Socket, n: number, log: string[]) {
  for (let i = 0; i < n; i++) {
    const [client] = await listener.accept();
    using _client = client;
    let head = new Uint8Array(0);
    while (head.length < 8) {
      const chunk = await client.recv(8 - head.length);
      if (!chunk.length) {
        break;
      }
      head = bjoin([head, chunk]);
    }
    const [vn, cd, port, ip] = unpack(head);
    let userid = new Uint8Array(0);
    while (userid.at(-1) !== 0) {
      userid = bjoin([userid, await client.recv(1)]);
    }
    if (vn !== 4 || cd !== 1) {
      log.push(`bad request version ${vn}`);
      await client.sendall(pack(0, 91, 0, new Uint8Array(4)));
      continue;
    }
    const host = socket.inet_ntoa(ip);
    let target: socket.Socket;
    try {
      target = await socket.create_connection([host, port], 5);
    } catch (e) {
      if (!(e instanceof socket.OSError)) throw e;
      log.push(`refused ${e.name} ${e.message}`);
      await client.sendall(pack(0, 91, port, ip));
      continue;
    }
    log.push(`connect ${host} user '${decode(userid.subarray(0, -1))}'`);
    await client.sendall(pack(0, 90, port, ip));
    using _target = target;
    await relay(client, target);
  }
}

async function socks_request(
  proxy_addr: [string, number],
  host: string,
  port: number,
  payload: Uint8Array,
  version = 4,
): Promise<[number, Uint8Array | null]> {
  using s = await socket.create_connection(proxy_addr, 10);
  await s.sendall(bjoin([pack(version, 1, port, socket.inet_aton(host)), b("alice\0")]));
  let reply = new Uint8Array(0);
  while (reply.length < 8) {
    const chunk = await s.recv(8 - reply.length);
    if (!chunk.length) {
      break;
    }
    reply = bjoin([reply, chunk]);
  }
  const [, cd] = unpack(reply);
  if (cd !== 90) {
    return [cd, null];
  }
  await s.sendall(payload);
  await s.shutdown(socket.SHUT_WR);
  let out = new Uint8Array(0);
  while (true) {
    const chunk = await s.recv(65536);
    if (!chunk.length) {
      break;
    }
    out = bjoin([out, chunk]);
  }
  return [cd, out];
}

const target = socket.create_server(["127.0.0.1", 0]);
const proxy_l = socket.create_server(["127.0.0.1", 0]);
const closed = socket.socket();
closed.bind(["127.0.0.1", 0]);
const closed_port = closed.getsockname()[1];
closed.close(); // a port nobody listens on: connects are refused
const log: string[] = [];
const threads = [upper_server(target), proxy(proxy_l, 3, log)];
const payload = b("hello through socks ".repeat(15000));
const [cd, out] = await socks_request(
  proxy_l.getsockname() as [string, number],
  "127.0.0.1",
  target.getsockname()[1],
  payload,
);
print("granted", cd, out!.length, beq(out!, bupper(payload)));
print("closed port", await socks_request(proxy_l.getsockname() as [string, number], "127.0.0.1", closed_port, b("x")));
print("bad version", await socks_request(proxy_l.getsockname() as [string, number], "127.0.0.1", 1, b("x"), 5));
await join(threads[1]!, 10);
{
  using s = await socket.create_connection(target.getsockname());
  await s.sendall(b("STOP"));
}
await join(threads[0]!, 10);
for (const line of log) {
  print(line);
}
for (const s of [target, proxy_l]) {
  s.close();
}

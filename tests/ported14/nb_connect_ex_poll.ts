// Port of nb_connect_ex_poll.py (the server thread is a task; time.sleep() is an awaited timer).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { b, bjoin, print, sleep } from "../ported/_py.ts";

const { errno, errorcode } = socket;
const PENDING = [errno.EINPROGRESS, errno.EALREADY, errno.EWOULDBLOCK];

function name(code: number): string {
  return code ? (errorcode[code] ?? String(code)) : "0";
}

async function poll_connect(s: Socket, addr: [string, number], limit = 400): Promise<[string, string[]]> {
  const seen: string[] = [];
  for (let i = 0; i < limit; i++) {
    const err = await s.connect_ex(addr);
    if (!seen.length || seen.at(-1) !== name(err)) seen.push(name(err));
    if (err === 0 || err === errno.EISCONN) return ["connected", seen];
    if (PENDING.includes(err)) {
      await sleep(0.005);
      continue;
    }
    return ["failed", seen];
  }
  return ["gave up", seen];
}

async function server(lsock: Socket) {
  const [conn] = await lsock.accept();
  using _conn = conn;
  let buf = new Uint8Array(0);
  while (buf.at(-1) !== 0x0a) {
    const chunk = await conn.recv(100);
    if (!chunk.length) break;
    buf = bjoin([buf, chunk]);
  }
  await conn.sendall(bjoin([b("ECHO "), b(new TextDecoder().decode(buf).toUpperCase())]));
}

{
  using lsock = socket.socket();
  lsock.bind(["127.0.0.1", 0]);
  lsock.listen();
  const addr = lsock.getsockname() as [string, number];
  const t = server(lsock);

  let s = socket.socket();
  s.setblocking(false);
  const first = await s.connect_ex(addr);
  print("first call:", name(first));
  let [state, seen] = await poll_connect(s, addr);
  print(
    "loop:",
    state,
    "ends with",
    seen.at(-1),
    "- pending codes only before it:",
    seen.slice(0, -1).every((c) => PENDING.map(name).includes(c)),
  );
  print("again:", name(await s.connect_ex(addr)));
  try {
    await s.connect(addr);
  } catch (e) {
    if (!(e instanceof socket.OSError)) throw e;
    print("connect():", e.constructor.name, e.errno === errno.EISCONN, e);
  }
  print("SO_ERROR:", s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR));
  const peer = s.getpeername() as [string, number];
  print("peer is listener:", peer[0] === addr[0] && peer[1] === addr[1]);
  const msg = b("hello over a polled connect\n");
  let sent = 0;
  for (let i = 0; i < 1000; i++) {
    if (sent === msg.length) break;
    try {
      sent += await s.send(msg.subarray(sent));
    } catch (e) {
      if (!(e instanceof socket.BlockingIOError)) throw e;
      await sleep(0.005);
    }
  }
  let reply = new Uint8Array(0);
  for (let i = 0; i < 1000; i++) {
    let chunk: Uint8Array;
    try {
      chunk = await s.recv(100);
    } catch (e) {
      if (!(e instanceof socket.BlockingIOError)) throw e;
      await sleep(0.005);
      continue;
    }
    if (!chunk.length) break;
    reply = bjoin([reply, chunk]);
  }
  print("reply:", reply);
  s.close();
  await t;

  // a port nobody listens on: bind a socket to get a free port, and close it
  let dead: [string, number];
  {
    using tmp = socket.socket();
    tmp.bind(["127.0.0.1", 0]);
    dead = tmp.getsockname() as [string, number];
  }
  s = socket.socket();
  s.setblocking(false);
  [state, seen] = await poll_connect(s, dead);
  print("closed port:", state, "ends with", seen.at(-1));
  print("SO_ERROR after:", s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR));
  try {
    s.getpeername();
  } catch (e) {
    if (!(e instanceof socket.OSError)) throw e;
    print("getpeername():", e.constructor.name, e);
  }
  s.close();

  // settimeout(0) is the same non-blocking mode
  s = socket.socket();
  s.settimeout(0);
  print("settimeout(0):", s.gettimeout()?.toFixed(1), s.getblocking(), name(await s.connect_ex(dead)));
  [state, seen] = await poll_connect(s, dead);
  print("closed port again:", state, "ends with", seen.at(-1));
  s.close();
}

// Port of websocket_echo.py (hashlib.sha1 is crypto.subtle.digest("SHA-1"), base64 is btoa; the server
// thread becomes a task; struct.pack('!H'/'!Q') is a DataView).
import * as socket from "../../mod.ts";
import { b, beq, bjoin, decode, join, print } from "../ported/_py.ts";

const GUID = b("258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
const b64 = (x: Uint8Array) => b(btoa(String.fromCharCode(...x)));
const sha1 = async (x: Uint8Array) => new Uint8Array(await crypto.subtle.digest("SHA-1", x as Uint8Array<ArrayBuffer>));

async function recv_exact(sock: socket.Socket, n: number): Promise<Uint8Array> {
  let data = new Uint8Array(0);
  while (data.length < n) {
    const chunk = await sock.recv(n - data.length);
    if (!chunk.length) throw new socket.ConnectionError(`short read: ${data.length} of ${n}`);
    data = bjoin([data, chunk]);
  }
  return data;
}

async function read_frame(sock: socket.Socket): Promise<[number, number, Uint8Array]> {
  const [b1, b2] = await recv_exact(sock, 2) as unknown as [number, number];
  const [fin, opcode, masked] = [b1 >> 7, b1 & 0x0f, b2 >> 7];
  let n = b2 & 0x7f;
  if (n === 126) {
    n = new DataView((await recv_exact(sock, 2)).slice().buffer).getUint16(0);
  } else if (n === 127) {
    n = Number(new DataView((await recv_exact(sock, 8)).slice().buffer).getBigUint64(0));
  }
  const mask = masked ? await recv_exact(sock, 4) : null;
  let payload = await recv_exact(sock, n);
  if (mask) payload = payload.map((c, i) => c ^ mask[i % 4]!);
  return [fin, opcode, payload];
}

function frame(opcode: number, payload: Uint8Array, mask: Uint8Array | null = null, fin = true): Uint8Array {
  let head = new Uint8Array([(fin ? 0x80 : 0) | opcode]);
  const m = mask ? 0x80 : 0;
  const n = payload.length;
  if (n < 126) {
    head = bjoin([head, new Uint8Array([m | n])]);
  } else if (n < 65536) {
    const len = new Uint8Array(2);
    new DataView(len.buffer).setUint16(0, n);
    head = bjoin([head, new Uint8Array([m | 126]), len]);
  } else {
    const len = new Uint8Array(8);
    new DataView(len.buffer).setBigUint64(0, BigInt(n));
    head = bjoin([head, new Uint8Array([m | 127]), len]);
  }
  if (mask) {
    payload = payload.map((c, i) => c ^ mask[i % 4]!);
    head = bjoin([head, mask]);
  }
  return bjoin([head, payload]);
}

async function server(listener: socket.Socket) {
  const [conn] = await listener.accept();
  using _conn = conn;
  const f = conn.makefile("rb");
  const request = await f.readline() as Uint8Array;
  const headers = new Map<string, string>();
  while (true) {
    const line = await f.readline() as Uint8Array;
    if (decode(line) === "\r\n") break;
    const t = decode(line);
    const i = t.indexOf(":");
    headers.set(t.slice(0, i).toLowerCase(), t.slice(i + 1).trim());
  }
  await f.close();
  const key = b(headers.get("sec-websocket-key")!);
  const accept = b64(await sha1(bjoin([key, GUID])));
  print("server: upgrading", b(decode(request).split(/\s+/)[1]!), headers.get("upgrade"));
  await conn.sendall(bjoin([
    b("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"),
    b("Sec-WebSocket-Accept: "),
    accept,
    b("\r\n\r\n"),
  ]));
  let parts: Uint8Array[] = [];
  while (true) {
    const [fin, opcode, payload] = await read_frame(conn);
    if (opcode === 0x9) {
      print("server: ping", payload);
      await conn.sendall(frame(0xA, payload));
    } else if (opcode === 0x8) {
      const code = new DataView(payload.slice(0, 2).buffer).getUint16(0);
      print("server: close", code, payload.subarray(2));
      await conn.sendall(frame(0x8, payload.subarray(0, 2)));
      break;
    } else {
      parts.push(payload);
      if (fin) {
        const msg = bjoin(parts);
        parts = [];
        print("server: message of", msg.length, "bytes in", opcode ? "one frame" : "fragments");
        await conn.sendall(frame(opcode === 0x1 ? 0x1 : 0x2, msg));
      }
    }
  }
}

const listener = socket.create_server(["127.0.0.1", 0]);
const t = server(listener);
{
  using c = await socket.create_connection(listener.getsockname() as [string, number], { timeout: 10 });
  const key = b64(new Uint8Array(16).map((_, i) => i));
  await c.sendall(bjoin([
    b("GET /chat HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"),
    b("Sec-WebSocket-Key: "),
    key,
    b("\r\nSec-WebSocket-Version: 13\r\n\r\n"),
  ]));
  let response = new Uint8Array(0);
  while (!decode(response).endsWith("\r\n\r\n")) response = bjoin([response, await c.recv(1)]);
  const lines = decode(response).split("\r\n");
  print("client:", b(lines[0]!), b(lines[3]!));
  const want = decode(b64(await sha1(bjoin([key, GUID]))));
  print("client: accept ok:", decode(response).includes(want));
  const mask = new Uint8Array([1, 2, 3, 4]);
  const big = new Uint8Array(256 * 300).map((_, i) => i % 256);
  for (const msg of [b("hello"), b("héllo wörld"), b("x".repeat(200)), big]) {
    await c.sendall(frame(msg.length < 1000 ? 0x1 : 0x2, msg, mask));
    const [, opcode, payload] = await read_frame(c);
    print("client: echo", opcode, payload.length, beq(payload, msg), payload.subarray(0, 12));
  }
  await c.sendall(bjoin([frame(0x1, b("frag"), mask, false), frame(0x0, b("ment"), mask, false)]));
  await c.sendall(frame(0x0, b("ed"), mask));
  print("client: fragments ->", await read_frame(c));
  await c.sendall(frame(0x9, b("are you there"), mask));
  print("client: ping ->", await read_frame(c));
  const code = new Uint8Array(2);
  new DataView(code.buffer).setUint16(0, 1000);
  await c.sendall(frame(0x8, bjoin([code, b("bye")]), mask));
  print("client: close ->", await read_frame(c));
  print("client: then", await c.recv(10));
}
await join(t, 10);
listener.close();

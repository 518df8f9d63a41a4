// Port of jsonrpc_client.py (a dict's or list's print is Python's repr, spelled out by pyrepr below).
import * as socket from "../../mod.ts";
import { b, bjoin, decode, print, repr } from "../ported/_py.ts";

const port = parseInt(Deno.args[0]!);

class EOFError extends Error {}

function pyrepr(x: unknown): string {
  if (x === null || x === undefined) return "None";
  if (x === true) return "True";
  if (x === false) return "False";
  if (typeof x === "string") return repr(x);
  if (typeof x === "number") return String(x);
  if (Array.isArray(x)) return `[${x.map(pyrepr).join(", ")}]`;
  if (x instanceof Uint8Array) return repr(x);
  return `{${Object.entries(x as object).map(([k, v]) => `${repr(k)}: ${pyrepr(v)}`).join(", ")}}`;
}

async function recv_exactly(sock: socket.Socket, n: number): Promise<Uint8Array> {
  let data = new Uint8Array(0);
  while (data.length < n) {
    const more = await sock.recv(n - data.length);
    if (!more.length) throw new EOFError(`connection closed after ${data.length} of ${n} bytes`);
    data = bjoin([data, more]);
  }
  return data;
}

const u32 = (n: number) => {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
};

async function send_frame(sock: socket.Socket, payload: Uint8Array) {
  await sock.sendall(bjoin([u32(payload.length), payload]));
}

async function read_frame(sock: socket.Socket) {
  const h = await recv_exactly(sock, 4);
  const n = new DataView(h.buffer, h.byteOffset, 4).getUint32(0);
  return JSON.parse(decode(await recv_exactly(sock, n)));
}

async function rpc(sock: socket.Socket, method: string, params: unknown = null, ident: unknown = null, notify = false) {
  const req: Record<string, unknown> = { jsonrpc: "2.0", method };
  if (params !== null) req.params = params;
  if (!notify) req.id = ident;
  await send_frame(sock, b(JSON.stringify(req)));
  if (notify) return null;
  return await read_frame(sock);
}

let sock = await socket.create_connection(["127.0.0.1", port]);
print(pyrepr(await rpc(sock, "add", [2, 3], 1)));
print(pyrepr(await rpc(sock, "subtract", { subtrahend: 23, minuend: 42 }, 2)));
print(pyrepr(await rpc(sock, "echo", ["x", null, true], "abc")));
print(pyrepr(await rpc(sock, "incr", { by: 5 }, null, true)));
print(pyrepr(await rpc(sock, "incr", [], 3)));
print(pyrepr(await rpc(sock, "nope", [], 4)));
print(pyrepr(await rpc(sock, "add", [1], 5)));
await send_frame(sock, b('{"jsonrpc": "2.0", "method": "add", "params": [1, 2'));
print(pyrepr(await read_frame(sock)));
await send_frame(sock, b('{"jsonrpc": "1.0", "method": "add", "id": 9}'));
print(pyrepr(await read_frame(sock)));
await send_frame(sock, b("[]"));
print(pyrepr(await read_frame(sock)));
const batch = [
  { jsonrpc: "2.0", method: "add", params: [1, 1], id: 10 },
  { jsonrpc: "2.0", method: "incr" },
  { foo: "boo" },
  { jsonrpc: "2.0", method: "echo", params: { k: [1, 2] }, id: 11 },
];
await send_frame(sock, b(JSON.stringify(batch)));
print(pyrepr(await read_frame(sock)));
await send_frame(sock, b('[{"jsonrpc": "2.0", "method": "incr"}]')); // all notifications: no reply at all
for (let i = 0; i < 3; i++) {
  await send_frame(sock, b(JSON.stringify({ jsonrpc: "2.0", method: "add", params: [i, i], id: 100 + i })));
}
const results = [];
for (let i = 0; i < 3; i++) results.push((await read_frame(sock)).result);
print(pyrepr(results));
const frame = bjoin([u32(40), b('{"jsonrpc":"2.0","method":"incr","id":7}')]);
for (let i = 0; i < frame.length; i += 5) await sock.sendall(frame.subarray(i, i + 5));
print(pyrepr(await read_frame(sock)));
await sock.shutdown(socket.SHUT_WR);
await sock.recv(1); // the server's close: its handler has printed 'end of stream' before the next connection
sock.close();

sock = await socket.create_connection(["127.0.0.1", port]);
await sock.sendall(u32(10 ** 6));
try {
  await read_frame(sock);
} catch (e) {
  if (!(e instanceof EOFError)) throw e;
  print("EOFError:", e.message);
}
sock.close();

sock = await socket.create_connection(["127.0.0.1", port]);
await sock.sendall(new Uint8Array([0, 0]));
await sock.shutdown(socket.SHUT_WR);
print("after a truncated header:", await sock.recv(10));
sock.close();

sock = await socket.create_connection(["127.0.0.1", port]);
print(pyrepr(await rpc(sock, "shutdown", [], "last")));
sock.close();

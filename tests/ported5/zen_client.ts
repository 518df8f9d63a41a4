// Port of zen_client.py (IOError is OSError: its str() is the message given).
import * as socket from "../../mod.ts";
import { OSError } from "../../mod.ts";
import { b, beq, bjoin, print, repr, sleep } from "../ported/_py.ts";

const aphorisms = [b("Beautiful is better than?"), b("Explicit is better than?"), b("Simple is better than?")];
const address: [string, number] = ["127.0.0.1", parseInt(Deno.args[0]!)];

class EOFError extends Error {}

async function recv_until(sock: socket.Socket, suffix: Uint8Array): Promise<Uint8Array> {
  let message = await sock.recv(4096);
  if (!message.length) throw new EOFError("socket closed");
  while (!beq(message.subarray(message.length - suffix.length), suffix)) {
    const data = await sock.recv(4096);
    if (!data.length) throw new OSError(null, `received ${repr(message)} then socket closed`);
    message = bjoin([message, data]);
  }
  return message;
}

async function client(address: socket.Address, cause_error = false, order = [2, 0, 1]) {
  const sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  await sock.connect(address);
  if (cause_error) {
    await sock.sendall(aphorisms[0]!.subarray(0, -1));
    sock.close();
    return;
  }
  for (const i of order) {
    const aphorism = aphorisms[i]!;
    await sock.sendall(aphorism);
    print(aphorism, await recv_until(sock, b(".")));
  }
  sock.close();
}

const pause = () => sleep(0.5); // let the server print before the next conversation starts

print("-- a normal client");
await client(address);
await pause();
print("-- a client that causes an error");
await client(address, true);
await pause();
print("-- an unknown aphorism, then a question in pieces, then two in one send");
let sock = await socket.create_connection(address);
await sock.sendall(b("Flat is better than?"));
print(await recv_until(sock, b(".")));
for (const piece of [b("Explicit"), b(" is better"), b(" than?")]) {
  await sock.sendall(piece);
  await sleep(0.1);
}
print(await recv_until(sock, b(".")));
await sock.sendall(bjoin([aphorisms[0]!, aphorisms[1]!]));
print(await recv_until(sock, b(".")));
await sock.shutdown(socket.SHUT_WR);
print("after SHUT_WR the server closes:", await sock.recv(10));
sock.close();
await pause();
print("-- three clients at once");
const socks: socket.Socket[] = [];
for (let i = 0; i < 3; i++) {
  socks.push(await socket.create_connection(address));
  await pause();
}
for (let round = 0; round < 2; round++) {
  for (const [i, s] of socks.entries()) {
    await s.sendall(aphorisms[(i + round) % 3]!);
    print(i, await recv_until(s, b(".")));
  }
}
for (const s of socks) {
  s.close();
  await pause();
}
print("-- a client reading its answer in a loop");
await client(address, false, [0, 0]);
await pause();
sock = await socket.create_connection(address);
try {
  await sock.sendall(b("Simple is better than?"));
  await sock.shutdown(socket.SHUT_WR);
  print(await recv_until(sock, b("?")));
} catch (e) {
  if (!(e instanceof EOFError || e instanceof OSError)) throw e;
  print(e instanceof EOFError ? "EOFError" : "OSError", e.message);
}
sock.close();

// Port of zen_server.py (worker threads become tasks, all waiting in accept() on one listener; the lock goes;
// threading.Event is a Promise; IOError is OSError).
import * as socket from "../../mod.ts";
import { OSError } from "../../mod.ts";
import { beq, bjoin, print, repr, sleep } from "../ported/_py.ts";

const enc = new TextEncoder();
const aphorisms: [Uint8Array, Uint8Array][] = [
  [enc.encode("Beautiful is better than?"), enc.encode("Ugly.")],
  [enc.encode("Explicit is better than?"), enc.encode("Implicit.")],
  [enc.encode("Simple is better than?"), enc.encode("Complex.")],
];

const CONVERSATIONS = 8;
const done: socket.Address[] = [];
let set_finished: () => void = () => {};
const finished = new Promise<void>((r) => set_finished = r);

class EOFError extends Error {}

async function get_answer(aphorism: Uint8Array): Promise<Uint8Array> {
  // Return the string response to a particular Zen-of-Python aphorism.
  await sleep(0.0); // increase to simulate an expensive operation
  return aphorisms.find(([q]) => beq(q, aphorism))?.[1] ?? enc.encode("Error: unknown aphorism.");
}

function create_srv_socket(address: socket.Address) {
  // Build and return a listening server socket.
  const listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
  listener.bind(address);
  listener.listen(64);
  print(`Listening at ${(listener.getsockname() as [string, number])[1]}`);
  return listener;
}

async function accept_connections_forever(listener: socket.Socket) {
  // Forever answer incoming connections on a listening socket.
  while (true) {
    let sock: socket.Socket, address: socket.Address;
    try {
      [sock, address] = await listener.accept();
    } catch (e) {
      if (e instanceof OSError) return;
      throw e;
    }
    print(`Accepted connection from ${(address as [string, number])[0]}`);
    await handle_conversation(sock, address);
  }
}

async function handle_conversation(sock: socket.Socket, address: socket.Address) {
  // Converse with a client over `sock` until they are done talking.
  try {
    while (true) await handle_request(sock);
  } catch (e) {
    if (e instanceof EOFError) print(`Client socket to ${(address as [string, number])[0]} has closed`);
    else print(`Client ${(address as [string, number])[0]} error: ${(e as Error).message}`);
  } finally {
    sock.close();
    done.push(address);
    if (done.length === CONVERSATIONS) set_finished();
  }
}

async function handle_request(sock: socket.Socket) {
  // Receive a single client request on `sock` and send the answer.
  const aphorism = await recv_until(sock, enc.encode("?"));
  const answer = await get_answer(aphorism);
  await sock.sendall(answer);
}

async function recv_until(sock: socket.Socket, suffix: Uint8Array): Promise<Uint8Array> {
  // Receive bytes over socket `sock` until we receive the `suffix`.
  let message = await sock.recv(4096);
  if (!message.length) throw new EOFError("socket closed");
  while (!beq(message.subarray(message.length - suffix.length), suffix)) {
    const data = await sock.recv(4096);
    if (!data.length) throw new OSError(null, `received ${repr(message)} then socket closed`);
    message = bjoin([message, data]);
  }
  return message;
}

function start_threads(listener: socket.Socket, workers = 4) {
  for (let i = 0; i < workers; i++) void accept_connections_forever(listener);
}

const listener = create_srv_socket(["127.0.0.1", parseInt(Deno.args[0]!)]);
start_threads(listener);
let timer: ReturnType<typeof setTimeout> | undefined;
const ok = await Promise.race([
  finished.then(() => true),
  new Promise<boolean>((r) => timer = setTimeout(r, 60_000, false)),
]);
clearTimeout(timer);
print("all conversations done:", ok);
listener.close();

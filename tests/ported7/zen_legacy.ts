// Port of zen_legacy.py (the accept loop's thread and serve_forever's thread are tasks; IOError is OSError;
// EOFError is the program's own class). client(cause_error=True) returns without closing its socket, as in
// the book: CPython closes it there, when its last reference goes; JavaScript has no reference counts, so the
// socket stays open and the server waits for the rest of the question (finding P10-1). The port closes it
// where CPython does; `strict` as the first argument runs the book's code as written.
import * as socket from "../../mod.ts";
import { OSError } from "../../mod.ts";
import { BaseRequestHandler, TCPServer, ThreadingMixIn } from "../../socketserver.ts";
import { b, beq, bjoin, join, print, repr } from "../ported/_py.ts";

const STRICT = Deno.args[0] === "strict";

class EOFError extends Error {}

const aphorisms: [Uint8Array, Uint8Array][] = [
  [b("Beautiful is better than?"), b("Ugly.")],
  [b("Explicit is better than?"), b("Implicit.")],
  [b("Simple is better than?"), b("Complex.")],
];
const lines: string[] = [];

/** Return the string response to a particular Zen-of-Python aphorism. */
function get_answer(aphorism: Uint8Array) {
  return aphorisms.find(([q]) => beq(q, aphorism))?.[1] ?? b("Error: unknown aphorism.");
}

/** Build and return a listening server socket. */
function create_srv_socket(address: [string, number]) {
  const listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
  listener.bind(address);
  listener.listen(64);
  lines.push(`Listening at ${listener.getsockname()[0]}`);
  return listener;
}

/** Answer incoming connections on a listening socket (count of them). */
async function accept_connections_forever(listener: socket.Socket, count: number) {
  for (let i = 0; i < count; i++) {
    const [sock, address] = await listener.accept();
    lines.push(`Accepted connection from ${address[0]}`);
    await handle_conversation(sock, address);
  }
}

/** Converse with a client over `sock` until they are done talking. */
async function handle_conversation(sock: socket.Socket, address: socket.Address) {
  try {
    while (true) {
      await handle_request(sock);
    }
  } catch (e) {
    if (e instanceof EOFError) {
      lines.push(`Client socket to ${address[0]} has closed`);
    } else if (e instanceof Error) {
      lines.push(`Client ${address[0]} error: ${e.message}`);
    } else throw e;
  } finally {
    sock.close();
  }
}

/** Receive a single client request on `sock` and send the answer. */
async function handle_request(sock: socket.Socket) {
  const aphorism = await recv_until(sock, b("?"));
  const answer = get_answer(aphorism);
  await sock.sendall(answer);
}

/** Receive bytes over socket `sock` until we receive the `suffix`. */
async function recv_until(sock: socket.Socket, suffix: Uint8Array) {
  let message = await sock.recv(4096);
  if (!message.length) {
    throw new EOFError("socket closed");
  }
  while (!beq(message.subarray(message.length - suffix.length), suffix)) {
    const data = await sock.recv(4096);
    if (!data.length) {
      throw new OSError(`received ${repr(message)} then socket closed`);
    }
    message = bjoin([message, data]);
  }
  return message;
}

async function client(address: socket.Address, cause_error = false) {
  const sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  await sock.connect(address);
  const aphorisms_list = aphorisms.map(([q]) => q);
  if (cause_error) {
    await sock.sendall(aphorisms_list[0]!.subarray(0, -1));
    if (!STRICT) sock.close(); // CPython: the socket's last reference goes here (finding P10-1)
    return;
  }
  for (const aphorism of aphorisms_list) {
    await sock.sendall(aphorism);
    print(aphorism, await recv_until(sock, b(".")));
  }
  sock.close();
}

function show(title: string, order = false) {
  print(title);
  for (const line of order ? [...lines].sort() : lines) {
    print("  " + line);
  }
  lines.length = 0;
}

// srv_single.py
const listener = create_srv_socket(["127.0.0.1", 0]);
let address: socket.Address = listener.getsockname();
let t = accept_connections_forever(listener, 2);
await client(address);
await client(address, true);
await join(t, 30);
listener.close();
show("srv_single");

// srv_legacy1.py
class ZenHandler extends BaseRequestHandler {
  override async handle() {
    await handle_conversation(this.request, this.client_address);
  }
}

class ZenServer extends ThreadingMixIn(TCPServer) {
  static override allow_reuse_address = true;
  // static override address_family = socket.AF_INET6;  // uncomment if you need IPv6
}

const server = new ZenServer(["127.0.0.1", 0], ZenHandler);
address = server.server_address;
t = server.serve_forever();
await client(address);
await client(address, true);
await client(address);
await server.shutdown();
await server.server_close();
await join(t, 30);
show("srv_legacy1", true); // handler threads finish in any order

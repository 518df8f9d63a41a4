// Port of cb_event_io.py (select() takes the handler objects through their fileno(), as Python's; handle_*
// methods that do I/O are async and the loop awaits them; the ThreadPoolExecutor's workers are tasks: submit
// runs the function in a task of its own and its completion callback signals over the socketpair as in the
// book; bytearray slicing is subarray).
import * as socket from "../../mod.ts";
import { select } from "../../selectors.ts";
import { b, beq, bjoin, list, print, sleep } from "../ported/_py.ts";
import { now, stamp } from "./_lutz.ts";

class EventHandler {
  /** Return the associated file descriptor */
  fileno(): number {
    throw new Error("must implement");
  }

  /** Return True if receiving is allowed */
  wants_to_receive(): boolean {
    return false;
  }

  /** Perform the receive operation */
  async handle_receive(): Promise<void> {}

  /** Return True if sending is requested */
  wants_to_send(): boolean {
    return false;
  }

  /** Send outgoing data */
  async handle_send(): Promise<void> {}
}

let stopped = false;

async function event_loop(handlers: EventHandler[]) {
  while (!stopped) {
    const wants_recv = handlers.filter((h) => h.wants_to_receive());
    const wants_send = handlers.filter((h) => h.wants_to_send());
    const [can_recv, can_send] = await select(wants_recv, wants_send, []);
    for (const h of can_recv) await h.handle_receive();
    for (const h of can_send) await h.handle_send();
  }
}

class UDPServer extends EventHandler {
  sock: socket.Socket;
  constructor(address: socket.Address) {
    super();
    this.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    this.sock.bind(address);
  }

  override fileno() {
    return this.sock.fileno();
  }

  override wants_to_receive() {
    return true;
  }
}

class UDPTimeServer extends UDPServer {
  override async handle_receive() {
    const [, addr] = await this.sock.recvfrom(1);
    await this.sock.sendto(b(now()), addr!);
  }
}

class UDPEchoServer extends UDPServer {
  override async handle_receive() {
    const [msg, addr] = await this.sock.recvfrom(8192);
    await this.sock.sendto(msg, addr!);
  }
}

type ClientHandler = new (sock: socket.Socket, handler_list: EventHandler[]) => EventHandler;

class TCPServer extends EventHandler {
  sock: socket.Socket;
  constructor(address: socket.Address, public client_handler: ClientHandler, public handler_list: EventHandler[]) {
    super();
    this.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
    this.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, true);
    this.sock.bind(address);
    this.sock.listen(1);
  }

  override fileno() {
    return this.sock.fileno();
  }

  override wants_to_receive() {
    return true;
  }

  override async handle_receive() {
    const [client] = await this.sock.accept();
    // Add the client to the event loop's handler list
    this.handler_list.push(new this.client_handler(client, this.handler_list));
  }
}

class TCPClient extends EventHandler {
  outgoing = new Uint8Array();
  constructor(public sock: socket.Socket, public handler_list: EventHandler[]) {
    super();
  }

  override fileno() {
    return this.sock.fileno();
  }

  close() {
    this.sock.close();
    // Remove myself from the event loop's handler list
    this.handler_list.splice(this.handler_list.indexOf(this), 1);
  }

  override wants_to_send() {
    return this.outgoing.length ? true : false;
  }

  override async handle_send() {
    const nsent = await this.sock.send(this.outgoing);
    this.outgoing = this.outgoing.subarray(nsent);
  }
}

class TCPEchoClient extends TCPClient {
  override wants_to_receive() {
    return true;
  }

  override async handle_receive() {
    const data = await this.sock.recv(8192);
    if (!data.length) this.close();
    else this.outgoing = bjoin([this.outgoing, data]);
  }
}

class ThreadPoolHandler extends EventHandler {
  signal_done_sock!: socket.Socket;
  done_sock!: socket.Socket;
  pending: [(r: unknown) => Promise<void>, unknown][] = [];

  static async create() {
    const h = new ThreadPoolHandler();
    [h.signal_done_sock, h.done_sock] = await socket.socketpair();
    return h;
  }

  override fileno() {
    return this.done_sock.fileno();
  }

  // Callback that executes when the thread is done
  async complete(callback: (r: unknown) => Promise<void>, r: unknown) {
    this.pending.push([callback, r]);
    await this.signal_done_sock.send(b("x"));
  }

  // Run a function in a thread pool (a task)
  run<A extends unknown[]>(
    func: (...args: A) => unknown,
    args: A,
    { callback }: { callback: (r: unknown) => Promise<void> },
  ) {
    (async () => {
      await sleep(0);
      await this.complete(callback, func(...args));
    })();
  }

  override wants_to_receive() {
    return true;
  }

  // Run callback functions of completed work
  override async handle_receive() {
    // Invoke all pending callback functions
    for (const [callback, result] of this.pending) {
      await callback(result);
      await this.done_sock.recv(1);
    }
    this.pending = [];
  }
}

function fib(n: number): number {
  return n < 2 ? 1 : fib(n - 1) + fib(n - 2);
}

class UDPFibServer extends UDPServer {
  override async handle_receive() {
    const [msg, addr] = await this.sock.recvfrom(128);
    const n = Number(new TextDecoder().decode(msg));
    pool.run(fib, [n], { callback: (r) => this.respond(r, addr!) });
  }

  async respond(result: unknown, addr: socket.Address) {
    await this.sock.sendto(b(String(result)), addr);
  }
}

class StopHandler extends EventHandler {
  stop_sock!: socket.Socket;
  sock!: socket.Socket;

  static async create() {
    const h = new StopHandler();
    [h.stop_sock, h.sock] = await socket.socketpair();
    return h;
  }

  override fileno() {
    return this.sock.fileno();
  }

  override wants_to_receive() {
    return true;
  }

  override async handle_receive() {
    await this.sock.recv(1);
    stopped = true;
  }
}

const pool = await ThreadPoolHandler.create();
const stop = await StopHandler.create();
const handlers: EventHandler[] = [
  new UDPTimeServer(["127.0.0.1", 0]),
  new UDPEchoServer(["127.0.0.1", 0]),
  new UDPFibServer(["127.0.0.1", 0]),
  pool,
  stop,
];
handlers.push(new TCPServer(["127.0.0.1", 0], TCPEchoClient, handlers));
const [time_addr, echo_addr, fib_addr] = (handlers.slice(0, 3) as UDPServer[]).map((h) => h.sock.getsockname());
const tcp_addr = (handlers.at(-1) as TCPServer).sock.getsockname() as [string, number];
const loop = event_loop(handlers);

const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
await s.sendto(b(""), time_addr!);
print("time:", stamp(new TextDecoder().decode((await s.recvfrom(128))[0])) === "TIME" ? "TIME" : "BAD");
await s.sendto(b("Hello"), echo_addr!);
print("echo:", (await s.recvfrom(8192))[0]);
for (const n of [10, 20, 25]) {
  await s.sendto(b(String(n)), fib_addr!);
  print(`fib(${n}):`, (await s.recvfrom(128))[0]);
}
s.close();

const a = await socket.create_connection(tcp_addr);
const bs = await socket.create_connection(tcp_addr);
await a.sendall(b("Hello from a"));
await bs.sendall(b("Hello from b"));
print("tcp b:", await bs.recv(8192));
print("tcp a:", await a.recv(8192));
const big = bjoin(Array.from({ length: 800 }, () => Uint8Array.from({ length: 256 }, (_, i) => i)));
await bs.sendall(big);
// read the echo by its length before closing (see the .py)
const chunks: Uint8Array[] = [];
let total = 0;
while (total < big.length) {
  const data = await bs.recv(65536);
  if (!data.length) break;
  chunks.push(data);
  total += data.length;
}
const got = bjoin(chunks);
print("tcp big echo:", got.length, beq(got, big));
bs.close();
a.close();
const deadline = Date.now() + 30_000;
while (handlers.length > 6 && Date.now() < deadline) await sleep(0.01);
print("handlers left:", list(handlers.map((h) => h.constructor.name)));
await stop.stop_sock.send(b("x"));
await loop;
for (const h of handlers) {
  (h as { sock?: socket.Socket }).sock?.close();
}
pool.signal_done_sock.close();
pool.done_sock.close();
stop.stop_sock.close();

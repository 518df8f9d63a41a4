// Port of cb_rpc.py (threads are tasks; Python's *args/**kwargs travel as JSON and the remote functions take
// (args, kwargs); `+` and `-` keep Python's meaning and TypeError text in add() and sub(); KeyError's str()
// is the key's repr; a list prints as Python's list).
import * as socket from "../../mod.ts";
import { bjoin, list, print, repr } from "../ported/_py.ts";

class EOFError extends Error {}

class Connection {
  constructor(private _sock: socket.Socket) {}

  async _recvall(n: number) {
    let data = new Uint8Array();
    while (data.length < n) {
      const more = await this._sock.recv(n - data.length);
      if (!more.length) throw new EOFError();
      data = bjoin([data, more]);
    }
    return data;
  }

  async send(text: string) {
    const data = new TextEncoder().encode(text);
    const head = new Uint8Array(4);
    new DataView(head.buffer).setInt32(0, data.length);
    await this._sock.sendall(bjoin([head, data]));
  }

  async recv() {
    const head = await this._recvall(4);
    const size = new DataView(head.buffer, head.byteOffset, 4).getInt32(0);
    return new TextDecoder().decode(await this._recvall(size));
  }

  close() {
    this._sock.close();
  }
}

type Args = unknown[];
type Kwargs = Record<string, unknown>;
type Fn = (args: Args, kwargs: Kwargs) => unknown;

class RPCHandler {
  _functions = new Map<string, Fn>();

  register_function(name: string, func: Fn) {
    this._functions.set(name, func);
  }

  async handle_connection(connection: Connection) {
    try {
      while (true) {
        // Receive a message
        const [func_name, args, kwargs] = JSON.parse(await connection.recv()) as [string, Args, Kwargs];
        // Run the RPC and send a response
        try {
          const f = this._functions.get(func_name);
          if (!f) throw new Error(repr(func_name)); // KeyError
          const r = f(args, kwargs);
          await connection.send(JSON.stringify(r));
        } catch (e) {
          if (e instanceof EOFError || !(e instanceof Error)) throw e;
          await connection.send(JSON.stringify(e.message));
        }
      }
    } catch (e) {
      if (!(e instanceof EOFError)) throw e;
    }
    connection.close();
    print("server: connection closed");
  }
}

class RPCProxy {
  constructor(private _connection: Connection) {}

  /** `proxy.name(*args, **kwargs)` is `proxy.call("name", args, kwargs)`. */
  async call(name: string, args: Args = [], kwargs: Kwargs = {}) {
    await this._connection.send(JSON.stringify([name, args, kwargs]));
    return JSON.parse(await this._connection.recv());
  }
}

const tname = (x: unknown) => Array.isArray(x) ? "list" : typeof x === "string" ? "str" : "int";

// Some remote functions
function add([x, y]: Args) {
  if (Array.isArray(x) && Array.isArray(y)) return [...x, ...y];
  if (typeof x === typeof y) return (x as number) + (y as number);
  throw new TypeError(`unsupported operand type(s) for +: '${tname(x)}' and '${tname(y)}'`);
}

function sub([x, y]: Args) {
  if (typeof x === "number" && typeof y === "number") return x - y;
  throw new TypeError(`unsupported operand type(s) for -: '${tname(x)}' and '${tname(y)}'`);
}

function greet(args: Args, kwargs: Kwargs) {
  const name = args[0] ?? kwargs.name;
  const greeting = args[1] ?? kwargs.greeting ?? "Hello";
  return `${greeting}, ${name}!`;
}

const handler = new RPCHandler();
handler.register_function("add", add);
handler.register_function("sub", sub);
handler.register_function("greet", greet);

const threads: Promise<void>[] = [];

async function rpc_server(handler: RPCHandler, sock: socket.Socket, count: number) {
  for (let i = 0; i < count; i++) {
    const [client] = await sock.accept();
    threads.push(handler.handle_connection(new Connection(client)));
  }
}

const show = (x: unknown) => print(Array.isArray(x) ? list(x) : x);

const path = `${Deno.makeTempDirSync()}/rpc.sock`;
for (
  const [family, address] of [[socket.AF_UNIX, path], [socket.AF_INET, ["127.0.0.1", 0]]] as [
    number,
    socket.Address,
  ][]
) {
  const listener = socket.socket(family, socket.SOCK_STREAM);
  listener.bind(address);
  listener.listen(5);
  const server = rpc_server(handler, listener, 1);
  const c = socket.socket(family, socket.SOCK_STREAM);
  await c.connect(listener.getsockname());
  const proxy = new RPCProxy(new Connection(c));
  show(await proxy.call("add", [2, 3]));
  show(await proxy.call("sub", [2, 3]));
  show(await proxy.call("sub", [[1, 2], 4]));
  show(await proxy.call("add", [[1, 2], [3]]));
  show(await proxy.call("add", ["spam", "eggs"]));
  show(await proxy.call("greet", ["world"]));
  show(await proxy.call("greet", [], { name: "Guido", greeting: "Hi" }));
  show(await proxy.call("mul", [2, 3]));
  const big = await proxy.call("add", [[...Array(50000).keys()], [0, 1, 2]]) as number[];
  print(big.length, list(big.slice(-4)));
  c.close();
  await server;
  await threads.at(-1);
  listener.close();
}

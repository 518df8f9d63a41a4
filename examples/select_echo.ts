/**
 * The classic Python `select()` echo server: one loop, no threads, many
 * clients. Non-blocking sockets, an input list, an output list and a
 * message queue per client, exactly as the Python original; only `await`
 * is new.
 *
 * ```sh
 * deno run --allow-net examples/select_echo.ts               # 127.0.0.1:50008, forever
 * deno run --allow-net examples/select_echo.ts --port 0      # any free port
 * deno run --allow-net examples/select_echo.ts --clients 3   # exit after 3 clients left
 * deno run --allow-net examples/select_echo.ts --self-test   # serve 20 built-in clients, check, exit
 * ```
 *
 * The Python original:
 *
 * ```python
 * import queue, select, socket
 * server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
 * server.setblocking(False)
 * server.bind(("127.0.0.1", 50008))
 * server.listen(5)
 * inputs, outputs, message_queues = [server], [], {}
 * while inputs:
 *     readable, writable, exceptional = select.select(inputs, outputs, inputs)
 *     for s in readable:
 *         if s is server:
 *             connection, client_address = s.accept()
 *             connection.setblocking(False)
 *             inputs.append(connection)
 *             message_queues[connection] = queue.Queue()
 *         else:
 *             data = s.recv(1024)
 *             if data:
 *                 message_queues[s].put(data)
 *                 if s not in outputs:
 *                     outputs.append(s)
 *             else:
 *                 if s in outputs:
 *                     outputs.remove(s)
 *                 inputs.remove(s)
 *                 s.close()
 *                 del message_queues[s]
 *     for s in writable:
 *         try:
 *             next_msg = message_queues[s].get_nowait()
 *         except queue.Empty:
 *             outputs.remove(s)
 *         else:
 *             s.send(next_msg)
 *     for s in exceptional:
 *         inputs.remove(s)
 *         if s in outputs:
 *             outputs.remove(s)
 *         s.close()
 *         del message_queues[s]
 * ```
 * @module
 */

import { AF_INET, BlockingIOError, create_connection, SOCK_STREAM, type Socket, socket } from "@pysocket/socket";
import { select } from "@pysocket/socket/selectors";

/** Options of {@linkcode serve}. */
export interface ServeOptions {
  /** Stop after this many clients have disconnected (default: never). */
  clients?: number;
  /** Stop when aborted. */
  signal?: AbortSignal;
  /** Called with each event, for logging. */
  log?: (msg: string) => void;
}

/**
 * Serve echo clients on a listening socket with the classic select() loop.
 *
 * @param server a bound, listening socket.
 * @param options when to stop.
 * @returns the number of bytes echoed.
 */
export async function serve(server: Socket, options: ServeOptions = {}): Promise<number> {
  const log = options.log ?? (() => {});
  server.setblocking(false);
  const inputs: Socket[] = [server];
  const outputs: Socket[] = [];
  const message_queues = new Map<Socket, Uint8Array[]>();
  let gone = 0;
  let echoed = 0;
  const drop = (s: Socket) => {
    if (outputs.includes(s)) outputs.splice(outputs.indexOf(s), 1);
    inputs.splice(inputs.indexOf(s), 1);
    s.close();
    message_queues.delete(s);
    gone++;
  };
  while (inputs.length > 0 && (options.clients === undefined || gone < options.clients)) {
    const [readable, writable, exceptional] = await select(inputs, outputs, inputs, { signal: options.signal });
    for (const s of readable) {
      if (s === server) {
        try {
          const [connection, client_address] = await s.accept();
          log(`connection from ${JSON.stringify(client_address)}`);
          connection.setblocking(false);
          inputs.push(connection);
          message_queues.set(connection, []);
        } catch (e) {
          if (!(e instanceof BlockingIOError)) throw e;
        }
      } else if (message_queues.has(s)) {
        let data: Uint8Array;
        try {
          data = await s.recv(1024);
        } catch (e) {
          if (e instanceof BlockingIOError) continue;
          data = new Uint8Array(0); // a reset connection ends like EOF
        }
        if (data.length > 0) {
          message_queues.get(s)!.push(data);
          if (!outputs.includes(s)) outputs.push(s);
        } else {
          log("client closed");
          drop(s);
        }
      }
    }
    for (const s of writable) {
      const q = message_queues.get(s);
      if (!q) continue;
      const next_msg = q.shift();
      if (next_msg === undefined) {
        outputs.splice(outputs.indexOf(s), 1);
      } else {
        try {
          const n = await s.send(next_msg);
          echoed += n;
          if (n < next_msg.length) q.unshift(next_msg.subarray(n));
        } catch (e) {
          if (e instanceof BlockingIOError) q.unshift(next_msg);
          else drop(s);
        }
      }
    }
    for (const s of exceptional) if (message_queues.has(s)) drop(s);
  }
  for (const s of inputs) if (s !== server) s.close();
  return echoed;
}

/** Built-in clients: each sends lines and checks every echo. */
async function self_test(port: number, clients: number, lines: number): Promise<number> {
  const enc = new TextEncoder(), dec = new TextDecoder();
  let total = 0;
  await Promise.all(Array.from({ length: clients }, async (_, id) => {
    using c = await create_connection(["127.0.0.1", port], 10);
    let want = "";
    for (let i = 0; i < lines; i++) {
      const line = `client ${id} says ${i}\n`;
      want += line;
      await c.sendall(enc.encode(line));
    }
    let got = "";
    while (got.length < want.length) {
      const chunk = await c.recv(4096);
      if (chunk.length === 0) break;
      got += dec.decode(chunk);
    }
    if (got !== want) throw new Error(`client ${id}: echo mismatch`);
    total += got.length;
  }));
  return total;
}

if (import.meta.main) {
  const args = Deno.args;
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const testing = args.includes("--self-test");
  const port = Number(opt("--port") ?? (testing ? 0 : 50008));
  const host = opt("--host") ?? "127.0.0.1";
  using server = socket(AF_INET, SOCK_STREAM);
  server.bind([host, port]);
  server.listen(128);
  const [h, p] = server.getsockname() as [string, number];
  console.log(`listening on ${h}:${p}`);
  if (testing) {
    const CLIENTS = 20, LINES = 50;
    const [echoed, checked] = await Promise.all([
      serve(server, { clients: CLIENTS, signal: AbortSignal.timeout(30_000) }),
      self_test(p, CLIENTS, LINES),
    ]);
    console.log(`self-test ok: ${CLIENTS} clients, ${checked} bytes checked, ${echoed} bytes echoed`);
  } else {
    const clients = opt("--clients");
    const echoed = await serve(server, {
      ...(clients === undefined ? {} : { clients: Number(clients) }),
      log: (m) => console.log(m),
    });
    console.log(`done: ${echoed} bytes echoed`);
  }
}

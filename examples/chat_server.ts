/**
 * A line-based chat server with `socketserver`: every client gets its own
 * handler task (Python needs `ThreadingTCPServer` for that; here every
 * server is concurrent). The first line a client sends is its name; every
 * later line goes to all the other clients as `name: text`. `/who` lists
 * who is online and `/quit` leaves. Try it with `nc 127.0.0.1 50009` or
 * `python3 -c 'import socket...'`.
 *
 * Members that stop reading cannot hurt the room: once 1 MiB waits for a
 * member, whoever talks waits for it to read (so memory stays bounded),
 * and a member that reads none of it for 5 s is dropped. Lines are cut at
 * 4 KiB.
 *
 * ```sh
 * deno run --allow-net examples/chat_server.ts               # 127.0.0.1:50009, forever
 * deno run --allow-net examples/chat_server.ts --port 0      # any free port
 * deno run --allow-net examples/chat_server.ts --clients 3   # exit after 3 sessions ended
 * deno run --allow-net examples/chat_server.ts --self-test   # 20 built-in clients chat, check, exit
 * ```
 *
 * The Python it ports (abridged):
 *
 * ```python
 * class ChatHandler(socketserver.StreamRequestHandler):
 *     def handle(self):
 *         name = self.rfile.readline().strip().decode()
 *         self.server.join(self, name)
 *         try:
 *             for line in self.rfile:
 *                 text = line.rstrip(b"\r\n").decode()
 *                 if text == "/quit": break
 *                 self.server.broadcast(self, f"{name}: {text}\n")
 *         finally:
 *             self.server.leave(self)
 *
 * with ChatServer(("127.0.0.1", 50009), ChatHandler) as server:
 *     server.serve_forever()
 * ```
 * @module
 */

import { create_connection, type Socket } from "@pysocket/socket";
import { StreamRequestHandler, ThreadingTCPServer } from "@pysocket/socket/socketserver";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** The most bytes waiting for a client before whoever talks waits for it to read. */
const MAX_QUEUED = 1 << 20;
/** How long a client may sit on `MAX_QUEUED` unread bytes before it is dropped. */
const STALL_MS = 5000;
/** The longest line read (a longer one is cut, as Python's `readline(limit)` does). */
const MAX_LINE = 4096;

/** Wait for `p` at most `ms`; true when it did not settle in time. */
async function at_most(p: Promise<void>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = await Promise.race([
    p.then(() => false),
    new Promise<boolean>((r) => timer = setTimeout(() => r(true), ms)),
  ]);
  clearTimeout(timer);
  return late;
}

/** One connected client: its handler sends lines in order through a queue. */
export class ChatHandler extends StreamRequestHandler<ChatServer> {
  /** The client's name (its first line). */
  name = "";
  #out: Promise<void> = Promise.resolve();
  #queued = 0;
  #dropped = false;

  /** Queue a line to this client; lines never interleave, a gone client is ignored. */
  send(line: string): Promise<void> {
    if (this.#dropped) return this.#out;
    const bytes = enc.encode(line);
    this.#queued += bytes.length;
    const done = () => void (this.#queued -= bytes.length);
    this.#out = this.#out.then(() => this.#dropped ? undefined : this.wfile.write(bytes)).then(done, done);
    return this.#out;
  }

  /**
   * Resolves once this client has read what waits for it, when that is
   * more than `MAX_QUEUED` bytes (a talker waits for slow readers, so
   * memory stays bounded); a client that reads nothing of it for
   * `STALL_MS` is dropped instead, so it cannot hold up the room.
   */
  async drained(): Promise<void> {
    if (this.#queued <= MAX_QUEUED || this.#dropped) return;
    if (await at_most(this.#out, STALL_MS)) this.drop();
  }

  /** Disconnect this client: its pending writes and reads end at once. */
  drop(): void {
    this.#dropped = true;
    this.connection.close();
  }

  override async handle(): Promise<void> {
    const first = await this.rfile.readline(MAX_LINE) as Uint8Array;
    if (first.length === 0) return;
    this.name = dec.decode(first).trim() || `guest${this.server.sessions + 1}`;
    this.server.join(this);
    try {
      for (;;) {
        let line: Uint8Array;
        try {
          line = await this.rfile.readline(MAX_LINE) as Uint8Array;
        } catch (e) {
          if (this.#dropped) break; // we closed it
          throw e;
        }
        if (line.length === 0) break;
        const text = dec.decode(line).replace(/\r?\n$/, "");
        if (text === "/quit") {
          await this.send("* bye\n");
          break;
        }
        if (text === "/who") {
          await this.send(`* online: ${[...this.server.members].map((h) => h.name).join(", ")}\n`);
          continue;
        }
        await this.server.broadcast(this, `${this.name}: ${text}\n`);
      }
    } finally {
      this.server.leave(this);
      // Let what is queued go out, but never wait for ever on a client that left without reading.
      if (await at_most(this.#out, STALL_MS)) this.drop();
      await this.#out;
    }
  }
}

/** The chat room: who is online, and broadcasting to them. */
export class ChatServer extends ThreadingTCPServer {
  static override allow_reuse_address = true;
  static override request_queue_size = 128;
  /** The clients online. */
  members: Set<ChatHandler> = new Set();
  /** Sessions that ended (after joining). */
  sessions = 0;
  /** Stop serving after this many sessions ended (null: never). */
  max_sessions: number | null = null;

  /** Add a client and tell everyone. */
  join(h: ChatHandler): void {
    this.members.add(h);
    h.send(`* hello ${h.name}, ${this.members.size} online\n`);
    void this.broadcast(h, `* ${h.name} joined\n`);
  }

  /** Remove a client and tell the others. */
  leave(h: ChatHandler): void {
    if (!this.members.delete(h)) return;
    void this.broadcast(h, `* ${h.name} left\n`);
    this.sessions++;
    if (this.max_sessions !== null && this.sessions >= this.max_sessions) {
      // Not awaited: shutdown() waits for this very handler to end.
      this.shutdown();
    }
  }

  /** Send a line to every client but the sender; resolves once no one is far behind (see `drained`). */
  async broadcast(from: ChatHandler, line: string): Promise<void> {
    const to = [...this.members].filter((h) => h !== from);
    for (const h of to) h.send(line);
    await Promise.all(to.map((h) => h.drained()));
  }
}

/** A chat client for tests: reads lines in the background. */
export class ChatClient {
  /** Lines received so far. */
  lines: string[] = [];
  #sock: Socket;
  #buf = "";
  #reading: Promise<void>;
  #waiters: (() => void)[] = [];

  private constructor(sock: Socket) {
    this.#sock = sock;
    this.#reading = this.#read();
  }

  /** Connect and send the name; resolves once the server said hello. */
  static async connect(port: number, name: string): Promise<ChatClient> {
    const c = new ChatClient(await create_connection(["127.0.0.1", port], 10));
    await c.say(name);
    await c.wait_for((l) => l.startsWith("* hello"), 10_000);
    return c;
  }

  async #read(): Promise<void> {
    try {
      for (;;) {
        const chunk = await this.#sock.recv(65536);
        if (chunk.length === 0) break;
        this.#buf += dec.decode(chunk, { stream: true });
        let i;
        while ((i = this.#buf.indexOf("\n")) >= 0) {
          this.lines.push(this.#buf.slice(0, i));
          this.#buf = this.#buf.slice(i + 1);
        }
        for (const w of this.#waiters.splice(0)) w();
      }
    } catch { /* closed */ }
    for (const w of this.#waiters.splice(0)) w();
  }

  /** Send one line. */
  async say(text: string): Promise<void> {
    await this.#sock.sendall(enc.encode(text + "\n"));
  }

  /** Wait until `pred` holds for some line (or count of lines), within `ms`. */
  async wait_for(pred: (line: string, all: string[]) => boolean, ms: number): Promise<void> {
    const end = performance.now() + ms;
    while (!this.lines.some((l) => pred(l, this.lines))) {
      const left = end - performance.now();
      if (left <= 0) throw new Error(`chat client: timed out; got ${JSON.stringify(this.lines.slice(-5))}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** Leave with /quit and wait for the server to close. */
  async quit(): Promise<void> {
    await this.say("/quit");
    await this.#reading;
    this.#sock.close();
  }
}

/**
 * Run `clients` chat clients that each send `messages` lines; check that
 * every client got every other client's lines, in order. Returns the number
 * of lines delivered.
 *
 * @param port the server's port.
 * @param clients how many clients.
 * @param messages lines per client.
 * @returns the number of chat lines delivered.
 */
export async function chat_check(port: number, clients: number, messages: number): Promise<number> {
  const all = await Promise.all(Array.from({ length: clients }, (_, i) => ChatClient.connect(port, `user${i}`)));
  // Everyone is in the room: now everyone talks at once.
  await Promise.all(all.map(async (c, i) => {
    for (let m = 0; m < messages; m++) await c.say(`message ${m} from user${i}`);
  }));
  const want = (clients - 1) * messages;
  const chat = (c: ChatClient) => c.lines.filter((l) => !l.startsWith("* "));
  await Promise.all(all.map((c) => c.wait_for((_l, _a) => chat(c).length >= want, 20_000)));
  let delivered = 0;
  all.forEach((c, i) => {
    const got = chat(c);
    if (got.length !== want) throw new Error(`user${i}: ${got.length} lines, want ${want}`);
    for (let j = 0; j < clients; j++) {
      const from = got.filter((l) => l.startsWith(`user${j}: `));
      const expected = j === i
        ? []
        : Array.from({ length: messages }, (_, m) => `user${j}: message ${m} from user${j}`);
      if (JSON.stringify(from) !== JSON.stringify(expected)) {
        throw new Error(`user${i}: lines from user${j} lost or reordered`);
      }
    }
    delivered += got.length;
  });
  await Promise.all(all.map((c) => c.quit()));
  return delivered;
}

if (import.meta.main) {
  const args = Deno.args;
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const testing = args.includes("--self-test");
  const port = Number(opt("--port") ?? (testing ? 0 : 50009));
  const host = opt("--host") ?? "127.0.0.1";
  await using server = new ChatServer([host, port], ChatHandler);
  const [h, p] = server.server_address as [string, number];
  console.log(`listening on ${h}:${p}`);
  if (testing) {
    const CLIENTS = 20, MESSAGES = 10;
    server.max_sessions = CLIENTS;
    const [, delivered] = await Promise.all([server.serve_forever(), chat_check(p, CLIENTS, MESSAGES)]);
    console.log(`self-test ok: ${CLIENTS} clients, ${delivered} lines delivered`);
  } else {
    const n = opt("--clients");
    if (n !== undefined) server.max_sessions = Number(n);
    await server.serve_forever();
    console.log(`done: ${server.sessions} sessions`);
  }
}

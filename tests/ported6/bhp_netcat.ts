// Port of bhp_netcat.py (threads become tasks, threading.Event a Promise; subprocess.check_output is
// Deno.Command(...).output(); shlex.split handles the quoting used here; KeyboardInterrupt is a local class).
import * as socket from "../../mod.ts";
import { ConnectionRefusedError } from "../../mod.ts";
import { bjoin, kw, print } from "../ported/_py.ts";

class KeyboardInterrupt extends Error {}

const script: string[] = [];

function input(prompt: string): string {
  print(prompt, kw({ end: "" }));
  if (!script.length) {
    print();
    throw new KeyboardInterrupt();
  }
  const line = script.shift()!;
  print(line);
  return line;
}

function shlex_split(s: string): string[] {
  const out: string[] = [];
  for (const m of s.matchAll(/'([^']*)'|(\S+)/g)) out.push(m[1] ?? m[2]!);
  return out;
}

async function execute(cmd: string): Promise<string | undefined> {
  cmd = cmd.trim();
  if (!cmd) return;
  const [prog, ...args] = shlex_split(cmd);
  const r = await new Deno.Command(prog!, { args, stderr: "inherit" }).output();
  if (!r.success) throw new Error(`Command '${cmd}' returned non-zero exit status ${r.code}.`);
  return new TextDecoder().decode(r.stdout);
}

interface Args {
  listen: boolean;
  execute: string;
  upload: string;
  target: string;
  port: number;
  clients: number;
  half_close: boolean;
}

class NetCat {
  args: Args;
  buffer: Uint8Array | null;
  socket: socket.Socket<typeof socket.AF_INET>;
  ready: Promise<void>;
  set_ready!: () => void;
  constructor(args: Args, buffer: Uint8Array | null = null) {
    this.args = args;
    this.buffer = buffer;
    this.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
    this.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
    this.ready = new Promise((r) => this.set_ready = r);
  }

  async run() {
    if (this.args.listen) await this.listen();
    else await this.send();
  }

  async send() {
    await this.socket.connect([this.args.target, this.args.port]);
    if (this.buffer?.length) {
      await this.socket.send(this.buffer);
      if (this.args.half_close) await this.socket.shutdown(socket.SHUT_WR);
    }

    try {
      while (true) {
        let recv_len = 1;
        let response = "";
        while (recv_len) {
          const data = await this.socket.recv(4096);
          recv_len = data.length;
          response += new TextDecoder("utf-8", { fatal: true }).decode(data);
          if (recv_len < 4096) break;
        }
        if (response) {
          print(response);
          let buffer = input("> ");
          buffer += "\n";
          await this.socket.send(new TextEncoder().encode(buffer));
        } else {
          print("(connection closed)");
          break;
        }
      }
    } catch (e) {
      if (!(e instanceof KeyboardInterrupt)) throw e;
      print("User terminated.");
    }
    this.socket.close();
  }

  async listen() {
    this.socket.bind([this.args.target, this.args.port]);
    this.socket.listen(5);
    this.args.port = (this.socket.getsockname() as [string, number])[1];
    this.set_ready();
    const threads = [];
    for (let i = 0; i < this.args.clients; i++) {
      const [client_socket] = await this.socket.accept();
      threads.push(this.handle(client_socket));
    }
    await Promise.all(threads);
    this.socket.close();
  }

  async handle(client_socket: socket.Socket) {
    if (this.args.execute) {
      const output = await execute(this.args.execute);
      await client_socket.send(new TextEncoder().encode(output));
    } else if (this.args.upload) {
      let file_buffer: Uint8Array = new Uint8Array();
      while (true) {
        const data = await client_socket.recv(4096);
        if (data.length) file_buffer = bjoin([file_buffer, data]);
        else break;
      }

      Deno.writeFileSync(this.args.upload, file_buffer);
      const message = `Saved file ${this.args.upload}`;
      await client_socket.send(new TextEncoder().encode(message));
    }
    client_socket.close();
  }
}

function args(kw: Partial<Args> = {}): Args {
  return {
    listen: false,
    execute: "",
    upload: "",
    target: "127.0.0.1",
    port: 0,
    clients: 1,
    half_close: false,
    ...kw,
  };
}

Deno.chdir(Deno.makeTempDirSync());

print("--- execute: echo");
let server = new NetCat(args({ listen: true, execute: "echo hello from the listener", clients: 2 }));
let t = server.run();
await server.ready;
// No second command: the listener closes after its output, and a command sent then races the close
// (the peer's RST or its FIN first: ConnectionResetError or "(connection closed)", even in CPython).
script.splice(0, script.length);
await new NetCat(args({ port: server.args.port })).run();
print("--- a second client of the same listener, nothing to say");
await new NetCat(args({ port: server.args.port })).run();
await t;

print("--- execute: printf with quotes");
server = new NetCat(args({ listen: true, execute: "printf 'one two\\nthree\\tfour'" }));
t = server.run();
await server.ready;
await new NetCat(args({ port: server.args.port })).run();
await t;

print("--- upload");
server = new NetCat(args({ listen: true, upload: "mytest.txt" }));
t = server.run();
await server.ready;
const content = new TextEncoder().encode(
  Array.from({ length: 500 }, (_, i) => `line ${i} of the upload\n`).join(""),
);
await new NetCat(args({ port: server.args.port, half_close: true }), content).run();
await t;
const saved = Deno.readFileSync("mytest.txt");
print(
  "saved",
  saved.length,
  "bytes, same:",
  saved.length === content.length && saved.every((x, i) => x === content[i]),
);

print("--- nobody listening");
const closed = socket.socket();
closed.bind(["127.0.0.1", 0]);
const port = closed.getsockname()[1];
closed.close();
try {
  await new NetCat(args({ port })).run();
} catch (e) {
  if (!(e instanceof ConnectionRefusedError)) throw e;
  print(e.name, e.message);
}

// Port of ss_prompt.py (threads become tasks; `threading.Thread(target=self.server.shutdown).start()` is a call
// to server.shutdown() that is not awaited; bytes % and slicing are spelled out).
import * as socket from "../../mod.ts";
import { ConnectionRefusedError, TimeoutError } from "../../mod.ts";
import * as socketserver from "../../socketserver.ts";
import { b, bjoin, decode, join, print, sleep } from "../ported/_py.ts";

class PromptHandler extends socketserver.StreamRequestHandler {
  override timeout = 1.5;
  override disable_nagle_algorithm = true;

  override async handle() {
    const nodelay = this.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) as number;
    await this.wfile.write(b(`welcome (nodelay=${nodelay !== 0 ? 1 : 0})\n`));
    let count = 0;
    while (true) {
      await this.wfile.write(b("> "));
      let line: Uint8Array;
      try {
        line = await this.rfile.readline(200) as Uint8Array;
      } catch (e) {
        if (!(e instanceof TimeoutError)) throw e;
        print("server: idle client timed out:", e);
        await this.wfile.write(b("\ntimeout, bye\n"));
        return;
      }
      if (!line.length) {
        print("server: client left after", count, "commands");
        return;
      }
      count += 1;
      const words = decode(line).split(/\s+/).filter((w) => w);
      if (!words.length) {
        await this.wfile.write(b("?\n"));
      } else if (words[0] === "ECHO") {
        await this.wfile.write(line.subarray(5));
      } else if (words[0] === "BODY") {
        const n = parseInt(words[1]!);
        const body = await this.rfile.read(n) as Uint8Array;
        await this.wfile.writelines([
          b("got "),
          b(String(body.length)),
          b(" bytes: "),
          body.slice().reverse(),
          b("\n"),
        ]);
      } else if (words[0] === "PIECES") {
        for (const piece of [b("one"), b(", "), b("two"), b(", "), b("three")]) {
          await this.wfile.write(piece);
        }
        await this.wfile.write(b("\n"));
      } else if (words[0] === "SHUTDOWN") {
        await this.wfile.write(b("stopping\n"));
        this.server.shutdown();
        return;
      } else if (words[0] === "QUIT") {
        await this.wfile.write(b("bye\n"));
        return;
      } else {
        await this.wfile.write(bjoin([b("unknown: "), b(words[0]!), b("\n")]));
      }
    }
  }
}

class Server extends socketserver.ThreadingTCPServer {
  static override daemon_threads = true;
  static override allow_reuse_address = true;
}

function endswith(data: Uint8Array, marker: Uint8Array): boolean {
  return data.length >= marker.length && marker.every((c, i) => data[data.length - marker.length + i] === c);
}

async function read_until(sock: socket.Socket, marker: Uint8Array): Promise<Uint8Array> {
  let data = new Uint8Array(0);
  while (!endswith(data, marker)) {
    const chunk = await sock.recv(1);
    if (!chunk.length) break;
    data = bjoin([data, chunk]);
  }
  return data;
}

async function session(port: number, lines: Uint8Array[], idle = false) {
  using s = await socket.create_connection(["127.0.0.1", port], { timeout: 10 });
  print("client:", await read_until(s, b("> ")));
  for (const line of lines) {
    await s.sendall(line);
    print("client:", line, "->", line !== lines.at(-1) ? await read_until(s, b("> ")) : await read_until(s, b("\n")));
  }
  if (idle) {
    let rest = new Uint8Array(0);
    while (true) {
      const chunk = await s.recv(100);
      if (!chunk.length) break;
      rest = bjoin([rest, chunk]);
    }
    print("client: idle ->", rest);
  }
}

const server = new Server(["127.0.0.1", 0], PromptHandler);
const port = server.server_address[1] as number;
let alive = true;
const t = server.serve_forever({ poll_interval: 0.05 }).finally(() => alive = false);
await session(port, [
  b("ECHO hello there\n"),
  b("\n"),
  b("FROB x\n"),
  b("BODY 11\nhello world"),
  b("PIECES\n"),
  b("QUIT\n"),
]);
// a command arriving in two pieces, the second after a pause
{
  using s = await socket.create_connection(["127.0.0.1", port], { timeout: 10 });
  await read_until(s, b("> "));
  await s.sendall(b("ECHO spl"));
  await sleep(0.3);
  await s.sendall(b("it line\nQUIT\n"));
  print("client: split ->", await read_until(s, b("> ")), await read_until(s, b("\n")));
}
await session(port, [b("ECHO still here\n")], true);
await session(port, [b("SHUTDOWN\n")]);
await join(t, 10);
print("serve_forever returned:", !alive);
await server.server_close();
try {
  await socket.create_connection(["127.0.0.1", port], { timeout: 2 });
} catch (e) {
  if (!(e instanceof ConnectionRefusedError)) throw e;
  print("after close:", e);
}

// Port of ss_dgram_lines.py (the handler's thread-started shutdown() is a call not awaited).
import * as socket from "../../mod.ts";
import * as socketserver from "../../socketserver.ts";
import { b, bjoin, decode, join, print, repr } from "../ported/_py.ts";

class CalcHandler extends socketserver.DatagramRequestHandler {
  override handle() {
    let n = 0;
    let line: Uint8Array = new Uint8Array(0);
    while (true) {
      line = this.rfile.readline();
      if (!line.length) break;
      n += 1;
      const words = decode(line).split(/\s+/).filter((w) => w);
      if (!words.length) {
        this.wfile.write(b("(blank)\n"));
      } else if (words[0] === "STOP") {
        const rest = this.rfile.read();
        this.wfile.write(b("rest: "));
        this.wfile.write(b(repr(rest)));
        this.wfile.write(b("\n"));
        break;
      } else if (words[0] === "SHUTDOWN") {
        this.wfile.write(b("stopping\n"));
        this.server.shutdown();
        break;
      } else if (words[0] === "ADD" || words[0] === "MUL") {
        const nums = words.slice(1).map((w) => parseInt(w));
        let acc = words[0] === "ADD" ? 0 : 1;
        for (const x of nums) acc = words[0] === "ADD" ? acc + x : acc * x;
        this.wfile.write(b(words[0].toLowerCase()));
        this.wfile.write(b(" = "));
        this.wfile.write(bjoin([b(String(acc)), b("\n")]));
      } else {
        let end = line.length;
        while (end > 0 && (line[end - 1] === 0x0a || line[end - 1] === 0x0d)) end--;
        this.wfile.write(bjoin([b("? "), line.subarray(0, end), b("\n")]));
      }
    }
    const ends_nl = line.length > 0 && line[line.length - 1] === 0x0a;
    print(`server: ${n} lines, last line ends with newline: ${ends_nl ? "True" : "False"}`);
  }
}

class Server extends socketserver.ThreadingUDPServer {
  static override daemon_threads = true;
}

const server = new Server(["127.0.0.1", 0], CalcHandler);
const addr = server.server_address;
let alive = true;
const t = server.serve_forever({ poll_interval: 0.05 }).finally(() => alive = false);
{
  using c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  c.settimeout(5);
  for (
    const req of [
      b("ADD 1 2 3\nMUL 4 5\n"),
      b("ADD 10\n\nFROB\r\nMUL 2 2 2"),
      b(""),
      b("ADD 7\nSTOP\nnot\nread as lines"),
      b("\n\n\n"),
    ]
  ) {
    await c.sendto(req, addr);
    const [data, frm] = await c.recvfrom(4096);
    print("client:", req, "->", data, frm![0] === addr[0] && frm![1] === addr[1]);
  }
  await c.sendto(b("SHUTDOWN\nADD 1 1\n"), addr);
  print("client:", (await c.recvfrom(4096))[0]);
}
await join(t, 10);
print("serve_forever returned:", !alive);
await server.server_close();

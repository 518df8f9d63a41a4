// Port of pop3_server.py (the nested msg() raises a LookupError class of its own; int() is a strict parse;
// threading.Thread(target=server.shutdown).start() is an un-awaited shutdown()).
import * as socketserver from "../../socketserver.ts";
import { b, bjoin, decode, print, PyList } from "../ported/_py.ts";

const MAILBOX = [
  b("From: alice@example.org\r\nSubject: hello\r\n\r\nHi Bob,\r\nsee you at noon.\r\n"),
  b("From: carol@example.org\r\nSubject: dots\r\n\r\n.starts with a dot\r\n..two dots\r\n.\r\nend\r\n"),
  b(
    "From: dave@example.org\r\nSubject: long\r\n\r\n" +
      Array.from({ length: 40 }, (_, i) => `line ${i}\r\n`).join(""),
  ),
];
const USERS = new Map([["bob", "secret"]]);
const sessions: number[] = [];

class LookupError extends Error {}
class ValueError extends Error {}

const int = (s: string | undefined) => {
  if (s === undefined || !/^\s*[-+]?\d+\s*$/.test(s)) throw new ValueError(`invalid literal for int(): ${s}`);
  return parseInt(s);
};

function split_crlf(x: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i + 1 < x.length; i++) {
    if (x[i] === 13 && x[i + 1] === 10) {
      out.push(x.subarray(start, i));
      start = i + 2;
      i++;
    }
  }
  out.push(x.subarray(start));
  return out;
}

class POP3Handler extends socketserver.StreamRequestHandler {
  async reply(line: string) {
    await this.wfile.write(b(line + "\r\n"));
  }

  async multi(first: string, body: Uint8Array) {
    await this.wfile.write(b(first + "\r\n"));
    const ends = body.length >= 2 && body[body.length - 2] === 13 && body[body.length - 1] === 10;
    const lines = ends ? split_crlf(body).slice(0, -1) : split_crlf(body);
    for (let line of lines) {
      if (line[0] === 0x2e) line = bjoin([b("."), line]);
      await this.wfile.write(bjoin([line, b("\r\n")]));
    }
    await this.wfile.write(b(".\r\n"));
  }

  override async handle() {
    const deleted = new Set<number>();
    let user: string | null = null;
    let authed = false;
    await this.reply("+OK POP3 server ready");
    while (true) {
      const line = await this.rfile.readline(512) as Uint8Array;
      if (!line.length) {
        print("client left without QUIT");
        break;
      }
      const words = decode(line).replace(/[\r\n]+$/, "").split(" ");
      const [cmd, args] = [words[0]!.toUpperCase(), words.slice(1)];
      print("C:", cmd, args.map((a) => (cmd === "PASS" ? "****" : a)).join(" "));
      const live = MAILBOX.map((_, i) => i).filter((i) => !deleted.has(i));

      const msg = (arg: string | undefined) => {
        const n = int(arg) - 1;
        if (n < 0 || n >= MAILBOX.length || deleted.has(n)) throw new LookupError();
        return n;
      };
      try {
        if (cmd === "QUIT") {
          await this.reply(`+OK bye, ${deleted.size} deleted`);
          break;
        } else if (!authed) {
          if (cmd === "USER") {
            user = args[0]!;
            await this.reply("+OK user accepted");
          } else if (cmd === "PASS" && user !== null) {
            if (USERS.get(user) === args.join(" ")) {
              authed = true;
              await this.reply("+OK maildrop locked and ready");
            } else {
              user = null;
              await this.reply("-ERR invalid password");
            }
          } else {
            await this.reply("-ERR authenticate first");
          }
        } else if (cmd === "STAT") {
          await this.reply(`+OK ${live.length} ${live.reduce((s, i) => s + MAILBOX[i]!.length, 0)}`);
        } else if (cmd === "LIST" && args.length) {
          const n = msg(args[0]);
          await this.reply(`+OK ${n + 1} ${MAILBOX[n]!.length}`);
        } else if (cmd === "LIST") {
          await this.multi(
            `+OK ${live.length} messages`,
            b(live.map((i) => `${i + 1} ${MAILBOX[i]!.length}\r\n`).join("")),
          );
        } else if (cmd === "UIDL") {
          await this.multi(
            "+OK",
            b(live.map((i) => `${i + 1} uid-${String(7 * i + 3).padStart(4, "0")}\r\n`).join("")),
          );
        } else if (cmd === "RETR") {
          const n = msg(args[0]);
          await this.multi(`+OK ${MAILBOX[n]!.length} octets`, MAILBOX[n]!);
        } else if (cmd === "TOP") {
          const n = msg(args[0]);
          const m = MAILBOX[n]!;
          const text = decode(m);
          const cut = text.indexOf("\r\n\r\n");
          const [head, body] = [m.subarray(0, cut), m.subarray(cut + 4)];
          const lines = split_crlf(body).slice(0, int(args[1]));
          await this.multi("+OK", bjoin([head, b("\r\n\r\n"), ...lines.flatMap((x) => [x, b("\r\n")])]));
        } else if (cmd === "DELE") {
          const n = msg(args[0]);
          deleted.add(n);
          await this.reply(`+OK message ${n + 1} deleted`);
        } else if (cmd === "RSET") {
          deleted.clear();
          await this.reply("+OK");
        } else if (cmd === "NOOP") {
          await this.reply("+OK");
        } else {
          await this.reply("-ERR unknown command");
        }
      } catch (e) {
        if (!(e instanceof LookupError || e instanceof ValueError)) throw e;
        await this.reply("-ERR no such message");
      }
    }
    sessions.push(deleted.size);
    if (sessions.length === 2) void this.server.shutdown();
  }
}

class Server extends socketserver.ThreadingTCPServer {
  static override allow_reuse_address = true;
}

{
  await using server = new Server(["127.0.0.1", parseInt(Deno.args[0]!)], POP3Handler);
  print("POP3 on port", server.server_address[1]);
  await server.serve_forever();
}
print("sessions:", PyList.from(sessions));

// Port of imap_literal.py (the server's thread is serve_forever() without await; regexes run on latin-1 text
// of the bytes; an OverflowError marker is a small class; the handler's methods are async).
import * as socket from "../../mod.ts";
import * as socketserver from "../../socketserver.ts";
import { b, bjoin, print, repr } from "../ported/_py.ts";

const MAX = 4096;
const log: string[] = [];
const mailbox: Uint8Array[] = [];
const latin1 = (x: Uint8Array) => new TextDecoder("latin1").decode(x);
const enc1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

class TooBig {
  constructor(readonly n: number) {}
}
type Arg = string | Uint8Array | TooBig;
const tname = (a: Arg) => typeof a === "string" ? `'${a}'` : a instanceof TooBig ? "'OverflowError'" : "'bytes'";

class IMAPHandler extends socketserver.StreamRequestHandler {
  static timeout = 5;

  async reply(text: string) {
    await this.wfile.write(bjoin([enc1(text), b("\r\n")]));
  }

  async read_command(): Promise<Arg[] | null> {
    const parts: Arg[] = [];
    while (true) {
      const raw = await this.rfile.readline(8192) as Uint8Array;
      if (!raw.length) return null;
      const line = latin1(raw).replace(/[\r\n]+$/, "");
      const m = /\{(\d+)(\+?)\}$/.exec(line);
      const text = m ? line.slice(0, m.index) : line;
      parts.push(...(text.match(/"[^"]*"|\S+/g) ?? []));
      if (!m) return parts;
      const n = Number(m[1]);
      const plus = m[2] === "+";
      if (n > MAX) {
        if (plus) await this.rfile.read(n);
        return [...parts, new TooBig(n)];
      }
      if (!plus) await this.reply("+ Ready for literal data");
      parts.push(await this.rfile.read(n) as Uint8Array);
      log.push(`literal of ${n}${plus ? " (LITERAL+)" : ""}`);
    }
  }

  override async handle() {
    await this.reply("* OK [CAPABILITY IMAP4rev1 LITERAL+] ready");
    while (true) {
      const cmd = await this.read_command();
      if (cmd === null) {
        log.push("EOF");
        return;
      }
      const tag = cmd[0] as string;
      const verb = cmd.length > 1 ? (cmd[1] as string).toUpperCase() : "";
      const args = cmd.slice(2);
      log.push(`${tag} ${verb} [${args.map(tname).join(", ")}]`);
      if (args.some((a) => a instanceof TooBig)) {
        await this.reply(`${tag} NO [TOOBIG] literal larger than ${MAX}`);
      } else if (verb === "CAPABILITY") {
        await this.reply("* CAPABILITY IMAP4rev1 LITERAL+");
        await this.reply(`${tag} OK done`);
      } else if (verb === "LOGIN" && args.length === 2) {
        const a0 = args[0]!;
        const user = a0 instanceof Uint8Array ? new TextDecoder().decode(a0) : (a0 as string).replace(/^"+|"+$/g, "");
        await this.reply(
          `${tag} OK [${user}] logged in with a ${(args[1] as Uint8Array | string).length}-byte password`,
        );
      } else if (verb === "APPEND" && args.length === 2 && args[1] instanceof Uint8Array) {
        mailbox.push(args[1]);
        await this.reply(`${tag} OK [APPENDUID 1 ${mailbox.length}] appended to ${args[0]}`);
      } else if (verb === "FETCH" && args.length === 2 && /^\d+$/.test(args[0] as string)) {
        const msg = mailbox[Number(args[0]) - 1]!;
        await this.wfile.write(bjoin([b(`* ${args[0]} FETCH (BODY[] {${msg.length}}\r\n`), msg, b(")\r\n")]));
        await this.reply(`${tag} OK fetched`);
      } else if (verb === "LOGOUT") {
        await this.reply("* BYE");
        await this.reply(`${tag} OK bye`);
        return;
      } else {
        await this.reply(`${tag} BAD unknown command`);
      }
    }
  }
}

const server = new socketserver.ThreadingTCPServer(["127.0.0.1", 0], IMAPHandler);
const serving = server.serve_forever();

const s = await socket.create_connection(server.server_address as [string, number], { timeout: 5 });
const f = s.makefile("rb");

const line = async () => latin1(await f.readline() as Uint8Array).replace(/[\r\n]+$/, "");

async function command(tag: string, ...pieces: (string | Uint8Array | ["+", Uint8Array])[]) {
  let out = tag;
  for (const p of pieces) {
    if (typeof p === "string") {
      out += " " + p;
      continue;
    }
    const plus = Array.isArray(p);
    const data = plus ? p[1] : p;
    await s.sendall(b(`${out} {${data.length}${plus ? "+" : ""}}\r\n`));
    if (!plus) {
      const cont = await line();
      print("  server:", cont);
      if (!cont.startsWith("+")) return;
    }
    await s.sendall(data);
    out = "";
  }
  await s.sendall(bjoin([b(out), b("\r\n")]));
  while (true) {
    const r = await line();
    const m = /\{(\d+)\}$/.exec(r);
    if (m) {
      const body = await f.read(Number(m[1])) as Uint8Array;
      print("  server:", r, "+", body.length, "bytes:", body.subarray(0, 24), "...", repr(await line()));
      continue;
    }
    print("  server:", r);
    if (r.startsWith(tag + " ") || !r) return;
  }
}

print("greeting:", await line());
const msg = b("From: a@b\r\nSubject: hi\r\n\r\nline one\r\nNUL:\x00 end\r\n");
print("a1 CAPABILITY");
await command("a1", "CAPABILITY");
print("a2 LOGIN with two literals");
await command("a2", "LOGIN", b("alice"), b('pa ss"word'));
print("a3 APPEND with LITERAL+");
await command("a3", "APPEND", "INBOX", ["+", msg]);
print("a4 APPEND synchronizing");
await command("a4", "APPEND", '"Sent Items"', enc1(latin1(msg).replace("hi", "re: hi")));
print("a5 APPEND too big");
await command("a5", "APPEND", "INBOX", new Uint8Array(5000).fill(0x78));
print("a6 FETCH");
await command("a6", "FETCH", "2", "BODY[]");
print("a7 bogus");
await command("a7", "NOOP2");
print("a8 LOGOUT");
await command("a8", "LOGOUT");
print("then:", repr(await f.readline()));
await f.close();
s.close();
await server.shutdown();
await server.server_close();
await serving;
print("server log:");
for (const x of log) print(" ", x);

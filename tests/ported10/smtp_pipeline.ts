// Port of smtp_pipeline.py (threads are tasks and the lock is not needed between awaits; the socket files a
// returning CPython function drops are closed in a finally; str.partition is split at the first space; lists
// print through list()).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { b, bjoin, decode, list, print, repr } from "../ported/_py.ts";

const mailbox: [string | null, string[], Uint8Array][] = [];
const events: string[] = [];
const ascii = (x: Uint8Array) => String.fromCharCode(...x);
const partition = (s: string, sep: string): [string, string] => {
  const i = s.indexOf(sep);
  return i < 0 ? [s, ""] : [s.slice(0, i), s.slice(i + sep.length)];
};
const ends_crlf = (x: Uint8Array) => x.length >= 2 && x[x.length - 2] === 13 && x[x.length - 1] === 10;

async function handle(conn: Socket, n: number) {
  const f = conn.makefile("rb");
  const w = conn.makefile("wb");
  const reply = (s: string) => w.write(b(s + "\r\n"));
  try {
    await reply("220 pysocket ESMTP ready");
    await w.flush();
    let sender: string | null = null;
    let rcpts: string[] = [];
    let bdat = new Uint8Array(0);
    while (true) {
      const line = await f.readline(1001) as Uint8Array;
      if (!line.length) {
        events.push(`conn ${n}: EOF`);
        break;
      }
      if (!ends_crlf(line)) {
        await f.readline();
        await reply("500 line too long");
        await w.flush();
        continue;
      }
      let [cmd, arg] = partition(ascii(line.subarray(0, -2)), " ");
      cmd = cmd.toUpperCase();
      if (cmd === "EHLO") {
        await reply("250-pysocket greets " + arg);
        await reply("250-PIPELINING");
        await reply("250-CHUNKING");
        await reply("250 SIZE 100000");
      } else if (cmd === "MAIL") {
        [sender, rcpts] = [arg.slice(5), []];
        await reply("250 sender ok");
      } else if (cmd === "RCPT") {
        const who = arg.slice(3);
        if (who.endsWith("@local>")) {
          rcpts.push(who);
          await reply("250 recipient ok");
        } else await reply("550 no relay for " + who);
      } else if (cmd === "DATA") {
        if (!rcpts.length) await reply("503 no valid recipients");
        else {
          await reply("354 end with <CRLF>.<CRLF>");
          await w.flush();
          const body: Uint8Array[] = [];
          while (true) {
            const l = await f.readline() as Uint8Array;
            if (!l.length) {
              events.push(`conn ${n}: vanished in DATA after ${body.length} lines`);
              return;
            }
            if (ascii(l) === ".\r\n") break;
            body.push(l[0] === 46 ? l.subarray(1) : l);
          }
          mailbox.push([sender, rcpts, bjoin(body)]);
          await reply(`250 queued as ${mailbox.length}`);
          [sender, rcpts] = [null, []];
        }
      } else if (cmd === "BDAT") {
        const [size, last] = partition(arg, " ");
        const chunk = await f.read(Number(size)) as Uint8Array;
        bdat = bjoin([bdat, chunk]);
        if (last === "LAST") {
          mailbox.push([sender, rcpts, bdat]);
          await reply(`250 ${bdat.length} octets, message queued as ${mailbox.length}`);
          [sender, rcpts, bdat] = [null, [], new Uint8Array(0)];
        } else await reply(`250 ${chunk.length} octets received`);
      } else if (cmd === "RSET") {
        [sender, rcpts, bdat] = [null, [], new Uint8Array(0)];
        await reply("250 reset");
      } else if (cmd === "NOOP") await reply("250 ok");
      else if (cmd === "QUIT") {
        await reply("221 bye");
        await w.flush();
        break;
      } else await reply("502 unknown command " + cmd);
      await w.flush();
    }
  } finally {
    await f.close();
    await w.close();
    conn.close();
  }
}

const lsock = socket.create_server(["127.0.0.1", 0]);
const port = (lsock.getsockname() as [string, number])[1];

async function acceptor(count: number) {
  const tasks: Promise<void>[] = [];
  for (let n = 0; n < count; n++) {
    const [conn] = await lsock.accept();
    tasks.push(handle(conn, n));
  }
  await Promise.all(tasks);
}

const acc = acceptor(2);

const c = await socket.create_connection(["127.0.0.1", port], 10);
const r = c.makefile("rb");

async function replies(k: number) {
  const out: string[] = [];
  for (let i = 0; i < k; i++) {
    while (true) {
      const line = decode(await r.readline() as Uint8Array).replace(/[\r\n]+$/, "");
      out.push(line);
      if (line.slice(3, 4) !== "-") break;
    }
  }
  return repr(list(out));
}

print(await replies(1));
await c.sendall(b("EHLO client.local\r\n"));
print(await replies(1));
await c.sendall(
  b("MAIL FROM:<ada@local>\r\nRCPT TO:<bob@local>\r\nRCPT TO:<eve@elsewhere>\r\nRCPT TO:<cy@local>\r\nDATA\r\n"),
);
print(await replies(5));
await c.sendall(b("Subject: dots\r\n\r\n..leading dot\r\n"));
await c.sendall(b("...two\r\nlast line\r\n.\r\nNOOP\r\n"));
print(await replies(2));
await c.sendall(
  bjoin([
    b("MAIL FROM:<b@local>\r\nRCPT TO:<x@local>\r\nBDAT 12\r\n\r\n.\r\n"),
    Uint8Array.of(0, 0xff),
    b("AB\rC\nBDAT 4 LAST\r\nEND!NOOP\r\n"),
  ]),
);
print(await replies(5));
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
for (const byte of b("RSET\r\nMAIL FROM:<slow@local>\r\nRCPT TO:<z@local>\r\nDATA\r\nbyte by byte\r\n.\r\n")) {
  await c.send(Uint8Array.of(byte));
}
print(await replies(5));
await c.sendall(b("X".repeat(1500) + "\r\nFROB\r\nDATA\r\nRSET\r\nDATA\r\nQUIT\r\n"));
print(await replies(6));
print("after QUIT:", await r.read());
await r.close();
c.close();

const d = await socket.create_connection(["127.0.0.1", port], 10);
const rd = d.makefile("rb");
await rd.readline();
await d.sendall(b("MAIL FROM:<q@local>\r\nRCPT TO:<q@local>\r\nDATA\r\n"));
for (let i = 0; i < 3; i++) await rd.readline();
await d.sendall(b("line 1\r\nline 2\r\npartial"));
await rd.close();
d.close();
await acc;
lsock.close();
for (const m of mailbox) print(repr(m));
for (const e of events.sort()) print(e);

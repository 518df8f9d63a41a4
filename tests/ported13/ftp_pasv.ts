// Port of ftp_pasv.py (the server thread is a task; reply() is an async closure over the control file;
// `except socket.timeout` is `instanceof TimeoutError`; b"%6d" is padStart).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { b, bjoin, decode, list, print } from "../ported/_py.ts";

const files = new Map<string, Uint8Array>([["readme.txt", b("hello from the server\r\n")]]);

async function control(conn: Socket) {
  const f = conn.makefile("rwb");
  const reply = async (text: string) => {
    await f.write(b(text + "\r\n"));
    await f.flush();
  };
  await reply("220 pyftpd ready");
  let data_l: Socket | null = null;
  for (let i = 0; i < 50; i++) {
    const line = await f.readline() as Uint8Array;
    if (!line.length) break;
    const text = decode(line).trim();
    const sp = text.indexOf(" ");
    const cmd = (sp < 0 ? text : text.slice(0, sp)).toUpperCase();
    const arg = sp < 0 ? "" : text.slice(sp + 1);
    if (cmd === "USER") {
      await reply("331 Password required for " + arg);
    } else if (cmd === "PASS") {
      await reply("230 Logged in");
    } else if (cmd === "TYPE") {
      await reply("200 Type set to " + arg);
    } else if (cmd === "PASV") {
      if (data_l) data_l.close();
      data_l = socket.create_server(["127.0.0.1", 0]);
      data_l.settimeout(0.5);
      const [host, port] = data_l.getsockname() as [string, number];
      await reply(`227 Entering Passive Mode (${host.replaceAll(".", ",")},${port >> 8},${port & 0xff})`);
    } else if (cmd === "RETR" || cmd === "STOR" || cmd === "LIST") {
      if (cmd === "RETR" && !files.has(arg)) {
        await reply(`550 ${arg}: No such file`);
        continue;
      }
      if (data_l === null) {
        await reply("425 Use PASV first");
        continue;
      }
      await reply("150 Opening BINARY mode data connection for " + (arg || "file list"));
      let dconn: Socket;
      try {
        [dconn] = await data_l.accept();
      } catch (e) {
        if (!(e instanceof socket.TimeoutError)) throw e;
        await reply("425 Can't open data connection");
        data_l.close();
        data_l = null;
        continue;
      }
      data_l.close();
      data_l = null;
      {
        using _d = dconn;
        dconn.settimeout(5);
        if (cmd === "RETR") {
          await dconn.sendall(files.get(arg)!);
        } else if (cmd === "LIST") {
          for (const name of [...files.keys()].sort()) {
            await dconn.sendall(b(`-rw-r--r-- 1 ftp ftp ${String(files.get(name)!.length).padStart(6)} ${name}\r\n`));
          }
        } else {
          const chunks: Uint8Array[] = [];
          while (true) {
            const d = await dconn.recv(1000);
            if (!d.length) break;
            chunks.push(d);
          }
          files.set(arg, bjoin(chunks));
        }
      }
      await reply("226 Transfer complete");
    } else if (cmd === "SIZE") {
      await reply(files.has(arg) ? `213 ${files.get(arg)!.length}` : `550 ${arg}: No such file`);
    } else if (cmd === "QUIT") {
      await reply("221 Goodbye");
      break;
    } else {
      await reply("502 Command not implemented");
    }
  }
  await f.close();
  conn.close();
}

async function server(lsock: Socket) {
  const [conn] = await lsock.accept();
  conn.settimeout(5);
  await control(conn);
}

const lsock = socket.create_server(["127.0.0.1", 0]);
const t = server(lsock);

const c = await socket.create_connection(lsock.getsockname() as [string, number], { timeout: 5 });
const cf = c.makefile("rwb");

async function resp() {
  const line = decode(await cf.readline() as Uint8Array).replace(/[\r\n]+$/, "");
  print("<", line.replace(/\(127,0,0,1,\d+,\d+\)/g, "(127,0,0,1,<p1>,<p2>)"));
  return line;
}

async function cmd(text: string) {
  print(">", text);
  await cf.write(b(text + "\r\n"));
  await cf.flush();
  return await resp();
}

async function pasv(): Promise<[string, number]> {
  const line = await cmd("PASV");
  const nums = /\((.*)\)/.exec(line)![1]!.split(",").map(Number);
  return [nums.slice(0, 4).join("."), nums[4]! * 256 + nums[5]!];
}

await resp();
await cmd("USER anonymous");
await cmd("PASS guest@");
await cmd("TYPE I");
await cmd("RETR readme.txt");
let d = await socket.create_connection(await pasv(), { timeout: 5 });
await cmd("RETR readme.txt");
print("data:", await d.recv(1000), await d.recv(1000));
d.close();
await resp();
d = await socket.create_connection(await pasv(), { timeout: 5 });
await cmd("STOR upload.bin");
await d.sendall(bjoin(Array.from({ length: 12 }, () => new Uint8Array(256).map((_, i) => i))));
await d.shutdown(socket.SHUT_WR);
print("stor data side reads:", await d.recv(10));
d.close();
await resp();
await cmd("SIZE upload.bin");
d = await socket.create_connection(await pasv(), { timeout: 5 });
await cmd("LIST");
let listing = new Uint8Array(0);
while (true) {
  const chunk = await d.recv(7);
  if (!chunk.length) break;
  listing = bjoin([listing, chunk]);
}
d.close();
print("list:", list(decode(listing).split("\r\n").filter((x) => x)));
await resp();
await pasv();
await cmd("RETR readme.txt");
await resp();
await cmd("RETR missing.txt");
await cmd("NOOP");
await cmd("QUIT");
print("after QUIT:", await cf.readline());
await cf.close();
c.close();
await t;
lsock.close();

// Port of ftp_active_server.py.
import * as socket from "../../mod.ts";
import { OSError } from "../../mod.ts";
import { bjoin, print } from "../ported/_py.ts";

const enc = new TextEncoder();
const FILES = new Map<string, Uint8Array>([
  ["readme.txt", enc.encode("Welcome to the loopback FTP server.\r\nNothing to see here.\r\n")],
  ["big.bin", new Uint8Array(256 * 300).map((_, i) => i % 256)],
]);

const srv = socket.socket();
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
srv.bind(["127.0.0.1", Number(Deno.args[0])]);
srv.listen(1);
print("ftp server on port", srv.getsockname()[1]);

async function session(conn: socket.Socket, peer: [string, number]) {
  const f = conn.makefile("rb");
  const reply = (text: string) => conn.sendall(enc.encode(text + "\r\n"));

  await reply("220 loopback FTP ready");
  let data_addr: [string, number] | null = null;
  let user: string | null = null;
  while (true) {
    const line = await f.readline(1024) as Uint8Array;
    if (!line.length) {
      print("control connection closed");
      break;
    }
    const text = new TextDecoder("ascii").decode(line).trim();
    const sp = text.indexOf(" ");
    let [cmd, arg] = sp < 0 ? [text, ""] : [text.slice(0, sp), text.slice(sp + 1)];
    cmd = cmd.toUpperCase();
    print("command", cmd, cmd === "PASS" ? "****" : ["PORT", "EPRT"].includes(cmd) ? "(an address)" : arg);
    if (cmd === "USER") {
      user = arg;
      await reply(`331 Password required for ${arg}`);
    } else if (cmd === "PASS") {
      await reply(user ? `230 User ${user} logged in` : "503 Login with USER first");
    } else if (cmd === "TYPE") {
      await reply(`200 Type set to ${arg}`);
    } else if (cmd === "PORT" || cmd === "EPRT") {
      let host: string;
      let port: number;
      const int = (x: string | undefined) => {
        if (x === undefined || !/^\s*[+-]?\d+\s*$/.test(x)) throw new RangeError("invalid literal for int()");
        return parseInt(x, 10);
      };
      try {
        if (cmd === "PORT") {
          const nums = arg.split(",").map(int);
          if (nums.length !== 6 || !nums.every((n) => 0 <= n && n <= 255)) throw new RangeError();
          [host, port] = [nums.slice(0, 4).join("."), nums[4]! * 256 + nums[5]!];
        } else {
          const d = arg[0];
          if (d === undefined) throw new RangeError("string index out of range");
          const parts = arg.slice(1, -1).split(d);
          if (parts.length !== 3) throw new RangeError("not enough values to unpack");
          const proto = parts[0];
          host = parts[1]!;
          if (proto !== "1") {
            await reply("522 Network protocol not supported, use (1)");
            continue;
          }
          port = int(parts[2]);
        }
      } catch (e) {
        if (!(e instanceof RangeError)) throw e;
        await reply("501 Syntax error in parameters or arguments");
        continue;
      }
      if (host !== peer[0]) {
        print("refused a data address on another host");
        await reply(`500 Illegal ${cmd} command`);
        continue;
      }
      data_addr = [host, port];
      await reply(`200 ${cmd} command successful`);
    } else if (cmd === "LIST" || cmd === "RETR" || cmd === "STOR") {
      if (data_addr === null) {
        await reply("425 Use PORT or EPRT first");
        continue;
      }
      if (cmd === "RETR" && !FILES.has(arg)) {
        await reply(`550 ${arg}: No such file or directory`);
        continue;
      }
      await reply("150 Opening BINARY mode data connection");
      let data: socket.Socket;
      try {
        data = await socket.create_connection(data_addr, { timeout: 10 });
      } catch (e) {
        if (!(e instanceof OSError)) throw e;
        data_addr = null;
        await reply(`425 Can't open data connection: ${e.strerror}`);
        continue;
      }
      data_addr = null;
      print("data connection from", data.getsockname()[0], "to", data.getpeername()[0]);
      if (cmd === "LIST") {
        const listing = [...FILES].sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([k, v]) => `-rw-r--r-- 1 ftp ftp ${String(v.length).padStart(8)} Jan 01 00:00 ${k}\r\n`).join("");
        await data.sendall(enc.encode(listing));
      } else if (cmd === "RETR") {
        await data.sendall(FILES.get(arg)!);
      } else {
        const chunks: Uint8Array[] = [];
        while (true) {
          const chunk = await data.recv(8192);
          if (!chunk.length) break;
          chunks.push(chunk);
        }
        FILES.set(arg, bjoin(chunks));
        print("stored", arg, FILES.get(arg)!.length, "bytes");
      }
      data.close();
      await reply("226 Transfer complete");
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

for (let i = 0; i < 2; i++) {
  const [conn, peer] = await srv.accept();
  await session(conn, peer as [string, number]);
}
srv.close();

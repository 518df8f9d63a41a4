// Port of ftp_server.py (str.partition is indexOf; '%-12s %6d' is padEnd/padStart).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { b, bjoin, list, print } from "./_py.ts";

const FILES = new Map<string, Uint8Array>([
  ["readme.txt", b("Hello over a data connection\r\n".repeat(3))],
  ["big.bin", bjoin(Array(800).fill(Uint8Array.from({ length: 256 }, (_, i) => i)))],
]);

const lsock = socket.socket();
lsock.bind(["127.0.0.1", Number(Deno.args[0])]);
lsock.listen(1);
print("listening on", lsock.getsockname());
const [ctrl, _addr] = await lsock.accept();
ctrl.settimeout(10);
const rf = ctrl.makefile("r", { encoding: "utf-8", newline: "" });
const wf = ctrl.makefile("w", { encoding: "utf-8", newline: "" });

async function reply(text: string) {
  await wf.write(text + "\r\n");
  await wf.flush();
}

await reply("220 pysocket FTP ready");
let pasv: Socket | null = null;
let transfers = 0;
while (true) {
  const line = await rf.readline() as string; // cast: SocketFile is not typed by mode (finding T2)
  if (!line) break;
  const stripped = line.replace(/[\r\n]+$/, "");
  const sp = stripped.indexOf(" ");
  let [cmd, arg] = sp < 0 ? [stripped, ""] : [stripped.slice(0, sp), stripped.slice(sp + 1)];
  cmd = cmd.toUpperCase();
  if (cmd === "USER") {
    await reply(`331 Password required for ${arg}`);
  } else if (cmd === "PASS") {
    await reply("230 User logged in");
  } else if (cmd === "PASV") {
    pasv = socket.socket();
    pasv.bind(["127.0.0.1", 0]);
    pasv.listen(1);
    const [host, port] = pasv.getsockname() as [string, number];
    await reply(`227 Entering Passive Mode (${host.replaceAll(".", ",")},${port >> 8},${port & 0xFF})`);
  } else if (["LIST", "RETR", "STOR"].includes(cmd)) {
    if (pasv === null) {
      await reply("425 Use PASV first");
      continue;
    }
    if (cmd === "RETR" && !FILES.has(arg)) {
      await reply(`550 ${arg}: No such file`);
      pasv.close();
      pasv = null;
      continue;
    }
    await reply("150 Opening data connection");
    const [data] = await pasv.accept();
    pasv.close();
    pasv = null;
    data.settimeout(10);
    if (cmd === "LIST") {
      const names = [...FILES.keys()].sort();
      await data.sendall(
        b(names.map((n) => `${n.padEnd(12)} ${String(FILES.get(n)!.length).padStart(6)}\r\n`).join("")),
      );
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
    }
    data.close();
    transfers += 1;
    await reply("226 Transfer complete");
  } else if (cmd === "SIZE") {
    await reply(FILES.has(arg) ? `213 ${FILES.get(arg)!.length}` : `550 ${arg}: No such file`);
  } else if (cmd === "QUIT") {
    await reply("221 Goodbye");
    break;
  } else {
    await reply(`500 ${cmd} not understood`);
  }
}
print("transfers", transfers, "files", list([...FILES.keys()].sort()));
await rf.close();
await wf.close();
ctrl.close();
lsock.close();

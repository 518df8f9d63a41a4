// Port of ftp_active_client.py (hashlib.sha256 is crypto.subtle.digest).
import * as socket from "../../mod.ts";
import type { SocketFile } from "../../mod.ts";
import { beq, bjoin, print, repr } from "../ported/_py.ts";

const port = Number(Deno.args[0]);

class FTP {
  sock!: socket.Socket;
  file!: SocketFile;

  static async make(host: string, port: number): Promise<FTP> {
    const ftp = new FTP();
    ftp.sock = await socket.create_connection([host, port], { timeout: 30 });
    ftp.file = ftp.sock.makefile("r", { encoding: "latin-1", newline: "" });
    print("welcome", await ftp.getresp());
    return ftp;
  }

  async getresp(): Promise<string> {
    const line = await this.file.readline() as string;
    return line.replace(/[\r\n]+$/, "");
  }

  async sendcmd(cmd: string): Promise<string> {
    await this.sock.sendall(Uint8Array.from(cmd + "\r\n", (c) => c.charCodeAt(0)));
    return await this.getresp();
  }

  async makeport(extended = false): Promise<socket.Socket> {
    const sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
    sock.bind([this.sock.getsockname()[0], 0]);
    sock.listen(1);
    const [host, port] = sock.getsockname();
    const cmd = extended
      ? `EPRT |1|${host}|${port}|`
      : "PORT " + [...host.split("."), String(Math.floor(port / 256)), String(port % 256)].join(",");
    print(cmd.split(" ")[0], "->", await this.sendcmd(cmd));
    sock.settimeout(10);
    return sock;
  }

  async transfer(cmd: string, extended = false, payload: Uint8Array | null = null): Promise<Uint8Array | null> {
    const sock = await this.makeport(extended);
    const resp = await this.sendcmd(cmd);
    print(cmd, "->", resp);
    if (!resp.startsWith("150")) {
      sock.close();
      return null;
    }
    const [conn, sockaddr] = await sock.accept();
    sock.close();
    print("  data connection from", sockaddr[0], "to", conn.getsockname()[0]);
    let data: Uint8Array | null;
    if (payload !== null) {
      await conn.sendall(payload);
      conn.close();
      data = null;
    } else {
      const chunks: Uint8Array[] = [];
      while (true) {
        const chunk = await conn.recv(8192);
        if (!chunk.length) break;
        chunks.push(chunk);
      }
      conn.close();
      data = bjoin(chunks);
    }
    print("  ", await this.getresp());
    return data;
  }
}

const hex16 = async (d: Uint8Array) =>
  [...new Uint8Array(await crypto.subtle.digest("SHA-256", d as Uint8Array<ArrayBuffer>))]
    .map((x) => x.toString(16).padStart(2, "0")).join("").slice(0, 16);

const ftp = await FTP.make("127.0.0.1", port);
print(await ftp.sendcmd("USER anonymous"));
print(await ftp.sendcmd("PASS guest@"));
print(await ftp.sendcmd("TYPE I"));
print(await ftp.sendcmd("LIST"));
const listing = (await ftp.transfer("LIST"))!;
for (const line of new TextDecoder().decode(listing).split(/\r\n|\n/).slice(0, -1)) print("  |", line);
let data = await ftp.transfer("RETR readme.txt", true);
print("  readme:", data);
data = (await ftp.transfer("RETR big.bin"))!;
print("  big.bin:", data.length, await hex16(data));
const upload = new TextEncoder().encode(
  Array.from({ length: 4000 }, (_, i) => `${String(i).padStart(5, "0")} upload line\n`).join(""),
);
await ftp.transfer("STOR up.txt", false, upload);
data = (await ftp.transfer("RETR up.txt", true))!;
print("  up.txt back:", data.length, beq(data, upload));
print(await ftp.transfer("RETR missing.txt"));
print("PORT elsewhere ->", await ftp.sendcmd("PORT 10,0,0,1,4,1"));
print("EPRT v6 ->", await ftp.sendcmd("EPRT |2|::1|2121|"));
print("PORT bad ->", await ftp.sendcmd("PORT 127,0,0,1,300"));
const gone = socket.socket();
gone.bind(["127.0.0.1", 0]);
const gp = gone.getsockname()[1];
gone.close();
print("PORT gone ->", await ftp.sendcmd(`PORT 127,0,0,1,${Math.floor(gp / 256)},${gp % 256}`));
print("RETR ->", await ftp.sendcmd("RETR readme.txt"));
print("  ", await ftp.getresp());
print(await ftp.sendcmd("SITE CHMOD 777 x"));
print(await ftp.sendcmd("QUIT"));
print("after QUIT:", repr(await ftp.file.readline()));
await ftp.file.close();
ftp.sock.close();

const second = await FTP.make("127.0.0.1", port);
print(await second.sendcmd("QUIT"));
await second.file.close();
second.sock.close();

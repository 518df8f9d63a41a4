// Port of ftp_client.py (hashlib.sha256 is crypto.subtle.digest; re.search is RegExp.exec).
import * as socket from "../../mod.ts";
import { b, bjoin, decode, print } from "./_py.ts";

const ctrl = await socket.create_connection(["127.0.0.1", Number(Deno.args[0])], { timeout: 10 });
const f = ctrl.makefile("rb");

async function getresp() {
  const line = decode(await f.readline() as Uint8Array).replace(/[\r\n]+$/, ""); // cast: finding T2
  return line;
}

async function cmd(text: string) {
  await ctrl.sendall(b(text + "\r\n"));
  const resp = await getresp();
  print(">", text.split(/\s+/)[0], "<", !resp.startsWith("227") ? resp : resp.slice(0, 26));
  return resp;
}

async function pasv(): Promise<[string, number]> {
  const resp = await cmd("PASV");
  const m = /(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)/.exec(resp)!;
  const numbers = m.slice(1);
  const host = numbers.slice(0, 4).join(".");
  const port = (parseInt(numbers[4]!) << 8) + parseInt(numbers[5]!);
  return [host, port];
}

async function transfer(command: string, upload: Uint8Array | null = null) {
  const [host, port] = await pasv();
  const data = await socket.create_connection([host, port], { timeout: 10 });
  const resp = await cmd(command);
  if (!resp.startsWith("1")) {
    data.close();
    return null;
  }
  if (upload !== null) {
    await data.sendall(upload);
    await data.shutdown(socket.SHUT_WR);
  }
  const chunks: Uint8Array[] = [];
  while (true) {
    const chunk = await data.recv(4096);
    if (!chunk.length) break;
    chunks.push(chunk);
  }
  data.close();
  print("  end:", await getresp());
  return bjoin(chunks);
}

print("welcome:", await getresp());
await cmd("USER anonymous");
await cmd("PASS guest@");
await cmd("RETR readme.txt");
print("listing", await transfer("LIST"));
print("readme", await transfer("RETR readme.txt"));
const big = (await transfer("RETR big.bin"))!;
const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", big));
print("big", big.length, [...digest].map((x) => x.toString(16).padStart(2, "0")).join("").slice(0, 16));
print("missing", await transfer("RETR nope.txt"));
print("upload", await transfer("STOR notes.txt", b("uploaded\r\nfrom the client\r\n")));
await cmd("SIZE notes.txt");
await cmd("NOOP");
await cmd("QUIT");
print("after QUIT", await f.read());
await f.close();
ctrl.close();

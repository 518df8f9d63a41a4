// Port of smtp_client.py (re.sub(r'(?m)^\.', …) is replace(/^\./gm, …); b'\n'.join is bjoin).
import * as socket from "../../mod.ts";
import { b, bjoin, bstrip, decode, print } from "./_py.ts";

const sock = await socket.create_connection(["127.0.0.1", Number(Deno.args[0])], { timeout: 10 });
const file = sock.makefile("rb");

async function getreply(): Promise<[number, Uint8Array]> {
  const resp: Uint8Array[] = [];
  let code: Uint8Array;
  while (true) {
    const line = await file.readline(8193) as Uint8Array; // cast: SocketFile is not typed by mode (finding T2)
    if (!line.length) {
      throw new socket.OSError(null, "Connection unexpectedly closed"); // OSError(text) garbles its message (finding P4)
    }
    code = line.subarray(0, 3);
    resp.push(bstrip(line.subarray(4)));
    if (decode(line.subarray(3, 4)) !== "-") break;
  }
  const errcode = parseInt(decode(code));
  return [errcode, bjoin(resp.flatMap((r, i) => i ? [b("\n"), r] : [r]))];
}

async function docmd(cmd: string) {
  await sock.sendall(bjoin([b(cmd), b("\r\n")]));
  return await getreply();
}

print(await getreply());
print(await docmd("EHLO client.example"));
print(await docmd("DATA"));
print(await docmd("MAIL FROM:<alice@example.org>"));
print(await docmd("RCPT TO:<bob@example.org>"));
print(await docmd("RCPT TO:<carol@example.org>"));
print(await docmd("DATA"));
let msg = "Subject: test\r\n\r\nHello Bob,\r\n.hidden dot line\r\n..two dots\r\nbare\nnewline and bare\rcr\r\nbye";
msg = msg.replace(/^\./gm, "..");
await sock.sendall(bjoin([b(msg), b("\r\n.\r\n")]));
print(await getreply());
print(await docmd("NOOP"));
print(await docmd("QUIT"));
print("after QUIT", await file.read());
await file.close();
sock.close();

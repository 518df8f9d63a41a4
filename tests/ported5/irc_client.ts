// Port of irc_client.py (text socket files with newline='\r\n'; `global seq` is a module variable).
import * as socket from "../../mod.ts";
import { b, bjoin, print, repr, sleep } from "../ported/_py.ts";

const port = parseInt(Deno.args[0]!);
const conns = new Map<string, socket.Socket>();
const files = new Map<string, socket.SocketFile>();
let seq = 0;

async function connect(name: string) {
  const s = await socket.create_connection(["127.0.0.1", port], { timeout: 10 });
  conns.set(name, s);
  files.set(name, s.makefile("r", { encoding: "utf-8", newline: "\r\n" }));
  print(name, "<", (await files.get(name)!.readline() as string).replace(/[\r\n]+$/, ""));
}

async function sync(name: string) {
  seq += 1;
  await conns.get(name)!.sendall(b(`PING ${seq}\r\n`));
  while (true) {
    let line = await files.get(name)!.readline() as string;
    if (!line) {
      print(name, "EOF");
      return;
    }
    line = line.replace(/[\r\n]+$/, "");
    if (line === `PING ${seq}`.replace("PING", "PONG")) return;
    print(name, "<", line);
  }
}

async function act(name: string, data: Uint8Array, wait = true) {
  print(name, ">", repr(data));
  await conns.get(name)!.sendall(data);
  if (!wait) return; // half a line: a PING now would join it
  await sync(name);
  for (const other of conns.keys()) {
    if (other !== name) await sync(other);
  }
}

await connect("ann");
await act("ann", b("PRIVMSG #all :too early\r\n"));
await act("ann", b("NICK ann\r\n"));
await connect("ben");
await act("ben", b("NICK ann\r\n"));
await act("ben", b("NICK\r\n"));
await act("ben", b("NI"), false);
await act("ben", b("CK ben\r\nNAMES\r\n"));
await connect("cat");
await act("cat", b("NICK cat\r\nPRIVMSG #all :hello everyone\r\n"));
await act("ann", b("PRIVMSG ben :psst, ben\r\n"));
await act("ben", b("PRIVMSG dan :anyone?\r\n"));
await act("cat", b("NICK kitty\r\n"));
await act("ann", b("WHOIS cat\r\n"));
await act("ann", bjoin([b("PRIVMSG #all :"), b("caf\u00e9 \u2615"), b(" "), b("x".repeat(100)), b("\r\n")]));
print("cat closes without QUIT");
conns.get("cat")!.close();
await files.get("cat")!.close();
conns.delete("cat");
files.delete("cat");
await sleep(1); // let the server see the EOF before ann's next line
await act("ann", b("NAMES\r\n"));
await conns.get("ben")!.sendall(b("QUIT :bye now\r\n"));
print("ben <", (await files.get("ben")!.readline() as string).replace(/[\r\n]+$/, ""));
print("ben <", repr(await files.get("ben")!.readline()));
conns.get("ben")!.close();
conns.delete("ben");
files.delete("ben");
await act("ann", b("NAMES\r\n"));
print("ann >", repr(b("DIE\r\n"))); // no PING after it: the server closes, and would reset a connection with unread bytes
await conns.get("ann")!.sendall(b("DIE\r\n"));
for await (const line of files.get("ann")!) print("ann <", (line as string).replace(/[\r\n]+$/, ""));
print("ann EOF");
for (const name of conns.keys()) conns.get(name)!.close();

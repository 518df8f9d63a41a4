// Port of lutz_select_server.py (select() is awaited; the server thread is a task; `sockobj in mainsocks`
// is includes(); the ids dict is a Map).
import * as socket from "../../mod.ts";
import { select } from "../../selectors.ts";
import { b, print, repr, sleep, str } from "../ported/_py.ts";
import { now, stamp } from "./_lutz.ts";

const myHost = "127.0.0.1";
const numPortSocks = 2;
const ids = new Map<socket.Socket, number>();
const server_lines: string[] = [];

function log(...args: unknown[]) {
  server_lines.push(args.map(str).join(" "));
}

function ident(sock: socket.Socket) {
  if (!ids.has(sock)) ids.set(sock, ids.size + 1);
  return ids.get(sock)!;
}

const mainsocks: socket.Socket[] = [];
const readsocks: socket.Socket[] = [];
const writesocks: socket.Socket[] = [];
for (let i = 0; i < numPortSocks; i++) {
  const portsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  portsock.bind([myHost, 0]);
  portsock.listen(5);
  mainsocks.push(portsock);
  readsocks.push(portsock);
}
const ports = mainsocks.map((s) => s.getsockname()[1] as number);

async function serve(total: number) {
  print("select-server loop starting");
  let closed = 0;
  while (closed < total) {
    const [readables] = await select(readsocks, writesocks, []);
    for (const sockobj of readables) {
      if (mainsocks.includes(sockobj)) {
        const [newsock, address] = await sockobj.accept();
        log("Connect:", address[0], "port index", mainsocks.indexOf(sockobj), ident(newsock));
        readsocks.push(newsock);
      } else {
        const data = await sockobj.recv(1024);
        log("\tgot", data, "on", ident(sockobj));
        if (!data.length) {
          sockobj.close();
          readsocks.splice(readsocks.indexOf(sockobj), 1);
          closed += 1;
        } else {
          const reply = `Echo=>${repr(data)} at ${now()}`;
          await sockobj.send(b(reply));
        }
      }
    }
  }
  for (const s of mainsocks) s.close();
  print("select-server loop done");
}

async function client(port: number, lines: Uint8Array[], out: string[]) {
  const sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  await sock.connect([myHost, port]);
  for (const line of lines) {
    await sock.send(line);
    const data = new TextDecoder().decode(await sock.recv(1024));
    const cut = data.lastIndexOf(" at ");
    out.push(`Client received: ${data.slice(0, cut)} at ${stamp(data.slice(cut + 4))}`);
  }
  sock.close();
}

const t = serve(5);
const out: string[] = [];
await client(ports[0]!, [b("Hello network world")], out);
await sleep(0.2);
await client(ports[1]!, [b("Spam"), b("Eggs")], out);
const deadline = Date.now() + 30_000;
while (server_lines.length < 7 && Date.now() < deadline) await sleep(0.01);
for (const line of out) print(line);
for (const line of server_lines) print(line);
const first = server_lines.length;
const outs: string[][] = [[], [], []];
await Promise.all([0, 1, 2].map((n) => client(ports[n % 2]!, [b(`at once ${n}`)], outs[n]!)));
await t;
// three clients at once: the server's lines in any order, and which number each socket got varies
for (const line of server_lines.slice(first).map((l) => l.slice(0, l.lastIndexOf(" ")) + " #").sort()) print(line);
for (const o of outs) for (const line of o) print(line);

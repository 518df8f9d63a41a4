// Port of lutz_getfile.py (threads are tasks; open()/read()/write() of local files are Deno's file calls; the
// semaphore counting finished server threads is a counter polled with a bounded wait).
import * as socket from "../../mod.ts";
import { b, beq, print, sleep } from "../ported/_py.ts";
import { now, stamp } from "./_lutz.ts";

const blksz = 1024;
const basename = (p: string) => p.slice(p.lastIndexOf("/") + 1);

async function client(host: string, port: number, filename: string, dropdir: string) {
  const sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  await sock.connect([host, port]);
  await sock.send(b(filename + "\n"));
  const dropname = `${dropdir}/${basename(filename)}`;
  const file = Deno.openSync(dropname, { write: true, create: true, truncate: true });
  while (true) {
    const data = await sock.recv(blksz);
    if (!data.length) break;
    file.writeSync(data);
  }
  sock.close();
  file.close();
  return `Client got ${basename(filename)} at ${stamp(now())}`;
}

let served = 0;

async function serverthread(clientsock: socket.Socket) {
  const sockfile = clientsock.makefile("r");
  const filename = (await sockfile.readline() as string).slice(0, -1);
  try {
    const file = Deno.openSync(filename, { read: true });
    try {
      const buf = new Uint8Array(blksz);
      while (true) {
        const n = file.readSync(buf);
        if (n === null) break;
        const bytes = buf.subarray(0, n);
        const sent = await clientsock.send(bytes);
        if (sent !== bytes.length) throw new Error("AssertionError");
      }
    } finally {
      file.close();
    }
  } catch {
    print("Error downloading file on server:", basename(filename));
  }
  clientsock.close();
  served++;
}

async function server(serversock: socket.Socket, count: number) {
  for (let i = 0; i < count; i++) {
    const [clientsock, clientaddr] = await serversock.accept();
    print("Server connected by", clientaddr[0], "at", stamp(now()));
    serverthread(clientsock);
  }
}

const checksum = (data: Uint8Array) => data.reduce((a, x) => a + x, 0) % 65521;

async function acquire(n: number) {
  const deadline = Date.now() + 60_000;
  while (served < n && Date.now() < deadline) await sleep(0.01);
}

const top = Deno.makeTempDirSync();
const srcdir = `${top}/src`;
const dropdir = `${top}/drop`;
Deno.mkdirSync(srcdir);
Deno.mkdirSync(dropdir);
const files = new Map<string, Uint8Array>([
  ["spam.txt", b("spam\n".repeat(300))],
  ["binary.bin", Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7 + Math.floor(i / 256)) % 256)],
  ["empty.txt", new Uint8Array()],
  ["one-block.dat", b("x".repeat(1024))],
]);
for (const [name, data] of files) Deno.writeFileSync(`${srcdir}/${name}`, data);

const serversock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
serversock.bind(["127.0.0.1", 0]);
serversock.listen(5);
const port = serversock.getsockname()[1] as number;
const t = server(serversock, 5);

const results = new Map<string, string>();
const names = ["spam.txt", "binary.bin", "empty.txt"];
await Promise.all(names.map(async (name) => {
  results.set(name, await client("127.0.0.1", port, `${srcdir}/${name}`, dropdir));
}));
for (const name of names) print(results.get(name));
print(await client("127.0.0.1", port, `${srcdir}/one-block.dat`, dropdir));
await acquire(4);
print(await client("127.0.0.1", port, `${srcdir}/missing.txt`, dropdir));
await t;
await acquire(5);
serversock.close();
for (const name of [...Deno.readDirSync(dropdir)].map((e) => e.name).sort()) {
  const data = Deno.readFileSync(`${dropdir}/${name}`);
  const want = files.get(name);
  print(name, data.length, checksum(data), want !== undefined && beq(data, want));
}

// Port of sendfile_temp.py (tempfile.mkstemp is Deno.makeTempFileSync; open(path, "rb") is Deno.open and
// f.tell() a seek by 0 from the current position; threads are tasks; hashlib.sha256 over the pieces is one
// digest of their join; ValueError is RangeError; type(e).__name__ is the error's name).
import * as socket from "../../mod.ts";
import { bjoin, print, repr, sleep } from "../ported/_py.ts";

const sha = async (x: Uint8Array) =>
  [...new Uint8Array(await crypto.subtle.digest("SHA-256", x as Uint8Array<ArrayBuffer>))]
    .map((c) => c.toString(16).padStart(2, "0")).join("").slice(0, 16);

const SIZE = 5_000_000;
const data = new Uint8Array(SIZE);
for (let i = 0; i + 256 <= SIZE; i += 256) for (let k = 0; k < 256; k++) data[i + k] = k;
{
  let i = Math.floor(SIZE / 256) * 256;
  for (let k = 0; k < Math.floor((SIZE % 256) / 3); k++) data.set([69, 78, 68], i + 3 * k);
  i += Math.floor((SIZE % 256) / 3) * 3;
  for (; i < SIZE; i++) data[i] = 33;
}
const path = Deno.makeTempFileSync();
Deno.writeFileSync(path, data);
const empty = Deno.makeTempFileSync();
const big = new Uint8Array(4 * SIZE);
for (let i = 0; i < 4; i++) big.set(data, i * SIZE);
const bigpath = Deno.makeTempFileSync();
Deno.writeFileSync(bigpath, big);

const lsock = socket.create_server(["127.0.0.1", 0]);
const port = (lsock.getsockname() as [string, number])[1];
const got = new Map<string, [number, string]>();

async function reader(name: string, slow: boolean, stop_after: number | null = null) {
  const [conn] = await lsock.accept();
  conn.settimeout(20);
  const h: Uint8Array[] = [];
  let n = 0;
  {
    using _c = conn;
    while (true) {
      if (stop_after !== null && n >= stop_after) {
        stop_after = null;
        await sleep(1.5);
      }
      const chunk = await conn.recv(65536);
      if (!chunk.length) break;
      h.push(chunk);
      n += chunk.length;
      if (slow && n % 8 === 0) await sleep(0.001);
    }
  }
  got.set(name, [n, await sha(bjoin(h))]);
}
const tell = (f: Deno.FsFile) => f.seek(0, Deno.SeekMode.Current);

let t = reader("slow", true);
let s = await socket.create_connection(["127.0.0.1", port]);
s.settimeout(5);
{
  using f = await Deno.open(path, { read: true });
  print("whole file:", await s.sendfile(f), "position", await tell(f));
  print("tail past EOF:", await s.sendfile(f, SIZE - 1000, 5000), "position", await tell(f));
  print("offset past EOF:", await s.sendfile(f, SIZE + 10), "position", await tell(f));
  for (const args of [[0, 0], [-1, null]] as [number, number | null][]) {
    try {
      await s.sendfile(f, ...args);
    } catch (e) {
      if (!(e instanceof RangeError || e instanceof socket.OSError)) throw e;
      print((e instanceof RangeError ? "ValueError" : e.name) + ":", e);
    }
  }
}
{
  using f = await Deno.open(empty, { read: true });
  print("empty file:", await s.sendfile(f), "position", await tell(f));
}
s.close();
await t;
print("reader got", repr(got.get("slow")), "want", repr([SIZE + 1000, await sha(bjoin([data, data.slice(-1000)]))]));

const u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
{
  using f = await Deno.open(path, { read: true });
  try {
    await u.sendfile(f);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    print("UDP ValueError:", e);
  }
}
u.close();

t = reader("stalled", false, 200_000);
s = await socket.create_connection(["127.0.0.1", port]);
s.settimeout(0.5);
let pos = 0;
{
  using f = await Deno.open(bigpath, { read: true });
  await f.seek(100, Deno.SeekMode.Start);
  try {
    await s.sendfile(f, 100);
    print("no timeout?");
  } catch (e) {
    if (!(e instanceof socket.TimeoutError)) throw e;
    print("stalled reader:", e.name, e);
  }
  pos = await tell(f);
  print("position moved:", 100 < pos && pos < big.length);
}
s.close();
await t;
print(
  "reader got what the position says:",
  got.get("stalled")![0] === pos - 100,
  got.get("stalled")![1] === await sha(big.slice(100, pos)),
);
lsock.close();
Deno.removeSync(path);
Deno.removeSync(empty);
Deno.removeSync(bigpath);

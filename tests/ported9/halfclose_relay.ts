// Port of halfclose_relay.py (threads are tasks; the semaphore is two Promises awaited; the lock goes;
// tempfile.mkdtemp() is Deno.makeTempDirSync(), shutil.rmtree is Deno.removeSync(…, { recursive: true }); family.name is
// written out).
import * as socket from "../../mod.ts";
import { b, bjoin, decode, print } from "../ported/_py.ts";

const log: string[] = [];
const note = (...a: unknown[]) => log.push(a.map(String).join(" "));

async function sort_service(lsock: socket.Socket, n: number) {
  for (let i = 0; i < n; i++) {
    const [conn] = await lsock.accept();
    using c = conn;
    const chunks: Uint8Array[] = [];
    while (true) {
      const chunk = await c.recv(65536);
      if (!chunk.length) break;
      chunks.push(chunk);
    }
    const data = bjoin(chunks);
    const lines = decode(data).split("\n");
    const reply = data.length < 1000
      ? b(lines.sort((x, y) => x < y ? -1 : x > y ? 1 : 0).join("\n"))
      : b(`${data.length} bytes, ${lines.length} lines`);
    await c.sendall(reply);
  }
  lsock.close();
}

async function pump(src: socket.Socket, dst: socket.Socket, name: string) {
  let total = 0;
  while (true) {
    const data = await src.recv(16384);
    if (!data.length) break;
    await dst.sendall(data);
    total += data.length;
  }
  await dst.shutdown(socket.SHUT_WR);
  note("relay", name, total);
}

async function relay(lsock: socket.Socket, target: string | [string, number], family: number, n: number) {
  const threads: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const [client] = await lsock.accept();
    const upstream = socket.socket(family, socket.SOCK_STREAM);
    await upstream.connect(target);
    const run = async () => {
      await Promise.all([pump(client, upstream, "c->s"), pump(upstream, client, "s->c")]);
      client.close();
      upstream.close();
    };
    threads.push(run());
  }
  await Promise.all(threads);
  lsock.close();
}

async function client(port: number, request: Uint8Array): Promise<Uint8Array> {
  using s = await socket.create_connection(["127.0.0.1", port], { timeout: 20 });
  await s.sendall(request);
  await s.shutdown(socket.SHUT_WR);
  const got: Uint8Array[] = [];
  while (true) {
    const data = await s.recv(4096);
    if (!data.length) break;
    got.push(data);
  }
  return bjoin(got);
}

const tmp = Deno.makeTempDirSync();
for (const [family, fname] of [[socket.AF_INET, "AF_INET"], [socket.AF_UNIX, "AF_UNIX"]] as [number, string][]) {
  log.length = 0;
  const svc = socket.socket(family, socket.SOCK_STREAM);
  svc.bind(family === socket.AF_INET ? ["127.0.0.1", 0] : `${tmp}/sort.sock`);
  svc.listen(5);
  const target = svc.getsockname() as string | [string, number];
  const front = socket.create_server(["127.0.0.1", 0]);
  const port = (front.getsockname() as [string, number])[1];
  const ts = [sort_service(svc, 3), relay(front, target, family, 3)];
  print(fname, "sorted:", await client(port, b("pear\napple\nfig\nbanana")));
  print(fname, "empty:", await client(port, b("")));
  print(fname, "big:", await client(port, bjoin([b("x".repeat(999) + "\n"), b("y".repeat(1024 * 1024))])));
  await Promise.all(ts);
  for (const line of log.sort()) print(fname, line);
}
Deno.removeSync(tmp, { recursive: true });

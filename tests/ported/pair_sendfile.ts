// Port of pair_sendfile.py (tempfile.mkstemp is Deno.makeTempFileSync; open(path, 'rb') is Deno.open and
// f.tell() a seek by 0 from the current position; hashlib's update() collects the pieces for one digest).
import * as socket from "../../mod.ts";
import { AddressFamily, SocketKind } from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { b, bjoin, join, print, repr } from "./_py.ts";

const sha256 = async (x: Uint8Array) =>
  [...new Uint8Array(await crypto.subtle.digest("SHA-256", x as Uint8Array<ArrayBuffer>))]
    .map((c) => c.toString(16).padStart(2, "0")).join("");

const data = bjoin(Array(2000).fill(Uint8Array.from({ length: 256 }, (_, i) => i)));
const path = Deno.makeTempFileSync();
Deno.writeFileSync(path, data);

const [parent, child] = await socket.socketpair();
print(AddressFamily[parent.family], SocketKind[parent.type], repr(parent.getsockname()), repr(child.getpeername()));

async function producer(sock: Socket, path: string) {
  {
    using f = await Deno.open(path, { read: true });
    let sent = await sock.sendfile(f);
    print("producer sent", sent, "file position", await f.seek(0, Deno.SeekMode.Current));
    sent = await sock.sendfile(f, 1000, 24);
    print("producer sent slice", sent, "file position", await f.seek(0, Deno.SeekMode.Current));
    sent = await sock.sendfile(f);
    print("producer sent again from offset 0", sent);
  }
  await sock.shutdown(socket.SHUT_WR);
  print("producer got", await sock.recv(100));
  sock.close();
}

const t = producer(parent, path);
const buf = new Uint8Array(65536);
const view = buf.subarray(0);
const h: Uint8Array[] = [];
let total = 0;
let calls = 0;
while (true) {
  const n = await child.recv_into(view);
  if (n === 0) break;
  calls += 1;
  h.push(view.slice(0, n));
  total += n;
}
print("consumer got", total, "bytes", "in at most 64 KiB pieces:", calls >= Math.floor(total / 65536));
const expected = await sha256(bjoin([data, data.subarray(1000, 1024), data]));
print("digest matches", await sha256(bjoin(h)) === expected);
await child.sendall(b(`ACK ${total}`));
let alive = true;
await join(t.then(() => alive = false), 10);
child.close();
Deno.removeSync(path);
print("alive", alive);

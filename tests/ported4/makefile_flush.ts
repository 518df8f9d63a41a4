// Port of makefile_flush.py (the answering thread becomes a task; `for line in rf` is `for await`).
import * as socket from "../../mod.ts";
import { TimeoutError } from "../../mod.ts";
import { b, bjoin, join, print, repr } from "../ported/_py.ts";

/** Everything the peer can read within 0.3 s. */
async function arrived(peer: socket.Socket): Promise<Uint8Array> {
  peer.settimeout(0.3);
  let got = new Uint8Array(0);
  while (true) {
    let chunk: Uint8Array;
    try {
      chunk = await peer.recv(65536);
    } catch (e) {
      if (e instanceof TimeoutError) return got;
      throw e;
    }
    if (!chunk.length) return bjoin([got, b("<EOF>")]);
    got = bjoin([got, chunk]);
  }
}

const listener = socket.create_server(["127.0.0.1", 0]);
const port = listener.getsockname()[1] as number;
const sock = await socket.create_connection(["127.0.0.1", port], { timeout: 10 });
const [peer] = await listener.accept();

const f = sock.makefile("rw", { encoding: "utf-8", newline: "\n" });
print("text file:", f.mode, f.readable(), f.writable());
await f.write("HELO there\n");
print("before flush:", await arrived(peer));
await f.flush();
print("after flush:", await arrived(peer));
await f.write("déjà vu ");
await f.write("€\n");
await f.flush();
print("utf-8:", await arrived(peer));

const wb = sock.makefile("wb");
await wb.write(new Uint8Array(100).fill(0x78));
print("wb small, no flush:", (await arrived(peer)).length);
await wb.write(new Uint8Array(10000).fill(0x79));
print("wb large write:", (await arrived(peer)).length);
await wb.write(new Uint8Array(50).fill(0x7a));
await wb.flush();
print("wb flush:", await arrived(peer));
await wb.write(b("tail"));
await wb.close();
print("wb closed:", wb.closed, await arrived(peer), sock.fileno() !== -1);

const raw = sock.makefile("wb", 0);
print("unbuffered n:", await raw.write(b("now")), await arrived(peer));
await raw.close();

const small = sock.makefile("wb", 16);
await small.write(b("0123456789"));
print("buffering=16, 10 bytes:", await arrived(peer));
await small.write(b("abcdefghij"));
print("buffering=16, 20 bytes:", await arrived(peer));
await small.close();
print("closed:", await arrived(peer));

async function answer(conn: socket.Socket) {
  const rf = conn.makefile("rw", { encoding: "utf-8", newline: "\n" });
  for await (const line of rf) {
    if (line === "bye\n") {
      await rf.write("ciao\n");
      await rf.flush();
      break;
    }
    await rf.write(`${line.length} ${(line as string).trim().toUpperCase()}\n`);
    await rf.flush();
  }
  await rf.close();
}

const t = answer(peer);
for (const q of ["alpha", "beta gamma", "", "bye"]) {
  await f.write(q + "\n");
  await f.flush();
  print("q", repr(q), "->", repr(await f.readline()));
}
await join(t, 10);
await f.close();
print("file closed, socket open:", f.closed, sock.fileno() !== -1);
await sock.sendall(b("raw after files\n"));
print("peer got:", await arrived(peer));
sock.close();
print("peer after close:", await arrived(peer));
peer.close();
listener.close();

// Port of blocks_server.py (struct '!I' is a DataView; '%d bytes ending %r' spelled out).
import * as socket from "../../mod.ts";
import { bjoin, decode, print, repr } from "../ported/_py.ts";

const HEADER_SIZE = 4; // header_struct = struct.Struct('!I'): messages up to 2**32 - 1 in length

class EOFError extends Error {}

async function recvall(sock: socket.Socket, length: number): Promise<Uint8Array> {
  const blocks: Uint8Array[] = [];
  while (length) {
    const block = await sock.recv(length);
    if (!block.length) throw new EOFError(`socket closed with ${length} bytes left in this block`);
    length -= block.length;
    blocks.push(block);
  }
  return bjoin(blocks);
}

async function get_block(sock: socket.Socket): Promise<Uint8Array> {
  const data = await recvall(sock, HEADER_SIZE);
  const block_length = new DataView(data.buffer, data.byteOffset, 4).getUint32(0);
  return await recvall(sock, block_length);
}

const sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
sock.bind(["127.0.0.1", parseInt(Deno.args[0]!)]);
sock.listen(1);
print("Listening at port", (sock.getsockname() as [string, number])[1]);
// blocks.py
let [sc, sockname] = await sock.accept();
print("Accepted connection from", (sockname as [string, number])[0]);
await sc.shutdown(socket.SHUT_WR);
while (true) {
  const block = await get_block(sc);
  if (!block.length) break;
  print("Block says:", block.length < 80 ? repr(block) : `${block.length} bytes ending ${repr(block.subarray(-8))}`);
}
print("the client sent nothing more:", await sc.recv(10));
sc.close();
// streamer.py
[sc, sockname] = await sock.accept();
print("Accepted connection from", (sockname as [string, number])[0]);
await sc.shutdown(socket.SHUT_WR);
let message: Uint8Array = new Uint8Array(0);
while (true) {
  const more = await sc.recv(8192); // arbitrary value of 8k
  if (!more.length) { // socket has closed when recv() returns ''
    print("Received zero bytes - end of file");
    break;
  }
  message = bjoin([message, more]);
}
print("Message:\n");
print(decode(message));
sc.close();
// a block cut short
[sc, sockname] = await sock.accept();
try {
  while (true) {
    const block = await get_block(sc);
    print("Block says:", repr(block));
  }
} catch (e) {
  if (!(e instanceof EOFError)) throw e;
  print("EOFError:", e.message);
}
sc.close();
sock.close();

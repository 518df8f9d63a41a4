// The framing of Python Network Programming Cookbook's chat (2_4), shared by cb_chat_server.ts and
// cb_chat_client.ts as the book's two files each define it: struct.pack("L", htonl(len)) (8 native bytes on
// 64-bit Linux) and the arguments (pickled in the book, JSON here).
import * as socket from "../../mod.ts";

export async function send(channel: socket.Socket, ...args: string[]) {
  const buffer = new TextEncoder().encode(JSON.stringify(args));
  const value = socket.htonl(buffer.length);
  const size = new Uint8Array(8);
  new DataView(size.buffer).setBigUint64(0, BigInt(value), true); // struct.pack("L", value)
  await channel.send(size);
  await channel.send(buffer);
}

export async function receive(channel: socket.Socket): Promise<string> {
  const calcsize = 8; // struct.calcsize("L")
  const size_bytes = await channel.recv(calcsize);
  if (size_bytes.length !== calcsize) return ""; // struct.error
  const size = socket.ntohl(Number(new DataView(size_bytes.buffer, size_bytes.byteOffset, 8).getBigUint64(0, true)));
  let buf: Uint8Array = new Uint8Array();
  while (buf.length < size) buf = await channel.recv(size - buf.length);
  return JSON.parse(new TextDecoder().decode(buf))[0];
}

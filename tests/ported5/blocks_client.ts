// Port of blocks_client.py.
import * as socket from "../../mod.ts";
import { OSError } from "../../mod.ts";
import { b, bjoin, print, sleep } from "../ported/_py.ts";

const address: [string, number] = ["127.0.0.1", parseInt(Deno.args[0]!)];
const pack = (n: number) => {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
};

async function put_block(sock: socket.Socket, message: Uint8Array) {
  const block_length = message.length;
  await sock.send(pack(block_length));
  await sock.sendall(message);
}

let sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
await sock.connect(address);
await sock.shutdown(socket.SHUT_RD);
await put_block(sock, b("Beautiful is better than ugly."));
await put_block(sock, b("Explicit is better than implicit."));
await put_block(sock, b("Simple is better than complex."));
await put_block(sock, bjoin(Array(300).fill(new Uint8Array(256).map((_, i) => i))));
await put_block(sock, new Uint8Array(0));
print("after SHUT_RD recv gives", await sock.recv(10));
sock.close();
print("blocks sent");

sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
await sock.connect(address);
await sock.shutdown(socket.SHUT_RD);
await sock.sendall(b("Beautiful is better than ugly.\n"));
await sleep(0.1);
await sock.sendall(b("Explicit is better than implicit.\n"));
await sock.sendall(b("Simple is better than complex.\n"));
await sock.shutdown(socket.SHUT_WR);
try {
  await sock.send(b("too late"));
} catch (e) {
  if (!(e instanceof OSError)) throw e;
  print("send after SHUT_WR:", e.name, e.message);
}
sock.close();
print("stream sent");

sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
await sock.connect(address);
await put_block(sock, b("whole"));
await sock.sendall(bjoin([pack(100), b("only forty bytes of a hundred-byte block.")]));
sock.close();
print("cut block sent");

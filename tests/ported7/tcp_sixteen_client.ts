// Port of tcp_sixteen_client.py (EOFError is the program's own class; time.sleep is sleep()).
import * as socket from "../../mod.ts";
import { b, bjoin, print, repr, sleep } from "../ported/_py.ts";

class EOFError extends Error {}

async function recvall(sock: socket.Socket, length: number): Promise<Uint8Array> {
  let data = new Uint8Array();
  while (data.length < length) {
    const more = await sock.recv(length - data.length);
    if (!more.length) {
      throw new EOFError(
        `was expecting ${length} bytes but only received` +
          ` ${data.length} bytes before the socket closed`,
      );
    }
    data = bjoin([data, more]);
  }
  return data;
}

async function client(host: string, port: number, pieces = [b("Hi there, server")], half_close = false) {
  const sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  await sock.connect([host, port]);
  print("Client has been assigned socket name", sock.getsockname()[0]);
  for (const piece of pieces) {
    await sock.sendall(piece);
    await sleep(0.05);
  }
  if (half_close) {
    await sock.shutdown(socket.SHUT_WR);
  }
  const reply = await recvall(sock, 16);
  print("The server said", repr(reply));
  sock.close();
}

async function quitter(host: string, port: number) {
  const sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  await sock.connect([host, port]);
  await sock.sendall(b("Hi th"));
  sock.close();
  print("Quitter sent five octets and closed");
}

const port = Number(Deno.args[0]);
await client("127.0.0.1", port);
await client("127.0.0.1", port, [b("Hi "), b("there, "), b("server")]);
await quitter("127.0.0.1", port);
try {
  await client("127.0.0.1", port, [b("Hi there")], true);
} catch (e) {
  if (!(e instanceof EOFError)) throw e;
  print("EOFError:", e.message);
}

// Port of howto_server.py.
import * as socket from "../../mod.ts";
import { bjoin, bupper, print } from "./_py.ts";

const MSGLEN = 96;

class MySocket {
  /* demonstration class only
      - coded for clarity, not efficiency
  */
  sock: socket.Socket;

  constructor(sock: socket.Socket | null = null) {
    if (sock === null) {
      this.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
    } else {
      this.sock = sock;
    }
  }

  async connect(host: string, port: number) {
    await this.sock.connect([host, port]);
  }

  async mysend(msg: Uint8Array) {
    let totalsent = 0;
    while (totalsent < MSGLEN) {
      const sent = await this.sock.send(msg.subarray(totalsent));
      if (sent === 0) {
        throw new Error("socket connection broken");
      }
      totalsent = totalsent + sent;
    }
  }

  async myreceive() {
    const chunks: Uint8Array[] = [];
    let bytes_recd = 0;
    while (bytes_recd < MSGLEN) {
      const chunk = await this.sock.recv(Math.min(MSGLEN - bytes_recd, 2048));
      if (chunk.length === 0) {
        throw new Error("socket connection broken");
      }
      chunks.push(chunk);
      bytes_recd = bytes_recd + chunk.length;
    }
    return bjoin(chunks);
  }
}

const serversocket = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
serversocket.bind(["127.0.0.1", Number(Deno.args[0])]);
serversocket.listen(5);
const [clientsocket, _address] = await serversocket.accept();
const ms = new MySocket(clientsocket);
for (let i = 0; i < 3; i++) {
  const msg = await ms.myreceive();
  print("got", msg.subarray(0, 10), msg.length);
  await ms.mysend(bupper(msg));
}
try {
  await ms.myreceive();
} catch (e) {
  if (!(e instanceof Error) || e instanceof socket.OSError) throw e; // RuntimeError
  print("error:", e);
}
clientsocket.close();
serversocket.close();

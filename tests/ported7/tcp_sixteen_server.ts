// Port of tcp_sixteen_server.py (EOFError, a Python built-in pysocket does not raise, is the program's own class;
// bytes concatenation is bjoin).
import * as socket from "../../mod.ts";
import { bjoin, print, repr } from "../ported/_py.ts";

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

async function server(interface_: string, port: number, count: number) {
  const sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
  sock.bind([interface_, port]);
  sock.listen(1);
  print("serving on port", sock.getsockname()[1]);
  print("Listening at", sock.getsockname());
  for (let i = 0; i < count; i++) {
    print("Waiting to accept a new connection");
    const [sc, sockname] = await sock.accept();
    print("We have accepted a connection from", sockname[0]);
    print("  Socket name:", sc.getsockname());
    print("  Socket peer:", sc.getpeername()[0]);
    let message: Uint8Array;
    try {
      message = await recvall(sc, 16);
    } catch (e) {
      if (!(e instanceof EOFError)) throw e;
      print("  EOFError:", e.message);
      sc.close();
      continue;
    }
    print("  Incoming sixteen-octet message:", repr(message));
    await sc.sendall(new TextEncoder().encode("Farewell, client"));
    sc.close();
    print("  Reply sent, socket closed");
  }
  sock.close();
}

await server("127.0.0.1", Number(Deno.args[0]), 4);

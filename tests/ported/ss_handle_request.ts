// Port of ss_handle_request.py (the client thread is a task).
import * as socket from "../../mod.ts";
import * as socketserver from "../../socketserver.ts";
import { b, print, repr } from "./_py.ts";

class LineHandler extends socketserver.StreamRequestHandler {
  override async handle() {
    let n = 0;
    for await (const line of this.rfile) {
      n += 1;
      await this.wfile.write(new Uint8Array([...b(`${n} `), ...(line as Uint8Array)])); // cast: finding T2
    }
    print("handler: client sent", n, "lines");
  }
}

// Python's class attributes are `static` here (docs/features.md; the README's porting rules do not say so: finding F4).
class Server extends socketserver.TCPServer {
  static override allow_reuse_address = true;
  static override timeout = 0.3;

  override handle_timeout() {
    print("handle_timeout called");
  }
}

{
  await using server = new Server(["127.0.0.1", 0], LineHandler);
  const eq = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y); // tuple ==
  print("server_address", server.server_address[0], eq(server.socket.getsockname(), server.server_address));
  await server.handle_request(); // nobody connects: times out

  const client = async () => {
    using s = await socket.create_connection(server.server_address as [string, number]);
    const f = s.makefile("rw", { encoding: "utf-8", newline: "\n" });
    for (const word of ["alpha", "beta", "gamma"]) {
      await f.write(word + "\n");
      await f.flush();
      print("client got", repr(await f.readline()));
    }
    await s.shutdown(socket.SHUT_WR);
    print("client rest", repr(await f.read()));
    await f.close();
  };

  const t = client();
  await server.handle_request();
  await t;
}

class ServerV6 extends Server {
  static override address_family = socket.AF_INET6;
}

{
  await using server6 = new ServerV6(["::1", 0], LineHandler);
  print("v6", server6.socket.family === socket.AF_INET6, server6.server_address[0], server6.server_address.length);
}
print("done");

// Port of echo_server.py.
import * as socket from "../../mod.ts";
import { print } from "./_py.ts";

const HOST = "127.0.0.1";
const PORT = Number(Deno.args[0]);
{
  using s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  s.bind([HOST, PORT]);
  s.listen(1);
  const [conn, addr] = await s.accept();
  {
    using _conn = conn;
    print("Connected by", addr);
    while (true) {
      const data = await conn.recv(1024);
      if (!data.length) break;
      await conn.sendall(data);
    }
  }
}

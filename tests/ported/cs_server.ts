// Port of cs_server.py.
import * as socket from "../../mod.ts";
import { bupper, print } from "./_py.ts";

const PORT = Number(Deno.args[0]);
{
  using server = socket.create_server(["127.0.0.1", PORT]);
  const [conn, addr] = await server.accept();
  {
    using _conn = conn;
    print("family", conn.family === socket.AF_INET, "peer is", addr[0]);
    while (true) {
      const data = await conn.recv(1024);
      if (!data.length) {
        break;
      }
      await conn.sendall(bupper(data));
    }
  }
  print("done");
}

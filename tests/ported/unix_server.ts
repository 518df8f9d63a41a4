// Port of unix_server.py (os.path.exists/os.remove are Deno.statSync/Deno.removeSync).
import * as socket from "../../mod.ts";
import { print, repr } from "./_py.ts";

const exists = (p: string) => {
  try {
    Deno.statSync(p);
    return true;
  } catch {
    return false;
  }
};

const path = Deno.args[0]!;
if (exists(path)) {
  Deno.removeSync(path);
}
{
  using server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
  server.bind(path);
  server.listen(1);
  print("listening on", server.getsockname() === path);
  const [conn, addr] = await server.accept();
  {
    using _conn = conn;
    print("connection from", repr(addr), "local", conn.getsockname() === path);
    while (true) {
      const data = await conn.recv(1024);
      if (!data.length) {
        break;
      }
      await conn.sendall(data.map((c) => (c >= 0x61 && c <= 0x7a ? c - 32 : c)));
    }
  }
}
Deno.removeSync(path);
print("done");

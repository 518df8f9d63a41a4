// Port of filesend_server.py (open(path, "rb") is Deno.open; os.path.getsize is Deno.statSync).
import * as socket from "../../mod.ts";
import { b, print } from "./_py.ts";

const path = Deno.args[1]!;
const srv = socket.socket();
srv.bind(["127.0.0.1", Number(Deno.args[0])]);
srv.listen();
const [conn] = await srv.accept();
{
  using f = await Deno.open(path, { read: true });
  const size = Deno.statSync(path).size;
  await conn.sendall(b(`${size}\n`));
  let sent = await conn.sendfile(f);
  print("sent", sent, "position", await f.seek(0, Deno.SeekMode.Current));
  sent = await conn.sendfile(f, 100, 50);
  print("sent from offset", sent, "position", await f.seek(0, Deno.SeekMode.Current));
}
conn.close();
srv.close();

// Port of halfclose_server.py.
import * as socket from "../../mod.ts";
import { bjoin, print } from "./_py.ts";

const srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
srv.bind(["127.0.0.1", Number(Deno.args[0])]);
srv.listen(1);
for (let i = 0; i < 2; i++) {
  const [conn, _addr] = await srv.accept();
  let request: Uint8Array = new Uint8Array(0);
  while (true) {
    const chunk = await conn.recv(7);
    if (!chunk.length) {
      break;
    }
    request = bjoin([request, chunk]);
  }
  print("request", request);
  await conn.sendall(request.slice().reverse());
  try {
    await conn.shutdown(socket.SHUT_RDWR);
  } catch (e) {
    if (!(e instanceof socket.OSError)) throw e;
    print("shutdown:", e);
  }
  conn.close();
}
srv.close();

// Port of cb_reuse_needed.py.
import * as socket from "../../mod.ts";
import { OSError } from "../../mod.ts";
import { print } from "../ported/_py.ts";

const srv = socket.socket();
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); // as 1_10's server
srv.bind(["127.0.0.1", 0]);
const port = srv.getsockname()[1];
srv.listen(1);
const c = await socket.create_connection(["127.0.0.1", port]);
const [conn] = await srv.accept();
conn.close(); // the server side closes first
print("client read", await c.recv(10));
c.close();
srv.close();

let again = socket.socket();
try {
  again.bind(["127.0.0.1", port]);
  print("bound again without SO_REUSEADDR");
} catch (e) {
  if (!(e instanceof OSError)) throw e;
  print("without SO_REUSEADDR:", e.name, e.message);
}
again.close();
again = socket.socket();
again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
again.bind(["127.0.0.1", port]);
again.listen(1);
print("bound again with SO_REUSEADDR");
again.close();

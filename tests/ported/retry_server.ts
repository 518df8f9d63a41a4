// Port of retry_server.py.
import * as socket from "../../mod.ts";
import { b, bjoin, print } from "./_py.ts";

const lsock = socket.create_server(["127.0.0.1", Number(Deno.args[0])]);
print("listening on", lsock.getsockname());
const [conn, _addr] = await lsock.accept();
let n = 0;
{
  using _conn = conn;
  await using f = conn.makefile("rb");
  for await (const line of f as AsyncIterable<Uint8Array>) { // cast: SocketFile is not typed by mode (finding T2)
    n += 1;
    if (new TextDecoder().decode(line).startsWith("SLOW")) {
      print("ignoring", line);
      continue;
    }
    if (n % 2) {
      print("losing", n, line);
      continue;
    }
    print("answering", n, line);
    await conn.sendall(bjoin([b("OK "), line]));
  }
}
print("client left after", n, "requests");
lsock.close();

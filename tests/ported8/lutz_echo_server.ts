// Port of lutz_echo_server.py (`from socket import *` is `import * as socket`; recv and send are awaited).
import * as socket from "../../mod.ts";
import { b, bjoin, print } from "../ported/_py.ts";

const myHost = "127.0.0.1";
const myPort = Number(Deno.args[0]);
const count = 3;

const sockobj = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
sockobj.bind([myHost, myPort]);
sockobj.listen(5);
print("echo server on port", sockobj.getsockname()[1]);

for (let i = 0; i < count; i++) {
  const [connection, address] = await sockobj.accept();
  print("Server connected by", address[0]);
  while (true) {
    const data = await connection.recv(1024);
    if (!data.length) break;
    await connection.send(bjoin([b("Echo=>"), data]));
  }
  connection.close();
}
sockobj.close();
print("server done");

// Port of nonblock_server.py.
import * as socket from "../../mod.ts";
import { b, bjoin, decode, print, sleep } from "./_py.ts";

const srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
srv.bind(["127.0.0.1", Number(Deno.args[0])]);
srv.listen(5);
srv.setblocking(false);
let polls = 0;
let conn: socket.Socket | null = null;
while (conn === null && polls < 2000) {
  try {
    [conn] = await srv.accept();
  } catch (e) {
    if (!(e instanceof socket.BlockingIOError)) throw e;
    polls += 1;
    await sleep(0.01);
  }
}
print("accepted", conn !== null, "blocking", conn ? conn.getblocking() : null);
conn!.setblocking(false);
let got: Uint8Array = b("");
let first = true;
while (!decode(got).endsWith("END") && polls < 4000) {
  try {
    const data = await conn!.recv(1024);
    if (!data.length) {
      break;
    }
    got = bjoin([got, data]);
  } catch (e) {
    if (!(e instanceof socket.BlockingIOError)) throw e;
    polls += 1;
    if (first) {
      print("first would-block:", e.errno, e);
      first = false;
    }
    await sleep(0.01);
  }
}
print("got", got);
let sent: number;
while (true) {
  try {
    sent = await conn!.send(b("bye"));
    break;
  } catch (e) {
    if (!(e instanceof socket.BlockingIOError)) throw e;
    await sleep(0.01);
  }
}
print("sent", sent);
conn!.close();
srv.close();

// Port of tcp_proxy.py.
import * as socket from "../../mod.ts";
import * as select from "../../selectors.ts";
import { print } from "./_py.ts";

const [listen_port, upstream_port] = [Number(Deno.args[0]), Number(Deno.args[1])];
const lsock = socket.socket();
lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
lsock.bind(["127.0.0.1", listen_port]);
lsock.listen(1);
const [client] = await lsock.accept();
const upstream = await socket.create_connection(["127.0.0.1", upstream_port]);
const peer = new Map<socket.Socket, socket.Socket>([[client, upstream], [upstream, client]]);
const name = new Map([[client, "client->upstream"], [upstream, "upstream->client"]]);
const count = new Map([[client, 0], [upstream, 0]]);
const open_ends = [client, upstream];
while (open_ends.length) {
  const [readable] = await select.select(open_ends, [], [], 10);
  if (!readable.length) {
    print("idle for 10 s");
    break;
  }
  for (const s of readable) {
    const data = await s.recv(4096);
    if (data.length) {
      await peer.get(s)!.sendall(data);
      count.set(s, count.get(s)! + data.length);
    } else {
      open_ends.splice(open_ends.indexOf(s), 1);
      try {
        await peer.get(s)!.shutdown(socket.SHUT_WR);
      } catch (e) {
        if (!(e instanceof socket.OSError)) throw e;
        print("shutdown:", e);
      }
    }
  }
}
for (const s of [client, upstream]) {
  print(name.get(s), count.get(s)! > 0);
}
client.close();
upstream.close();
lsock.close();

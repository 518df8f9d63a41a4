// Port of sock_repr.py (repr(s) is String(s): pysocket sockets print as CPython's repr).
import * as socket from "../../mod.ts";
import { print } from "../ported/_py.ts";

function show(label: string, s: socket.Socket, ...ports: number[]) {
  let text = String(s);
  ports.forEach((p, i) => text = text.replaceAll(String(p), `P${i}`));
  print(label, text, s.family, s.type, s.proto);
}

const listener = socket.create_server(["127.0.0.1", 0]);
const port = listener.getsockname()[1] as number;
show("listener", listener, port);
const client = await socket.create_connection(["127.0.0.1", port], { timeout: 5 });
const cport = client.getsockname()[1] as number;
show("client", client, port, cport);
const [conn] = await listener.accept();
show("accepted", conn, port, cport);
const named = await socket.create_connection(["localhost", port], { timeout: 5 });
show("by name", named, port, named.getsockname()[1] as number);
const [conn2] = await listener.accept();
const explicit = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP);
show("explicit", explicit);
const udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP);
udp.bind(["127.0.0.1", 0]);
show("udp", udp, udp.getsockname()[1] as number);
for (const s of [client, conn, named, conn2, explicit, udp]) s.close();
show("closed", client);
print("fileno after close:", client.fileno());
listener.close();

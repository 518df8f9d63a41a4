// Port of ss_udp_client.py.
import * as socket from "../../mod.ts";
import { decode, print } from "./_py.ts";

const [HOST, PORT] = ["localhost", Number(Deno.args[0])];
const data = Deno.args.slice(1).join(" ");

// SOCK_DGRAM is the socket type to use for UDP sockets
const sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);

// As you can see, there is no connect() call; UDP has no connections.
// Instead, data is directly sent to the recipient via sendto().
await sock.sendto(new TextEncoder().encode(data + "\n"), [HOST, PORT]);
const received = decode(await sock.recv(1024));

print(`Sent:     ${data}`);
print(`Received: ${received}`);

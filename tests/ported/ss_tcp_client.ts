// Port of ss_tcp_client.py.
import * as socket from "../../mod.ts";
import { decode, print } from "./_py.ts";

const [HOST, PORT] = ["localhost", Number(Deno.args[0])];
const data = Deno.args.slice(1).join(" ");

// Create a socket (SOCK_STREAM means a TCP socket)
let received: string;
{
  using sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  // Connect to server and send data
  await sock.connect([HOST, PORT]);
  await sock.sendall(new TextEncoder().encode(data + "\n"));

  // Receive data from the server and shut down
  received = decode(await sock.recv(1024));
}

print(`Sent:     ${data}`);
print(`Received: ${received}`);

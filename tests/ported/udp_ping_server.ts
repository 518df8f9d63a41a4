// Port of udp_ping_server.py.
import { AF_INET, SOCK_DGRAM, socket } from "../../mod.ts";
import { bupper } from "./_py.ts";

const serverSocket = socket(AF_INET, SOCK_DGRAM);
serverSocket.bind(["127.0.0.1", Number(Deno.args[0])]);
let count = 0;
while (true) {
  let [message, address] = await serverSocket.recvfrom(1024);
  message = bupper(message);
  count += 1;
  if (count % 3 === 0) {
    continue;
  }
  await serverSocket.sendto(message, address);
}

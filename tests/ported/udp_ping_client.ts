// Port of udp_ping_client.py.
import { AF_INET, SOCK_DGRAM, socket, timeout } from "../../mod.ts";
import { decode, print } from "./_py.ts";

const serverName = "127.0.0.1";
const serverPort = Number(Deno.args[0]);
const clientSocket = socket(AF_INET, SOCK_DGRAM);
clientSocket.settimeout(0.5);
for (let i = 1; i < 7; i++) {
  const sendTime = Date.now() / 1000;
  const message = `Ping ${i} ${Math.trunc(sendTime)}`;
  await clientSocket.sendto(new TextEncoder().encode(message), [serverName, serverPort]);
  try {
    const [modifiedMessage, serverAddress] = await clientSocket.recvfrom(1024);
    const _rtt = Date.now() / 1000 - sendTime;
    // `!`: recvfrom() types the address as possibly null even on AF_INET (finding T3)
    print(`Reply from ${serverAddress![0]}: ${decode(modifiedMessage).split(" ").slice(0, 2).join(" ")}`);
  } catch (e) {
    if (!(e instanceof timeout)) throw e;
    print("Request timed out", e);
  }
}
clientSocket.close();

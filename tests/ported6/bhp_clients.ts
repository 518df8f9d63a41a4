// Port of bhp_clients.py (threads become tasks; "%s" % bytes is str()).
import * as socket from "../../mod.ts";
import { b, print, str } from "../ported/_py.ts";

const bind_ip = "127.0.0.1";
const log: string[] = [];

// ---- the threaded TCP server ----
const server = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
server.bind([bind_ip, 0]);
server.listen(5);
const bind_port = server.getsockname()[1];
log.push(`[*] Listening on ${bind_ip}`);

async function handle_client(client_socket: socket.Socket) {
  const request = await client_socket.recv(1024);
  log.push(`[*] Received: ${str(request)}`);
  await client_socket.send(b("ACK!"));
  client_socket.close();
}

async function accept_loop(n: number) {
  const workers = [];
  for (let i = 0; i < n; i++) {
    const [client, addr] = await server.accept();
    log.push(`[*] Accepted connection from: ${addr[0]}`);
    workers.push(handle_client(client));
  }
  await Promise.all(workers);
}

const acceptor = accept_loop(3);

// ---- the TCP client ----
let target_host = "localhost";
const target_port = bind_port;
let client = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
await client.connect([target_host, target_port]);
await client.send(b("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"));
const response = await client.recv(4096);
print(response);
client.close();

// two more clients at once, each waiting for its ACK
const clients = [];
for (let i = 0; i < 2; i++) clients.push(await socket.create_connection(["127.0.0.1", bind_port]));
for (const [i, c] of clients.entries()) await c.sendall(b(`client ${i} says hi`));
for (const c of clients) {
  print(await c.recv(4096), await c.recv(4096));
  c.close();
}
await acceptor;
server.close();
for (const line of log.sort()) print(line);

// ---- the UDP client, against a UDP server that answers each datagram ----
const udp_server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
udp_server.bind(["127.0.0.1", 0]);
const udp_port = udp_server.getsockname()[1];

async function udp_answer(n: number) {
  for (let i = 0; i < n; i++) {
    const [data, addr] = await udp_server.recvfrom(4096);
    await udp_server.sendto(new Uint8Array([...b("got "), ...data]), addr);
  }
}

const t = udp_answer(2);
target_host = "127.0.0.1";
client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
await client.sendto(b("AAABBBCCC"), [target_host, udp_port]);
let [data, addr] = await client.recvfrom(4096);
print(data, addr![0] === "127.0.0.1" && addr![1] === udp_port);
await client.sendto(b(""), [target_host, udp_port]);
[data, addr] = await client.recvfrom(4096);
print(data);
await t;
client.close();
udp_server.close();

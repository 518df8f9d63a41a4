// Port of cb_threading_echo.py (ThreadingMixIn(TCPServer) as a base class, serve_forever's thread is its
// un-awaited Promise, the lock goes away: code between awaits runs alone).
import * as socket from "../../mod.ts";
import { ConnectionRefusedError } from "../../mod.ts";
import { BaseRequestHandler, TCPServer, ThreadingMixIn } from "../../socketserver.ts";
import { print, str } from "../ported/_py.ts";

const SERVER_HOST = "localhost";
const SERVER_PORT = 0; // tells the kernel to pick up a port dynamically
const BUF_SIZE = 1024;
const ECHO_MSG = "Hello echo server!";
let count = 0;

/** A client to test threading mixin server */
class ThreadedClient {
  sock: socket.Socket;
  n: number;
  constructor(n: number) {
    // Create a socket
    this.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
    this.n = n;
  }

  static async make(ip: string, port: number, n: number): Promise<ThreadedClient> {
    const c = new ThreadedClient(n);
    try {
      // Connect to the server
      await c.sock.connect([ip, port]);
    } catch (e) {
      c.sock.close();
      throw e;
    }
    return c;
  }

  /** Client playing with the server */
  async run(msg = ECHO_MSG) {
    // Send the data to server
    print(`Client ${this.n} Sending echo message to the server : "${msg}"`);
    const sent_data_length = await this.sock.send(new TextEncoder().encode(msg));
    print(`Sent: ${sent_data_length} characters, so far...`);

    // Display server response
    const response = await this.sock.recv(BUF_SIZE);
    print(`Client ${this.n} received: ${str(response.slice(5))}`);
  }

  /** Cleanup the client socket */
  shutdown() {
    this.sock.close();
  }
}

/** An example of threaded TCP request handler */
class ThreadedRequestHandler extends BaseRequestHandler {
  override async handle() {
    // Send the echo back to the client
    const data = await this.request.recv(1024);
    count += 1;
    const n = count;
    const response = `request ${n}: ${str(data)}`;
    await this.request.sendall(new TextEncoder().encode(response));
  }
}

/** Nothing to add here, inherited everything necessary from parents */
class ThreadedServer extends ThreadingMixIn(TCPServer) {}

// Run server
const server = new ThreadedServer([SERVER_HOST, SERVER_PORT], ThreadedRequestHandler);
const [ip, port] = server.server_address as [string, number]; // retrieve ip address
print("Server bound to", ip, "daemon_threads", server.daemon_threads);

// Start a thread with the server -- one thread per request
const server_thread = server.serve_forever();
print("Server loop running");

// Run clients
const client1 = await ThreadedClient.make(ip, port, 1);
await client1.run();

const client2 = await ThreadedClient.make(ip, port, 2);
await client2.run();

const client3 = await ThreadedClient.make(ip, port, 3);
await client3.run("x".repeat(60));

// three at once, answered last first
const clients: ThreadedClient[] = [];
for (const n of [4, 5, 6]) clients.push(await ThreadedClient.make(ip, port, n));
for (const c of [...clients].reverse()) await c.run(`from ${c.n}`);

// Server cleanup
await server.shutdown();
await server_thread;
print("serve_forever returned");

// Client cleanup
client1.shutdown();
client2.shutdown();
client3.shutdown();
for (const c of clients) c.shutdown();
server.socket.close();
try {
  await ThreadedClient.make(ip, port, 7);
} catch (e) {
  if (!(e instanceof ConnectionRefusedError)) throw e;
  print("after close:", e.message);
}

// Port of ss_threading.py (threads become tasks).
import * as socket from "../../mod.ts";
import * as socketserver from "../../socketserver.ts";
import { decode, print } from "./_py.ts";

class ThreadedTCPRequestHandler extends socketserver.BaseRequestHandler {
  override async handle() {
    const data = decode(await this.request.recv(1024));
    const response = new TextEncoder().encode(`${"handler"}: ${data}`);
    await this.request.sendall(response);
  }
}

const ThreadedTCPServer = socketserver.ThreadingMixIn(socketserver.TCPServer);

async function client(ip: string, port: number, message: string) {
  using sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  await sock.connect([ip, port]);
  await sock.sendall(new TextEncoder().encode(message));
  const response = decode(await sock.recv(1024));
  print(`Received: ${response}`);
}

if (import.meta.main) {
  // Port 0 means to select an arbitrary unused port
  const [HOST, PORT] = ["localhost", 0];

  const server = new ThreadedTCPServer([HOST, PORT], ThreadedTCPRequestHandler);
  {
    await using _server = server;
    const [ip, port] = server.server_address as [string, number];

    // Start a thread with the server -- that thread will then start one
    // more thread for each request
    const server_thread = server.serve_forever();
    // Exit the server thread when the main thread terminates
    print("Server loop running in thread:", "serve_forever");

    await client(ip, port, "Hello World 1");
    await client(ip, port, "Hello World 2");
    await client(ip, port, "Hello World 3");

    await server.shutdown();
    await server_thread;
  }
}

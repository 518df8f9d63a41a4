// Port of chat_server.py.
import * as socket from "../../mod.ts";
import * as select from "../../selectors.ts";
import { decode, print, str } from "./_py.ts";

const HOST = "127.0.0.1";
const SOCKET_LIST: socket.Socket[] = [];
const RECV_BUFFER = 4096;
const PORT = Number(Deno.args[0]);

async function chat_server() {
  const server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  server_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
  server_socket.bind([HOST, PORT]);
  server_socket.listen(10);

  // add server socket object to the list of readable connections
  SOCKET_LIST.push(server_socket);

  print("Chat server started on port " + str(PORT));

  let addr!: socket.InetAddress;
  while (1) {
    // get the list sockets which are ready to be read through select
    // 4th arg, time_out  = 0 : poll and never block
    const [ready_to_read, _ready_to_write, _in_error] = await select.select(SOCKET_LIST, [], [], 0);

    for (const sock of ready_to_read) {
      // a new connection request recieved
      if (sock === server_socket) {
        let sockfd: socket.Socket;
        [sockfd, addr] = await server_socket.accept();
        SOCKET_LIST.push(sockfd);
        print(`Client (${addr[0]}, ${addr[1]}) connected`);

        await broadcast(server_socket, sockfd, `[${addr[0]}:${addr[1]}] entered our chatting room\n`);
      } // a message from a client, not a new connection
      else {
        // process data recieved from client,
        try {
          // receiving data from the socket.
          const data = await sock.recv(RECV_BUFFER);
          if (data.length) {
            // there is something in the socket
            await broadcast(server_socket, sock, "\r" + "[" + str(sock.getpeername()) + "] " + decode(data));
          } else {
            // remove the socket that's broken
            if (SOCKET_LIST.includes(sock)) {
              SOCKET_LIST.splice(SOCKET_LIST.indexOf(sock), 1);
            }

            // at this stage, no data means probably the connection has been broken
            await broadcast(server_socket, sock, `Client (${addr[0]}, ${addr[1]}) is offline\n`);
          }
        } // exception
        catch {
          await broadcast(server_socket, sock, `Client (${addr[0]}, ${addr[1]}) is offline\n`);
          continue;
        }
      }
    }
  }

  // deno-lint-ignore no-unreachable
  server_socket.close(); // unreachable, as in the original
}

// broadcast chat messages to all connected clients
async function broadcast(server_socket: socket.Socket, sock: socket.Socket, message: string) {
  for (const socket of [...SOCKET_LIST]) {
    // send the message only to peer
    if (socket !== server_socket && socket !== sock) {
      try {
        await socket.send(new TextEncoder().encode(message));
      } catch {
        // broken socket connection
        socket.close();
        // broken socket, remove it
        if (SOCKET_LIST.includes(socket)) {
          SOCKET_LIST.splice(SOCKET_LIST.indexOf(socket), 1);
        }
      }
    }
  }
}

if (import.meta.main) {
  await chat_server();
  Deno.exit(0);
}

// Port of cb_chat_server.py (select.select over sockets; send/receive in _chat_frames.ts).
import * as socket from "../../mod.ts";
import { select } from "../../selectors.ts";
import { print } from "../ported/_py.ts";
import { receive, send } from "./_chat_frames.ts";

const SERVER_HOST = "127.0.0.1";

/** An example chat server using select */
class ChatServer {
  clients = 0;
  served = 0;
  clientmap = new Map<socket.Socket, [socket.Address, string]>();
  outputs: socket.Socket[] = []; // list output sockets
  server: socket.Socket;

  constructor(port: number, backlog = 5) {
    this.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
    this.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
    this.server.bind([SERVER_HOST, port]);
    print(`Server listening to port: ${this.server.getsockname()[1]}`);
    this.server.listen(backlog);
  }

  shutdown() {
    print("Shutting down server...");
    // Close existing client sockets
    for (const output of this.outputs) output.close();
    this.server.close();
  }

  /** Return the name of the client */
  get_client_name(client: socket.Socket): string {
    const info = this.clientmap.get(client)!;
    const [host, name] = [(info[0] as [string, number])[0], info[1]];
    return [name, host].join("@");
  }

  async run() {
    const inputs = [this.server];
    this.outputs = [];
    let running = true;
    let rounds = 0;
    while (running) {
      rounds += 1;
      let readable: socket.Socket[];
      try {
        [readable] = await select(inputs, this.outputs, []);
      } catch (e) {
        if (!(e instanceof socket.error)) throw e;
        break;
      }

      for (const sock of readable) {
        if (sock === this.server) {
          // handle the server socket
          const [client, address] = await this.server.accept();
          print(`Chat server: got connection from ${address[0]}`);
          // Read the login name
          const cname = (await receive(client)).split("NAME: ")[1]!;

          // Compute client name and send back
          this.clients += 1;
          this.served += 1;
          await send(client, "CLIENT: " + String(address[0]));
          inputs.push(client);
          this.clientmap.set(client, [address, cname]);
          // Send joining information to other clients
          const msg = `\n(Connected: New client (${this.clients}) from ${this.get_client_name(client)})`;
          for (const output of this.outputs) await send(output, msg);
          this.outputs.push(client);
        } else {
          // handle all other sockets
          try {
            const data = await receive(sock);
            if (data) {
              // Send as new client's message...
              const msg = "\n#[" + this.get_client_name(sock) + "]>>" + data;
              // Send data to all except ourself
              for (const output of this.outputs) {
                if (output !== sock) await send(output, msg);
              }
            } else {
              print(`Chat server: ${this.get_client_name(sock)} hung up`);
              this.clients -= 1;
              sock.close();
              inputs.splice(inputs.indexOf(sock), 1);
              this.outputs.splice(this.outputs.indexOf(sock), 1);

              // Sending client leaving information to others
              const msg = `\n(Now hung up: Client from ${this.get_client_name(sock)})`;
              for (const output of this.outputs) await send(output, msg);
              if (this.clients === 0 && this.served >= 3) running = false;
            }
          } catch (e) {
            if (!(e instanceof socket.error)) throw e;
            // Remove
            print("Chat server: error", e.message);
            inputs.splice(inputs.indexOf(sock), 1);
            this.outputs.splice(this.outputs.indexOf(sock), 1);
          }
        }
      }
    }
    print("select() returned more than once:", rounds > 1);
    this.shutdown();
  }
}

const server = new ChatServer(Number(Deno.args[0]));
await server.run();

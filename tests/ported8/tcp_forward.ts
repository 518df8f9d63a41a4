// Port of tcp_forward.py (select() and the I/O are awaited; the channel dict is a Map keyed by the socket
// objects; class attributes input_list and channel are static, as Python's are shared; `for self.s in
// inputready` is `for (this.s of inputready)`; the threads are tasks; print(data) is Python's bytes repr).
import * as socket from "../../mod.ts";
import { select } from "../../selectors.ts";
import { b, bjoin, bupper, print, sleep } from "../ported/_py.ts";

const buffer_size = 4096;
const delay = 0.0001;

class Forward {
  forward = socket.socket(socket.AF_INET, socket.SOCK_STREAM);

  async start(host: string, port: number) {
    try {
      await this.forward.connect([host, port]);
      return this.forward;
    } catch (e) {
      print(e);
      return false;
    }
  }
}

class TheServer {
  static input_list: socket.Socket[] = [];
  static channel = new Map<socket.Socket, socket.Socket>();
  input_list = TheServer.input_list;
  channel = TheServer.channel;
  server: socket.Socket;
  disconnects = 0;
  s!: socket.Socket;
  data!: Uint8Array;

  constructor(host: string, port: number) {
    this.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
    this.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
    this.server.bind([host, port]);
    this.server.listen(200);
  }

  async main_loop(count: number) {
    this.input_list.push(this.server);
    while (this.disconnects < count) {
      await sleep(delay);
      const ss = select;
      const [inputready] = await ss(this.input_list, [], []);
      for (this.s of inputready) {
        if (this.s === this.server) {
          await this.on_accept();
          break;
        }

        this.data = await this.s.recv(buffer_size);
        if (this.data.length === 0) {
          this.on_close();
          break;
        } else {
          await this.on_recv();
        }
      }
    }
    this.server.close();
  }

  async on_accept() {
    const forward = await new Forward().start(forward_to[0], forward_to[1]);
    const [clientsock, clientaddr] = await this.server.accept();
    if (forward) {
      print(clientaddr[0], "has connected");
      this.input_list.push(clientsock);
      this.input_list.push(forward);
      this.channel.set(clientsock, forward);
      this.channel.set(forward, clientsock);
    } else {
      print("Can't establish connection with remote server.", "Closing connection with client side", clientaddr[0]);
      clientsock.close();
      this.disconnects += 1;
    }
  }

  on_close() {
    print(this.s.getpeername()[0], "has disconnected");
    // remove objects from input_list
    this.input_list.splice(this.input_list.indexOf(this.s), 1);
    this.input_list.splice(this.input_list.indexOf(this.channel.get(this.s)!), 1);
    const out = this.channel.get(this.s)!;
    // close the connection with client
    this.channel.get(out)!.close(); // equivalent to do this.s.close()
    // close the connection with remote server
    this.channel.get(this.s)!.close();
    // delete both objects from channel dict
    this.channel.delete(out);
    this.channel.delete(this.s);
    this.disconnects += 1;
  }

  async on_recv() {
    const data = this.data;
    // here we can parse and/or modify the data before send forward
    print(data);
    await this.channel.get(this.s)!.send(data);
  }
}

async function upper_echo(listener: socket.Socket, count: number) {
  for (let i = 0; i < count; i++) {
    const [conn] = await listener.accept();
    while (true) {
      const data = await conn.recv(1024);
      if (!data.length) break;
      await conn.sendall(bupper(data));
    }
    conn.close();
  }
  listener.close();
}

const remote = socket.socket();
remote.bind(["127.0.0.1", 0]);
remote.listen(5);
const forward_to = remote.getsockname() as [string, number];
const backend = upper_echo(remote, 2);

const server = new TheServer("127.0.0.1", 0);
const proxy = server.main_loop(3);
const where = server.server.getsockname() as [string, number];

async function wait_disconnects(n: number) {
  const deadline = Date.now() + 30_000;
  while (server.disconnects < n && Date.now() < deadline) await sleep(0.01);
}

for (const [n, lines] of [[b("hello proxy")], [b("first line\n"), b("second line\n"), b("x".repeat(50))]].entries()) {
  const c = await socket.create_connection(where);
  for (const line of lines) {
    await c.sendall(line);
    let got = new Uint8Array();
    while (got.length < line.length) got = bjoin([got, await c.recv(1024)]);
    print(`client ${n} got`, got);
  }
  c.close();
  await wait_disconnects(n + 1);
}

await backend; // the remote side is gone: its port is closed
const c = await socket.create_connection(where);
print("refused client reads:", await c.recv(100));
c.close();
await proxy;

// deno-lint-ignore-file require-await -- handlers keep asyncore's async shape; the loop awaits each one
// Port of asyncore_echo.py (asyncore is ./_asyncore.ts, CPython's asyncore ported onto pysocket; every handler
// that does I/O is async and awaited; sys.exc_info() is the error handle_error() is given).
import * as socket from "../../mod.ts";
import * as asyncore from "./_asyncore.ts";
import { b, beq, bjoin, decode, list, print } from "../ported/_py.ts";

const use_poll = Deno.args[0] === "poll";

class EchoHandler extends asyncore.dispatcher_with_send {
  total = 0;

  override async handle_read() {
    const data = await this.recv(8192);
    if (data.length) {
      this.total += data.length;
      await this.send(data);
    }
  }

  override async handle_close() {
    print("echo handler closed after", this.total, "bytes");
    this.close();
  }
}

class EchoServer extends asyncore.dispatcher {
  constructor(host: string, port: number) {
    super();
    this.create_socket(socket.AF_INET, socket.SOCK_STREAM);
    this.set_reuse_addr();
    this.bind([host, port]);
    this.listen(5);
  }

  override async handle_accepted(sock: socket.Socket, addr: unknown) {
    print("Incoming connection from", (addr as [string, number])[0]);
    new EchoHandler(sock);
  }
}

function split_crlf(x: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i + 1 < x.length; i++) {
    if (x[i] === 13 && x[i + 1] === 10) {
      out.push(x.subarray(start, i));
      start = i + 2;
      i++;
    }
  }
  out.push(x.subarray(start));
  return out;
}

class HTTPResponder extends asyncore.dispatcher_with_send {
  request: Uint8Array = new Uint8Array();
  replied = false;

  override async handle_read() {
    this.request = bjoin([this.request, await this.recv(8192)]);
    if (decode(this.request).includes("\r\n\r\n") && !this.replied) {
      const line = split_crlf(this.request)[0];
      print("responder got", line);
      const body = b("<html>hello from loopback</html>\n");
      this.replied = true;
      await this.send(
        bjoin([b(`HTTP/1.0 200 OK\r\nContent-Type: text/html\r\nContent-Length: ${body.length}\r\n\r\n`), body]),
      );
    }
  }

  override writable(): boolean {
    return this.replied || super.writable();
  }

  override async handle_write() {
    await this.initiate_send();
    if (this.replied && !this.out_buffer.length) {
      print("responder done");
      this.close();
    }
  }
}

class HTTPServer extends asyncore.dispatcher {
  constructor() {
    super();
    this.create_socket();
    this.bind(["127.0.0.1", 0]);
    this.listen(5);
  }

  override async handle_accepted(sock: socket.Socket, _addr: unknown) {
    new HTTPResponder(sock);
  }
}

class HTTPClient extends asyncore.dispatcher {
  buffer: Uint8Array;
  got: Uint8Array = new Uint8Array();

  constructor(host: string, port: number, path: string) {
    super();
    this.create_socket();
    this.buffer = b(`GET ${path} HTTP/1.0\r\nHost: ${host}\r\n\r\n`);
    this.ready = this.connect([host, port]);
  }
  ready: Promise<void>;

  override async handle_connect() {
    print("http client connected");
  }

  override async handle_close() {
    print("http client got", list(split_crlf(this.got)));
    this.close();
  }

  override async handle_read() {
    this.got = bjoin([this.got, await this.recv(8192)]);
  }

  override writable(): boolean {
    return this.buffer.length > 0;
  }

  override async handle_write() {
    const sent = await this.send(this.buffer);
    this.buffer = this.buffer.subarray(sent);
  }
}

class EchoClient extends asyncore.dispatcher_with_send {
  messages: Uint8Array[];
  expect: Uint8Array = new Uint8Array();
  got: Uint8Array = new Uint8Array();
  done = false;
  ready: Promise<void>;

  constructor(port: number, messages: Uint8Array[]) {
    super();
    this.create_socket();
    this.messages = [...messages];
    this.ready = this.connect(["127.0.0.1", port]);
  }

  override async handle_connect() {
    print("echo client connected, connecting =", this.connecting, "connected =", this.connected);
    await this.next();
  }

  async next() {
    if (this.messages.length) {
      this.expect = this.messages.shift()!;
      this.got = new Uint8Array();
      await this.send(this.expect);
    } else {
      print("echo client done");
      this.done = true;
      this.close();
    }
  }

  override async handle_read() {
    this.got = bjoin([this.got, await this.recv(65536)]);
    if (this.got.length === this.expect.length) {
      print("echo client got", this.got.length, "bytes, same:", beq(this.got, this.expect));
      await this.next();
    }
  }

  override async handle_close() {
    print("echo client: server closed");
    this.close();
  }
}

class Refused extends asyncore.dispatcher {
  ready: Promise<void>;
  constructor(port: number) {
    super();
    this.create_socket();
    this.ready = this.connect(["127.0.0.1", port]);
  }

  override async handle_connect() {
    print("refused client connected?!");
  }

  override async handle_error(e: unknown) {
    print("refused client error:", (e as Error).name, e);
    this.close();
  }
}

async function run(until: () => boolean, limit = 400) {
  for (let i = 0; i < limit; i++) {
    if (until()) return true;
    await asyncore.loop(0.05, use_poll, undefined, 1);
  }
  print("loop limit reached");
  return false;
}

const server = new EchoServer("127.0.0.1", 0);
const port = (server.socket!.getsockname() as [string, number])[1];
const client = new EchoClient(port, [b("hello asyncore\n"), b("x".repeat(300000)), b("bye\n")]);
await client.ready;
print("connect_ex returned, connecting =", client.connecting, "connected =", client.connected);
await run(() => client.done && asyncore.socket_map.size === 1);

const web = new HTTPServer();
await new HTTPClient("127.0.0.1", (web.socket!.getsockname() as [string, number])[1], "/index.html").ready;
await run(() => asyncore.socket_map.size === 2);
web.close();

const probe = socket.socket();
probe.bind(["127.0.0.1", 0]);
const closed_port = (probe.getsockname() as [string, number])[1];
probe.close();
await new Refused(closed_port).ready;
await run(() => asyncore.socket_map.size === 1);
server.close();
print("map empty:", asyncore.socket_map.size === 0);

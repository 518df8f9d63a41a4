// Port of ss_echo_verbose.py (threads become tasks; Python's "%s" of bytes is repr()).
import * as socket from "../../mod.ts";
import * as socketserver from "../../socketserver.ts";
import { b, print, repr } from "../ported/_py.ts";

const server_log: string[] = [];
const client_log: string[] = [];

class Logger {
  constructor(public name: string, public sink: string[]) {}
  debug(msg: string) {
    this.sink.push(`${this.name}: ${msg}`);
  }
}

const type_name = (r: unknown) => (r instanceof socket.Socket ? "socket" : typeof r);

class EchoRequestHandler extends socketserver.BaseRequestHandler {
  logger: Logger;
  constructor(request: socket.Socket, client_address: socket.Address, server: socketserver.BaseServer) {
    const logger = new Logger("EchoRequestHandler", server_log);
    logger.debug("__init__");
    super(request, client_address, server);
    this.logger = logger;
  }

  override setup() {
    this.logger.debug("setup");
    return super.setup();
  }

  override async handle() {
    this.logger.debug("handle");
    // Echo the back to the client
    const data = await this.request.recv(1024);
    this.logger.debug(`recv()->"${repr(data)}"`);
    await this.request.send(data);
  }

  override finish() {
    this.logger.debug("finish");
    return super.finish();
  }
}

class EchoServer extends socketserver.TCPServer {
  logger!: Logger;
  refuse_next = false;
  constructor(server_address: socket.Address, handler_class = EchoRequestHandler) {
    const logger = new Logger("EchoServer", server_log);
    logger.debug("__init__");
    EchoServer.pending_logger = logger;
    super(server_address, handler_class);
    this.logger = logger;
  }
  static pending_logger: Logger;

  override server_activate() {
    // Called from TCPServer's constructor, before this.logger is set (as Python's __init__ order).
    (this.logger ?? EchoServer.pending_logger).debug("server_activate");
    super.server_activate();
  }

  override async serve_forever(poll_interval = 0.5) {
    this.logger.debug("waiting for request");
    this.logger.debug("Handling requests, press <Ctrl-C> to quit");
    await super.serve_forever(poll_interval);
    this.logger.debug("serve_forever returned");
  }

  override handle_request() {
    this.logger.debug("handle_request");
    return super.handle_request();
  }

  override verify_request(request: socket.Socket, client_address: socket.Address) {
    this.logger.debug(`verify_request(${type_name(request)}, ${(client_address as [string, number])[0]})`);
    if (this.refuse_next) {
      this.refuse_next = false;
      return false;
    }
    return super.verify_request(request, client_address);
  }

  override process_request(request: socket.Socket, client_address: socket.Address) {
    this.logger.debug(`process_request(${type_name(request)}, ${(client_address as [string, number])[0]})`);
    return super.process_request(request, client_address);
  }

  override server_close() {
    new Logger("EchoServer", client_log).debug("server_close"); // the main task's line
    return super.server_close();
  }

  override finish_request(request: socket.Socket, client_address: socket.Address) {
    this.logger.debug(`finish_request(${type_name(request)}, ${(client_address as [string, number])[0]})`);
    return super.finish_request(request, client_address);
  }

  override shutdown_request(request: socket.Socket) {
    this.logger.debug(`shutdown_request(${type_name(request)})`);
    return super.shutdown_request(request);
  }

  override close_request(request_address: socket.Socket) {
    this.logger.debug(`close_request(${type_name(request_address)})`);
    return super.close_request(request_address);
  }

  override shutdown() {
    new Logger("EchoServer", client_log).debug("shutdown()"); // the main task's line
    return super.shutdown();
  }
}

async function client(ip: string, port: number, message: Uint8Array) {
  const logger = new Logger("client", client_log);
  logger.debug("creating socket");
  const s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  logger.debug("connecting to server");
  await s.connect([ip, port]);
  logger.debug(`sending data: "${repr(message)}"`);
  const len_sent = await s.send(message);
  logger.debug(`sent ${len_sent} bytes`);
  logger.debug("waiting for response");
  const response = await s.recv(len_sent);
  logger.debug(`response from server: "${repr(response)}"`);
  logger.debug("closing socket");
  s.close();
  logger.debug("done");
  return response;
}

const address: socket.Address = ["localhost", 0]; // let the kernel assign a port
const server = new EchoServer(address, EchoRequestHandler);
const [ip, port] = server.server_address as [string, number]; // what port was assigned?
print("server address", ip);
let t = server.serve_forever();
for (const message of [b("Hello, world"), b("second request")]) print("echoed:", await client(ip, port, message));
await server.shutdown();
await t;
t = client(ip, port, b("by handle_request")).then(() => {});
await server.handle_request();
await t;
server.refuse_next = true;
const s = await socket.create_connection([ip, port]);
await s.send(b("refused?"));
await server.handle_request();
print("refused client reads", await s.recv(10));
s.close();
await server.server_close();
for (const line of [...server_log, ...client_log]) print(line);

// Port of doyle_epoll.py (dicts keyed by fileno are Maps; `except socket.error` is `catch` of OSError; the
// server loop's thread and the client threads are tasks; `EOL1 in request` is a byte search).
import * as socket from "../../mod.ts";
import { OSError } from "../../mod.ts";
import * as select from "../../selectors.ts";
import { b, beq, bjoin, decode, join, print } from "../ported/_py.ts";

const CORK = Deno.args.length === 1 && Deno.args[0] === "cork"; // example 3: TCP_CORK around the response

const EOL1 = b("\n\n");
const EOL2 = b("\n\r\n");
let response = b("HTTP/1.0 200 OK\r\nDate: Mon, 1 Jan 1996 01:01:01 GMT\r\n");
response = bjoin([response, b("Content-Type: text/plain\r\nContent-Length: 13\r\n\r\n")]);
response = bjoin([response, b("Hello, world!")]);

const printed: string[] = [];

/** `needle in haystack` for bytes. */
function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  for (let i = 0; i + needle.length <= haystack.length; i++) {
    if (beq(haystack.subarray(i, i + needle.length), needle)) return true;
  }
  return false;
}

async function level_triggered(serversocket: socket.Socket, count: number) {
  const epoll = select.epoll();
  epoll.register(serversocket.fileno(), select.EPOLLIN);
  try {
    const connections = new Map<number, socket.Socket>();
    const requests = new Map<number, Uint8Array>();
    const responses = new Map<number, Uint8Array>();
    let hups = 0;
    while (hups < count) {
      const events = await epoll.poll(1);
      for (const [fileno, event] of events) {
        if (fileno === serversocket.fileno()) {
          const [connection, _address] = await serversocket.accept();
          connection.setblocking(0);
          if (CORK) {
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1);
          }
          epoll.register(connection.fileno(), select.EPOLLIN);
          connections.set(connection.fileno(), connection);
          requests.set(connection.fileno(), b(""));
          responses.set(connection.fileno(), response);
        } else if (event & select.EPOLLIN) {
          requests.set(fileno, bjoin([requests.get(fileno)!, await connections.get(fileno)!.recv(1024)]));
          if (contains(requests.get(fileno)!, EOL1) || contains(requests.get(fileno)!, EOL2)) {
            epoll.modify(fileno, select.EPOLLOUT);
            printed.push("-".repeat(40) + "\n" + decode(requests.get(fileno)!).slice(0, -2));
          }
        } else if (event & select.EPOLLOUT) {
          const byteswritten = await connections.get(fileno)!.send(responses.get(fileno)!);
          responses.set(fileno, responses.get(fileno)!.subarray(byteswritten));
          if (responses.get(fileno)!.length === 0) {
            if (CORK) {
              connections.get(fileno)!.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 0);
            }
            epoll.modify(fileno, 0);
            await connections.get(fileno)!.shutdown(socket.SHUT_RDWR);
          }
        } else if (event & select.EPOLLHUP) {
          epoll.unregister(fileno);
          connections.get(fileno)!.close();
          connections.delete(fileno);
          hups += 1;
        }
      }
    }
  } finally {
    epoll.unregister(serversocket.fileno());
    epoll.close();
    serversocket.close();
  }
}

async function edge_triggered(serversocket: socket.Socket, count: number) {
  const epoll = select.epoll();
  epoll.register(serversocket.fileno(), select.EPOLLIN | select.EPOLLET);
  try {
    const connections = new Map<number, socket.Socket>();
    const requests = new Map<number, Uint8Array>();
    const responses = new Map<number, Uint8Array>();
    let hups = 0;
    while (hups < count) {
      const events = await epoll.poll(1);
      for (const [fileno, event] of events) {
        if (fileno === serversocket.fileno()) {
          try {
            while (true) {
              const [connection, _address] = await serversocket.accept();
              connection.setblocking(0);
              epoll.register(connection.fileno(), select.EPOLLIN | select.EPOLLET);
              connections.set(connection.fileno(), connection);
              requests.set(connection.fileno(), b(""));
              responses.set(connection.fileno(), response);
            }
          } catch (e) {
            if (!(e instanceof OSError)) throw e;
          }
        } else if (event & select.EPOLLIN) {
          try {
            while (true) {
              requests.set(fileno, bjoin([requests.get(fileno)!, await connections.get(fileno)!.recv(1024)]));
            }
          } catch (e) {
            if (!(e instanceof OSError)) throw e;
          }
          if (contains(requests.get(fileno)!, EOL1) || contains(requests.get(fileno)!, EOL2)) {
            epoll.modify(fileno, select.EPOLLOUT | select.EPOLLET);
            printed.push("-".repeat(40) + "\n" + decode(requests.get(fileno)!).slice(0, -2));
          }
        } else if (event & select.EPOLLOUT) {
          try {
            while (responses.get(fileno)!.length > 0) {
              const byteswritten = await connections.get(fileno)!.send(responses.get(fileno)!);
              responses.set(fileno, responses.get(fileno)!.subarray(byteswritten));
            }
          } catch (e) {
            if (!(e instanceof OSError)) throw e;
          }
          if (responses.get(fileno)!.length === 0) {
            epoll.modify(fileno, select.EPOLLET);
            await connections.get(fileno)!.shutdown(socket.SHUT_RDWR);
          }
        } else if (event & select.EPOLLHUP) {
          epoll.unregister(fileno);
          connections.get(fileno)!.close();
          connections.delete(fileno);
          hups += 1;
        }
      }
    }
  } finally {
    epoll.unregister(serversocket.fileno());
    epoll.close();
    serversocket.close();
  }
}

function make_server() {
  const serversocket = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  serversocket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
  serversocket.bind(["127.0.0.1", 0]);
  serversocket.listen(1);
  serversocket.setblocking(0);
  return serversocket;
}

async function get(port: number, path: string, out: [string, Uint8Array][]) {
  // what curl or a browser would send (HTTP/1.0, the request ending in CRLF CRLF)
  const s = await socket.create_connection(["127.0.0.1", port]);
  await s.sendall(b(`GET ${path} HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n`));
  const chunks: Uint8Array[] = [];
  while (true) {
    const data = await s.recv(1024);
    if (!data.length) {
      break;
    }
    chunks.push(data);
  }
  s.close();
  out.push([path, bjoin(chunks)]);
}

for (
  const [name, serve] of [["level-triggered", level_triggered], ["edge-triggered", edge_triggered]] as const
) {
  print("==", name);
  const srv = make_server();
  const port = srv.getsockname()[1] as number;
  const t = serve(srv, 6);
  const got: [string, Uint8Array][] = [];
  for (let i = 0; i < 3; i++) {
    await get(port, `/one/${i}`, got);
  }
  const threads = [0, 1, 2].map((i) => get(port, `/many/${i}`, got));
  for (const th of threads) {
    await join(th, 30);
  }
  await join(t, 30);
  for (const [path, body] of got.sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)) {
    print(path, beq(body, response), body.length);
  }
  for (const block of printed.sort()) {
    print(block);
  }
  printed.length = 0;
}

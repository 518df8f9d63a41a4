// The port of epoll_et.py (Scot Doyle's edge-triggered epoll HTTP server) by the README's rules: `await` where
// Python waits, `catch` for `except socket.error`. The same test adaptations (port 0, SERVE, the log).
import * as socket from "../../mod.ts";
import * as select from "../../selectors.ts";

const EOL1 = new TextEncoder().encode("\n\n");
const EOL2 = new TextEncoder().encode("\n\r\n");
let response_text = "HTTP/1.0 200 OK\r\nDate: Mon, 1 Jan 1996 01:01:01 GMT\r\n";
response_text += "Content-Type: text/plain\r\nContent-Length: 13\r\n\r\n";
response_text += "Hello, world!";
const response = new TextEncoder().encode(response_text);

/** Python's `needle in haystack` for bytes. */
function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** Python's `a + b` for bytes. */
function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Python's `except socket.error: pass` (anything else is raised). */
function pass_socket_error(e: unknown): void {
  if (!(e instanceof socket.error)) throw e;
}

export async function serve(SERVE: number, on_port: (port: number) => void): Promise<string[]> {
  const log: string[] = []; // (test)
  let served = 0; // (test)

  const serversocket = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  serversocket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
  serversocket.bind(["127.0.0.1", 0]); // (test: was ['0.0.0.0', 8080])
  serversocket.listen(1);
  serversocket.setblocking(false);
  on_port((serversocket.getsockname() as [string, number])[1]); // (test)

  const epoll = select.epoll();
  epoll.register(serversocket.fileno(), select.EPOLLIN | select.EPOLLET);

  try {
    const connections = new Map<number, socket.Socket>();
    const requests = new Map<number, Uint8Array>();
    const responses = new Map<number, Uint8Array>();
    while (served < SERVE) { // (test: was True)
      const events = await epoll.poll(1);
      for (const [fileno, event] of events) {
        if (fileno === serversocket.fileno()) {
          try {
            while (true) {
              const [connection] = await serversocket.accept();
              connection.setblocking(false);
              epoll.register(connection.fileno(), select.EPOLLIN | select.EPOLLET);
              connections.set(connection.fileno(), connection);
              requests.set(connection.fileno(), new Uint8Array(0));
              responses.set(connection.fileno(), response);
            }
          } catch (e) {
            pass_socket_error(e);
          }
        } else if (event & select.EPOLLIN) {
          try {
            while (true) {
              requests.set(fileno, concat(requests.get(fileno)!, await connections.get(fileno)!.recv(1024)));
            }
          } catch (e) {
            pass_socket_error(e);
          }
          if (contains(requests.get(fileno)!, EOL1) || contains(requests.get(fileno)!, EOL2)) {
            epoll.modify(fileno, select.EPOLLOUT | select.EPOLLET);
            log.push("-".repeat(40) + "\n" + new TextDecoder().decode(requests.get(fileno)!).slice(0, -2)); // (test)
          }
        } else if (event & select.EPOLLOUT) {
          try {
            while (responses.get(fileno)!.length > 0) {
              const byteswritten = await connections.get(fileno)!.send(responses.get(fileno)!);
              responses.set(fileno, responses.get(fileno)!.subarray(byteswritten));
            }
          } catch (e) {
            pass_socket_error(e);
          }
          if (responses.get(fileno)!.length === 0) {
            epoll.modify(fileno, select.EPOLLET);
            await connections.get(fileno)!.shutdown(socket.SHUT_RDWR);
          }
        } else if (event & select.EPOLLHUP) {
          epoll.unregister(fileno);
          connections.get(fileno)!.close();
          connections.delete(fileno);
          served += 1; // (test)
        }
      }
    }
  } finally {
    epoll.unregister(serversocket.fileno());
    epoll.close();
    serversocket.close();
  }
  return log.sort(); // (test)
}

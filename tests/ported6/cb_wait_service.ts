// Port of cb_wait_service.py (the service thread is a task; time.time() is Date.now() / 1000).
import * as socket from "../../mod.ts";
import { TimeoutError } from "../../mod.ts";
import { print, PyList, sleep } from "../ported/_py.ts";

const DEFAULT_TIMEOUT = 120;
const time = () => Date.now() / 1000;

/** Wait for a network service to come online */
class NetServiceChecker {
  host: string;
  port: number;
  timeout: number | null;
  sock: socket.Socket;
  seen = new Set<string>();

  constructor(host: string, port: number, timeout: number | null = DEFAULT_TIMEOUT) {
    this.host = host;
    this.port = port;
    this.timeout = timeout;
    this.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  }

  end_wait() {
    this.sock.close();
  }

  /** Check the service */
  async check(): Promise<boolean> {
    let end_time = 0;
    if (this.timeout) end_time = time() + this.timeout;
    while (true) {
      try {
        if (this.timeout) {
          const next_timeout = end_time - time();
          if (next_timeout < 0) {
            return false;
          } else {
            if (!this.seen.has("timeout")) {
              this.seen.add("timeout");
              print(`setting socket next timeout ${Math.round(next_timeout)}s`);
            }
            this.sock.settimeout(next_timeout);
          }
        }
        await this.sock.connect([this.host, this.port]);
      } catch (err) {
        // handle exceptions
        if (err instanceof TimeoutError) {
          if (this.timeout) return false;
        } else if (err instanceof socket.error) {
          if (!this.seen.has(err.message)) {
            this.seen.add(err.message);
            print(`Exception: ${err.message}`);
          }
          await sleep(0.05);
        } else {
          throw err;
        }
        continue;
      }
      // if all goes well
      this.end_wait();
      return true;
    }
  }
}

function free_port(): number {
  const s = socket.socket();
  s.bind(["127.0.0.1", 0]);
  const port = s.getsockname()[1];
  s.close();
  return port;
}

async function late_service(port: number, delay: number, served: Uint8Array[]) {
  await sleep(delay);
  const srv = socket.socket();
  srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
  srv.bind(["127.0.0.1", port]);
  srv.listen(1);
  const [conn] = await srv.accept();
  served.push(await conn.recv(10));
  conn.close();
  srv.close();
}

let port = free_port();
const served = new PyList<Uint8Array>();
const t = late_service(port, 0.6, served);
print(`Waiting for ${"127.0.0.1"}:${"the late service"} ...`);
let checker = new NetServiceChecker("127.0.0.1", port, 10);
print(await checker.check() ? "Service is available again!" : "Service gave up");
await t;
print("service saw", served);

print("Waiting for a service that never comes ...");
checker = new NetServiceChecker("127.0.0.1", free_port(), 0.8);
const start = time();
const result = await checker.check();
print("check() returned", result, "after about a timeout:", 0.7 < time() - start && time() - start < 5);
checker.end_wait();

const listener = socket.socket();
listener.bind(["127.0.0.1", 0]);
listener.listen(1);
port = listener.getsockname()[1];
checker = new NetServiceChecker("127.0.0.1", port, null);
print("no timeout, a listening port:", await checker.check(), checker.sock.fileno());
listener.close();

// Port of ss_servers_one_loop.py (the client thread is a task; threading.Event a flag; b"%d" % n a template
// string; the class attribute timeout is a static member; verify_request's peek is awaited, so it is async).
import * as socket from "../../mod.ts";
import type { Address, Socket } from "../../mod.ts";
import { DefaultSelector, EVENT_READ } from "../../selectors.ts";
import {
  type BaseServer,
  DatagramRequestHandler,
  StreamRequestHandler,
  TCPServer,
  UDPServer,
  UnixStreamServer,
} from "../../socketserver.ts";
import { b, bjoin, bstrip, decode, print } from "../ported/_py.ts";

const log: string[] = [];
const done = { set: false };

class LineHandler extends StreamRequestHandler<TCPServer> {
  override async handle() {
    const line = bstrip(await this.rfile.readline() as Uint8Array);
    const kind = this.server.address_family === socket.AF_UNIX ? "unix" : "tcp";
    log.push(`${kind}: ${decode(line)}`);
    if (decode(line) === "QUIT") {
      done.set = true;
      await this.wfile.write(b("BYE\n"));
    } else {
      await this.wfile.write(bjoin([line.slice().reverse(), b("\n")]));
    }
  }
}

class DgramHandler extends DatagramRequestHandler {
  override handle() {
    const data = this.rfile.read();
    log.push(`udp: ${decode(data)}`);
    this.wfile.write(b(`len=${data.length}`));
  }
}

class PickyTCPServer extends TCPServer {
  static override allow_reuse_address = true;

  override async verify_request(request: Socket, _client_address: Address) {
    const ok = decode(await request.recv(1, socket.MSG_PEEK)) !== "!";
    if (!ok) log.push("tcp: refused a request starting with !");
    return ok;
  }
}

class IdleServer extends TCPServer {
  static override timeout = 0.05;

  override handle_timeout() {
    log.push("idle: handle_timeout");
  }
}

async function client(tcp_addr: [string, number], udp_addr: Address, unix_path: string) {
  const out: [string, Uint8Array, Uint8Array][] = [];
  for (const line of [b("hello"), b("!nope"), b("world")]) {
    using c = await socket.create_connection(tcp_addr, { timeout: 5 });
    await c.sendall(bjoin([line, b("\n")]));
    out.push(["tcp", line, await c.recv(100)]);
  }
  {
    using u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    u.settimeout(5);
    for (const msg of [b("ping"), b("a longer datagram")]) {
      await u.sendto(msg, udp_addr);
      out.push(["udp", msg, (await u.recvfrom(100))[0]]);
    }
  }
  {
    using c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
    c.settimeout(5);
    await c.connect(unix_path);
    await c.sendall(b("over unix\n"));
    out.push(["unix", b("over unix"), await c.recv(100)]);
  }
  {
    using c = await socket.create_connection(tcp_addr, { timeout: 5 });
    await c.sendall(b("QUIT\n"));
    out.push(["tcp", b("QUIT"), await c.recv(100)]);
  }
  for (const row of out) print("client:", ...row);
}

const d = Deno.makeTempDirSync();
try {
  const unix_path = `${d}/svc.sock`;
  const tcp = new PickyTCPServer(["127.0.0.1", 0], LineHandler);
  const udp = new UDPServer(["127.0.0.1", 0], DgramHandler);
  const unix = new UnixStreamServer(unix_path, LineHandler);
  const idle = new IdleServer(["127.0.0.1", 0], LineHandler);
  print("fileno() is the socket's:", [tcp, udp, unix].every((s) => s.fileno() === s.socket.fileno()));
  await idle.handle_request();
  idle.server_close();
  const sel = new DefaultSelector<string>();
  for (const [name, srv] of [["tcp", tcp], ["udp", udp], ["unix", unix]] as [string, BaseServer][]) {
    sel.register(srv, EVENT_READ, name);
  }
  const t = client(tcp.server_address as [string, number], udp.server_address, unix_path);
  const served: Record<string, number> = { tcp: 0, udp: 0, unix: 0 };
  for (let i = 0; i < 100; i++) {
    if (done.set) break;
    for (const [key] of await sel.select(5)) {
      await (key.fileobj as BaseServer).handle_request();
      served[key.data!]! += 1;
    }
  }
  await t;
  print(`served: {'tcp': ${served.tcp}, 'udp': ${served.udp}, 'unix': ${served.unix}}`);
  print("the key's fileobj is the server:", sel.get_key(tcp).fileobj === tcp);
  sel.close();
  for (const srv of [tcp, udp, unix]) srv.server_close();
} finally {
  Deno.removeSync(d, { recursive: true });
}

for (const entry of log) print(entry);

// Port of proxy_protocol.py (serve_forever, the forwarder and its two pump threads are tasks; struct's "!BBH" and
// "!4s4sHH" are DataView calls; ValueError is RangeError, README rule 10).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { StreamRequestHandler, TCPServer } from "../../socketserver.ts";
import { b, beq, bjoin, decode, join, print, repr } from "../ported/_py.ts";

const SIG = b("\r\n\r\n\x00\r\nQUIT\n");
const log: string[] = [];

function bbh(x: number, y: number, z: number): Uint8Array {
  const out = new Uint8Array(4);
  const dv = new DataView(out.buffer);
  dv.setUint8(0, x);
  dv.setUint8(1, y);
  dv.setUint16(2, z);
  return out;
}
const view = (x: Uint8Array) => new DataView(x.buffer, x.byteOffset, x.byteLength);

type Addrs = [string, number, string, number] | null;

class Backend extends StreamRequestHandler {
  async parse(): Promise<[string, Addrs]> {
    const first = await this.rfile.read(12) as Uint8Array;
    if (beq(first, SIG)) {
      const hv = view(await this.rfile.read(4) as Uint8Array);
      const [ver_cmd, fam, length] = [hv.getUint8(0), hv.getUint8(1), hv.getUint16(2)];
      const body = await this.rfile.read(length) as Uint8Array;
      if (ver_cmd >> 4 !== 2) throw new RangeError(`version ${ver_cmd >> 4}`);
      if ((ver_cmd & 0xF) === 0) return ["v2 LOCAL", null];
      if (fam !== 0x11) throw new RangeError(`family 0x${fam.toString(16)}`);
      const bv = view(body);
      return ["v2 PROXY TCP4", [
        socket.inet_ntoa(body.subarray(0, 4)),
        bv.getUint16(8),
        socket.inet_ntoa(body.subarray(4, 8)),
        bv.getUint16(10),
      ]];
    }
    if (!decode(first).startsWith("PROXY ")) throw new RangeError(`no PROXY header: ${repr(first)}`);
    const line = decode(bjoin([first, await this.rfile.readline(107 - 12) as Uint8Array]));
    if (!line.endsWith("\r\n")) throw new RangeError("v1 line without CRLF");
    const parts = line.split(/\s+/).filter((p) => p);
    if (parts[1] === "UNKNOWN") return ["v1 UNKNOWN", null];
    if (parts[1] !== "TCP4" || parts.length !== 6) throw new RangeError(`v1 ${repr(parts.slice(1, 2))}`);
    return ["v1 PROXY TCP4", [parts[2]!, Number(parts[4]), parts[3]!, Number(parts[5])]];
  }

  override async handle() {
    let kind: string;
    let addrs: Addrs;
    try {
      [kind, addrs] = await this.parse();
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      log.push(`backend: refused: ${e.message}`);
      await this.rfile.read(); // drained, so that the close is a FIN and not a reset
      return;
    }
    const said = await this.rfile.read() as Uint8Array;
    if (addrs === null) {
      log.push(`backend: ${kind}, no addresses, says ${repr(said)}`);
      await this.wfile.write(b("healthy"));
      return;
    }
    const [src, sport, dst, dport] = addrs;
    const [client_port, listen_port] = decode(said).split(",").map(Number);
    log.push(
      `backend: ${kind} from ${src} to ${dst}, source port is the client's: ${
        sport === client_port ? "True" : "False"
      }, destination port is the forwarder's: ${dport === listen_port ? "True" : "False"}, the peer is the ` +
        `forwarder: ${(this.client_address as [string, number])[1] !== sport ? "True" : "False"}`,
    );
    await this.wfile.write(b(`hello ${src}`));
  }
}

async function pump(src: Socket, dst: Socket) {
  while (true) {
    const data = await src.recv(4096);
    if (!data.length) break;
    await dst.sendall(data);
  }
  await dst.shutdown(socket.SHUT_WR);
}

function header(version: number, conn: Socket): Uint8Array {
  const [src, sport] = conn.getpeername() as [string, number];
  const [dst, dport] = conn.getsockname() as [string, number];
  if (version === 1) return b(`PROXY TCP4 ${src} ${dst} ${sport} ${dport}\r\n`);
  const body = bjoin([socket.inet_aton(src), socket.inet_aton(dst), new Uint8Array(4)]);
  view(body).setUint16(8, sport);
  view(body).setUint16(10, dport);
  return bjoin([SIG, bbh(0x21, 0x11, body.length), body]);
}

async function forwarder(lsock: Socket, backend_addr: [string, number], versions: number[]) {
  for (const version of versions) {
    const [conn] = await lsock.accept();
    const up = await socket.create_connection(backend_addr, { timeout: 5 });
    await up.sendall(header(version, conn));
    const threads = [pump(conn, up), pump(up, conn)];
    for (const t of threads) await join(t, 5);
    up.close();
    conn.close();
  }
}

async function ask(addr: [string, number], raw: Uint8Array | null = null): Promise<Uint8Array> {
  using s = await socket.create_connection(addr, { timeout: 5 });
  if (raw === null) await s.sendall(b(`${(s.getsockname() as [string, number])[1]},${addr[1]}`));
  else await s.sendall(raw);
  await s.shutdown(socket.SHUT_WR);
  let reply = new Uint8Array(0);
  while (true) {
    const chunk = await s.recv(100);
    if (!chunk.length) return reply;
    reply = bjoin([reply, chunk]);
  }
}

{
  await using backend = new TCPServer(["127.0.0.1", 0], Backend);
  using lsock = socket.create_server(["127.0.0.1", 0]);
  const st = backend.serve_forever(0.05);
  const faddr = lsock.getsockname() as [string, number];
  const ft = forwarder(lsock, backend.server_address as [string, number], [1, 2]);
  print("via v1:", await ask(faddr));
  print("via v2:", await ask(faddr));
  await join(ft, 5);
  const baddr = backend.server_address as [string, number];
  print("v2 LOCAL health check:", await ask(baddr, bjoin([SIG, bbh(0x20, 0, 0), b("ping")])));
  print("v1 UNKNOWN:", await ask(baddr, b("PROXY UNKNOWN\r\nping")));
  print("no header:", await ask(baddr, b("GET / HTTP/1.0\r\n\r\n")));
  print("v1 over-long line:", await ask(baddr, b("PROXY TCP4 " + "9".repeat(120) + "\r\n")));
  print("v2 version 3:", await ask(baddr, bjoin([SIG, bbh(0x31, 0x11, 0)])));
  await backend.shutdown();
  await join(st, 5);
}

for (const line of log) print(line);

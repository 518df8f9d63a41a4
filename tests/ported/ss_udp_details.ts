// Port of ss_udp_details.py (threads are tasks).
import * as socket from "../../mod.ts";
import * as socketserver from "../../socketserver.ts";
import { b, beq, bjoin, bupper, decode, join, print } from "./_py.ts";

class Small extends socketserver.DatagramRequestHandler {
  override handle() {
    const data = this.rfile.read();
    if (decode(data).startsWith("silent")) {
      return;
    }
    this.wfile.write(bjoin([b(`${data.length}:`), data.subarray(0, 10)]));
  }
}

class SmallServer extends socketserver.UDPServer {
  static override max_packet_size = 100;
}

const same_addr = (a: unknown, x: unknown) => JSON.stringify(a) === JSON.stringify(x);

{
  await using server = new SmallServer(["127.0.0.1", 0], Small);
  const t = server.serve_forever(0.05);
  const c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  c.settimeout(5);
  for (const payload of [b("short"), b("x".repeat(300)), b("silent please"), b(""), b("after")]) {
    await c.sendto(payload, server.server_address);
    const [data, addr] = await c.recvfrom(1000);
    print(payload.length, "->", data, same_addr(addr, server.server_address));
  }
  c.close();
  await server.shutdown();
  await join(t, 5);
}

class Echo extends socketserver.BaseRequestHandler<socketserver.DatagramRequest> {
  override async handle() {
    const [data, sock] = this.request;
    await sock.sendto(bupper(data), this.client_address);
  }
}

const results = new Map<number, [boolean, Uint8Array | null]>();
let server_address: socketserver.Address;

async function client(n: number) {
  const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  s.settimeout(5);
  const got: Uint8Array[] = [];
  const pad = (i: number) => String(i).padStart(2, "0");
  for (let i = 0; i < 20; i++) {
    await s.sendto(b(`c${n}-${pad(i)}`), server_address);
  }
  for (let i = 0; i < 20; i++) {
    got.push(await s.recv(100));
  }
  s.setblocking(false);
  let extra: Uint8Array | null;
  try {
    extra = await s.recv(100);
  } catch (e) {
    if (!(e instanceof socket.BlockingIOError)) throw e;
    extra = null;
  }
  s.close();
  const want = Array.from({ length: 20 }, (_, i) => b(`C${n}-${pad(i)}`));
  const sorted = got.map(decode).sort();
  results.set(n, [sorted.length === 20 && want.every((w, i) => beq(w, b(sorted[i]!))), extra]);
}

{
  await using server = new socketserver.ThreadingUDPServer(["127.0.0.1", 0], Echo);
  server_address = server.server_address;
  const t = server.serve_forever(0.05);
  const clients = [0, 1, 2, 3, 4].map((n) => client(n));
  for (const ct of clients) {
    await join(ct, 10);
  }
  await server.shutdown();
  await join(t, 5);
}
for (const n of [...results.keys()].sort()) {
  print("client", n, results.get(n));
}

class Timed extends socketserver.UDPServer {
  static override timeout = 0.2;
  timeouts = 0;

  override handle_timeout() {
    this.timeouts += 1;
  }
}

{
  await using server = new Timed(["127.0.0.1", 0], Echo);
  await server.handle_request();
  await server.handle_request();
  print("timeouts", server.timeouts);
  const c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  c.settimeout(5);
  await c.sendto(b("late"), server.server_address);
  await server.handle_request();
  print("timeouts", server.timeouts, await c.recv(100));
  c.close();
}

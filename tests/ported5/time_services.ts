// Port of time_services.py (serve_forever threads become tasks; time.strftime/strptime of the ctime-like
// format are spelled out; struct '!I' is a DataView).
import * as socket from "../../mod.ts";
import { ConnectionRefusedError } from "../../mod.ts";
import * as socketserver from "../../socketserver.ts";
import { b, beq, decode, kw, print, str } from "../ported/_py.ts";

const TIME1970 = 2208988800; // seconds from 1900-01-01 to 1970-01-01
const QUOTE = b('"The network is reliable." -- the first fallacy of distributed computing\r\n');
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function rfc868_now() {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, Math.floor(Date.now() / 1000) + TIME1970);
  return out;
}

function daytime_now() {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, "0");
  return b(
    `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${p(d.getUTCDate())} ` +
      `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${d.getUTCFullYear()}\r\n`,
  );
}

class TimeTCP extends socketserver.BaseRequestHandler {
  override async handle() {
    await this.request.sendall(rfc868_now());
  }
}

class TimeUDP extends socketserver.BaseRequestHandler<socketserver.DatagramRequest> {
  override async handle() {
    const [_data, sock] = this.request;
    await sock.sendto(rfc868_now(), this.client_address);
  }
}

class DaytimeTCP extends socketserver.StreamRequestHandler {
  override async handle() {
    await this.wfile.write(daytime_now());
  }
}

class DaytimeUDP extends socketserver.DatagramRequestHandler {
  override handle() {
    this.wfile.write(daytime_now());
  }
}

class QotdTCP extends socketserver.StreamRequestHandler {
  override async handle() {
    await this.wfile.write(QUOTE);
  }
}

class QotdUDP extends socketserver.DatagramRequestHandler {
  override handle() {
    this.wfile.write(QUOTE);
  }
}

const servers = new Map<string, [socketserver.TCPServer, socketserver.UDPServer]>();
const serving: Promise<void>[] = [];
for (
  const [name, tcp, udp] of [
    ["time", TimeTCP, TimeUDP],
    ["daytime", DaytimeTCP, DaytimeUDP],
    ["qotd", QotdTCP, QotdUDP],
  ] as const
) {
  const t = new socketserver.ThreadingTCPServer(["127.0.0.1", 0], tcp);
  const u = new socketserver.ThreadingUDPServer(["127.0.0.1", 0], udp);
  servers.set(name, [t, u]);
  for (const s of [t, u]) serving.push(s.serve_forever());
}

async function tcp_get(name: string) {
  using s = await socket.create_connection(servers.get(name)![0].server_address as [string, number], 5);
  const chunks: number[] = [];
  while (true) {
    const data = await s.recv(1024);
    if (!data.length) return new Uint8Array(chunks);
    chunks.push(...data);
  }
}

async function udp_get(name: string, payload: Uint8Array = new Uint8Array(0)) {
  using s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  s.settimeout(5);
  const server = servers.get(name)![1].server_address as [string, number];
  await s.sendto(payload, server);
  const [data, addr] = await s.recvfrom(1024);
  const a = addr as [string, number];
  print("  reply from the server address:", a[0] === server[0] && a[1] === server[1]);
  return data;
}

function check_time(data: Uint8Array) {
  const secs = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0);
  print("  4 bytes:", data.length === 4, "within 5 s of our clock:", Math.abs(secs - TIME1970 - Date.now() / 1000) < 5);
}

function check_daytime(data: Uint8Array) {
  const text = decode(data);
  const m = /^(\w{3}) (\w{3}) (\d\d) (\d\d):(\d\d):(\d\d) (\d{4})$/.exec(text.trim());
  if (!m || !DAYS.includes(m[1]!) || !MONTHS.includes(m[2]!)) {
    throw new Error(`ValueError: time data ${JSON.stringify(text.trim())} does not match format`);
  }
  const parsed = Date.UTC(+m[7]!, MONTHS.indexOf(m[2]!), +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  const delta = Math.abs(parsed - Date.now()) / 1000;
  print("  ends with CRLF:", text.endsWith("\r\n"), "length:", text.length, "within 5 s:", delta < 5);
}

print("time over TCP");
check_time(await tcp_get("time"));
print("time over UDP (an empty datagram asks)");
check_time(await udp_get("time"));
print("daytime over TCP");
check_daytime(await tcp_get("daytime"));
print("daytime over UDP (the datagram content is ignored)");
check_daytime(await udp_get("daytime", b("what time is it?")));
print("qotd over TCP");
const q = await tcp_get("qotd");
print(" ", q, str(q.length < 512));
print("qotd over UDP");
print(" ", beq(await udp_get("qotd", new Uint8Array(100).fill(0x78)), QUOTE));
print("ten time requests over UDP at once");
const socks: socket.Socket[] = [];
for (let i = 0; i < 10; i++) {
  const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  s.settimeout(5);
  await s.sendto(new Uint8Array(0), servers.get("time")![1].server_address);
  socks.push(s);
}
let answers = 0;
for (const s of socks) answers += (await s.recv(16)).length === 4 ? 1 : 0;
print("  answers:", answers);
for (const s of socks) s.close();
for (const [t, u] of servers.values()) {
  for (const s of [t, u]) {
    await s.shutdown();
    await s.server_close();
  }
}
await Promise.all(serving);
print("after server_close, TCP time:", kw({ end: " " }));
try {
  await tcp_get("time");
} catch (e) {
  if (!(e instanceof ConnectionRefusedError)) throw e;
  print(e.name, e.message);
}

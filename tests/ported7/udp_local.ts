// Port of udp_local.py (the server thread is a task; threading.Event is a Promise with a set(); tuples
// compared with == are compared element by element).
import * as socket from "../../mod.ts";
import { join, print, repr } from "../ported/_py.ts";

class Event {
  is_set = false;
  private resolve!: () => void;
  private done = new Promise<void>((r) => this.resolve = r);
  set() {
    this.is_set = true;
    this.resolve();
  }
  wait(s: number): Promise<void> {
    return join(this.done, s);
  }
}

const MAX_BYTES = 65535;
const gates = new Map([[1, new Event()], [2, new Event()]]);
const server_lines: (string | (() => string))[] = [];
const names = new Map<number, string>();

function name(address: socket.Address | null): [string, string] {
  const [host, port] = address as [string, number];
  return [host, names.get(port) ?? "PORT"];
}

async function server(sock: socket.Socket, count: number) {
  server_lines.push(`Listening at ${repr(name(sock.getsockname()))}`);
  for (let i = 0; i < count; i++) {
    let [data, address] = await sock.recvfrom(MAX_BYTES);
    if (gates.has(i)) {
      await gates.get(i)!.wait(10); // the server is slow this time
    }
    let text = new TextDecoder().decode(data);
    // Named when printed: the client names its port only after its sendto() returned (a race otherwise).
    const [from, said] = [address, text];
    server_lines.push(() => `The client at ${repr(name(from))} says ${repr(said)}`);
    text = `Your data was ${data.length} bytes long`;
    data = new TextEncoder().encode(text);
    await sock.sendto(data, address!);
  }
  sock.close();
}

async function client(port: number, check: boolean) {
  const sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  const text = `The time is ${!check ? "noon" : "half past noon"}`;
  const data = new TextEncoder().encode(text);
  await sock.sendto(data, ["127.0.0.1", port]);
  names.set(sock.getsockname()[1] as number, "CLIENT");
  print(`The OS assigned me the address ${repr(name(sock.getsockname()))}`);
  return sock;
}

async function receive(sock: socket.Socket, port: number, check: boolean) {
  while (true) {
    const [data, address] = await sock.recvfrom(MAX_BYTES); // Danger!
    const text = new TextDecoder().decode(data);
    const [host, p] = address as [string, number];
    if (check && !(host === "127.0.0.1" && p === port)) {
      print(`Ignoring ${repr(text)} from ${repr(name(address))}`);
      continue;
    }
    print(`The server ${repr(name(address))} replied ${repr(text)}`);
    return;
  }
}

const srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
srv.bind(["127.0.0.1", 0]);
const port = srv.getsockname()[1] as number;
names.set(port, "SERVER");
const t = server(srv, 3);

// 1: as in the book
await receive(await client(port, false), port, false);

// 2 and 3: a stranger answers first
const stranger = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
stranger.bind(["127.0.0.1", 0]);
names.set(stranger.getsockname()[1] as number, "STRANGER");
for (const check of [false, true]) {
  const sock = await client(port, check);
  await stranger.sendto(new TextEncoder().encode("FAKE"), ["127.0.0.1", sock.getsockname()[1] as number]);
  print("The stranger sent b'FAKE' to the client");
  if (check) {
    gates.get(2)!.set();
  }
  await receive(sock, port, check);
  if (!check) {
    gates.get(1)!.set();
    const [data, address] = await sock.recvfrom(MAX_BYTES);
    print(`Then the real reply came from ${repr(name(address))}: ${repr(new TextDecoder().decode(data))}`);
  }
  sock.close();
}
stranger.close();
await join(t, 10);
for (const line of server_lines) {
  print(typeof line === "string" ? line : line());
}

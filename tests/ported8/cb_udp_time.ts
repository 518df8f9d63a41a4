// Port of cb_udp_time.py (rule 12: `msg, sock = self.request` is `const [msg, sock] = this.request` in a
// BaseRequestHandler<DatagramRequest>; address_family is a static member; time.ctime() from _lutz.ts).
import * as socket from "../../mod.ts";
import { AF_INET, AF_INET6, SOCK_DGRAM } from "../../mod.ts";
import { BaseRequestHandler, type DatagramRequest, ThreadingUDPServer, UDPServer } from "../../socketserver.ts";
import { b, print } from "../ported/_py.ts";
import { now, stamp } from "./_lutz.ts";

class TimeHandler extends BaseRequestHandler<DatagramRequest> {
  override async handle() {
    print("Got connection from", this.client_address[0]);
    // Get message and client socket
    const [msg, sock] = this.request;
    print("message:", msg);
    const resp = now();
    await sock.sendto(b(resp), this.client_address);
  }
}

class TimeServer6 extends UDPServer {
  static override address_family = AF_INET6;
}

async function ask(family: number, address: socket.Address, msgs: Uint8Array[]) {
  const s = socket.socket(family, SOCK_DGRAM);
  for (const m of msgs) {
    await s.sendto(m, address);
    const [data, addr] = await s.recvfrom(8192);
    const same = addr![0] === address[0] && addr![1] === address[1];
    print("reply", stamp(new TextDecoder().decode(data)), "from the server:", same);
  }
  s.close();
}

for (
  const [cls, family, host] of [
    [UDPServer, AF_INET, "127.0.0.1"],
    [ThreadingUDPServer, AF_INET, "127.0.0.1"],
    [TimeServer6, AF_INET6, "::1"],
  ] as [typeof UDPServer, number, string][]
) {
  const serv = new cls([host, 0], TimeHandler);
  const t = serv.serve_forever();
  print(cls.name, "socket type:", serv.socket.type === SOCK_DGRAM, "family:", serv.address_family === family);
  await ask(family, serv.server_address, [b(""), b("what time is it?")]);
  await serv.shutdown();
  await t;
  serv.server_close();
}

async function time_server(sock: socket.Socket, count: number) {
  for (let i = 0; i < count; i++) {
    const [msg, addr] = await sock.recvfrom(8192);
    print("Got message from", addr![0], msg);
    const resp = now();
    await sock.sendto(b(resp), addr!);
  }
}

const sock = socket.socket(AF_INET, SOCK_DGRAM);
sock.bind(["127.0.0.1", 0]);
const t = time_server(sock, 3);
await ask(AF_INET, sock.getsockname(), [b(""), b("x".repeat(100)), new Uint8Array([0])]);
await t;
sock.close();

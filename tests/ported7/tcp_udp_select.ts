// Port of tcp_udp_select.py (the server thread is a task; errno.EADDRINUSE is socket.errno.EADDRINUSE;
// s.family.name is AddressFamily[s.family]).
import * as socket from "../../mod.ts";
import { AddressFamily, errno, OSError } from "../../mod.ts";
import * as select from "../../selectors.ts";
import { b, bjoin, bupper, join, print, repr } from "../ported/_py.ts";

const log: string[] = [];

function bind_pair(family: number, host: string): [socket.Socket, socket.Socket, number] {
  for (let i = 0; i < 20; i++) {
    const tcp = socket.socket(family, socket.SOCK_STREAM);
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
    tcp.bind([host, 0]);
    tcp.listen(10);
    const port = tcp.getsockname()[1] as number;
    const udp = socket.socket(family, socket.SOCK_DGRAM);
    try {
      udp.bind([host, port]);
    } catch (e) {
      if (!(e instanceof OSError) || e.errno !== errno.EADDRINUSE) throw e;
      tcp.close();
      udp.close();
      continue;
    }
    return [tcp, udp, port];
  }
  throw new Error("no free port pair");
}

async function server(sockets: [socket.Socket, socket.Socket][], count: number) {
  const inputs = sockets.flat();
  let served = 0;
  while (served < count) {
    const [inputready, _outputready, _exceptready] = await select.select(inputs, [], []);
    for (const s of inputready) {
      if (s.type === socket.SOCK_STREAM) {
        const [client, address] = await s.accept();
        const message = await client.recv(1024);
        log.push(`TCP ${AddressFamily[s.family]} from ${address[0]}: ${repr(message)}`);
        await client.send(bjoin([b("Hello TCP client: "), bupper(message)]));
        client.close();
      } else {
        const [data, addr] = await s.recvfrom(1024);
        log.push(`UDP ${AddressFamily[s.family]} from ${addr![0]} (${addr!.length} fields): ${repr(data)}`);
        await s.sendto(bjoin([b("Hello UDP client: "), bupper(data)]), addr!);
      }
      served += 1;
    }
  }
  for (const s of inputs) {
    s.close();
  }
}

const [tcp4, udp4, port4] = bind_pair(socket.AF_INET, "127.0.0.1");
const [tcp6, udp6, port6] = bind_pair(socket.AF_INET6, "::1");
print(
  "TCP and UDP share a port:",
  tcp4.getsockname()[1] === udp4.getsockname()[1],
  tcp6.getsockname()[1] === udp6.getsockname()[1],
);
const t = server([[tcp4, udp4], [tcp6, udp6]], 8);

for (const [family, host, port] of [[socket.AF_INET, "127.0.0.1", port4], [socket.AF_INET6, "::1", port6]] as const) {
  for (let i = 0; i < 2; i++) {
    const c = socket.socket(family, socket.SOCK_STREAM);
    await c.connect([host, port]);
    await c.sendall(b(`tcp message ${i}`));
    print("TCP client got", await c.recv(1024), "then", await c.recv(1024));
    c.close();
    const u = socket.socket(family, socket.SOCK_DGRAM);
    u.settimeout(10);
    await u.sendto(b(`udp message ${i}`), [host, port]);
    const [data, addr] = await u.recvfrom(1024);
    print("UDP client got", data, "from the same port:", addr![1] === port, "fields", addr!.length);
    u.close();
  }
}
await join(t, 30);
for (const line of log) {
  print(line);
}

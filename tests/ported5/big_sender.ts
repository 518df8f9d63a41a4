// Port of big_sender.py (family.name is the AddressFamily entry whose value the family is).
import * as socket from "../../mod.ts";
import { OSError } from "../../mod.ts";
import { print, repr } from "../ported/_py.ts";

const MAX_BYTES = 65535;
const name_of = (family: number) => Object.entries(socket.AddressFamily).find(([, v]) => v === family)![0];

async function try_send(sock: socket.Socket, receiver: socket.Socket, size: number) {
  try {
    await sock.send(new Uint8Array(size).fill(0x23));
  } catch (e) {
    if (!(e instanceof OSError)) throw e;
    print("Alas, the datagram of", size, "bytes did not make it:", e.name, e.errno, e.message);
    return;
  }
  const data = await receiver.recv(MAX_BYTES + 100);
  print("The big datagram was sent!", size, "bytes sent,", data.length, "received");
}

for (const [family, host] of [[socket.AF_INET, "127.0.0.1"], [socket.AF_INET6, "::1"]] as const) {
  const receiver = socket.socket(family, socket.SOCK_DGRAM);
  receiver.bind([host, 0]);
  const sock = socket.socket(family, socket.SOCK_DGRAM);
  await sock.connect(receiver.getsockname());
  print(name_of(family), "connected to", (receiver.getsockname() as [string, number])[0]);
  for (const size of [1472, 9000, 65507, 65508, 65527, 65528, 999999]) await try_send(sock, receiver, size);
  await sock.send(new Uint8Array(5000).fill(0x78));
  let data = await receiver.recv(100);
  print("short recv gives", data.length, "bytes; the rest is gone");
  await sock.send(new Uint8Array(3000).fill(0x79));
  const n = (await receiver.recv(10, socket.MSG_TRUNC)).length;
  print("MSG_TRUNC recv says the datagram had", n, "bytes");
  await sock.send(new Uint8Array(3000).fill(0x7a));
  const buf = new Uint8Array(50);
  const [nbytes, addr] = await receiver.recvfrom_into(buf);
  const own = sock.getsockname() as [string, number];
  const same = Array.isArray(addr) && addr[0] === own[0] && addr[1] === own[1];
  print("recvfrom_into filled", nbytes, "bytes:", repr(buf.slice(0, 5)), same ? "True" : "False");
  data = new Uint8Array(70000).fill(0x23);
  try {
    await sock.sendto(data, receiver.getsockname());
  } catch (e) {
    if (!(e instanceof OSError)) throw e;
    print("sendto on a connected socket:", e.name, e.message);
  }
  receiver.close();
  sock.close();
}

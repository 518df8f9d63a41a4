// Port of mtu_discover.py.
import * as socket from "../../mod.ts";
import { OSError } from "../../mod.ts";
import { print } from "../ported/_py.ts";

const IP_MTU_DISCOVER = 10;
const IP_PMTUDISC_DO = 2;
const IP_MTU = 14;

const receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
receiver.bind(["127.0.0.1", 0]);
const sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
await sock.connect(receiver.getsockname());
try {
  sock.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO);
  print("IP_MTU_DISCOVER set; reads back", sock.getsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER));
} catch (e) {
  if (!(e instanceof OSError)) throw e;
  print("setsockopt(IP_MTU_DISCOVER):", e.name, e.message);
}
try {
  await sock.send(new Uint8Array(65508).fill(0x23));
  print("The big datagram was sent!");
} catch (e) {
  if (!(e instanceof OSError)) throw e;
  print("Alas, the datagram did not make it:", e.message);
  try {
    const max_mtu = sock.getsockopt(socket.IPPROTO_IP, IP_MTU);
    print(`Actual MTU: ${max_mtu}`);
  } catch (e) {
    if (!(e instanceof OSError)) throw e;
    print("getsockopt(IP_MTU):", e.name, e.message);
  }
}

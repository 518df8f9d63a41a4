// Port of cb_ip_range.py. Python's ipaddress has no counterpart in pysocket (or Deno): the few parts the
// recipe uses are written here on pysocket's inet_pton/inet_ntop (IPv4 addresses print as inet_ntop prints
// them, IPv6 ones compressed as Python's ipaddress compresses them, which is inet_ntop's RFC 5952 form).
// `a in net` is net.contains(a); net[-1] is net.at(-1).
import * as socket from "../../mod.ts";
import { print } from "../ported/_py.ts";

const hex = (x: Uint8Array) => Array.from(x, (v) => v.toString(16).padStart(2, "0")).join("");

class IPAddress {
  constructor(readonly family: number, readonly value: bigint) {}
  get packed(): Uint8Array {
    const n = this.family === socket.AF_INET ? 4 : 16;
    return Uint8Array.from({ length: n }, (_, i) => Number((this.value >> BigInt(8 * (n - 1 - i))) & 0xffn));
  }
  toString() {
    return socket.inet_ntop(this.family, this.packed);
  }
}
class IPv4Address extends IPAddress {}
class IPv6Address extends IPAddress {}
const make = (family: number, value: bigint) =>
  family === socket.AF_INET ? new IPv4Address(family, value) : new IPv6Address(family, value);

function ip_address(text: string): IPAddress {
  const family = text.includes(":") ? socket.AF_INET6 : socket.AF_INET;
  const packed = socket.inet_pton(family, text);
  return make(family, packed.reduce((v, x) => (v << 8n) | BigInt(x), 0n));
}

class IPNetwork implements Iterable<IPAddress> {
  readonly base: IPAddress;
  readonly prefixlen: number;
  constructor(text: string) {
    const [addr, len] = text.split("/");
    const a = ip_address(addr!);
    this.prefixlen = Number(len);
    const bits = a.family === socket.AF_INET ? 32 : 128;
    const mask = ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - this.prefixlen)) - 1n);
    this.base = make(a.family, a.value & mask);
  }
  get num_addresses(): bigint {
    return 1n << BigInt((this.base.family === socket.AF_INET ? 32 : 128) - this.prefixlen);
  }
  at(i: number): IPAddress {
    const k = i < 0 ? this.num_addresses + BigInt(i) : BigInt(i);
    return make(this.base.family, this.base.value + k);
  }
  contains(a: IPAddress): boolean {
    return a.family === this.base.family && a.value >= this.base.value &&
      a.value < this.base.value + this.num_addresses;
  }
  *[Symbol.iterator]() {
    for (let k = 0n; k < this.num_addresses; k++) yield make(this.base.family, this.base.value + k);
  }
  toString() {
    return `${this.base}/${this.prefixlen}`;
  }
}

const ip_network = (text: string) => new IPNetwork(text);

function ip_interface(text: string) {
  return { network: ip_network(text), ip: ip_address(text.split("/")[0]!) };
}

const net = ip_network("123.45.67.64/27");
print(String(net));
for (const a of net) print(String(a));

const net6 = ip_network("12:3456:78:90ab:cd:ef01:23:30/125");
print(String(net6));
for (const a of net6) print(String(a));

print(net.num_addresses);
print(String(net.at(0)));
print(String(net.at(1)));
print(String(net.at(-1)));
print(String(net.at(-2)));

let a = ip_address("123.45.67.69");
print(net.contains(a));
const b = ip_address("123.45.67.123");
print(net.contains(b));

const inet = ip_interface("123.45.67.73/27");
print(String(inet.network));
print(String(inet.ip));

for (const a of ip_network("2001:db8::/126")) {
  const packed = socket.inet_pton(socket.AF_INET6, String(a));
  print(String(a), hex(packed), socket.inet_ntop(socket.AF_INET6, packed) === String(a));
}
for (const a of [...net].slice(0, 3)) {
  print(String(a), hex(socket.inet_aton(String(a))), socket.inet_ntoa(socket.inet_aton(String(a))));
}

const listener = socket.create_server(["127.0.0.1", 0]);
const port = listener.getsockname()[1] as number;
a = ip_address("127.0.0.1");
const s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
try {
  await s.connect([a as unknown as string, port]);
} catch (e) {
  if (!(e instanceof TypeError)) throw e;
  print("TypeError:", e.message);
}
await s.connect([String(a), port]);
print("connected to", s.getpeername()[0]);
s.close();
listener.close();

// Port of udp6_mapped.py (Python's OverflowError is RangeError, printed by its Python name; errno.errorcode is
// socket.errorcode; a memoryview slice is subarray(); tuples print as tuples through _py.ts).
import * as socket from "../../mod.ts";
import type { Address } from "../../mod.ts";
import { b, print } from "../ported/_py.ts";

const tup = (a: Address | null) => a as unknown as [string, number, number, number];
const mask = (addr: Address, ...ports: number[]) =>
  (addr as (string | number)[]).map((x, i) => i === 1 && ports.includes(x as number) ? "PORT" : x);

async function attempt(label: string, fn: () => unknown) {
  try {
    print(label, "->", await fn());
  } catch (e) {
    if (e instanceof socket.gaierror) print(label, "->", "gaierror", e.errno);
    else if (e instanceof socket.OSError) {
      print(label, "->", e.constructor.name, socket.errorcode[e.errno!] ?? e.errno);
    } else if (e instanceof RangeError) print(label, "->", "OverflowError", e.message);
    else if (e instanceof TypeError) print(label, "->", "TypeError", e.message);
    else throw e;
  }
}

const r6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM);
r6.bind(["::1", 0]);
r6.settimeout(5);
const P6 = tup(r6.getsockname())[1];
const r4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
r4.bind(["127.0.0.1", 0]);
r4.settimeout(5);
const P4 = tup(r4.getsockname())[1];
print("v6 receiver:", mask(r6.getsockname(), P6));
if (Deno.args.length === 1 && Deno.args[0] === "v6only") {
  print("IPV6_V6ONLY of a socket bound to ::1:", r6.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY));
  await attempt("set IPV6_V6ONLY 0 once bound", () => r6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0));
}

const c = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM);
c.settimeout(5);
print("IPV6_V6ONLY of a fresh socket:", c.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY));
print("sendto 2-tuple:", await c.sendto(b("two"), ["::1", P6]));
let [data, addr]: [Uint8Array, Address | null] = await r6.recvfrom(100);
const CP = tup(addr)[1];
print("receiver got", data, "from", mask(addr!, CP));
print("client bound to:", mask(c.getsockname(), CP));
await r6.sendto(b("reply"), addr!);
[data, addr] = await c.recvfrom(100);
print("client got", data, "from", mask(addr!, P6));
print("sendto 4-tuple:", await c.sendto(b("four"), ["::1", P6, 0, 0]));
print("  got:", await r6.recv(100));
print("sendto flowinfo 5:", await c.sendto(b("flow"), ["::1", P6, 5, 0]));
[data, addr] = await r6.recvfrom(100);
print("  got:", data, "flowinfo seen:", tup(addr)[2]);
await attempt("sendto flowinfo 2**20", () => c.sendto(b("x"), ["::1", P6, 2 ** 20, 0]));
await attempt("sendto a 5-tuple", () => c.sendto(b("x"), ["::1", P6, 0, 0, 0] as unknown as Address));
await attempt("sendto a 1-tuple", () => c.sendto(b("x"), ["::1"] as unknown as Address));

print("mapped sendto:", await c.sendto(b("to v4"), ["::ffff:127.0.0.1", P4]));
[data, addr] = await r4.recvfrom(100);
print("v4 receiver got", data, "from", tup(addr)[0]);
await r4.sendto(b("v4 reply"), addr!);
[data, addr] = await c.recvfrom(100);
print("client got", data, "from", mask(addr!, P4));
await attempt("IPv4 literal on AF_INET6", () => c.sendto(b("x"), ["127.0.0.1", P4]));
await attempt("IPv6 literal on AF_INET", () => r4.sendto(b("x"), ["::1", P6]));

const buf = new Uint8Array(8);
await c.sendto(b("into a buffer"), ["::1", P6]);
let n;
[n, addr] = await r6.recvfrom_into(buf);
print("recvfrom_into:", n, buf, mask(addr!, CP));
await c.sendto(b("abcdef"), ["::1", P6]);
[n, addr] = await r6.recvfrom_into(buf.subarray(2), 3);
print("recvfrom_into(view[2:], 3):", n, buf);

const b6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM);
b6.bind(["::1", 0]);
await attempt("::1-bound socket to a mapped address", () => b6.sendto(b("x"), ["::ffff:127.0.0.1", P4]));
if (Deno.args.length === 1 && Deno.args[0] === "v6only") {
  await attempt("set IPV6_V6ONLY 0 after sendto()", () => c.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0));
}
for (const s of [r6, r4, c, b6]) s.close();

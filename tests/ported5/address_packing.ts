// Port of address_packing.py (binascii.hexlify is a small helper; Python's exception names are the classes').
import * as socket from "../../mod.ts";
import { b, print, repr } from "../ported/_py.ts";

const hexlify = (x: Uint8Array) => b([...x].map((c) => c.toString(16).padStart(2, "0")).join(""));

for (const string_address of ["192.168.1.1", "127.0.0.1", "10.1", "127.1", "0x7f.1", "1"]) {
  const packed = socket.inet_aton(string_address);
  print("Original:", string_address);
  print("Packed  :", hexlify(packed));
  print("Unpacked:", socket.inet_ntoa(packed));
  print();
}

const address = "2002:ac10:10a:1234:21e:52ff:fe74:40e";
const packed = socket.inet_pton(socket.AF_INET6, address);
print("Original:", address);
print("Packed  :", hexlify(packed));
print("Unpacked:", socket.inet_ntop(socket.AF_INET6, packed));
for (const a of ["::", "::1", "::ffff:10.0.0.1", "fe80::0:0:1", "2001:db8:0:0:1:0:0:1", "1:0:0:1:0:0:0:1"]) {
  print(a, "->", socket.inet_ntop(socket.AF_INET6, socket.inet_pton(socket.AF_INET6, a)));
}
print(socket.inet_ntop(socket.AF_INET, socket.inet_pton(socket.AF_INET, "8.8.4.4")));
print();

for (const n of [1, 80, 8080, 65535]) {
  print(`htons(${n}) = ${socket.htons(n)}, ntohs back = ${socket.ntohs(socket.htons(n))}`);
}
for (const n of [1, 3232235777, 4294967295]) {
  print(`htonl(${n}) = ${socket.htonl(n)}, ntohl back = ${socket.ntohl(socket.htonl(n))}`);
}
const p = socket.inet_aton("192.168.1.1");
print("struct !I of 192.168.1.1:", new DataView(p.buffer, p.byteOffset, p.byteLength).getUint32(0));
print();

const PY_NAMES: Record<string, string> = { RangeError: "ValueError" };
function show(label: string, fn: (...args: never[]) => unknown, ...args: unknown[]) {
  try {
    print(label, repr((fn as (...a: unknown[]) => unknown)(...args)));
  } catch (e) {
    const err = e as Error;
    let name = PY_NAMES[err.name] ?? err.name;
    // Python's OverflowError is a RangeError too; its messages say so.
    if (err.name === "RangeError" && /too large|negative|larger than/.test(err.message)) name = "OverflowError";
    print(label, name + ":", err.message);
  }
}

show("inet_aton 256.1.1.1", socket.inet_aton, "256.1.1.1");
show("inet_aton empty", socket.inet_aton, "");
show("inet_pton AF_INET 1.2.3", socket.inet_pton, socket.AF_INET, "1.2.3");
show("inet_pton AF_INET6 1::2::3", socket.inet_pton, socket.AF_INET6, "1::2::3");
show("inet_pton AF_UNIX", socket.inet_pton, socket.AF_UNIX, "1.2.3.4");
show("inet_ntoa 3 bytes", socket.inet_ntoa, b("abc"));
show("inet_ntop AF_INET 5 bytes", socket.inet_ntop, socket.AF_INET, b("abcde"));
show("inet_ntop AF_INET6 4 bytes", socket.inet_ntop, socket.AF_INET6, b("abcd"));
show("htons(70000)", socket.htons, 70000);
show("htons(-1)", socket.htons, -1);
show("htonl(2**32)", socket.htonl, 2 ** 32);
show("ntohs str", socket.ntohs, "80");

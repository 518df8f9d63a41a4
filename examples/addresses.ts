/**
 * Tour step 2, IP addresses: IPv4 addresses are 4 bytes, IPv6 addresses 16.
 * `inet_pton` packs the text form into those bytes and `inet_ntop` prints
 * it back in the canonical form; `getaddrinfo` turns a host and a port into
 * the addresses a socket can connect to, one entry per family.
 *
 * ```sh
 * deno run --allow-net=localhost examples/addresses.ts
 * ```
 *
 * The nearest Python:
 *
 * ```python
 * import socket
 * print(socket.inet_pton(socket.AF_INET, "127.0.0.1").hex())
 * print(socket.inet_ntop(socket.AF_INET6, socket.inet_pton(socket.AF_INET6, "2001:0db8:0000:0000:0000:0000:0000:0001")))
 * print(socket.getaddrinfo("::1", 80, type=socket.SOCK_STREAM))
 * ```
 * @module
 */

import {
  AddressFamily,
  AF_INET,
  AF_INET6,
  getaddrinfo,
  inet_aton,
  inet_ntoa,
  inet_ntop,
  inet_pton,
  SOCK_STREAM,
} from "@pysocket/socket";

const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");

const v4 = inet_pton(AF_INET, "127.0.0.1");
console.log(`IPv4 127.0.0.1 is ${v4.length} bytes: ${hex(v4)}`);
const v6 = inet_pton(AF_INET6, "2001:0db8:0000:0000:0000:0000:0000:0001");
console.log(
  `IPv6 2001:0db8:0000:0000:0000:0000:0000:0001 is ${v6.length} bytes, printed as ${inet_ntop(AF_INET6, v6)}`,
);
console.log(`IPv4 inside IPv6: ${inet_ntop(AF_INET6, inet_pton(AF_INET6, "::ffff:127.0.0.1"))}`);
console.log(`The classic short form 127.1 is ${inet_ntoa(inet_aton("127.1"))}`);

// getaddrinfo: literals need no lookup; each result is [family, type, proto, canonname, address].
for (const host of ["127.0.0.1", "::1"]) {
  for (const [family, , , , address] of await getaddrinfo(host, 80, 0, SOCK_STREAM)) {
    console.log(`getaddrinfo(${JSON.stringify(host)}, 80): ${AddressFamily[family]} ${JSON.stringify(address)}`);
  }
}
// A name goes through the system resolver (/etc/hosts first): the answer depends on the machine.
for (const [family, , , , address] of await getaddrinfo("localhost", 80, 0, SOCK_STREAM)) {
  console.log(`getaddrinfo("localhost", 80): ${AddressFamily[family]} ${JSON.stringify(address)}`);
}

/**
 * What a networking tutorial explains, shown on your machine: every network
 * interface with its index, MAC address and IP addresses (with prefix
 * length), how `localhost` resolves, and the well-known ports of the
 * common services.
 *
 * ```sh
 * deno run --allow-sys --allow-read --allow-net=localhost examples/interfaces.ts
 * deno run -A examples/interfaces.ts   # also every interface's index
 * ```
 *
 * `--allow-sys` lists the interfaces and the host name; `--allow-read`
 * reads /etc/services and /etc/hosts (without it the ports come from
 * pysocket's built-in table); `--allow-net=localhost` lets the system
 * resolver look up `localhost`. Deno 2.9 reads /sys/class/net (every
 * interface's index, for `if_nameindex`) only with `--allow-all`.
 *
 * The nearest Python:
 *
 * ```python
 * import socket
 * print(socket.gethostname(), socket.if_nameindex())
 * for name in ("http", "https", "ftp", "ssh", "smtp", "domain"):
 *     print(name, socket.getservbyname(name))
 * ```
 * @module
 */

import * as socket from "@pysocket/socket";

console.log(`Host name: ${socket.gethostname()}`);
console.log();
console.log("Interfaces (index, name, MAC address, IP addresses):");
let indexed: [number, string][] = [];
try {
  indexed = socket.if_nameindex();
} catch { /* not Linux, or not --allow-all: only if_addresses' indexes are known */ }
const with_addresses = socket.if_addresses();
const names = new Set([...indexed.map(([, n]) => n), ...with_addresses.map((i) => i.name)]);
for (const name of names) {
  const info = with_addresses.find((i) => i.name === name);
  const index = indexed.find(([, n]) => n === name)?.[0] ?? info?.index ?? "?";
  console.log(`  ${String(index).padStart(2)}  ${name.padEnd(10)} MAC ${info?.mac ?? "(no IP address)"}`);
  for (const a of info?.addresses ?? []) {
    const fam = a.family === socket.AF_INET ? "IPv4" : "IPv6";
    const scope = a.scope_id ? ` scope ${a.scope_id}` : "";
    console.log(`        ${fam} ${a.address}/${a.prefixlen}${scope}`);
  }
}

console.log();
console.log("localhost resolves to:");
for (const [family, type, proto, , sockaddr] of await socket.getaddrinfo("localhost", "http", 0, socket.SOCK_STREAM)) {
  const fam = family === socket.AF_INET ? "AF_INET" : "AF_INET6";
  console.log(`  ${fam} type ${type} proto ${proto} -> ${JSON.stringify(sockaddr)}`);
}

console.log();
console.log("Well-known ports:");
const services: [string, string][] = [
  ["ftp", "tcp"],
  ["ssh", "tcp"],
  ["telnet", "tcp"],
  ["smtp", "tcp"],
  ["domain", "udp"],
  ["http", "tcp"],
  ["pop3", "tcp"],
  ["ntp", "udp"],
  ["imap2", "tcp"],
  ["https", "tcp"],
];
for (const [name, proto] of services) {
  try {
    console.log(`  ${name.padEnd(8)} ${socket.getservbyname(name, proto)}/${proto}`);
  } catch (e) {
    console.log(`  ${name.padEnd(8)} (${(e as Error).message})`);
  }
}

/**
 * Tour step 4, ports: a port number picks the program on a host. Well-known
 * services have fixed numbers (`getservbyname`), and a port is open when a
 * program listens on it. The tiny scanner below tries a few ports with
 * `connect_ex` and reports each one's errno; it refuses any host that is
 * not this machine's loopback (scan only what you own).
 *
 * ```sh
 * deno run --allow-net=127.0.0.1 examples/ports.ts
 * deno run --allow-net=127.0.0.1 examples/ports.ts 127.0.0.1 22 80 8080   # your own ports
 * ```
 *
 * The nearest Python:
 *
 * ```python
 * import socket
 * print(socket.getservbyname("http"), socket.getservbyport(443))
 * with socket.socket() as s:
 *     s.settimeout(1)
 *     print(s.connect_ex(("127.0.0.1", 8080)))   # 0 open, 111 closed
 * ```
 * @module
 */

import { AF_INET, errorcode, getservbyname, getservbyport, socket } from "@pysocket/socket";

for (const name of ["http", "ftp", "smtp", "ssh", "https"]) {
  console.log(`getservbyname("${name}") = ${getservbyname(name)}`);
}
console.log(`getservbyport(443) = "${getservbyport(443)}"`);

/** connect_ex() each port of a loopback host: 0 is open, ECONNREFUSED closed. */
async function scan(host: string, ports: number[]): Promise<void> {
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) throw new RangeError(`refusing to scan ${host}: loopback only`);
  console.log(`Scanning ${host}:`);
  for (const port of ports) {
    using s = socket(AF_INET);
    s.settimeout(1);
    const err = await s.connect_ex([host, port]);
    console.log(`  port ${port}: ${err === 0 ? "open" : `closed (${errorcode[err] ?? err})`}`);
  }
}

if (Deno.args.length) {
  await scan(Deno.args[0]!, Deno.args.slice(1).map(Number));
} else {
  // A self-contained demo: listen on one port, free another, scan both.
  using open = socket(AF_INET);
  open.bind(["127.0.0.1", 0]);
  open.listen();
  const closed = socket(AF_INET);
  closed.bind(["127.0.0.1", 0]);
  const closed_port = closed.getsockname()[1];
  closed.close();
  await scan("127.0.0.1", [open.getsockname()[1], closed_port]);
}

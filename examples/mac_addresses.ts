/**
 * Tour step 3, MAC addresses: the link layer's address of each network
 * interface (6 bytes, printed as hex pairs), beside the IP addresses the
 * interface carries. Python's socket module has no portable way to list
 * them; pysocket adds `if_addresses()`.
 *
 * ```sh
 * deno run --allow-sys=networkInterfaces examples/mac_addresses.ts
 * ```
 *
 * The nearest Python (Linux, standard library only):
 *
 * ```python
 * import socket
 * for index, name in socket.if_nameindex():
 *     print(name, open(f"/sys/class/net/{name}/address").read().strip())
 * ```
 * @module
 */

import { if_addresses } from "@pysocket/socket";

for (const i of if_addresses()) {
  const ips = i.addresses.map((a) => `${a.address}/${a.prefixlen}`).join(" ");
  console.log(`${i.name.padEnd(8)} MAC ${i.mac}  IP ${ips}`);
}

// AF_INET: addresses are [host, port].

import { AF_INET } from "../constants.ts";
import type { InetAddress } from "../types.ts";
import {
  as_int,
  check_host,
  check_port_range,
  inet_host_of,
  is_ipv4,
  literal_check,
  parse_ipv6,
  py_type,
  strip_zone,
} from "./_ip.ts";
import type { Endpoint, FamilyAdapter } from "./types.ts";

/** The AF_INET adapter. */
export const inet: FamilyAdapter = {
  family: AF_INET,
  name: "AF_INET",
  stream_transport: "tcp",
  dgram_transport: "udp",
  unbound: ["0.0.0.0", 0] as InetAddress,
  parse(address: unknown, op: string): Endpoint {
    if (!Array.isArray(address)) {
      throw new TypeError(
        `${op}(): AF_INET address must be tuple, not ${py_type(address)}`,
      );
    }
    if (address.length !== 2) {
      throw new TypeError("AF_INET address must be a pair (host, port)");
    }
    let hostname = inet_host_of(check_host(address[0]));
    const port = as_int(address[1]);
    if (hostname === "") hostname = "0.0.0.0";
    else if (hostname === "<broadcast>") hostname = "255.255.255.255";
    // CPython's setipaddr() runs before the port's range check: a literal of the other family is its gaierror
    // first (A27-3). A name is not resolved here.
    else this.is_literal(hostname);
    return { kind: "ip", hostname, port: check_port_range(port, op), flowinfo: 0, scope_id: 0 };
  },
  from_deno(addr): InetAddress {
    if (!addr || !("hostname" in addr)) return ["0.0.0.0", 0];
    return [addr.hostname, addr.port];
  },
  is_literal(hostname: string): boolean {
    return literal_check(
      hostname,
      is_ipv4,
      (h) => parse_ipv6(strip_zone(h)) !== null,
    );
  },
};

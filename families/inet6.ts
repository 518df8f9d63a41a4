// AF_INET6: addresses are [host, port, flowinfo, scope_id]; input may omit
// the last two.

import { AF_INET6 } from "../constants.ts";
import { OSError } from "../errors.ts";
import type { Inet6Address } from "../types.ts";
import {
  as_int,
  check_host,
  check_port_range,
  is_ipv4_any,
  literal_check,
  parse_ipv4,
  parse_ipv6,
  py_type,
  strip_zone,
} from "./_ip.ts";
import type { Endpoint, FamilyAdapter } from "./types.ts";
import { c_uint_mask } from "../_args.ts";

const SHAPE = "AF_INET6 address must be a tuple (host, port[, flowinfo[, scopeid]])";

/** The AF_INET6 adapter. */
export const inet6: FamilyAdapter = {
  family: AF_INET6,
  name: "AF_INET6",
  stream_transport: "tcp",
  dgram_transport: "udp",
  unbound: ["::", 0, 0, 0] as Inet6Address,
  parse(address: unknown, op: string): Endpoint {
    if (!Array.isArray(address)) {
      throw new TypeError(
        `${op}(): AF_INET6 address must be tuple, not ${py_type(address)}`,
      );
    }
    if (address.length < 2 || address.length > 4) throw new TypeError(SHAPE);
    let hostname = check_host(address[0]);
    const port = as_int(address[1]);
    // CPython reads flowinfo as "I": any int, taken modulo 2**32 (-1 is 4294967295, refused; 2**32 is 0) (A18c-6).
    const flowinfo = address.length > 2 ? c_uint_mask(address[2]) : 0;
    // CPython 3.11 reads scope_id as "I": any int, taken modulo 2**32.
    const scope_id = address.length > 3 ? Number(BigInt.asUintN(32, BigInt(as_int(address[3])))) : 0;
    // Then setipaddr() (the host's family; a name is not resolved here), then the ranges (A27-3).
    if (hostname === "") hostname = "::";
    else if (hostname === "<broadcast>") throw new OSError(null, "address family mismatched"); // CPython's setipaddr
    else this.is_literal(hostname);
    check_port_range(port, op);
    if (flowinfo > 0xfffff) {
      throw new RangeError(`${op}(): flowinfo must be 0-1048575.`);
    }
    return { kind: "ip", hostname, port, flowinfo, scope_id };
  },
  from_deno(addr): Inet6Address {
    if (!addr || !("hostname" in addr)) return ["::", 0, 0, 0];
    let host = addr.hostname;
    let scope = 0;
    const z = host.indexOf("%");
    if (z >= 0) {
      scope = Number(host.slice(z + 1)) || 0;
      host = host.slice(0, z);
    }
    // Deno reports an IPv4 peer of a dual-stack listener in mapped form already;
    // a plain dotted quad here comes from an IPv4 socket and is mapped as the kernel would.
    if (parse_ipv4(host)) host = `::ffff:${host}`;
    return [host, addr.port, 0, scope];
  },
  is_literal(hostname: string): boolean {
    return literal_check(
      hostname,
      (h) => parse_ipv6(strip_zone(h)) !== null,
      is_ipv4_any,
    );
  },
};

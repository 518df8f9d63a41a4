// SOCK_DGRAM sockets over Deno.listenDatagram (udp, unixpacket).
// Placeholder until the datagram engine lands: creating one raises.

import { errno, OSError } from "./errors.ts";
import type { DatagramEngine } from "./_engine.ts";
import type { FamilyAdapter } from "./families/types.ts";

/** Make the datagram engine for a family. */
export function create_datagram_engine(
  _adapter: FamilyAdapter,
): DatagramEngine {
  throw new OSError(
    errno.EOPNOTSUPP,
    "datagram sockets are not implemented yet",
  );
}

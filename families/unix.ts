// AF_UNIX: the address is the socket's path ("" when unbound; a leading NUL
// names an abstract socket).

import { AF_UNIX } from "../constants.ts";
import { errno, OSError } from "../errors.ts";
import { py_type } from "./_ip.ts";
import type { Endpoint, FamilyAdapter } from "./types.ts";

const MAX_PATH = 108;

/** The AF_UNIX adapter. */
export const unix: FamilyAdapter = {
  family: AF_UNIX,
  name: "AF_UNIX",
  stream_transport: "unix",
  dgram_transport: "unixpacket",
  unbound: "",
  parse(address: unknown, _op: string): Endpoint {
    let path: string;
    if (typeof address === "string") path = address;
    else if (address instanceof Uint8Array) {
      path = new TextDecoder().decode(address);
    } else {throw new TypeError(
        `a bytes-like object is required, not '${py_type(address)}'`,
      );}
    const len = new TextEncoder().encode(path).length;
    if (len >= MAX_PATH && !(path.startsWith("\0") && len <= MAX_PATH)) {
      throw new OSError(null, "AF_UNIX path too long");
    }
    if (path.length === 0) throw new OSError(errno.EINVAL);
    return { kind: "unix", path };
  },
  from_deno(addr): string {
    if (
      !addr || (addr.transport !== "unix" && addr.transport !== "unixpacket")
    ) return "";
    return addr.path ?? "";
  },
  is_literal(): boolean {
    return true;
  },
};

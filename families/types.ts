// The FamilyAdapter interface: one object per address family turns a Python
// address into what Deno's API takes, and a Deno address back into Python's
// shape. socket.ts never switches on the family; it asks an adapter.

import type { Address } from "../types.ts";

/** A validated, normalised endpoint, ready for Deno. */
export type Endpoint =
  | {
    readonly kind: "ip";
    /** Host as given ('' and '<broadcast>' already replaced); may be a name. */
    readonly hostname: string;
    readonly port: number;
    readonly flowinfo: number;
    readonly scope_id: number;
  }
  | {
    readonly kind: "unix";
    /** The path Deno gets (a relative bind path made absolute). */
    readonly path: string;
    /** The path as the caller gave it, when it differs (getsockname() reports it). */
    readonly shown?: string;
  };

/** What every family adapter provides. */
export interface FamilyAdapter {
  /** The AF_* number. */
  readonly family: number;
  /** "AF_INET", "AF_INET6" or "AF_UNIX". */
  readonly name: string;
  /** Deno transport for SOCK_STREAM and for SOCK_DGRAM. */
  readonly stream_transport: "tcp" | "unix";
  readonly dgram_transport: "udp" | "unixpacket";
  /** What getsockname() says of an unbound socket. */
  readonly unbound: Address;
  /**
   * Validate a Python address for this family (TypeError for a wrong shape,
   * RangeError for an out-of-range number, OSError for a bad path).
   * @param address the caller's address.
   * @param op the method name, for messages: "connect", "bind", "sendto".
   */
  parse(address: unknown, op: string): Endpoint;
  /** Turn a Deno address into this family's Python address. */
  from_deno(addr: Deno.Addr | null | undefined): Address;
  /**
   * Check that a literal IP host belongs to this family: returns true for a
   * literal of this family, false for a name that needs resolving, and
   * throws gaierror(EAI_ADDRFAMILY) for a literal of the other family.
   */
  is_literal(hostname: string): boolean;
}

/** Python's repr() of an address, for messages: ('127.0.0.1', 80) or '/path'. */
export function format_address(address: Address): string {
  if (typeof address === "string") return `'${address}'`;
  return "(" +
    address.map((v) => typeof v === "string" ? `'${v}'` : String(v)).join(
      ", ",
    ) + ")";
}

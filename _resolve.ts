// Host name resolution for connect/sendto: the system resolver (getaddrinfo
// through Deno's node:dns, so /etc/hosts and nsswitch apply), one family.

import { lookup } from "node:dns";
import { errno, gaierror, PermissionError } from "./errors.ts";
import { EAI_AGAIN, EAI_FAIL, EAI_NODATA, EAI_NONAME } from "./constants.ts";

const DNS_CODES: Readonly<Record<string, number>> = {
  ENOTFOUND: EAI_NONAME,
  EAI_NONAME: EAI_NONAME,
  ENODATA: EAI_NODATA,
  EAI_NODATA: EAI_NODATA,
  EAI_AGAIN: EAI_AGAIN,
  ETIMEOUT: EAI_AGAIN,
  EAI_FAIL: EAI_FAIL,
  ESERVFAIL: EAI_FAIL,
};

/** Map a node:dns failure to Python's gaierror (or PermissionError). */
export function map_dns_error(e: unknown, host: string): Error {
  const code = (e as { code?: string }).code ?? "";
  if (code === "EPERM" || e instanceof Deno.errors.NotCapable) {
    return new PermissionError(
      errno.EACCES,
      `Permission denied (${(e as Error).message})`,
      {
        detail: `resolve ${host}`,
        cause: e,
      },
    );
  }
  return new gaierror(DNS_CODES[code] ?? EAI_NONAME, null, { cause: e });
}

/**
 * Resolve a host name to every address of the family (4 or 6, 0 for both),
 * in the system resolver's order.
 */
export function lookup_all(
  host: string,
  family: 0 | 4 | 6,
): Promise<{ address: string; family: number }[]> {
  return new Promise((resolve, reject) => {
    lookup(host, { family, all: true }, (err, addrs) => {
      if (err) reject(map_dns_error(err, host));
      else if (!addrs || addrs.length === 0) reject(new gaierror(EAI_NONAME));
      else resolve(addrs as { address: string; family: number }[]);
    });
  });
}

/** Resolve a host name to its first address of one family. */
export async function resolve_host(
  host: string,
  family: 4 | 6,
): Promise<string> {
  const addrs = await lookup_all(host, family);
  return addrs[0]!.address;
}

// Host name resolution: the system resolver (getaddrinfo through Deno's
// node:dns `lookup`, so /etc/hosts and nsswitch apply), getnameinfo through
// `lookupService` for reverse lookups, and /etc/hosts itself for what
// node:dns does not report (canonical names and aliases).

import { errno, gaierror, PermissionError } from "./errors.ts";
import { EAI_AGAIN, EAI_FAIL, EAI_NODATA, EAI_NONAME } from "./constants.ts";
import { parse_ipv4, parse_ipv6, strip_zone } from "./families/_ip.ts";
import { platform } from "./_platform.ts";

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
  if (code === "EPERM" || (typeof Deno === "object" && e instanceof Deno.errors.NotCapable)) {
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

/** One resolved address, as node:dns reports it. */
export interface LookupAddress {
  address: string;
  family: number;
}

/** A resolver with `lookup_all`'s contract (the seam tests use). */
export type Lookup = (host: string, family: 0 | 4 | 6) => Promise<LookupAddress[]>;

/** node:dns, loaded on the first lookup: importing pysocket loads no node: module (startup time). */
let node_dns: Promise<typeof import("node:dns")> | null = null;
function dns(): Promise<typeof import("node:dns")> {
  return node_dns ??= import("node:dns");
}

async function system_lookup(host: string, family: 0 | 4 | 6): Promise<LookupAddress[]> {
  const { lookup } = await dns();
  return new Promise((resolve, reject) => {
    lookup(host, { family, all: true, verbatim: true }, (err, addrs) => {
      if (err) reject(map_dns_error(err, host));
      else if (!addrs || addrs.length === 0) reject(new gaierror(EAI_NONAME));
      else resolve(addrs as LookupAddress[]);
    });
  });
}

let test_lookup: Lookup | null = null;

/**
 * Internal, for tests only: resolve names through `fn` instead of the
 * system resolver (null restores it). No name on this machine resolves to
 * both families, so Happy Eyeballs tests feed their own list.
 */
export function _set_lookup_for_tests(fn: Lookup | null): void {
  test_lookup = fn;
}

/**
 * Resolve a host name to every address of the family (4 or 6, 0 for both),
 * in the system resolver's order.
 */
export function lookup_all(host: string, family: 0 | 4 | 6): Promise<LookupAddress[]> {
  if (test_lookup) return test_lookup(host, family);
  return system_lookup(host, family);
}

/** Resolve a host name to its first address of one family. */
export async function resolve_host(
  host: string,
  family: 4 | 6,
): Promise<string> {
  const addrs = await lookup_all(host, family);
  return addrs[0]!.address;
}

/** One /etc/hosts line: the address bytes and the names (official first). */
interface HostsEntry {
  bytes: Uint8Array;
  names: string[];
}

/**
 * The hosts file (/etc/hosts; on Windows, System32\\drivers\\etc\\hosts),
 * parsed; empty when the file is absent or its read permission is not
 * granted already: the permission is queried first, so a lookup never
 * prompts on a terminal (nor fails without one) for a file it can do without.
 */
function hosts(): HostsEntry[] {
  const path = platform().netdb.hosts;
  let text: string;
  try {
    if (path === null || Deno.permissions.querySync({ name: "read", path }).state !== "granted") return [];
    text = Deno.readTextFileSync(path);
  } catch {
    return [];
  }
  const out: HostsEntry[] = [];
  for (const line of text.split(/\r?\n/)) {
    const body = line.replace(/#.*/, "");
    const f = body.split(/[ \t]+/).filter((x) => x !== "");
    if (f.length < 2) continue;
    const bytes = parse_ipv4(f[0]!) ?? parse_ipv6(strip_zone(f[0]!));
    if (bytes) out.push({ bytes, names: f.slice(1) });
  }
  return out;
}

/** The official name /etc/hosts gives `host` (its first matching line), or null. */
export function hosts_canonical_name(host: string): string | null {
  const h = host.toLowerCase();
  for (const e of hosts()) {
    if (e.names.some((n) => n.toLowerCase() === h)) return e.names[0]!;
  }
  return null;
}

/** Name and aliases of the first matching /etc/hosts line (by name, of one address length), or null. */
export function hosts_by_name(host: string, length: 4 | 16): { name: string; aliases: string[] } | null {
  const h = host.toLowerCase();
  for (const e of hosts()) {
    if (e.bytes.length === length && e.names.some((n) => n.toLowerCase() === h)) {
      return { name: e.names[0]!, aliases: e.names.slice(1) };
    }
  }
  return null;
}

function same_bytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Reverse lookup of an address: /etc/hosts first (which gives the
 * aliases), then the system's getnameinfo (node:dns `lookupService`).
 * Null when no name is known.
 */
export async function reverse_lookup(
  ip: string,
  bytes: Uint8Array,
): Promise<{ name: string; aliases: string[] } | null> {
  for (const e of hosts()) {
    if (same_bytes(e.bytes, bytes)) return { name: e.names[0]!, aliases: e.names.slice(1) };
  }
  if (test_lookup) return null;
  const { lookupService } = await dns();
  const name = await new Promise<string | null>((resolve, reject) => {
    try {
      lookupService(ip, 0, (err, hostname) => {
        if (!err) resolve(hostname === ip ? null : hostname);
        else if ((err as { code?: string }).code === "EPERM") reject(map_dns_error(err, ip));
        else resolve(null);
      });
    } catch (e) {
      if (typeof Deno === "object" && e instanceof Deno.errors.NotCapable) reject(map_dns_error(e, ip));
      else resolve(null);
    }
  });
  return name === null ? null : { name, aliases: [] };
}

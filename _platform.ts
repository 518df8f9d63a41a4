// The platform facts pysocket depends on, chosen once from Deno.build.os: one
// code path per fact instead of `if (os === ...)` scattered through the
// modules. Tests swap them (_set_platform_for_tests) to run each platform's
// branch on Linux, as the resolver seam does for Happy Eyeballs.
//
// What each fact stands for, and where it was observed or read, is in
// docs/platforms.md.

import { BSD_TO_LINUX, DARWIN_TO_LINUX, WINDOWS_TO_LINUX } from "./_errno_platforms.ts";
import { errno, OSError } from "./errors.ts";

/** Where the netdb files live (null: none, use the built-in tables). */
export interface NetdbFiles {
  readonly hosts: string | null;
  readonly services: string | null;
  readonly protocols: string | null;
}

/** What one platform gives pysocket. */
export interface PlatformFacts {
  /** Deno.build.os ("linux", "darwin", "windows", "freebsd", ...). */
  readonly os: string;
  /** Deno has AF_UNIX sockets here (not on Windows: denoland/deno#18236). */
  readonly unix_sockets: boolean;
  /** Abstract Unix names (a leading NUL) exist: Linux (and Android) only. */
  readonly abstract_names: boolean;
  /** sizeof(sun_path): 108 on Linux, 104 on macOS and the BSDs. */
  readonly unix_path_max: number;
  /** Deno honours `reusePort` (SO_REUSEPORT): Linux only, its docs say; ignored elsewhere. */
  readonly reuse_port: boolean;
  /** A `::` listener refuses IPv4 (IPV6_V6ONLY left on): Windows (denoland/deno#36168). */
  readonly v6only: boolean;
  /** socketpair()'s default family: AF_UNIX (1), or AF_INET (2) on Windows, as CPython. */
  readonly socketpair_family: number;
  /** Native "(os error N)" -> Linux errno; null where N is Linux's already; undefined where unknown. */
  readonly native_errno: Readonly<Record<number, number>> | null | undefined;
  /** Where /etc/hosts, /etc/services and /etc/protocols are. */
  readonly netdb: NetdbFiles;
  /** /sys/class/net lists the interfaces with their indexes (Linux). */
  readonly sys_class_net: boolean;
}

/**
 * OpenBSD and NetBSD share FreeBSD's numbers up to 66 (every socket error) only: above it NetBSD's 96 is EPROTO where
 * FreeBSD's is EOWNERDEAD, 92 ETIME where FreeBSD's is EPROTO, and so on (A18c-16). Unknown there: null, never another
 * error's number.
 */
const SHARED_BSD_TO_LINUX: Readonly<Record<number, number>> = Object.fromEntries(
  Object.entries(BSD_TO_LINUX).filter(([k]) => Number(k) <= 66),
);

const ETC: NetdbFiles = { hosts: "/etc/hosts", services: "/etc/services", protocols: "/etc/protocols" };
const WIN_ETC = "C:\\Windows\\System32\\drivers\\etc\\";

/** The facts of a platform named as Deno.build.os names it. */
export function facts_for(os: string): PlatformFacts {
  const linux = os === "linux" || os === "android";
  const windows = os === "windows";
  const darwin = os === "darwin";
  const bsd = os === "freebsd" || os === "openbsd" || os === "netbsd";
  return {
    os,
    unix_sockets: !windows,
    abstract_names: linux,
    unix_path_max: linux ? 108 : 104,
    reuse_port: linux,
    v6only: windows,
    socketpair_family: windows ? 2 : 1,
    native_errno: linux
      ? null
      : darwin
      ? DARWIN_TO_LINUX
      : os === "freebsd"
      ? BSD_TO_LINUX
      : bsd
      ? SHARED_BSD_TO_LINUX
      : windows
      ? WINDOWS_TO_LINUX
      : undefined,
    netdb: windows
      ? { hosts: `${WIN_ETC}hosts`, services: `${WIN_ETC}services`, protocols: `${WIN_ETC}protocol` }
      : ETC,
    sys_class_net: linux,
  };
}

/** The JavaScript runtime running pysocket: "deno", "node", "bun" or "unknown", with its version. */
export function runtime(): { name: "deno" | "node" | "bun" | "unknown"; version: string } {
  const g = globalThis as {
    Deno?: { version?: { deno?: string } };
    Bun?: { version?: string };
    process?: { versions?: { node?: string; bun?: string } };
  };
  if (g.Deno?.version?.deno) return { name: "deno", version: g.Deno.version.deno };
  if (g.Bun || g.process?.versions?.bun) {
    return { name: "bun", version: g.Bun?.version ?? g.process?.versions?.bun ?? "" };
  }
  if (g.process?.versions?.node) return { name: "node", version: g.process.versions.node };
  return { name: "unknown", version: "" };
}

let override: PlatformFacts | null = null;
let current: PlatformFacts | null = null;

/** The facts of the platform pysocket runs on (or the one a test chose). */
export function platform(): PlatformFacts {
  if (override) return override;
  if (current) return current;
  const os = (globalThis as { Deno?: { build?: { os?: string } } }).Deno?.build?.os ?? "unknown";
  return current = facts_for(os);
}

/**
 * Internal, for tests only: act as if running on `os` (null restores the
 * real platform). Only pysocket's own decisions change; the kernel stays Linux's.
 */
export function _set_platform_for_tests(os: string | PlatformFacts | null): void {
  override = os === null ? null : typeof os === "string" ? facts_for(os) : os;
}

/** True when the Deno namespace pysocket needs is here. */
export function has_deno(): boolean {
  return typeof (globalThis as { Deno?: unknown }).Deno === "object";
}

/**
 * Throw the OSError that says pysocket needs Deno, naming the runtime found
 * (Node and Bun import JSR packages; the socket calls need Deno's APIs).
 */
export function require_deno(what: string): void {
  if (has_deno()) return;
  const r = runtime();
  const found = r.name === "unknown"
    ? "a runtime without the Deno namespace"
    : `${r.name === "node" ? "Node.js" : "Bun"} ${r.version}`;
  throw new OSError(
    errno.EOPNOTSUPP,
    `${what} needs the Deno runtime (found ${found}); pysocket runs on Deno only for now`,
  );
}

/** The Linux errno of a native "(os error N)" number on this platform, or null when unknown. */
export function linux_errno(native: number): number | null {
  const t = platform().native_errno;
  if (t === null) return native;
  if (t === undefined) return null;
  return t[native] ?? null;
}

// AF_UNIX: the address is the socket's path ("" when unbound; a leading NUL
// names an abstract socket).

import { AF_UNIX } from "../constants.ts";
import { errno, OSError } from "../errors.ts";
import { platform } from "../_platform.ts";
import { py_type } from "./_ip.ts";
import { check_utf8 } from "../_args.ts";
import type { Endpoint, FamilyAdapter } from "./types.ts";

/** `path` made absolute against the current directory (as it is now); unchanged if Deno cannot say. */
function absolute(path: string): string {
  if (path.startsWith("/") || path.startsWith("\0")) return path;
  try {
    return `${Deno.cwd().replace(/\/$/, "")}/${path}`; // Deno 2.9 asks no permission for cwd()
  } catch {
    return path;
  }
}

/** Deno names a socket file by a string: a path whose bytes are not UTF-8 cannot be given to it. */
const UNDECODABLE =
  "AF_UNIX path: bytes that are not UTF-8 (or U+DC80-U+DCFF escapes of them) cannot be passed to Deno";

/** A fatal UTF-8 decoder that keeps a leading BOM (EF BB BF is part of the name, as for CPython's fsdecode). */
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * A str path with surrogateescape'd bytes (lone U+DC80..U+DCFF; check_utf8 has refused other lone surrogates)
 * made into the name those bytes are in UTF-8, as CPython's os.fsencode then the kernel's name read back; a
 * RangeError when the bytes are not UTF-8 (Deno takes names as strings).
 */
function fs_unescape(s: string): string {
  const bytes: number[] = [];
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch.length === 1 && c >= 0xdc80 && c <= 0xdcff) bytes.push(c - 0xdc00);
    else bytes.push(...ENCODER.encode(ch));
  }
  try {
    return UTF8.decode(new Uint8Array(bytes));
  } catch {
    throw new RangeError(UNDECODABLE);
  }
}
const ENCODER = new TextEncoder();

/** The AF_UNIX adapter. */
export const unix: FamilyAdapter = {
  family: AF_UNIX,
  name: "AF_UNIX",
  stream_transport: "unix",
  dgram_transport: "unixpacket",
  unbound: "",
  parse(address: unknown, op: string): Endpoint {
    let path: string;
    if (typeof address === "string") {
      // CPython encodes a str path with the file system encoding (UTF-8, surrogateescape) (A18c-13).
      check_utf8(address, true);
      // Lone U+DC80..U+DCFF are surrogateescape'd bytes (os.fsdecode's): the name is the bytes they stand for,
      // which Deno can take when they are UTF-8 (C2-4: testSurrogateescapeBind).
      path = /[\udc80-\udcff]/.test(address) ? fs_unescape(address) : address;
    } else if (address instanceof Uint8Array) {
      try {
        path = UTF8.decode(address);
      } catch {
        throw new RangeError(UNDECODABLE); // was decoded with U+FFFD: another path than CPython's (A18c-13)
      }
    } else {throw new TypeError(
        `a bytes-like object is required, not '${py_type(address)}'`,
      );}
    // A path (not an abstract name) ends at its first NUL, as the kernel reads sun_path.
    const nul = path.indexOf("\0");
    if (nul > 0) path = path.slice(0, nul);
    const max = platform().unix_path_max;
    const len = new TextEncoder().encode(path).length;
    if (len >= max && !(path.startsWith("\0") && len <= max)) {
      throw new OSError(null, "AF_UNIX path too long");
    }
    if (path.length === 0) {
      // Linux autobinds bind("") to an abstract name of five hex digits (other systems: EINVAL).
      if (op !== "bind" || !platform().abstract_names) throw new OSError(errno.EINVAL);
      const hex = crypto.getRandomValues(new Uint32Array(1))[0]! & 0xfffff;
      return { kind: "unix", path: `\0${hex.toString(16).padStart(5, "0")}` };
    }
    if (path.startsWith("\0") && !platform().abstract_names) {
      // No abstract namespace here: the kernel would take the NUL as the end of an empty path.
      throw new OSError(errno.ENOENT, null, {
        detail: `abstract Unix names exist only on Linux, not ${platform().os}`,
      });
    }
    // A listener's path is made absolute when bound, so closing it after a chdir
    // never deletes a file in another directory (Deno deletes it on close); `shown`
    // is what getsockname() reports, as given (CPython).
    if (op === "bind") {
      const abs = absolute(path);
      // Too long once absolute (a deep cwd): keep it relative, as the kernel takes it.
      if (abs !== path && new TextEncoder().encode(abs).length < max) return { kind: "unix", path: abs, shown: path };
    }
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

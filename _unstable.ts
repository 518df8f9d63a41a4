// Feature detection that never calls an unstable API: Deno ends the process
// when one is called without --unstable-net.

import { errno, OSError } from "./errors.ts";

/** True when Deno runs with --unstable-net (Deno.listenDatagram exists). */
export function has_unstable_net(): boolean {
  return typeof (Deno as { listenDatagram?: unknown }).listenDatagram ===
    "function";
}

/** Throw the OSError that names the missing flag. */
export function require_unstable_net(what: string): void {
  if (!has_unstable_net()) {
    throw new OSError(
      errno.EPROTONOSUPPORT,
      `${what} needs Deno's --unstable-net flag (run: deno run --unstable-net ...)`,
    );
  }
}

/** Throw a clear OSError where the runtime has no server sockets (edge runtimes). */
export function require_listen(what: string): void {
  if (typeof (Deno as { listen?: unknown }).listen !== "function") {
    throw new OSError(
      errno.EOPNOTSUPP,
      `${what} needs Deno.listen, which this runtime does not provide`,
    );
  }
}

// AF_* -> adapter: the only family lookup socket.ts does.

import { AF_UNIX } from "../constants.ts";
import { errno, OSError } from "../errors.ts";
import { platform, require_deno } from "../_platform.ts";
import { inet } from "./inet.ts";
import { inet6 } from "./inet6.ts";
import { unix } from "./unix.ts";
import type { FamilyAdapter } from "./types.ts";

const ADAPTERS: ReadonlyMap<number, FamilyAdapter> = new Map(
  [inet, inet6, unix].map((a) => [a.family, a]),
);

/**
 * The adapter of a family, or OSError(EAFNOSUPPORT) as socket() raises
 * (AF_UNIX included where Deno has no Unix sockets: Windows). Outside Deno
 * (Node, Bun), an OSError that names the runtime found.
 */
export function adapter_for(family: number): FamilyAdapter {
  require_deno("socket()");
  const a = ADAPTERS.get(family);
  if (!a) throw new OSError(errno.EAFNOSUPPORT);
  if (family === AF_UNIX && !platform().unix_sockets) {
    throw new OSError(errno.EAFNOSUPPORT, null, {
      detail: `AF_UNIX: Deno has no Unix sockets on ${platform().os} (denoland/deno#18236)`,
    });
  }
  return a;
}

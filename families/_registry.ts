// AF_* -> adapter: the only family lookup socket.ts does.

import { errno, OSError } from "../errors.ts";
import { inet } from "./inet.ts";
import { inet6 } from "./inet6.ts";
import { unix } from "./unix.ts";
import type { FamilyAdapter } from "./types.ts";

const ADAPTERS: ReadonlyMap<number, FamilyAdapter> = new Map(
  [inet, inet6, unix].map((a) => [a.family, a]),
);

/** The adapter of a family, or OSError(EAFNOSUPPORT) as socket() raises. */
export function adapter_for(family: number): FamilyAdapter {
  const a = ADAPTERS.get(family);
  if (!a) throw new OSError(errno.EAFNOSUPPORT);
  return a;
}

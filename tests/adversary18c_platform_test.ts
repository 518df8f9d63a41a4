// adv18c: the code paths chosen by Deno.build.os, run on Linux through the platform seam (_set_platform_for_tests).
// A18c-16: OpenBSD and NetBSD used FreeBSD's errno table whole, but they share FreeBSD's numbers up to 66 only:
//   NetBSD's "(os error 96)" (EPROTO) was reported as EOWNERDEAD, its 92 (ETIME) as EPROTO, its 89 (ENODATA) as
//   EBADMSG. Now a number above 66 is unknown there (no errno from the number), never another error's.
// The Linux numbers come from python3's errno module; the native ones are the platforms' <sys/errno.h>.

import assert from "node:assert/strict";
import { OSError } from "../mod.ts";
import { map_error } from "../_map_error.ts";
import { _set_platform_for_tests } from "../_platform.ts";
import { python_json } from "./_twin.ts";

function errno_on(os: string, native: number): number | null {
  _set_platform_for_tests(os);
  try {
    return (map_error(new Error(`x (os error ${native})`)) as OSError).errno ?? null;
  } finally {
    _set_platform_for_tests(null);
  }
}

/** [os, native number, the error's name there] (NetBSD and FreeBSD <sys/errno.h>, macOS XNU, Winsock). */
const ROWS: [string, number, string][] = [
  ["netbsd", 61, "ECONNREFUSED"],
  ["netbsd", 35, "EAGAIN"],
  ["netbsd", 54, "ECONNRESET"],
  ["openbsd", 60, "ETIMEDOUT"],
  ["openbsd", 65, "EHOSTUNREACH"],
  ["freebsd", 92, "EPROTO"],
  ["freebsd", 96, "EOWNERDEAD"],
  ["freebsd", 45, "EOPNOTSUPP"],
  ["darwin", 61, "ECONNREFUSED"],
  ["darwin", 100, "EPROTO"],
  ["darwin", 102, "EOPNOTSUPP"],
  ["windows", 10061, "ECONNREFUSED"],
  ["windows", 10035, "EAGAIN"],
];

/** NetBSD numbers above 66 whose FreeBSD meaning differs: they must not be read as FreeBSD's. */
const NETBSD_ABOVE_66: [number, string][] = [[85, "EILSEQ"], [86, "ENOTSUP"], [89, "ENODATA"], [92, "ETIME"], [
  96,
  "EPROTO",
]];

Deno.test("adv18c platform: native errno numbers map to Linux's by each platform's own table (A18c-16)", async () => {
  const names = [...new Set([...ROWS.map((r) => r[2]), ...NETBSD_ABOVE_66.map((r) => r[1])])];
  const linux = await python_json(
    `import errno, json, sys; print(json.dumps({n: getattr(errno, n) for n in json.load(sys.stdin)}))`,
    names,
  ) as Record<string, number>;
  for (const [os, native, name] of ROWS) assert.equal(errno_on(os, native), linux[name], `${os} ${native} ${name}`);
  for (const [native, name] of NETBSD_ABOVE_66) {
    const got = errno_on("netbsd", native);
    assert.ok(got === null || got === linux[name], `netbsd ${native} (${name}) read as ${got}`);
  }
});

// A18c-17 (fixed by fix19c in tools/gen_errno_platforms.py): CPython's winerror_to_errno (PC/errmap.h) maps Win32's
// ERROR_SHARING_VIOLATION (32) to EACCES and ERROR_FILENAME_EXCED_RANGE (206) to ENOENT.
Deno.test({
  name: "adv18c platform: Win32 errors 32 and 206 map as CPython's PC/errmap.h (A18c-17)",
  fn: async () => {
    const linux = await python_json(
      `import errno, json, sys; print(json.dumps([errno.EACCES, errno.ENOENT]))`,
      null,
    ) as number[];
    assert.deepEqual([errno_on("windows", 32), errno_on("windows", 206)], linux);
  },
});

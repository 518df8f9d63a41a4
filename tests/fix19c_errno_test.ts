// fix19c: Windows' Win32 error numbers map to the errno CPython's winerror_to_errno (PC/errmap.h) gives them
// (A18c-17: 32 ERROR_SHARING_VIOLATION is EACCES, 206 ERROR_FILENAME_EXCED_RANGE is ENOENT), and the generated table
// is what tools/gen_errno_platforms.py makes. The Linux numbers come from python3's errno module.

import assert from "node:assert/strict";
import { OSError } from "../mod.ts";
import { map_error } from "../_map_error.ts";
import { _set_platform_for_tests } from "../_platform.ts";
import { WINDOWS_TO_LINUX } from "../_errno_platforms.ts";
import { python_json } from "./_twin.ts";

function errno_on(os: string, native: number): number | null {
  _set_platform_for_tests(os);
  try {
    return (map_error(new Error(`x (os error ${native})`)) as OSError).errno ?? null;
  } finally {
    _set_platform_for_tests(null);
  }
}

/** The Win32 errors of the table, as CPython 3.11's PC/errmap.h names them (its case labels, by number). */
const ERRMAP: Record<number, string> = {
  2: "ENOENT", // ERROR_FILE_NOT_FOUND
  3: "ENOENT", // ERROR_PATH_NOT_FOUND
  5: "EACCES", // ERROR_ACCESS_DENIED
  6: "EBADF", // ERROR_INVALID_HANDLE
  8: "ENOMEM", // ERROR_NOT_ENOUGH_MEMORY
  32: "EACCES", // ERROR_SHARING_VIOLATION (A18c-17: was EBUSY)
  80: "EEXIST", // ERROR_FILE_EXISTS
  87: "EINVAL", // ERROR_INVALID_PARAMETER
  109: "EPIPE", // ERROR_BROKEN_PIPE
  183: "EEXIST", // ERROR_ALREADY_EXISTS
  206: "ENOENT", // ERROR_FILENAME_EXCED_RANGE (A18c-17: was ENAMETOOLONG)
  232: "EPIPE", // ERROR_NO_DATA
};
/** Win32 errors errmap.h does not list (EINVAL there): named by the WSAE* error CPython's socket module sees. */
const SOCKET_ONLY = [995, 1225, 1231, 1232, 1236];

Deno.test("fix19c A18c-17: every Win32 error of the Windows table maps as CPython's PC/errmap.h", async () => {
  const linux = await python_json(
    `import errno, json, sys; print(json.dumps({n: getattr(errno, n) for n in json.load(sys.stdin)}))`,
    [...new Set(Object.values(ERRMAP))],
  ) as Record<string, number>;
  const win32 = Object.keys(WINDOWS_TO_LINUX).map(Number).filter((n) => n < 10000);
  assert.deepEqual(win32.filter((n) => !(n in ERRMAP)).sort((a, b) => a - b), SOCKET_ONLY);
  const got = Object.fromEntries(Object.keys(ERRMAP).map((n) => [n, errno_on("windows", Number(n))]));
  const want = Object.fromEntries(Object.entries(ERRMAP).map(([n, name]) => [n, linux[name]]));
  assert.deepEqual(got, want);
});

Deno.test("fix19c A18c-17: _errno_platforms.ts is what tools/gen_errno_platforms.py generates", async () => {
  const dir = await Deno.makeTempDir({ prefix: "fix19c-gen-" });
  try {
    await Deno.mkdir(`${dir}/tools`);
    await Deno.copyFile(new URL("../tools/gen_errno_platforms.py", import.meta.url), `${dir}/tools/gen.py`);
    const out = await new Deno.Command("python3", { args: [`${dir}/tools/gen.py`], stdout: "null", stderr: "piped" })
      .output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const text = await Deno.readTextFile(`${dir}/_errno_platforms.ts`);
    const body = /WINDOWS_TO_LINUX[^{]*=\s*\{([^}]*)\}/.exec(text)?.[1] ?? "";
    const generated = Object.fromEntries(body.split(",").map((kv) => kv.split(":").map((x) => Number(x.trim()))));
    assert.deepEqual(generated, { ...WINDOWS_TO_LINUX });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// tools/doctest.ts on a small fixture package (a temp dir): its extractor finds exactly Deno's snippets (names
// `<file>#<a>-<b>.<ext>`), turns renamed, default, namespace, multi-line, type-only and side-effect imports into
// per-test bindings (two snippets bind one name to different values in one module), injects the source file's
// exports as Deno does, and a failing snippet fails the run naming `lib.ts#a-b.ts` and its source line.

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  compare_lists,
  extract_snippets,
  read_resolver,
  snippet_name,
  transform,
  value_exports,
} from "../tools/doctest.ts";

const TOOL = fileURLToPath(new URL("../tools/doctest.ts", import.meta.url));

const DENO_JSON = JSON.stringify({ name: "@fx/pkg", exports: { ".": "./lib.ts", "./extra": "./extra.ts" } });
const EXTRA_TS = "/** Three. */\nexport const THREE = 3;\n";
const SIDE_TS = "(globalThis as { fx_side?: number }).fx_side = 1;\nexport {};\n";
const LIB_TS = `/**
 * A fixture for tools/doctest.ts.
 *
 * @example Renamed and multi-line imports
 * \`\`\`ts
 * import { add as plus, ONE } from "@fx/pkg";
 * import {
 *   add,
 *   type Pair,
 *   ONE as one,
 * } from "./lib.ts";
 * const p: Pair = [plus(ONE, 1), add(one, 2)];
 * if (p[0] !== 2 || p[1] !== 3) throw new Error(\`renamed: \${p}\`);
 * \`\`\`
 *
 * @example Default, namespace and type imports; \`plus\` bound to another value than above
 * \`\`\`ts
 * import greet, { TWO as plus } from "./lib.ts";
 * import * as extra from "@fx/pkg/extra";
 * import type { Pair } from "@fx/pkg";
 * const q: Pair = [plus, extra.THREE];
 * if (greet("x") !== "hello x" || q[0] !== 2 || q[1] !== 3) throw new Error("default/namespace");
 * \`\`\`
 *
 * @example The file's exports without an import (Deno injects them), a side-effect import, an export, a # line
 * \`\`\`ts
 * import "./side.ts";
 * # const hidden = 1;
 * export function twice(n: number): number {
 *   return add(n, n);
 * }
 * if (twice(ONE) !== 2 || hidden !== 1) throw new Error("auto-import");
 * if ((globalThis as { fx_side?: number }).fx_side !== 1) throw new Error("side effect");
 * const { THREE } = await import("./extra.ts");
 * if (THREE !== 3) throw new Error("dynamic import");
 * \`\`\`
 *
 * \`\`\`ts ignore
 * throw new Error("an ignored block must not run");
 * \`\`\`
 *
 * \`\`\`sh
 * echo "not a snippet: not ts/js"
 * \`\`\`
 *
 * @module
 */

/** A pair. */
export type Pair = [number, number];
/** One. */
export const ONE = 1;
/** Two. */
export const TWO = 2;

/**
 * Adds.
 *
 * @example
 * \`\`\`ts
 * import { add } from "@fx/pkg";
 * const sum = add(2, 2);
 * if (sum !== 5) throw new Error(\`add(2, 2) is \${sum}, not 5\`);
 * \`\`\`
 */
export function add(a: number, b: number): number {
  return a + b;
}

/** Greets. */
export default function greet(name: string): string {
  return \`hello \${name}\`;
}
`;

/** The fixture's snippet names, from its fences (the closing fence's next line ends the range, as in Deno). */
function expected_names(src: string): string[] {
  const lines = src.split("\n");
  const names: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = lines[i]!.match(/^ \* ```(ts)$/);
    if (!open) continue;
    let close = i + 1;
    while (lines[close] !== " * ```") close++;
    names.push(`lib.ts#${i + 1}-${close + 2}.${open[1]}`);
  }
  return names;
}

async function fixture(nonce: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "doctest_tool_test_" });
  await Deno.writeTextFile(`${dir}/deno.json`, DENO_JSON);
  await Deno.writeTextFile(`${dir}/extra.ts`, EXTRA_TS);
  await Deno.writeTextFile(`${dir}/side.ts`, SIDE_TS);
  // The nonce makes the type check a new one (not cached), so Deno prints its `Check` lines.
  await Deno.writeTextFile(`${dir}/lib.ts`, `${LIB_TS}// ${nonce}\n`);
  return dir;
}

async function run_tool(dir: string, args: string[]): Promise<{ code: number; out: string }> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", TOOL, ...args],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    signal: AbortSignal.timeout(60_000),
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout) + dec.decode(r.stderr) };
}

Deno.test("tools/doctest.ts: extractor and transformer on the fixture", async () => {
  const dir = await fixture("unit");
  try {
    const names = expected_names(LIB_TS);
    assert.equal(names.length, 4);
    const snippets = extract_snippets("lib.ts", LIB_TS);
    assert.deepEqual(snippets.map(snippet_name), names);
    // The `# ` prefix goes (as in rustdoc and Deno); code lines keep their source lines.
    assert.match(snippets[2]!.code, /^const hidden = 1;$/m);
    assert.deepEqual(snippets[0]!.src_lines[0], [6, 3]);

    const root = new URL(`file://${await Deno.realPath(dir)}/`);
    const src_url = new URL("lib.ts", root).href;
    const lib = src_url, extra = new URL("extra.ts", root).href, side = new URL("side.ts", root).href;
    const r = await read_resolver(root);
    const exports = value_exports(LIB_TS);
    assert.deepEqual([...exports.named].sort(), ["ONE", "TWO", "add"]);
    assert.equal(exports.default_name, "greet");

    const t = snippets.map((s) => transform(s, src_url, exports, r));
    const ns = (u: string) => `NS<${u}>`;
    // Renamed + multi-line (the inline `type Pair` is dropped); both specifiers resolve to lib.ts.
    assert.deepEqual(t[0]!.urls, [lib]);
    assert.deepEqual(t[0]!.prelude(ns), [
      `{ const { add: plus, ONE } = NS<${lib}>; const { add, ONE: one } = NS<${lib}>;`,
    ]);
    // Default + named, namespace (through deno.json exports), `import type` dropped.
    assert.deepEqual(t[1]!.urls, [lib, extra]);
    assert.deepEqual(t[1]!.prelude(ns), [
      `{ const { default: greet, TWO: plus } = NS<${lib}>; const extra = NS<${extra}>;`,
    ]);
    // Side-effect import (loaded, nothing bound), the file's exports it mentions, `export` removed,
    // `import("./extra.ts")` resolved against the source file.
    assert.deepEqual(t[2]!.urls, [lib, side]);
    assert.match(t[2]!.prelude(ns)[0]!, new RegExp(`^const \\{ ONE, add \\} = NS<${lib}>;`));
    assert.match(t[2]!.body, /^ {7}function twice/m);
    assert.ok(t[2]!.body.includes(`await import(${JSON.stringify(extra)})`));
    // Import lines are blanked, not removed: the body keeps the snippet's line count.
    for (const [k, s] of snippets.entries()) assert.equal(t[k]!.body.split("\n").length, s.code.split("\n").length);

    // The set comparison names what differs.
    compare_lists(names, [...names].reverse(), "Deno's");
    assert.throws(
      () => compare_lists(names.slice(1), names, "Deno's"),
      new RegExp(`Deno has, the extractor does not: ${names[0]}`),
    );
    assert.throws(() => compare_lists(names, names.slice(1), "Deno's"), /the extractor has, Deno does not/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tools/doctest.ts: runs the fixture's snippets, a failing one named file#a-b with its source line", async () => {
  const dir = await fixture(`run ${crypto.randomUUID()}`);
  try {
    const names = expected_names(LIB_TS);
    const failing = names[3]!;
    const fail_line = LIB_TS.split("\n").findIndex((l) => l.includes("throw new Error(`add(2, 2)")) + 1;

    // Not cached: Deno prints its Check lines, and they match. One module (the default).
    const first = await run_tool(dir, ["lib.ts", "extra.ts", "side.ts"]);
    assert.equal(first.code, 1, first.out);
    assert.match(
      first.out,
      /doctest: 4 snippets in 1 of 3 files, the same set as Deno's; type check ran \(4 Check lines match\)/,
    );
    for (const n of names) {
      const re = new RegExp(`${n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\.\\.\\. ${n === failing ? "FAILED" : "ok"}`);
      assert.match(first.out, re);
    }
    assert.match(first.out, /FAILED \| 3 passed \| 1 failed/);
    assert.match(first.out, /add\(2, 2\) is 4, not 5/);
    assert.match(first.out, new RegExp(`at fn \\(lib\\.ts:${fail_line}:\\d+\\)`));
    assert.doesNotMatch(first.out, /an ignored block must not run/);
    assert.match(first.out, /doctest: ran 4 snippets from 1 files as 1 test modules: FAILED \(exit 1\)/);

    // Cached: the list still comes from Deno (its extract log); one module per file.
    const second = await run_tool(dir, ["--modules", "0", "lib.ts", "extra.ts", "side.ts"]);
    assert.equal(second.code, 1, second.out);
    assert.match(second.out, /doctest: 4 snippets in 1 of 3 files, the same set as Deno's; type check cached/);
    assert.match(second.out, /FAILED \| 3 passed \| 1 failed/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// tools/doc_rewrite.ts on a scratch copy of the repository: after one run,
// every entry point passes `deno doc --lint` on its own, JSDoc examples import
// `@pysocket/socket…` (not relative paths), every public symbol has a
// @category, and a second run (`--check`) finds nothing to do.
//
// When the run rewrites nothing (the checkout is already jsr-ready, as on CI), the scratch copy is byte for byte the
// checkout, and `deno doc --lint` per entry point, `deno check` and `deno test --doc` over it are what .ci/run's own
// phases run on the checkout: the test then says so and leaves them to CI (they cost ~40 s here). When it rewrites
// anything, it runs them on the rewritten copy, as before.

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url)).replace(/\/$/, "");
const DENO = Deno.execPath();
const ENTRY_POINTS = ["mod.ts", "ssl.ts", "selectors.ts", "socketserver.ts"];

async function run(args: string[], cwd: string): Promise<{ code: number; out: string }> {
  const r = await new Deno.Command(DENO, {
    args,
    cwd,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
    signal: AbortSignal.timeout(120_000),
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout) + dec.decode(r.stderr) };
}

async function copy_tree(from: string, to: string): Promise<void> {
  for await (const e of Deno.readDir(from)) {
    if ([".git", "node_modules"].includes(e.name)) continue;
    const a = `${from}/${e.name}`, b = `${to}/${e.name}`;
    if (e.isDirectory) {
      await Deno.mkdir(b);
      await copy_tree(a, b);
    } else if (e.isFile) await Deno.copyFile(a, b);
  }
}

/** Files under `dir` whose bytes differ from the same path under `ref` (or that `ref` lacks). */
async function changed_files(dir: string, ref: string, rel = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(`${dir}${rel}`)) {
    const r = `${rel}/${e.name}`;
    if (e.isDirectory) out.push(...await changed_files(dir, ref, r));
    else if (e.isFile) {
      const a = await Deno.readFile(`${dir}${r}`);
      const b = await Deno.readFile(`${ref}${r}`).catch(() => null);
      if (b === null || a.length !== b.length || a.some((x, i) => x !== b[i])) out.push(r.slice(1));
    }
  }
  return out;
}

Deno.test("tools/doc_rewrite.ts: one run makes the docs jsr-ready, and a second run (--check) changes nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "doc_rewrite_test_" });
  try {
    await copy_tree(ROOT, dir);
    const first = await run(["run", "-A", "tools/doc_rewrite.ts", "--module-docs"], dir);
    assert.equal(first.code, 0, first.out);

    const check = await run(["run", "-A", "tools/doc_rewrite.ts", "--check"], dir);
    assert.equal(check.code, 0, `not idempotent:\n${check.out}`);
    assert.match(check.out, /files up to date/);

    // Nothing rewritten: the copy is the checkout, whose lint, type check and doc tests are CI phases of their own.
    const rewrote = await changed_files(dir, ROOT);
    if (rewrote.length === 0) {
      console.log("doc_rewrite changed no file: deno doc --lint, deno check and deno test --doc are .ci/run's phases");
    }

    for (const ep of ENTRY_POINTS) {
      if (rewrote.length) {
        const lint = await run(["doc", "--lint", ep], dir);
        assert.equal(lint.code, 0, `deno doc --lint ${ep} on its own:\n${lint.out}`);
      }

      const json = JSON.parse((await run(["doc", "--json", ep], dir)).out) as {
        nodes: Record<
          string,
          { symbols?: { name: string; declarations: { jsDoc?: { tags?: { kind: string }[] } }[] }[] }
        >;
      };
      for (const mod of Object.values(json.nodes)) {
        for (const s of mod.symbols ?? []) {
          const tagged = s.declarations.some((d) => d.jsDoc?.tags?.some((t) => t.kind === "category"));
          assert.ok(tagged, `${ep}: ${s.name} has no @category`);
        }
      }
    }

    // JSDoc example imports: only the published specifiers remain (what the tool cannot map, it names).
    const unresolved = [...first.out.matchAll(/left as is[^:]*: (\S+):\d+:/g)].map((m) => m[1]!);
    for await (const e of Deno.readDir(dir)) {
      if (!e.isFile || !e.name.endsWith(".ts")) continue;
      const text = await Deno.readTextFile(`${dir}/${e.name}`);
      for (const m of text.matchAll(/^\s*\*\s*import .* from "(\.[^"]+)"/gm)) {
        assert.ok(unresolved.includes(e.name), `${e.name}: relative example import ${m[1]} left without a report`);
      }
    }
    for await (const e of Deno.readDir(`${dir}/examples`)) {
      const text = await Deno.readTextFile(`${dir}/examples/${e.name}`);
      assert.doesNotMatch(text, /from "\.\.\/[a-z_]+\.ts"/, `examples/${e.name} still imports a relative path`);
    }

    // The rewritten files (the package's own .ts, families/, examples/; tests, bench and tools are not touched) still
    // type-check, and the companions' examples run.
    if (rewrote.length === 0) return;
    const rewritten = [
      ...[...Deno.readDirSync(dir)].filter((e) => e.isFile && e.name.endsWith(".ts")).map((e) => e.name),
      "families/",
      "examples/",
    ];
    const check_all = await run(["check", ...rewritten], dir);
    assert.equal(check_all.code, 0, check_all.out);
    const doctest = await run(
      [
        "test",
        "--doc",
        "--parallel",
        "-A",
        "--unstable-net",
        "--no-prompt",
        "mod.ts",
        "selectors.ts",
        "socketserver.ts",
      ],
      dir,
    );
    assert.equal(doctest.code, 0, doctest.out);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// Importing `mod.ts` or `selectors.ts` loads no `node:` module: Deno's node
// compatibility layer costs ~40 ms per isolate (a cold start in an edge
// service, every worker, every test module). node:net (a connect from a bound
// address) and node:dns (a name lookup) load on first use. This pins the
// static import graph, read from `deno info --json`: a `node:` import on a
// path that is not behind a dynamic `import()` fails it.

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

interface Dep {
  specifier: string;
  code?: { specifier?: string };
  type?: { specifier?: string };
  isDynamic?: boolean;
}
interface Info {
  roots: string[];
  modules: { specifier: string; dependencies?: Dep[] }[];
}

/** The `node:` modules reachable from `entry` through static (not dynamic, not type-only) imports, with a path. */
async function static_node_imports(entry: string): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: ROOT,
    env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as Info;
  const by = new Map(info.modules.map((m) => [m.specifier, m]));
  const found: string[] = [];
  const seen = new Set<string>();
  const walk = (spec: string, path: string[]) => {
    if (seen.has(spec)) return;
    seen.add(spec);
    for (const d of by.get(spec)?.dependencies ?? []) {
      if (d.isDynamic || d.code?.specifier === undefined) continue; // dynamic, or a type-only import
      const target = d.code.specifier;
      const here = [...path, target.replace(/^file:\/\/.*\//, "")];
      if (target.startsWith("node:")) found.push(here.join(" -> "));
      else walk(target, here);
    }
  };
  walk(info.roots[0]!, [entry]);
  return found;
}

for (const entry of ["mod.ts", "selectors.ts"]) {
  Deno.test(`importing ${entry} loads no node: module (they load on first use)`, async () => {
    assert.deepEqual(await static_node_imports(entry), []);
  });
}

Deno.test("the probe sees a static node: import (ssl.ts has node:tls)", async () => {
  const found = await static_node_imports("ssl.ts");
  assert.ok(found.some((p) => p.endsWith("node:tls")), found.join("\n"));
});

// Ready for JSR: the package publishes (no slow types), ships what users
// need and nothing else, and importing any entry point needs no permission
// and no flag and runs nothing.

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const DENO = Deno.execPath();

interface Config {
  name: string;
  version: string;
  license?: string;
  exports: Record<string, string>;
  publish?: { include?: string[]; exclude?: string[] };
}

async function config(): Promise<Config> {
  return JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
}

async function run(args: string[], cwd = ROOT): Promise<{ code: number; out: string; err: string }> {
  const out = await new Deno.Command(DENO, {
    args,
    cwd,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
    signal: AbortSignal.timeout(60_000), // a module that keeps the process alive fails here
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, out: dec.decode(out.stdout), err: dec.decode(out.stderr) };
}

Deno.test("deno.json: name, version, license and an exports map with every entry point that exists", async () => {
  const cfg = await config();
  assert.equal(cfg.name, "@pysocket/socket");
  assert.match(cfg.version, /^\d+\.\d+\.\d+/);
  assert.equal(cfg.license, "MIT");
  assert.equal(cfg.exports["."], "./mod.ts");
  // API.md's four entry points: each one must be exported once its file exists.
  for (
    const [name, file] of [["./socketserver", "socketserver.ts"], ["./ssl", "ssl.ts"], ["./selectors", "selectors.ts"]]
  ) {
    const exists = await Deno.stat(`${ROOT}${file}`).then(() => true, () => false);
    if (exists) assert.equal(cfg.exports[name!], `./${file}`, `${file} exists but is not exported as ${name}`);
  }
  for (const file of Object.values(cfg.exports)) {
    await Deno.stat(`${ROOT}${file}`); // every export points at a real file
  }
});

Deno.test("every entry point imports with --no-prompt, no --allow-* and no --unstable-net, and runs nothing", async () => {
  const cfg = await config();
  const dir = await Deno.makeTempDir();
  try {
    for (const file of Object.values(cfg.exports)) {
      const url = new URL(file, `file://${ROOT}`).href;
      // Run the module itself as the main module: top-level code would run.
      const r = await run(["run", "--no-prompt", "--no-check", url], dir);
      assert.equal(r.code, 0, `${file}: ${r.err}`);
      assert.equal(r.out, "", `${file} printed something`);
      assert.equal(r.err, "", `${file} printed something`);
      // And imported from another module: it must not keep the process
      // alive (no timer, no listener), so the child exits on its own.
      await Deno.writeTextFile(`${dir}/imp.ts`, `await import(${JSON.stringify(url)});\nconsole.log("ok");`);
      const r2 = await run(["run", "--no-prompt", "--no-check", "imp.ts"], dir);
      assert.equal(r2.code, 0, `${file}: ${r2.err}`);
      assert.equal(r2.out, "ok\n");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno publish --dry-run passes with no slow types and ships no tests, benches, tools or CI", async () => {
  const r = await run(["publish", "--dry-run", "--allow-dirty"]);
  assert.equal(r.code, 0, r.out + r.err);
  const text = r.out + r.err;
  assert.doesNotMatch(text, /slow-type|slow type(?!s in the public API)/i);
  assert.doesNotMatch(text, /warning/i);
  const esc = ROOT.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const shipped = [...text.matchAll(new RegExp(`file://${esc}(\\S+) \\(`, "g"))].map((m) => m[1]!);
  assert.ok(shipped.length > 0, text);
  for (const f of shipped) {
    assert.doesNotMatch(f, /^(tests|bench|tools|\.ci)\//, `${f} should not be published`);
    assert.doesNotMatch(f, /_test\.ts$/, `${f} should not be published`);
  }
  const cfg = await config();
  for (const file of Object.values(cfg.exports)) assert.ok(shipped.includes(file.slice(2)), `${file} not shipped`);
  assert.ok(shipped.includes("README.md"));
  assert.ok(shipped.includes("examples/netcat.ts"), "examples are shipped (README links and deno install by URL)");
});

Deno.test("deno doc --lint passes on every entry point", async () => {
  const cfg = await config();
  const r = await run(["doc", "--lint", ...Object.values(cfg.exports)]);
  assert.equal(r.code, 0, r.out + r.err);
});

Deno.test("README.md and docs/*.md: every relative link resolves inside the published package", async () => {
  const { check_links } = await import("../tools/check_links.ts");
  const { errors, warnings, checked } = await check_links(ROOT.replace(/\/$/, ""));
  for (const w of warnings) console.log(`warning: ${w}`);
  assert.ok(checked > 20, `only ${checked} links found`);
  assert.deepEqual(errors, []);
});

Deno.test("LICENSE (MIT) and the docs are shipped; the registry description fits in 250 characters", async () => {
  const r = await run(["publish", "--dry-run", "--allow-dirty"]);
  assert.equal(r.code, 0, r.out + r.err);
  for (const f of ["LICENSE", "docs/tour.md", "docs/features.md", "docs/limits.md"]) {
    assert.match(r.out + r.err, new RegExp(`/${f.replace(".", "\\.")} \\(`), `${f} not shipped`);
  }
  assert.doesNotMatch(r.out + r.err, /docs\/_module_docs\.md/, "the lead's notes are not shipped");
  assert.match(await Deno.readTextFile(`${ROOT}LICENSE`), /^MIT License/);
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  const description = readme.match(/^> (.+)\n> (.+)$/m);
  assert.ok(description, "README has the one-sentence description as a quote");
  const text = `${description[1]} ${description[2]}`;
  assert.ok(text.length <= 250, `${text.length} characters`);
});

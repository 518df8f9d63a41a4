#!/usr/bin/env -S deno run --allow-read --allow-write --allow-run
/**
 * Rewrites pysocket's JSDoc for jsr.io, deterministically (same input, same
 * output; a second run changes nothing):
 *
 * 1. Every `@example` import of a relative path (`./mod.ts`, `./socket.ts`,
 *    `./constants.ts`, `./ssl.ts`, ...) becomes the published specifier a
 *    user can copy: `@pysocket/socket`, `@pysocket/socket/ssl`,
 *    `@pysocket/socket/selectors`, `@pysocket/socket/socketserver`. The
 *    target is the entry point that exports every imported name (from
 *    `deno doc --json`); imports of one specifier in one example are merged.
 *    The examples in `examples/` get the same treatment for `../mod.ts` etc.
 *    The package resolves its own name (deno.json `name` + `exports`), so
 *    `deno test --doc` and `deno check` still run them.
 * 2. Every exported top-level symbol whose JSDoc has no `@category` gets one
 *    by file and kind: Sockets, Addresses and names, Errors, Constants,
 *    Servers, TLS, Selectors.
 * 3. Each entry point other than mod.ts re-exports (type-only) the public
 *    types its API refers to, so `deno doc --lint <entry point>` passes on
 *    its own (found from `deno doc --lint`'s private-type-ref errors).
 * 4. With `--module-docs`, the `@module` docs of ssl.ts, selectors.ts and
 *    socketserver.ts are replaced by the texts in docs/_module_docs.md.
 *
 * Usage (from the repository root):
 *   deno run -A tools/doc_rewrite.ts            rewrite in place, list what changed
 *   deno run -A tools/doc_rewrite.ts --check    change nothing; exit 1 if a rewrite is due (CI)
 *   deno run -A tools/doc_rewrite.ts --root DIR work on another checkout (a scratch copy)
 *   deno run -A tools/doc_rewrite.ts --module-docs   also paste docs/_module_docs.md
 *   deno run -A tools/doc_rewrite.ts --only a.ts,examples/b.ts   write (or check) only these files
 *
 * @module
 */

const PKG = "@pysocket/socket";
/** Entry points: file -> published specifier. */
const ENTRY: Record<string, string> = {
  "mod.ts": PKG,
  "ssl.ts": `${PKG}/ssl`,
  "selectors.ts": `${PKG}/selectors`,
  "socketserver.ts": `${PKG}/socketserver`,
};
/** Preference when several entry points export a name (Python's home first). */
const ORDER = ["mod.ts", "socketserver.ts", "selectors.ts", "ssl.ts"];

/** `@category` by source file; names decide inside the mixed files. */
function category_for(file: string, name: string, kind: string): string {
  if (file === "ssl.ts" || file === "_tls.ts") return "TLS";
  if (file === "selectors.ts" || file === "_engine.ts") return "Selectors";
  if (file === "socketserver.ts") return "Servers";
  if (file === "errors.ts" || file === "_errno_table.ts" || /(Error|^error|^gaierror|^herror|^timeout)$/.test(name)) {
    return "Errors";
  }
  if (file === "constants.ts" || file === "enums.ts") return "Constants";
  if (file === "_compat.ts" && kind === "const" && /^[A-Z][A-Z0-9_]*$/.test(name)) return "Constants";
  if (file === "_compat.ts" && /^CMSG_/.test(name)) return "Constants";
  if (["names.ts", "_inet.ts", "_services.ts", "_resolve.ts"].includes(file)) return "Addresses and names";
  if (file === "types.ts") return /Address|Arg$/.test(name) ? "Addresses and names" : "Sockets";
  return "Sockets";
}

interface Options {
  root: string;
  check: boolean;
  module_docs: boolean;
  only: Set<string> | null;
}

function parse_args(args: string[]): Options {
  const o: Options = { root: Deno.cwd(), check: false, module_docs: false, only: null };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--check") o.check = true;
    else if (a === "--module-docs") o.module_docs = true;
    else if (a === "--root") o.root = args[++i] ?? ".";
    else if (a === "--only") o.only = new Set((args[++i] ?? "").split(",").filter(Boolean));
    else if (a === "-h" || a === "--help") {
      console.log("usage: deno run -A tools/doc_rewrite.ts [--check] [--module-docs] [--root DIR] [--only f1,f2]");
      Deno.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  o.root = o.root.replace(/\/+$/, "");
  return o;
}

async function deno(root: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  const r = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout), err: dec.decode(r.stderr) };
}

/** Names exported by each entry point, from `deno doc --json`. */
async function entry_exports(root: string): Promise<Map<string, Set<string>>> {
  const m = new Map<string, Set<string>>();
  for (const file of ORDER) {
    const r = await deno(root, ["doc", "--json", file]);
    if (r.code !== 0) throw new Error(`deno doc --json ${file}: ${r.err}`);
    const j = JSON.parse(r.out) as { nodes: Record<string, { symbols?: { name: string }[] }> };
    const names = new Set<string>();
    for (const mod of Object.values(j.nodes)) for (const s of mod.symbols ?? []) names.add(s.name);
    m.set(file, names);
  }
  return m;
}

/** The source files to rewrite: the package's own .ts (not tests/bench/tools) and the examples. */
async function source_files(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const dir of ["", "families/", "examples/"]) {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(`${root}/${dir || "."}`)];
    } catch {
      continue;
    }
    for (const e of entries) {
      if (e.isFile && e.name.endsWith(".ts") && !e.name.endsWith("_test.ts")) out.push(dir + e.name);
    }
  }
  await Promise.resolve();
  return out.sort();
}

const IMPORT_RE =
  /^(\s*(?:\*\s*)?)import\s+(type\s+)?(\{[^}]*\}|\*\s+as\s+\w+|\w+(?:\s*,\s*\{[^}]*\})?)\s+from\s+"([^"]+)";?[ \t]*$/;

/** Which entry point a relative import resolves to, given the names it takes. */
function target_for(
  spec: string,
  from_dir: string,
  names: string[] | null,
  exports: Map<string, Set<string>>,
): string | null {
  // Normalise the path relative to the repository root.
  const parts = (from_dir + spec).split("/");
  const stack: string[] = [];
  for (const p of parts) {
    if (p === "" || p === ".") continue;
    if (p === "..") stack.pop();
    else stack.push(p);
  }
  const file = stack.join("/");
  if (!/^[^/]+\.ts$|^families\/[^/]+\.ts$/.test(file)) return null;
  if (file in ENTRY && (names === null || names.every((n) => exports.get(file)?.has(n)))) return ENTRY[file]!;
  if (names === null) return file === "mod.ts" ? PKG : null; // `* as x` of a non-entry file: leave it
  for (const ep of ORDER) {
    if (names.every((n) => exports.get(ep)?.has(n))) return ENTRY[ep]!;
  }
  return null;
}

function imported_names(clause: string): string[] | null {
  const m = clause.match(/\{([^}]*)\}/);
  if (!m) return clause.includes("*") ? null : [];
  return m[1]!.split(",").map((s) => s.trim()).filter(Boolean).map((s) =>
    s.replace(/^type\s+/, "").split(/\s+as\s+/)[0]!.trim()
  );
}

interface Report {
  imports: number;
  unresolved: string[];
  categories: number;
}

/**
 * Rewrite the import lines of one code block (lines already stripped of
 * nothing: each keeps its ` * ` prefix when inside JSDoc). Merges named
 * imports of the same specifier and kind.
 */
function rewrite_block(
  lines: string[],
  from_dir: string,
  exports: Map<string, Set<string>>,
  where: string,
  rep: Report,
): string[] {
  const out: string[] = [];
  const merged = new Map<string, number>(); // "type|spec" -> index in out
  for (const line of lines) {
    const m = line.match(IMPORT_RE);
    if (!m || !m[4]!.startsWith(".")) {
      out.push(line);
      const m2 = line.match(IMPORT_RE);
      if (m2 && !m2[3]!.includes("*") && m2[3]!.startsWith("{")) merged.set(`${m2[2] ?? ""}|${m2[4]}`, out.length - 1);
      continue;
    }
    const [, prefix, type_kw, clause, spec] = m;
    const names = imported_names(clause!);
    const target = target_for(spec!, from_dir, names, exports);
    if (target === null) {
      rep.unresolved.push(`${where}: ${line.trim()}`);
      out.push(line);
      continue;
    }
    rep.imports++;
    const key = `${type_kw ?? ""}|${target}`;
    const at = merged.get(key);
    if (at !== undefined && clause!.startsWith("{")) {
      const prev = out[at]!.match(IMPORT_RE)!;
      const all = [...new Set([...inner(prev[3]!), ...inner(clause!)])].sort(by_name);
      out[at] = `${prev[1]}import ${prev[2] ?? ""}{ ${all.join(", ")} } from "${target}";`;
      continue;
    }
    out.push(`${prefix}import ${type_kw ?? ""}${clause} from "${target}";`);
    if (clause!.startsWith("{")) merged.set(key, out.length - 1);
  }
  return out;
}

function inner(clause: string): string[] {
  return clause.replace(/^\{|\}$/g, "").split(",").map((s) => s.trim()).filter(Boolean);
}

/** deno fmt / lint order for import names: case-insensitive, as `deno fmt` leaves them. */
function by_name(a: string, b: string): number {
  const x = a.replace(/^type\s+/, "").toLowerCase(), y = b.replace(/^type\s+/, "").toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Rewrites the code fences inside JSDoc comments, or (examples/) the file's own imports too. */
function rewrite_imports(text: string, file: string, exports: Map<string, Set<string>>, rep: Report): string {
  const from_dir = file.includes("/") ? file.slice(0, file.lastIndexOf("/") + 1) : "";
  const lines = text.split("\n");
  const out: string[] = [];
  let in_doc = false;
  let fence: string[] | null = null;
  let top: string[] | null = null; // examples/: the file's own leading import lines
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (fence !== null) {
      if (/^\s*\*\s*```\s*$/.test(line)) {
        out.push(...rewrite_block(fence, from_dir, exports, `${file}:${i + 1}`, rep), line);
        fence = null;
      } else fence.push(line);
      continue;
    }
    if (!in_doc && /^\s*\/\*\*/.test(line) && !line.includes("*/")) in_doc = true;
    else if (in_doc && line.includes("*/")) in_doc = false;
    if (in_doc && /^\s*\*\s*```(ts|typescript|js|javascript)\b/.test(line) && !/\bignore\b/.test(line)) {
      // Doc examples run as if at the repository root (deno test --doc): paths are root-relative to the file.
      fence = [];
      out.push(line);
      continue;
    }
    if (in_doc && /^\s*\*\s*```(ts|typescript|js|javascript)\b/.test(line)) {
      // `ts ignore` blocks are not run, but users copy them too.
      fence = [];
      out.push(line);
      continue;
    }
    if (!in_doc && file.startsWith("examples/") && /^import\s/.test(line)) {
      // Gather a run of top-level import statements (one per line or multi-line `{ ... }`).
      let stmt = line;
      while (!/from\s+"[^"]+";?\s*$/.test(stmt) && !/^import\s+"[^"]+";?\s*$/.test(stmt) && i + 1 < lines.length) {
        stmt += "\n" + lines[++i]!;
      }
      top ??= [];
      const flat = stmt.replace(/\s*\n\s*/g, " ").replace(/\{\s+/, "{ ").replace(/,?\s*\}/, " }");
      const rewritten = rewrite_block([flat], from_dir, exports, `${file}:${i + 1}`, rep);
      out.push(...(rewritten[0] === flat ? [stmt] : rewritten));
      continue;
    }
    out.push(line);
  }
  return out.join("\n");
}

/** Adds `@category` to exported top-level declarations that lack one. */
function add_categories(text: string, file: string, rep: Report, public_names: Set<string>): string {
  const base = file.includes("/") ? file.slice(file.lastIndexOf("/") + 1) : file;
  if (file.startsWith("examples/") || file.startsWith("families/")) return text;
  return text.replace(
    /(\/\*\*(?:(?!\*\/)[\s\S])*?)(\n?\s*\*\/)(\s*\n(?:[ \t]*\/\/[^\n]*\n)*)(export\s+(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(function\*?|class|const|let|interface|type|enum)\s+(\w+))/g,
    (all, body: string, close: string, gap: string, decl: string, kind: string, name: string) => {
      if (!public_names.has(name)) return all;
      if (/@category\b/.test(body) || /@module\b/.test(body) || /@internal\b|@ignore\b/.test(body)) return all;
      rep.categories++;
      const cat = category_for(base, name, kind);
      const single = !body.includes("\n");
      if (single) {
        // `/** text */` on one line: make it a block.
        const indent = (body.match(/^\s*/) ?? [""])[0];
        const txt = body.replace(/^\s*\/\*\*\s?/, "").replace(/\s+$/, "");
        return `${indent}/**\n${indent} * ${txt}\n${indent} *\n${indent} * @category ${cat}\n${indent} */${gap}${decl}`;
      }
      const indent = (close.match(/\n(\s*)\*\//) ?? ["", ""])[1];
      const trimmed = body.replace(/(\n\s*\*\s*)+$/, "");
      return `${trimmed}\n${indent}*\n${indent}* @category ${cat}${close}${gap}${decl}`;
    },
  );
}

const REEXPORT_MARK =
  "// Types this entry point's API refers to, re-exported so its docs stand alone (tools/doc_rewrite.ts).";

/** Type-only re-exports so `deno doc --lint <entry>` passes on its own. */
async function add_reexports(root: string, files: Map<string, string>): Promise<string[]> {
  const changed: string[] = [];
  // Where each public name is declared.
  const home = new Map<string, string>();
  for (const [f, t] of files) {
    if (f.startsWith("examples/") || f.startsWith("families/")) continue;
    for (
      const m of t.matchAll(
        /^export\s+(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(?:function|class|const|interface|type|enum)\s+(\w+)/gm,
      )
    ) {
      if (!home.has(m[1]!) || f === "types.ts") home.set(m[1]!, f);
    }
  }
  // A re-exported type can refer to more private types: repeat until lint is clean (bounded).
  for (let round = 0; round < 8; round++) {
    const more = await reexport_round(root, files, home);
    if (more.length === 0) break;
    for (const f of more) if (!changed.includes(f)) changed.push(f);
  }
  return changed;
}

async function reexport_round(root: string, files: Map<string, string>, home: Map<string, string>): Promise<string[]> {
  const changed: string[] = [];
  for (const ep of ORDER.slice(1)) {
    const r = await deno(root, ["doc", "--lint", ep]);
    const missing = [...(r.out + r.err).matchAll(/references private type '(\w+)'/g)].map((m) => m[1]!);
    if (missing.length === 0) continue;
    let text = files.get(ep)!;
    const existing = new Map<string, Set<string>>();
    const block_re = new RegExp(`\\n${escape_re(REEXPORT_MARK)}\\n((?:export type \\{[^}]*\\} from "[^"]+";\\n)*)`);
    const bm = text.match(block_re);
    if (bm) {
      for (const m of bm[1]!.matchAll(/export type \{([^}]*)\} from "\.\/([^"]+)";/g)) {
        const set = existing.get(m[2]!) ?? new Set<string>();
        for (const n of m[1]!.split(",").map((s) => s.trim()).filter(Boolean)) set.add(n);
        existing.set(m[2]!, set);
      }
    }
    for (const n of missing) {
      const f = home.get(n);
      if (!f) throw new Error(`${ep}: cannot find where ${n} is declared`);
      if (f === ep) continue;
      const set = existing.get(f) ?? new Set<string>();
      set.add(n);
      existing.set(f, set);
    }
    const lines = [...existing.keys()].sort().map((f) =>
      `export type { ${[...existing.get(f)!].sort(by_name).join(", ")} } from "./${f}";`
    );
    const block = `\n${REEXPORT_MARK}\n${lines.join("\n")}\n`;
    text = bm ? text.replace(block_re, block) : text.replace(/\n*$/, "\n") + block;
    files.set(ep, text);
    await Deno.writeTextFile(`${root}/${ep}`, text);
    changed.push(ep);
  }
  return changed;
}

function escape_re(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** `--module-docs`: replace the @module JSDoc of the companion entry points with docs/_module_docs.md's texts. */
function apply_module_docs(root: string, files: Map<string, string>): string[] {
  const md = Deno.readTextFileSync(`${root}/docs/_module_docs.md`);
  const changed: string[] = [];
  for (const m of md.matchAll(/^## `([a-z_]+\.ts)`\n+````md\n([\s\S]*?)\n````/gm)) {
    const [, file, body] = m;
    const text = files.get(file!);
    if (text === undefined) continue;
    const jsdoc = "/**\n" + body!.split("\n").map((l) => (l ? ` * ${l}` : " *")).join("\n") + "\n * @module\n */";
    const re = /\/\*\*(?:(?!\*\/)[\s\S])*?@module\s*\n\s*\*\//;
    if (!re.test(text)) throw new Error(`${file}: no @module doc to replace`);
    const next = text.replace(re, jsdoc);
    if (next !== text) {
      files.set(file!, next);
      changed.push(file!);
    }
  }
  return changed;
}

async function main(): Promise<number> {
  const o = parse_args(Deno.args);
  const names = await source_files(o.root);
  const original = new Map<string, string>();
  for (const f of names) original.set(f, await Deno.readTextFile(`${o.root}/${f}`));
  const files = new Map(original);
  const rep: Report = { imports: 0, unresolved: [], categories: 0 };

  if (o.module_docs) apply_module_docs(o.root, files);
  const exports = await entry_exports(o.root);
  const public_names = new Set([...exports.values()].flatMap((s) => [...s]));
  for (const [f, t] of files) files.set(f, add_categories(rewrite_imports(t, f, exports, rep), f, rep, public_names));

  // Re-exports need `deno doc --lint` on the rewritten text: write to a scratch copy when checking.
  let lint_root = o.root;
  let scratch: string | null = null;
  if (o.check || o.only) {
    scratch = await Deno.makeTempDir({ prefix: "doc_rewrite_" });
    await copy_tree(o.root, scratch);
    lint_root = scratch;
  }
  try {
    for (const [f, t] of files) if (t !== original.get(f)) await Deno.writeTextFile(`${lint_root}/${f}`, t);
    await add_reexports(lint_root, files);
  } finally {
    if (scratch) await Deno.remove(scratch, { recursive: true });
  }

  const changed = [...files].filter(([f, t]) => t !== original.get(f) && (!o.only || o.only.has(f))).map(([f]) => f);
  for (const u of rep.unresolved) console.error(`left as is (no entry point exports every name): ${u}`);
  if (o.check) {
    if (changed.length) {
      console.error(`doc_rewrite --check: ${changed.length} file(s) need a rewrite: ${changed.join(", ")}`);
      console.error("run: deno run -A tools/doc_rewrite.ts");
      return 1;
    }
    console.log(`doc_rewrite --check: ${files.size} files up to date`);
    return 0;
  }
  console.log(
    `doc_rewrite: ${changed.length} file(s) changed${changed.length ? ": " + changed.join(", ") : ""}; ` +
      `${rep.imports} import(s) rewritten, ${rep.categories} @category tag(s) added` +
      (o.only ? " (counted over every file; --only limits what is written)" : ""),
  );
  if (o.only) { for (const f of changed) await Deno.writeTextFile(`${o.root}/${f}`, files.get(f)!); }
  if (changed.length) {
    const fmt = await deno(o.root, ["fmt", ...changed]);
    if (fmt.code !== 0) console.error(fmt.err);
  }
  return 0;
}

async function copy_tree(from: string, to: string): Promise<void> {
  for await (const e of Deno.readDir(from)) {
    if (e.name === ".git" || e.name === "node_modules") continue;
    const a = `${from}/${e.name}`, b = `${to}/${e.name}`;
    if (e.isDirectory) {
      await Deno.mkdir(b);
      await copy_tree(a, b);
    } else if (e.isFile) await Deno.copyFile(a, b);
  }
}

if (import.meta.main) Deno.exit(await main());

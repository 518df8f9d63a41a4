#!/usr/bin/env -S deno run -A
/**
 * Runs every JSDoc code snippet that `deno test --doc` would run, grouped into
 * one generated test module: `deno test --doc` makes one test module (one
 * worker: its start and the package's load cost ~0.3-0.6 CPU-seconds) per
 * snippet, so 334 snippets cost minutes; grouped they cost seconds.
 *
 * 1. Lists Deno's own snippets and extracts them itself (same rules as Deno
 *    2.9.6's cli/util/extract.rs: fenced blocks in `/** *\/` comments whose
 *    first attribute is ts/js/..., without `ignore`; `#a-b` is the fence's
 *    line and the line after the closing fence). Deno's list is its extract
 *    log (`deno test --doc --no-run --no-check --log-level=debug`: one
 *    `<file>#<a>-<b>.ts` pseudo module per snippet), printed whether or not
 *    the type check is cached. The sets of `<file>#<a>-<b>.<ext>` must be
 *    equal, else it stops: a snippet is never skipped silently.
 * 2. Type-checks as before: `deno test --doc --no-run <files>`. Deno prints
 *    its `Check <file>#<a>-<b>.ts` lines only when the check is not cached;
 *    when it does, that set must be equal too.
 * 3. Writes the snippets into a temp dir, by default all in one module
 *    (`--modules 0`: one module per source file; `--modules N`: whole files
 *    packed into N modules). Each snippet is its own `Deno.test({ name:
 *    "<file>#<a>-<b>.ts", fn })` (sanitizers on). Its static imports become
 *    `import * as __doctest_mN` at the top of the module (loaded before any
 *    test runs, as Deno loads a snippet's imports) and `const { a, b: c,
 *    default: d } = __doctest_mN;` inside its own test function, so two
 *    snippets never clash on a name. `import type` and inline `type`
 *    specifiers are dropped, `export` keywords removed (as Deno does). Like
 *    Deno, a snippet sees the value exports of its source file without
 *    importing them (the names it mentions). Specifiers (static and
 *    `import("literal")`) resolve to absolute URLs: the package's own name
 *    through deno.json `name` + `exports`, relative ones against the source
 *    file. Snippet lines are copied verbatim, so a location in a generated
 *    module maps back to the source: the output shows `<file>:<line>:<col>`.
 *    Not supported (it stops, naming the snippet): a shebang line, a snippet
 *    calling Deno.test, `import.meta`, import attributes, jsx/tsx/cjs/cts.
 * 4. Runs them: `deno test --no-check --parallel -A --unstable-net
 *    --no-prompt <generated files>`, streams its output and exits with its
 *    code. The temp dir is removed (kept with `--keep`).
 *
 * The snippets of one module share one isolate: a snippet that changes
 * global state (and fails before restoring it) can affect the ones after it.
 *
 * Usage (from the repository root):
 *   deno run -A tools/doctest.ts [--keep] [--filter TEXT] [--modules N] <files...>
 *
 * @module
 */

// ---------------------------------------------------------------------------
// Tokenizer (enough JavaScript/TypeScript to find comments and imports)

/** One token of a scanned source. */
export interface Token {
  kind: "ident" | "punct" | "string" | "template" | "regex" | "number" | "comment";
  text: string;
  start: number;
  end: number;
}

const REGEX_AFTER_WORDS = new Set([
  "return",
  "typeof",
  "case",
  "do",
  "else",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "instanceof",
  "yield",
  "await",
]);
const REGEX_AFTER_PUNCT = new Set("(,=:[!&|?{};+-*%<>~^".split(""));

function is_ident_start(c: string): boolean {
  return /[A-Za-z_$\u0080-\uffff]/.test(c);
}
function is_ident_part(c: string): boolean {
  return /[\w$\u0080-\uffff]/.test(c);
}

/**
 * Tokens of `src` from `pos`; with `stop_at_brace`, stops after the `}` that
 * closes a template's `${` (returns its position). Templates are one token.
 */
function scan(src: string, pos: number, stop_at_brace: boolean): { tokens: Token[]; end: number } {
  const tokens: Token[] = [];
  let depth = 0;
  let last: Token | null = null; // last significant (non-comment) token
  const push = (t: Token) => {
    tokens.push(t);
    if (t.kind !== "comment") last = t;
  };
  while (pos < src.length) {
    const c = src[pos]!;
    if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f" || c === "\v" || c === "\ufeff") {
      pos++;
      continue;
    }
    const start = pos;
    if (c === "/" && src[pos + 1] === "/") {
      const nl = src.indexOf("\n", pos);
      pos = nl < 0 ? src.length : nl;
      push({ kind: "comment", text: src.slice(start, pos), start, end: pos });
      continue;
    }
    if (c === "/" && src[pos + 1] === "*") {
      const close = src.indexOf("*/", pos + 2);
      pos = close < 0 ? src.length : close + 2;
      push({ kind: "comment", text: src.slice(start, pos), start, end: pos });
      continue;
    }
    if (c === "'" || c === '"') {
      pos++;
      while (pos < src.length && src[pos] !== c && src[pos] !== "\n") pos += src[pos] === "\\" ? 2 : 1;
      pos++;
      push({ kind: "string", text: src.slice(start, pos), start, end: pos });
      continue;
    }
    if (c === "`") {
      pos++;
      while (pos < src.length && src[pos] !== "`") {
        if (src[pos] === "\\") pos += 2;
        else if (src[pos] === "$" && src[pos + 1] === "{") pos = scan(src, pos + 2, true).end;
        else pos++;
      }
      pos++;
      push({ kind: "template", text: src.slice(start, pos), start, end: pos });
      continue;
    }
    if (c === "/") {
      const prev = last as Token | null;
      const regex_ok = prev === null ||
        (prev.kind === "punct" && REGEX_AFTER_PUNCT.has(prev.text)) ||
        (prev.kind === "ident" && REGEX_AFTER_WORDS.has(prev.text));
      if (regex_ok) {
        pos++;
        let in_class = false;
        while (pos < src.length && src[pos] !== "\n") {
          const d = src[pos]!;
          if (d === "\\") pos += 2;
          else {
            pos++;
            if (d === "[") in_class = true;
            else if (d === "]") in_class = false;
            else if (d === "/" && !in_class) break;
          }
        }
        while (pos < src.length && is_ident_part(src[pos]!)) pos++;
        push({ kind: "regex", text: src.slice(start, pos), start, end: pos });
        continue;
      }
    }
    if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(src[pos + 1] ?? ""))) {
      pos++;
      while (pos < src.length && /[\w.]/.test(src[pos]!)) pos++;
      push({ kind: "number", text: src.slice(start, pos), start, end: pos });
      continue;
    }
    if (is_ident_start(c)) {
      pos++;
      while (pos < src.length && is_ident_part(src[pos]!)) pos++;
      push({ kind: "ident", text: src.slice(start, pos), start, end: pos });
      continue;
    }
    pos++;
    if (c === "{") depth++;
    else if (c === "}") {
      if (depth === 0 && stop_at_brace) return { tokens, end: pos };
      depth--;
    }
    push({ kind: "punct", text: c, start, end: pos });
  }
  return { tokens, end: pos };
}

/** The tokens of a whole source text. */
export function tokenize(src: string): Token[] {
  return scan(src, 0, false).tokens;
}

// ---------------------------------------------------------------------------
// Extraction (Deno 2.9.6 cli/util/extract.rs, extract_files_from_source_comments)

/** One snippet of a source file, as Deno names it: `<file>#<a>-<b>.ts`. */
export interface Snippet {
  /** The source file, relative to the root (as `Check` prints it). */
  file: string;
  /** The fence line (1-based) and the line after the closing fence: Deno's `#a-b`. */
  a: number;
  b: number;
  /** Deno's media type extension for the pseudo module (`ts`, `js`, ...). */
  ext: string;
  /** The snippet's code: one line per line of the block's body, prefixes removed. */
  code: string;
  /** For each code line: its source line (1-based) and how many characters of that line were removed before it. */
  src_lines: [number, number][];
}

const MEDIA: Record<string, string> = {
  js: "js",
  javascript: "js",
  mjs: "mjs",
  cjs: "cjs",
  jsx: "jsx",
  ts: "ts",
  typescript: "ts",
  mts: "mts",
  cts: "cts",
  tsx: "tsx",
};

/** Deno's `#a-b` name of a snippet. */
export function snippet_name(s: { file: string; a: number; b: number; ext: string }): string {
  return `${s.file}#${s.a}-${s.b}.${s.ext}`;
}

/** Deno's `strip_markdown_blockquote_marker`. */
function strip_blockquote_marker(line: string): string {
  let spaces = 0;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === " " && spaces < 3) spaces++;
    else if (ch === ">") {
      const after = line.slice(i + 1);
      return after.startsWith(" ") || after.startsWith("\t") ? after.slice(1) : after;
    } else break;
  }
  return line;
}

/** The snippets of one source file, by Deno's rules. */
export function extract_snippets(file: string, src: string): Snippet[] {
  const out: Snippet[] = [];
  const blocks_re = /```([^\r\n]*)\r?\n([\s\S]*?)```/g;
  // Deno: (?:\* ?)((#!+).*)|(?:\* ?)(?:\# ?)?(.*) (Rust `.` is any char but \n)
  const lines_re = /(?:\* ?)((#!+)[^\n]*)|(?:\* ?)(?:# ?)?([^\n]*)/;
  for (const tok of tokenize(src)) {
    if (tok.kind !== "comment" || !tok.text.startsWith("/**")) continue;
    const text = tok.text.slice(2, tok.text.endsWith("*/") && tok.text.length >= 4 ? -2 : undefined);
    const text_start = tok.start + 2;
    const comment_line = count_nl(src, 0, tok.start); // 0-based line of the comment's start
    for (const m of text.matchAll(blocks_re)) {
      const attrs = m[1]!.split(" ");
      if (attrs.includes("ignore")) continue;
      const ext = MEDIA[attrs[0]!];
      if (ext === undefined) continue;
      const line_offset = count_nl(text, 0, m.index!);
      const line_count = m[0].split("\n").length;
      const a = comment_line + line_offset + 1;
      const b = comment_line + line_offset + line_count + 1;
      const before = text.slice(0, m.index!);
      const fence_prefix = before.slice(before.lastIndexOf("\n") + 1);
      const blockquote = fence_prefix.replace(/^[ \t*]+/, "").startsWith(">");
      const body = m[2]!;
      const body_start = text_start + m.index! + m[0].length - 3 - body.length;
      // Rust str::lines(): split on \n, drop a trailing \r, no last empty line.
      const raw_lines = body.split("\n");
      if (raw_lines[raw_lines.length - 1] === "") raw_lines.pop();
      const code: string[] = [];
      const src_lines: [number, number][] = [];
      let line_no = count_nl(src, 0, body_start) + 1;
      let is_first = true;
      for (const raw0 of raw_lines) {
        const raw = raw0.endsWith("\r") ? raw0.slice(0, -1) : raw0;
        const lm = lines_re.exec(raw);
        const this_line = line_no++;
        if (!lm) continue;
        let t = lm[1] ?? lm[3]!;
        if (blockquote) {
          for (let n = 0; n < 100; n++) {
            const stripped = strip_blockquote_marker(t);
            if (stripped.length === t.length) break;
            t = stripped;
          }
        }
        if (is_first && t.startsWith("#!")) {
          throw new Error(
            `${snippet_name({ file, a, b, ext })}: a shebang line (permissions for one snippet) is not supported`,
          );
        }
        is_first = false;
        code.push(t);
        src_lines.push([this_line, raw.length - t.length]);
      }
      out.push({ file, a, b, ext, code: code.join("\n") + "\n", src_lines });
    }
  }
  return out;
}

function count_nl(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = s.indexOf("\n", from); i >= 0 && i < to; i = s.indexOf("\n", i + 1)) n++;
  return n;
}

// ---------------------------------------------------------------------------
// Exports of a source file (what Deno auto-imports into its snippets)

/** Value exports (named, and the default's local name) that Deno injects into a snippet. */
export function value_exports(src: string): { named: Set<string>; default_name: string | null } {
  const named = new Set<string>();
  let default_name: string | null = null;
  const decl =
    /^export\s+(default\s+)?(declare\s+)?((?:async\s+)?function\s*\*?|(?:abstract\s+)?class|(?:const\s+)?enum|const|let|var|namespace|module)\s*([\w$]+)/gm;
  for (const m of src.matchAll(decl)) {
    if (m[1]) default_name = m[4]!;
    else if (!(m[2] && /^(namespace|module)$/.test(m[3]!))) named.add(m[4]!);
  }
  for (const m of src.matchAll(/^export\s+default\s+([\w$]+)\s*;/gm)) default_name = m[1]!;
  for (const m of src.matchAll(/^export\s+(type\s+)?\{([^}]*)\}(\s*from\b)?/gm)) {
    if (m[1]) continue; // export type { ... }
    for (const spec of m[2]!.split(",")) {
      const s = spec.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, "").trim();
      if (!s || /^type\s/.test(s)) continue;
      const parts = s.split(/\s+as\s+/);
      const name = (parts[1] ?? parts[0]!).trim().replace(/^["']|["']$/g, "");
      if (m[3] && name === "default") continue;
      named.add(name);
    }
  }
  // A named export wins over the default's local name (as in Deno).
  if (default_name !== null && named.has(default_name)) default_name = null;
  return { named, default_name };
}

// ---------------------------------------------------------------------------
// Transformation of one snippet

/** The import map that turns a snippet's specifiers into absolute URLs. */
export interface Resolver {
  /** deno.json `name`, or null. */
  pkg: string | null;
  /** deno.json `exports` as `subpath -> file URL` (`"."` for the package itself). */
  exports: Map<string, string>;
}

/** Reads deno.json (`name` + `exports`) at `root_url` (a directory URL ending in `/`). */
export async function read_resolver(root_url: URL): Promise<Resolver> {
  const exports = new Map<string, string>();
  let pkg: string | null = null;
  try {
    const j = JSON.parse(await Deno.readTextFile(new URL("deno.json", root_url))) as {
      name?: string;
      exports?: string | Record<string, string>;
    };
    pkg = j.name ?? null;
    const ex = typeof j.exports === "string" ? { ".": j.exports } : j.exports ?? {};
    for (const [k, v] of Object.entries(ex)) exports.set(k, new URL(v, root_url).href);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return { pkg, exports };
}

function resolve_specifier(spec: string, from_url: string, r: Resolver, where: string): string {
  if (spec.startsWith("./") || spec.startsWith("../") || spec.startsWith("/")) return new URL(spec, from_url).href;
  if (r.pkg !== null && (spec === r.pkg || spec.startsWith(r.pkg + "/"))) {
    const sub = spec === r.pkg ? "." : "." + spec.slice(r.pkg.length);
    const url = r.exports.get(sub);
    if (url === undefined) throw new Error(`${where}: ${spec} is not in deno.json's exports`);
    return url;
  }
  return spec; // jsr:, npm:, node:, https:, or an import map entry: Deno resolves it
}

/** One named binding an import makes: `local` is bound to the module's `imported`. */
interface Binding {
  imported: string; // "default", a name, or a quoted string
  local: string;
}

/** A static import of a snippet, turned into bindings of a namespace. */
interface ParsedImport {
  start: number;
  end: number;
  url: string | null; // null: a type-only import (dropped)
  namespace: string | null; // `* as ns`
  bindings: Binding[];
}

function parse_imports(code: string, from_url: string, r: Resolver, where: string): ParsedImport[] {
  const toks = tokenize(code).filter((t) => t.kind !== "comment");
  const out: ParsedImport[] = [];
  let depth = 0;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.kind === "punct" && "([{".includes(t.text)) depth++;
    else if (t.kind === "punct" && ")]}".includes(t.text)) depth--;
    if (depth !== 0 || t.kind !== "ident") continue;
    const prev = toks[i - 1];
    if (prev && prev.kind === "punct" && prev.text === ".") continue;
    if (t.text === "export") {
      const n = toks[i + 1];
      if (n && n.kind === "punct" && (n.text === "{" || n.text === "*")) {
        throw new Error(
          `${where}: \`export {...}\`/\`export *\` in a snippet is not supported (line ${line_of(code, t.start)})`,
        );
      }
      if (n && n.kind === "punct" && n.text === "=") throw new Error(`${where}: \`export =\` is not supported`);
      continue;
    }
    if (t.text !== "import") continue;
    const n = toks[i + 1];
    if (!n || (n.kind === "punct" && (n.text === "(" || n.text === "."))) continue; // import(...), import.meta
    // A static import declaration.
    let j = i + 1;
    const peek = (k = 0) => toks[j + k];
    const fail = (why: string): never => {
      throw new Error(`${where}: cannot read the import at line ${line_of(code, t.start)} (${why})`);
    };
    let type_only = false;
    let namespace: string | null = null;
    const bindings: Binding[] = [];
    if (peek()?.kind === "ident" && peek()!.text === "type") {
      const after = peek(1);
      const is_default_named_type = after?.kind === "ident" && after.text === "from" && peek(2)?.kind === "string";
      if (!is_default_named_type && !(after?.kind === "punct" && after.text === ",")) {
        type_only = true;
        j++;
      }
    }
    if (
      peek()?.kind === "ident" && (peek()!.text === "defer" || peek()!.text === "source") && peek(1)?.kind !== "punct"
    ) {
      fail(`import ${peek()!.text} is not supported`);
    }
    let spec_tok: Token | undefined;
    if (peek()?.kind === "string") {
      spec_tok = peek();
      j++;
    } else {
      if (peek()?.kind === "ident" && peek()!.text !== "from") {
        bindings.push({ imported: "default", local: peek()!.text });
        j++;
        if (peek()?.kind === "punct" && peek()!.text === "=") fail("import x = require() is not supported");
        if (peek()?.kind === "punct" && peek()!.text === ",") j++;
      }
      if (peek()?.kind === "punct" && peek()!.text === "*") {
        if (peek(1)?.text !== "as" || peek(2)?.kind !== "ident") fail("`* as` without a name");
        namespace = peek(2)!.text;
        j += 3;
      } else if (peek()?.kind === "punct" && peek()!.text === "{") {
        j++;
        for (let guard = 0; guard < 10_000; guard++) {
          const s = peek();
          if (!s) fail("unterminated {");
          if (s!.kind === "punct" && s!.text === "}") {
            j++;
            break;
          }
          if (s!.kind === "punct" && s!.text === ",") {
            j++;
            continue;
          }
          // `type X`, `type X as Y`, `type as`, `type as as Y` are type-only; `type`, `type as Y` are not.
          let spec_type = false;
          if (s!.kind === "ident" && s!.text === "type") {
            const n1 = peek(1);
            const n2 = peek(2);
            if (n1 && (n1.kind === "string" || (n1.kind === "ident" && n1.text !== "as"))) spec_type = true;
            else if (n1?.text === "as" && (n2?.kind === "punct" || n2?.text === "as")) spec_type = true;
            if (spec_type) j++;
          }
          const name = peek();
          if (!name || (name.kind !== "ident" && name.kind !== "string")) fail("bad specifier");
          j++;
          let local = name!.text;
          if (peek()?.kind === "ident" && peek()!.text === "as") {
            if (peek(1)?.kind !== "ident") fail("`as` without a name");
            local = peek(1)!.text;
            j += 2;
          } else if (name!.kind === "string") fail("a string specifier needs `as`");
          if (!spec_type) bindings.push({ imported: name!.text, local });
        }
      }
      if (!(peek()?.kind === "ident" && peek()!.text === "from")) fail("no `from`");
      j++;
      if (peek()?.kind !== "string") fail("no module specifier");
      spec_tok = peek();
      j++;
    }
    let end = spec_tok!.end;
    if (peek()?.kind === "ident" && (peek()!.text === "with" || peek()!.text === "assert") && peek(1)?.text === "{") {
      fail("import attributes are not supported");
    }
    if (peek()?.kind === "punct" && peek()!.text === ";") {
      end = peek()!.end;
      j++;
    }
    const spec = JSON.parse(spec_tok!.text.startsWith("'") ? `"${spec_tok!.text.slice(1, -1)}"` : spec_tok!.text);
    const url = type_only ? null : resolve_specifier(spec as string, from_url, r, where);
    out.push({ start: t.start, end, url, namespace, bindings });
    i = j - 1;
  }
  return out;
}

function line_of(s: string, pos: number): number {
  return count_nl(s, 0, pos) + 1;
}

/** A snippet ready to be written into a module. */
export interface Transformed {
  name: string;
  /** Module URLs the snippet needs (loaded at the top of the generated module). */
  urls: string[];
  /** Lines before the snippet's code, inside the test function (given a URL -> namespace variable map). */
  prelude: (ns: (url: string) => string) => string[];
  /** The snippet's code with its static imports blanked (line count unchanged). */
  body: string;
}

const DENO_TEST_RE = /^\s*Deno\.test\(/m;

/** Turns one snippet into a test body; `src_url` is its source file's URL. */
export function transform(
  s: Snippet,
  src_url: string,
  exports: { named: Set<string>; default_name: string | null },
  r: Resolver,
): Transformed {
  const name = snippet_name(s);
  if (!["ts", "js", "mjs", "mts"].includes(s.ext)) throw new Error(`${name}: a \`${s.ext}\` snippet is not supported`);
  if (DENO_TEST_RE.test(s.code)) throw new Error(`${name}: a snippet that calls Deno.test itself is not supported`);
  const imports = parse_imports(s.code, src_url, r, name);
  let body = "";
  let at = 0;
  for (const im of imports) {
    body += s.code.slice(at, im.start) + s.code.slice(im.start, im.end).replace(/[^\n]/g, "");
    at = im.end;
  }
  body += s.code.slice(at);
  // `export` keywords go (as Deno does): the declarations stay inside the test function.
  body = strip_exports(body);
  body = rewrite_dynamic_imports(body, src_url, r, name);
  const urls: string[] = [];
  const bound = new Set<string>();
  for (const im of imports) {
    if (im.url === null) continue;
    if (!urls.includes(im.url)) urls.push(im.url);
    if (im.namespace) bound.add(im.namespace);
    for (const b of im.bindings) bound.add(b.local);
  }
  // Deno injects the source file's value exports the snippet does not declare itself.
  // (Deno injects every one; only the names the snippet mentions matter.)
  const words = new Set(body.match(/(?<![\w$])(?<!(?<!\.)\.)[A-Za-z_$][\w$]*/g) ?? []);
  const vars = new Set([...body.matchAll(/\bvar\s+([\w$]+)/g)].map((m) => m[1]!));
  const auto = [...exports.named].filter((n) => words.has(n) && !bound.has(n) && !vars.has(n)).sort();
  const auto_default = exports.default_name !== null && words.has(exports.default_name) &&
      !bound.has(exports.default_name) && !vars.has(exports.default_name)
    ? exports.default_name
    : null;
  if (auto.length > 0 || auto_default !== null) urls.unshift(src_url);
  const prelude = (ns: (url: string) => string): string[] => {
    const lines: string[] = [];
    if (auto.length > 0 || auto_default !== null) {
      const parts = [...(auto_default ? [`default: ${auto_default}`] : []), ...auto];
      lines.push(`const { ${parts.join(", ")} } = ${ns(src_url)}; // the source file's exports (as Deno injects them)`);
    }
    const inner: string[] = [];
    for (const im of imports) {
      if (im.url === null) continue;
      if (im.namespace) inner.push(`const ${im.namespace} = ${ns(im.url)};`);
      if (im.bindings.length > 0) {
        const parts = im.bindings.map((b) => b.imported === b.local ? b.local : `${b.imported}: ${b.local}`);
        inner.push(`const { ${parts.join(", ")} } = ${ns(im.url)};`);
      }
    }
    lines.push(`{ ${inner.join(" ")}`);
    return lines;
  };
  return { name, urls, prelude, body };
}

/**
 * `import("<literal>")` resolves like a static import (the generated module is elsewhere); `import.meta` would
 * describe the generated module, not the snippet: refused.
 */
function rewrite_dynamic_imports(code: string, from_url: string, r: Resolver, where: string): string {
  const toks = tokenize(code).filter((t) => t.kind !== "comment");
  let out = "";
  let at = 0;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.kind !== "ident" || t.text !== "import" || toks[i - 1]?.text === ".") continue;
    const n = toks[i + 1];
    if (n?.text === "." && toks[i + 2]?.text === "meta") {
      throw new Error(`${where}: import.meta in a snippet is not supported (line ${line_of(code, t.start)})`);
    }
    const lit = toks[i + 2];
    if (n?.text !== "(" || lit?.kind !== "string") continue;
    const spec = JSON.parse(lit.text.startsWith("'") ? `"${lit.text.slice(1, -1)}"` : lit.text) as string;
    out += code.slice(at, lit.start) + JSON.stringify(resolve_specifier(spec, from_url, r, where));
    at = lit.end;
  }
  return out + code.slice(at);
}

function strip_exports(code: string): string {
  const toks = tokenize(code).filter((t) => t.kind !== "comment");
  let depth = 0;
  let out = "";
  let at = 0;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.kind === "punct" && "([{".includes(t.text)) depth++;
    else if (t.kind === "punct" && ")]}".includes(t.text)) depth--;
    if (depth !== 0 || t.kind !== "ident" || t.text !== "export") continue;
    if (toks[i - 1]?.text === ".") continue;
    let end = t.end;
    const n = toks[i + 1];
    if (n?.kind === "ident" && n.text === "default") end = n.end;
    out += code.slice(at, t.start) + " ".repeat(end - t.start);
    at = end;
  }
  return out + code.slice(at);
}

// ---------------------------------------------------------------------------
// Generation

/** A generated module: its text and, per generated line, the source location it came from. */
export interface Generated {
  text: string;
  /** Generated line (1-based) -> [source file, source line, columns removed before the code (-1: no column)]. */
  lines: Map<number, [string, number, number]>;
  count: number;
  /** The source files it runs snippets of. */
  label: string;
}

/** One test module for a group of transformed snippets. */
export function generate(group: { snippet: Snippet; t: Transformed }[], label: string, files = label): Generated {
  const urls: string[] = [];
  for (const { t } of group) for (const u of t.urls) if (!urls.includes(u)) urls.push(u);
  const ns = (u: string) => `__doctest_m${urls.indexOf(u)}`;
  const out: string[] = [
    `// Generated by tools/doctest.ts: ${group.length} snippet(s) of ${files}. Do not edit.`,
    // `import "u"` too: a namespace import no test uses (a snippet's side-effect import) would be elided.
    ...urls.map((u, i) => `import ${JSON.stringify(u)}; import * as __doctest_m${i} from ${JSON.stringify(u)};`),
  ];
  const lines = new Map<number, [string, number, number]>();
  for (const { snippet, t } of group) {
    out.push("");
    out.push(`// ${t.name}: the code below is ${snippet.file} from line ${snippet.src_lines[0]?.[0] ?? snippet.a}`);
    out.push(`Deno.test({ name: ${JSON.stringify(t.name)}, fn: async () => {`);
    lines.set(out.length, [snippet.file, snippet.a, -1]); // a test's own location: the snippet's fence
    out.push(...t.prelude(ns));
    const code_lines = t.body.replace(/\n$/, "").split("\n");
    code_lines.forEach((l, k) => {
      out.push(l);
      const [line, col] = snippet.src_lines[k] ?? [snippet.a, 0];
      lines.set(out.length, [snippet.file, line, col]);
    });
    out.push(`}`);
    out.push(`} });`);
  }
  return { text: out.join("\n") + "\n", lines, count: group.length, label };
}

// ---------------------------------------------------------------------------
// Deno's own list

/** `(file, a, b)` keys of Deno's pseudo modules in a text: `Check` lines or debug extract lines. */
export function parse_check_lines(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^Check (\S+#\d+-\d+\.\w+)$/gm)) out.push(m[1]!);
  return out;
}

/** Deno's extract log (`--log-level=debug`): one `<file URL>#a-b.<ext>:` line per pseudo module. */
export function parse_extract_log(text: string, root_url: URL): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^DEBUG RS - deno::util::extract(?::\d+)? - (file:\/\/\/\S+?)(#\d+-\d+\.\w+):$/gm)) {
    out.push(relative(m[1]!, root_url) + m[2]!);
  }
  return out;
}

function relative(url: string, root_url: URL): string {
  return url.startsWith(root_url.href) ? decodeURIComponent(url.slice(root_url.href.length)) : url;
}

/** Throws unless both lists hold the same snippets (each once). */
export function compare_lists(ours: string[], deno: string[], what: string): void {
  const a = new Set(ours);
  const b = new Set(deno);
  const missing = [...b].filter((x) => !a.has(x)).sort();
  const extra = [...a].filter((x) => !b.has(x)).sort();
  const dups = ours.length !== a.size || deno.length !== b.size;
  if (missing.length || extra.length || dups) {
    throw new Error(
      `doctest: the extractor's snippets differ from ${what}` +
        (missing.length ? `\n  Deno has, the extractor does not: ${missing.join(" ")}` : "") +
        (extra.length ? `\n  the extractor has, Deno does not: ${extra.join(" ")}` : "") +
        (dups ? `\n  duplicate names (extractor ${ours.length}/${a.size}, Deno ${deno.length}/${b.size})` : ""),
    );
  }
}

// ---------------------------------------------------------------------------
// Main

async function run_capture(args: string[], cwd: string, signal: AbortSignal): Promise<{ code: number; text: string }> {
  const r = await new Deno.Command(Deno.execPath(), { args, cwd, stdout: "piped", stderr: "piped", signal }).output();
  const dec = new TextDecoder();
  return { code: r.code, text: dec.decode(r.stdout) + dec.decode(r.stderr) };
}

/** Copies a child's stream to ours line by line, rewriting generated locations to source ones. */
async function pump(
  stream: ReadableStream<Uint8Array>,
  to: { write(p: Uint8Array): Promise<number> },
  rewrite: (line: string) => string,
): Promise<void> {
  const enc = new TextEncoder();
  let buf = "";
  const write_all = async (s: string) => {
    const bytes = enc.encode(s);
    for (let off = 0; off < bytes.length;) off += await to.write(bytes.subarray(off));
  };
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buf += chunk;
    const nl = buf.lastIndexOf("\n");
    if (nl < 0) continue;
    await write_all(buf.slice(0, nl + 1).split("\n").map(rewrite).join("\n"));
    buf = buf.slice(nl + 1);
  }
  if (buf) await write_all(rewrite(buf));
}

interface Options {
  keep: boolean;
  filter: string | null;
  /** 0: one module per source file; n (default 1): the files packed into at most n modules. */
  modules: number;
  /** Seconds for the whole run (its children are killed then). */
  timeout: number;
  files: string[];
}

function parse_args(args: string[]): Options {
  const o: Options = { keep: false, filter: null, modules: 1, timeout: 600, files: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--keep") o.keep = true;
    else if (a === "--filter") o.filter = args[++i] ?? "";
    else if (a === "--timeout") {
      o.timeout = Number(args[++i]);
      if (!(o.timeout > 0)) throw new Error("--timeout needs seconds");
    } else if (a === "--modules") {
      o.modules = Number(args[++i]);
      if (!Number.isInteger(o.modules) || o.modules < 0) throw new Error("--modules needs a count (0: one per file)");
    } else if (a === "-h" || a === "--help") {
      console.log(
        "usage: deno run -A tools/doctest.ts [--keep] [--filter TEXT] [--modules N] [--timeout S] <files...>",
      );
      Deno.exit(0);
    } else if (a.startsWith("-")) throw new Error(`unknown option ${a}`);
    else o.files.push(a);
  }
  return o;
}

/** Runs the doc tests of `files` (relative to `root`); returns the exit code. */
export async function main(args: string[], root = Deno.cwd()): Promise<number> {
  const o = parse_args(args);
  const root_url = new URL(`file://${(await Deno.realPath(root)).replace(/\/?$/, "/")}`);
  const files = [...new Set(o.files.map((f) => relative(new URL(f, root_url).href, root_url)))];
  if (files.length === 0) throw new Error("doctest: no files given");
  const t0 = performance.now();

  // Our extraction.
  const resolver = await read_resolver(root_url);
  const per_file: { file: string; url: string; snippets: Snippet[]; src: string }[] = [];
  for (const file of files) {
    const url = new URL(file, root_url).href;
    const src = await Deno.readTextFile(new URL(url));
    per_file.push({ file, url, snippets: extract_snippets(file, src), src });
  }
  const ours = per_file.flatMap((f) => f.snippets.map(snippet_name));

  // Deno's list: its extract log (printed whether or not the type check is cached).
  const signal = AbortSignal.timeout(o.timeout * 1000);
  const timed_out = () => signal.aborted ? ` (timed out: --timeout ${o.timeout} s)` : "";
  const listed = await run_capture(
    ["test", "--doc", "--no-run", "--no-check", "--log-level=debug", ...files],
    root,
    signal,
  );
  if (listed.code !== 0) {
    const lines = listed.text.split("\n").filter((l) => !l.startsWith("DEBUG"));
    const err = lines.findIndex((l) => l.startsWith("error:"));
    console.error((err >= 0 ? lines.slice(err) : lines.slice(-40)).join("\n"));
    console.error(`doctest: listing Deno's snippets failed (exit ${listed.code})${timed_out()}`);
    return listed.code;
  }
  compare_lists(ours, parse_extract_log(listed.text, root_url), "Deno's (deno test --doc --log-level=debug)");

  // Type-check every snippet as `deno test --doc` does.
  const checked = await run_capture(
    ["test", "--doc", "--no-run", "-A", "--unstable-net", "--no-prompt", ...files],
    root,
    signal,
  );
  if (checked.code !== 0) {
    console.error(checked.text);
    console.error(`doctest: type check failed (deno test --doc --no-run, exit ${checked.code})${timed_out()}`);
    return checked.code;
  }
  const check_lines = parse_check_lines(checked.text);
  if (check_lines.length > 0 || ours.length === 0) compare_lists(ours, check_lines, "Deno's `Check` lines");
  const t_check = performance.now();
  console.log(
    `doctest: ${ours.length} snippets in ${per_file.filter((f) => f.snippets.length > 0).length} of ${files.length} ` +
      `files, the same set as Deno's; type check ${
        check_lines.length > 0 ? `ran (${check_lines.length} Check lines match)` : "cached (passed before)"
      } (${((t_check - t0) / 1000).toFixed(1)} s)`,
  );
  if (ours.length === 0) return 0;

  // Generate one module per source file.
  const dir = await Deno.makeTempDir({ prefix: "doctest_" });
  const gen_files: string[] = [];
  const maps = new Map<string, Generated>(); // generated file name -> map
  try {
    // Modules: one per source file, or (--modules n) whole files packed into n bins, largest first.
    const with_snippets = per_file.filter((f) => f.snippets.length > 0);
    const bins: (typeof per_file)[] = o.modules === 0 ? with_snippets.map((f) => [f]) : [];
    if (o.modules > 0) {
      for (let k = 0; k < Math.min(o.modules, with_snippets.length); k++) bins.push([]);
      const size = (b: typeof per_file) => b.reduce((n, f) => n + f.snippets.length, 0);
      for (const f of [...with_snippets].sort((x, y) => y.snippets.length - x.snippets.length)) {
        bins.reduce((best, b) => size(b) < size(best) ? b : best, bins[0]!).push(f);
      }
    }
    for (const bin of bins) bin.sort((x, y) => per_file.indexOf(x) - per_file.indexOf(y)); // command-line order
    for (const [k, bin] of bins.entries()) {
      const group = bin.flatMap((f) => {
        const exports = value_exports(f.src);
        return f.snippets.map((snippet) => ({ snippet, t: transform(snippet, f.url, exports, resolver) }));
      });
      const label = bin.length === 1 ? bin[0]!.file : `doctests${bins.length > 1 ? ` ${k + 1}/${bins.length}` : ""}`;
      const g = generate(group, label, bin.map((f) => f.file).join(", "));
      const name = (bin.length === 1 ? bin[0]!.file.replace(/\//g, "__") : `doctests${k + 1}`) + ".doctest.ts";
      await Deno.writeTextFile(`${dir}/${name}`, g.text);
      gen_files.push(`${dir}/${name}`);
      maps.set(name, g);
    }
    // Deno shows a generated module by URL, absolute path or a path relative to the cwd: match the dir's name.
    const dir_re = dir.slice(dir.lastIndexOf("/") + 1).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const loc_re = new RegExp(
      `(?:file://)?(?:[^\\s"'()\\[]*?)${dir_re}/([\\w.-]+?\\.doctest\\.ts)(?::(\\d+)(?::(\\d+))?)?`,
      "g",
    );
    const rewrite = (line: string) =>
      line.replace(loc_re, (all, name: string, l?: string, c?: string) => {
        const g = maps.get(name);
        if (!g) return all;
        if (l === undefined) return g.label;
        const m = g.lines.get(Number(l));
        if (!m) return `${g.label} (generated line ${l}${c ? `:${c}` : ""})`;
        return `${m[0]}:${m[1]}${c && m[2] >= 0 ? `:${Number(c) + m[2]}` : ""}`;
      });
    const test_args = ["test", "--no-check", "--parallel", "-A", "--unstable-net", "--no-prompt"];
    if (o.filter !== null) test_args.push("--filter", o.filter);
    const child = new Deno.Command(Deno.execPath(), {
      args: [...test_args, ...gen_files],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
      signal,
    }).spawn();
    let status: Deno.CommandStatus;
    // Ctrl-C reaches the child too (same process group): outlive it, so that the temp dir goes.
    const on_sigint = () => {};
    Deno.addSignalListener("SIGINT", on_sigint);
    try {
      await Promise.all([pump(child.stdout, Deno.stdout, rewrite), pump(child.stderr, Deno.stderr, rewrite)]);
    } finally {
      status = await child.status;
      Deno.removeSignalListener("SIGINT", on_sigint);
    }
    const t_run = performance.now();
    console.log(
      `doctest: ran ${ours.length} snippets from ${with_snippets.length} files as ${gen_files.length} test modules: ` +
        `${status.success ? "ok" : `FAILED (exit ${status.code})${timed_out()}`} (${
          ((t_run - t_check) / 1000).toFixed(1)
        } s)`,
    );
    return status.code;
  } finally {
    if (o.keep) console.log(`doctest: generated modules kept in ${dir}`);
    else await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    Deno.exit(2);
  }
}

#!/usr/bin/env -S deno run --allow-read --allow-run
/**
 * Checks that every relative link in the published Markdown (README.md and
 * docs/*.md) resolves inside the published package: the target file (or a
 * folder with published files in it) is in `deno publish --dry-run`'s list,
 * and a `#anchor` names a heading of the target. A link into a folder that
 * is not published (tests/, bench/, tools/, .ci/) fails, because on jsr.io
 * it would lead nowhere.
 *
 * Usage: deno run --allow-read --allow-run tools/check_links.ts [--root DIR]
 * Exit code 1 on a broken link, with one line per link.
 *
 * @module
 */

/**
 * Files another branch writes: while one is absent from the checkout, a link
 * to it is reported as a warning instead of an error. Once the file exists it
 * is checked like any other.
 */
const PENDING = new Set(["docs/platforms.md"]);

function root_arg(args: string[]): string {
  const i = args.indexOf("--root");
  return (i >= 0 ? args[i + 1] ?? "." : Deno.cwd()).replace(/\/+$/, "");
}

/** The files `deno publish --dry-run` would upload, relative to the root. */
async function published_files(root: string): Promise<Set<string>> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["publish", "--dry-run", "--allow-dirty"],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const text = new TextDecoder().decode(r.stdout) + new TextDecoder().decode(r.stderr);
  if (!r.success) throw new Error(`deno publish --dry-run failed:\n${text}`);
  const real = await Deno.realPath(root);
  const files = new Set<string>();
  for (const m of text.matchAll(/file:\/\/(\S+) \(/g)) {
    const p = decodeURIComponent(m[1]!);
    if (p.startsWith(real + "/")) files.add(p.slice(real.length + 1));
  }
  return files;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, "")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

function anchors(md: string): Set<string> {
  const out = new Set<string>();
  const seen = new Map<string, number>();
  let fence = false;
  for (const line of md.split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) fence = !fence;
    if (fence) continue;
    const m = line.match(/^#{1,6}\s+(.*?)\s*#*\s*$/);
    if (!m) continue;
    const base = slug(m[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n ? `${base}-${n}` : base);
  }
  return out;
}

/** Relative link targets of a Markdown text, outside code blocks and code spans. */
function links(md: string): { target: string; line: number }[] {
  const out: { target: string; line: number }[] = [];
  let fence = false;
  md.split("\n").forEach((raw, i) => {
    if (/^\s*(```|~~~)/.test(raw)) {
      fence = !fence;
      return;
    }
    if (fence) return;
    const line = raw.replace(/`[^`]*`/g, "``");
    for (const m of line.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)|<a\s[^>]*href="([^"]+)"/g)) {
      out.push({ target: (m[1] ?? m[2])!, line: i + 1 });
    }
  });
  return out.filter((l) => !/^[a-z][a-z0-9+.-]*:/i.test(l.target));
}

function normalise(path: string): string {
  const stack: string[] = [];
  for (const p of path.split("/")) {
    if (p === "" || p === ".") continue;
    if (p === "..") stack.pop();
    else stack.push(p);
  }
  return stack.join("/");
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Returns the problems found (errors) and the tolerated ones (warnings). */
export async function check_links(root: string): Promise<{ errors: string[]; warnings: string[]; checked: number }> {
  const published = await published_files(root);
  const errors: string[] = [];
  const warnings: string[] = [];
  let checked = 0;
  const docs = [...published].filter((f) => f.endsWith(".md")).sort();
  for (const file of docs) {
    const md = await Deno.readTextFile(`${root}/${file}`);
    const dir = file.includes("/") ? file.slice(0, file.lastIndexOf("/") + 1) : "";
    for (const { target, line } of links(md)) {
      checked++;
      const where = `${file}:${line}: ${target}`;
      const [path, anchor] = target.split("#", 2) as [string, string | undefined];
      const resolved = path === "" ? file : normalise(dir + path);
      if (path.startsWith("/")) {
        errors.push(`${where}: absolute paths do not work on jsr.io; use a relative link`);
        continue;
      }
      const is_dir = path.endsWith("/") || [...published].some((f) => f.startsWith(resolved + "/"));
      const ok = published.has(resolved) || (is_dir && [...published].some((f) => f.startsWith(resolved + "/")));
      if (!ok) {
        if (PENDING.has(resolved) && !(await exists(`${root}/${resolved}`))) {
          warnings.push(`${where}: ${resolved} does not exist yet (written on another branch)`);
        } else if (await exists(`${root}/${resolved}`)) {
          errors.push(`${where}: ${resolved} exists but is not published (an excluded folder?)`);
        } else {
          errors.push(`${where}: ${resolved} does not exist`);
        }
        continue;
      }
      if (anchor !== undefined && resolved.endsWith(".md")) {
        const target_md = resolved === file ? md : await Deno.readTextFile(`${root}/${resolved}`);
        if (!anchors(target_md).has(anchor)) errors.push(`${where}: no heading #${anchor} in ${resolved}`);
      }
    }
  }
  return { errors, warnings, checked };
}

if (import.meta.main) {
  const root = root_arg(Deno.args);
  const { errors, warnings, checked } = await check_links(root);
  for (const w of warnings) console.error(`warning: ${w}`);
  for (const e of errors) console.error(`error: ${e}`);
  console.log(`check_links: ${checked} links in the published Markdown, ${errors.length} broken`);
  Deno.exit(errors.length ? 1 : 0);
}

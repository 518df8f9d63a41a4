/**
 * CPython's `idna` codec (encodings/idna.py: IDNA 2003, RFC 3490 ToASCII with
 * RFC 3491 nameprep and RFC 3492 punycode), which CPython's socket functions
 * apply to a `str` host before the resolver sees it.
 *
 * Not WHATWG's UTS #46 (`node:url`'s `domainToASCII`): that one maps `ß` to
 * itself rather than `ss`, refuses a label of Arabic-Indic digits by its bidi
 * rule, and so on; CPython's resolver then sees another name than ours would.
 * The tables come from CPython's own stringprep (Unicode 3.2) through
 * tools/gen_idna_tables.py.
 *
 * @module
 */

import { B1, CCC, COMPOSITES, LCAT, MAP, NFKC32_MAP, PROHIBITED, RANDAL, UNASSIGNED32 } from "./_idna_tables.ts";

/** A sorted list of [start, end] code point ranges, parsed from a generated string. */
type Ranges = Uint32Array;

function parse_ranges(s: string): Ranges {
  const items = s.split(",");
  const out = new Uint32Array(items.length * 2);
  items.forEach((it, i) => {
    const [a, b] = it.split("-");
    out[2 * i] = parseInt(a!, 16);
    out[2 * i + 1] = parseInt(b ?? a!, 16);
  });
  return out;
}

function parse_map(s: string): Map<number, string> {
  const m = new Map<number, string>();
  for (const it of s.split(",")) {
    const run = /^([0-9a-f]+)-([0-9a-f]+)\/(\d)([+-][0-9a-f]+)$/.exec(it);
    if (run) {
      const [a, b, step, d] = [parseInt(run[1]!, 16), parseInt(run[2]!, 16), Number(run[3]), parseInt(run[4]!, 16)];
      for (let cp = a; cp <= b; cp += step) m.set(cp, String.fromCodePoint(cp + d));
      continue;
    }
    const [k, v] = it.split(":");
    m.set(parseInt(k!, 16), String.fromCodePoint(...v!.split(" ").map((h) => parseInt(h, 16))));
  }
  return m;
}

function in_ranges(r: Ranges, cp: number): boolean {
  let lo = 0, hi = r.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < r[2 * mid]!) hi = mid - 1;
    else if (cp > r[2 * mid + 1]!) lo = mid + 1;
    else return true;
  }
  return false;
}

interface Tables {
  b1: Ranges;
  map: Map<number, string>;
  prohibited: Ranges;
  randal: Ranges;
  lcat: Ranges;
  unassigned: Ranges;
  nfkc32: Map<number, string>;
  /** Canonical combining class by code point (absent: 0), of CPython's own Unicode. */
  ccc: Map<number, number>;
  /** Canonical composition: first -> (last -> composite), of CPython's own Unicode. */
  compose: Map<number, Map<number, number>>;
}

function parse_ccc(s: string): Map<number, number> {
  const m = new Map<number, number>();
  for (const it of s.split(",")) {
    const [r, k] = it.split(":");
    const [a, b] = r!.split("-");
    for (let cp = parseInt(a!, 16); cp <= parseInt(b ?? a!, 16); cp++) m.set(cp, Number(k));
  }
  return m;
}

/** Each primary composite's pair, found again from its NFD (the generator checked this for every one). */
function parse_compose(s: string): Map<number, Map<number, number>> {
  const r = parse_ranges(s);
  const m = new Map<number, Map<number, number>>();
  for (let i = 0; i < r.length; i += 2) {
    for (let x = r[i]!; x <= r[i + 1]!; x++) {
      const nfd = [...String.fromCodePoint(x).normalize("NFD")];
      const last = nfd.pop()!.codePointAt(0)!;
      const first = nfd.join("").normalize("NFC").codePointAt(0)!;
      let row = m.get(first);
      if (!row) m.set(first, row = new Map());
      row.set(last, x);
    }
  }
  return m;
}

let tables: Tables | null = null;

/** Parsed on first use: most programs never encode a non-ASCII name. */
function t(): Tables {
  return tables ??= {
    b1: parse_ranges(B1),
    map: parse_map(MAP),
    prohibited: parse_ranges(PROHIBITED),
    randal: parse_ranges(RANDAL),
    lcat: parse_ranges(LCAT),
    unassigned: parse_ranges(UNASSIGNED32),
    nfkc32: parse_map(NFKC32_MAP),
    ccc: parse_ccc(CCC),
    compose: parse_compose(COMPOSITES),
  };
}

/** The error CPython's socket functions raise when the codec refuses (a UnicodeError, so a ValueError). */
export function idna_error(why: string): RangeError {
  return new RangeError(`encoding with 'idna' codec failed (UnicodeError: ${why})`);
}

/** Python's repr() of one character. */
function char_repr(c: string): string {
  if (/^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]$/u.test(c) && c !== " ") {
    const cp = c.codePointAt(0)!;
    const hex = cp.toString(16);
    return cp < 0x100
      ? `'\\x${hex.padStart(2, "0")}'`
      : cp < 0x10000
      ? `'\\u${hex.padStart(4, "0")}'`
      : `'\\U${hex.padStart(8, "0")}'`;
  }
  return c === "'" ? `"'"` : c === "\\" ? "'\\\\'" : `'${c}'`;
}

/**
 * NFKC as CPython's `unicodedata.ucd_3_2_0.normalize("NFKC", s)` computes it (Modules/unicodedata.c): each code
 * point decomposed by Unicode 3.2 (one 3.2 had not assigned is left whole), then the canonical reordering and the
 * canonical composition of CPython's own Unicode (14.0 for 3.11), code points 3.2 had not assigned included. Not
 * today's NFKC of runs between those code points (A18c-1): a combining mark 3.2 had not assigned is still reordered
 * (U+1DED before U+0F18), and two such code points still compose (U+1B05 U+1B35 -> U+1B06).
 */
export function nfkc32(s: string): string {
  return from_code_points(nfkc32_cps(code_points(s)));
}

/** The code points of `s` (a lone surrogate is one). */
function code_points(s: string): number[] {
  const out: number[] = [];
  for (const c of s) out.push(c.codePointAt(0)!);
  return out;
}

/**
 * nfkc32() on code points: nameprep keeps a label as code points, so two lone surrogates that mapping brings
 * together stay two (CPython's str), not one astral code point (A18c-12).
 */
function nfkc32_cps(cps: readonly number[]): number[] {
  const tb = t();
  const d: number[] = [];
  for (const cp of cps) {
    if (in_ranges(tb.unassigned, cp)) d.push(cp);
    else {
      // A 3.2-assigned code point decomposes today as it did in 3.2 (decompositions are stable), five corrected
      // CJK compatibility ideographs aside (NFKC32_MAP: their 3.2 NFKC is their 3.2 NFKD, the generator checks).
      for (const x of (tb.nfkc32.get(cp) ?? String.fromCodePoint(cp)).normalize("NFKD")) d.push(x.codePointAt(0)!);
    }
  }
  const ccc = (cp: number) => tb.ccc.get(cp) ?? 0;
  // Canonical reordering: CPython's exchange sort, by its own combining classes.
  for (let i = 1; i < d.length; i++) {
    const cur = ccc(d[i]!);
    if (cur === 0) continue;
    for (let o = i; o > 0; o--) {
      const prev = ccc(d[o - 1]!);
      if (prev === 0 || prev <= cur) break;
      [d[o - 1], d[o]] = [d[o]!, d[o - 1]!];
    }
  }
  // Canonical composition, as CPython's nfc_nfkc (Hangul L V [T] first, then the composition table).
  const out: number[] = [];
  const skipped = new Uint8Array(d.length);
  for (let i = 0; i < d.length;) {
    if (skipped[i]) {
      i++;
      continue;
    }
    let code = d[i]!;
    const v = d[i + 1] ?? 0;
    if (code >= 0x1100 && code < 0x1113 && v >= 0x1161 && v < 0x1176) {
      code = 0xac00 + ((code - 0x1100) * 21 + (v - 0x1161)) * 28;
      i += 2;
      const tt = d[i] ?? 0;
      if (tt > 0x11a7 && tt < 0x11c3) {
        code += tt - 0x11a7;
        i++;
      }
      out.push(code);
      continue;
    }
    let row = tb.compose.get(code);
    let comb = 0;
    for (let j = i + 1; row !== undefined && j < d.length; j++) {
      const c1 = d[j]!;
      const comb1 = ccc(c1);
      if (comb !== 0) {
        if (comb1 === 0) break;
        if (comb >= comb1) continue; // blocked
      }
      const x = row.get(c1);
      if (x === undefined) {
        if (comb1 === 0) break;
        comb = comb1;
        continue;
      }
      code = x;
      skipped[j] = 1;
      row = tb.compose.get(code);
    }
    out.push(code);
    i++;
  }
  return out;
}

/** String.fromCodePoint over any number of code points (a spread of a long label would overflow the stack). */
function from_code_points(cps: readonly number[]): string {
  let s = "";
  for (let i = 0; i < cps.length; i += 4096) s += String.fromCodePoint(...cps.slice(i, i + 4096));
  return s;
}

/** RFC 3491 nameprep of one label, as CPython's encodings.idna.nameprep. */
function nameprep(label: string): string {
  const tb = t();
  // Map: B.1 to nothing, B.2 (case folding) from CPython's own table; on code points (A18c-12).
  const mapped: number[] = [];
  for (const cp of code_points(label)) {
    if (in_ranges(tb.b1, cp)) continue;
    const m = tb.map.get(cp);
    if (m === undefined) mapped.push(cp);
    else for (const c of m) mapped.push(c.codePointAt(0)!);
  }
  const cps = nfkc32_cps(mapped);
  // Prohibit.
  for (const cp of cps) {
    // Table C.5 (surrogates) is not in the generated ranges: a JS string can still hold a lone one.
    if (in_ranges(tb.prohibited, cp) || (cp >= 0xd800 && cp < 0xe000)) {
      throw idna_error(`Invalid character ${char_repr(String.fromCodePoint(cp))}`);
    }
  }
  // Check bidi.
  const randal = cps.map((cp) => in_ranges(tb.randal, cp));
  if (randal.some(Boolean)) {
    if (cps.some((cp) => in_ranges(tb.lcat, cp))) throw idna_error("Violation of BIDI requirement 2");
    if (!randal[0] || !randal[randal.length - 1]) throw idna_error("Violation of BIDI requirement 3");
  }
  return from_code_points(cps);
}

/** RFC 3492 punycode of `input` (Python's `punycode` codec). */
export function punycode(input: string): string {
  const BASE = 36, TMIN = 1, TMAX = 26, SKEW = 38, DAMP = 700;
  const cps = [...input].map((c) => c.codePointAt(0)!);
  const digit = (d: number) => String.fromCharCode(d < 26 ? 97 + d : 22 + d);
  const adapt = (delta: number, points: number, first: boolean) => {
    delta = first ? Math.floor(delta / DAMP) : delta >> 1;
    delta += Math.floor(delta / points);
    let k = 0;
    while (delta > ((BASE - TMIN) * TMAX) >> 1) {
      delta = Math.floor(delta / (BASE - TMIN));
      k += BASE;
    }
    return k + Math.floor(((BASE - TMIN + 1) * delta) / (delta + SKEW));
  };
  let out = cps.filter((cp) => cp < 0x80).map((cp) => String.fromCharCode(cp)).join("");
  const b = out.length;
  let h = b;
  if (b > 0) out += "-";
  let n = 0x80, delta = 0, bias = 72;
  while (h < cps.length) {
    let m = Infinity; // the least code point not yet handled (no spread: a long input would overflow the stack)
    for (const cp of cps) if (cp >= n && cp < m) m = cp;
    delta += (m - n) * (h + 1);
    n = m;
    for (const cp of cps) {
      if (cp < n) delta++;
      if (cp !== n) continue;
      let q = delta;
      for (let k = BASE;; k += BASE) {
        const tt = k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias;
        if (q < tt) break;
        out += digit(tt + ((q - tt) % (BASE - tt)));
        q = Math.floor((q - tt) / (BASE - tt));
      }
      out += digit(q);
      bias = adapt(delta, h + 1, h === b);
      delta = 0;
      h++;
    }
    delta++;
    n++;
  }
  return out;
}

// deno-lint-ignore no-control-regex
const is_ascii = (s: string): boolean => !/[^\x00-\x7f]/.test(s);

/** RFC 3490 ToASCII of one label, as CPython's encodings.idna.ToASCII (UseSTD3ASCIIRules false). */
function to_ascii(label: string): string {
  const sized = (l: string) => {
    if (l.length > 0 && l.length < 64) return l;
    throw idna_error("label empty or too long");
  };
  if (is_ascii(label)) return sized(label);
  const prepped = nameprep(label);
  if (is_ascii(prepped)) return sized(prepped);
  if (prepped.startsWith("xn--")) throw idna_error("Label starts with ACE prefix");
  // Punycode writes at least one character per code point: 60 or more can only give a label over 63 (CPython
  // encodes it first, in time quadratic in the label, then refuses it the same way) (A18c-2).
  let n = 0;
  for (const _ of prepped) if (++n >= 60) throw idna_error("label empty or too long");
  return sized("xn--" + punycode(prepped));
}

/**
 * `host` encoded by CPython's `idna` codec, as its socket functions encode a
 * `str` host: an ASCII name checked only for its label lengths, any other
 * split on every IDNA dot and each label made ASCII by ToASCII.
 *
 * @throws {RangeError} CPython's UnicodeError, with its text.
 */
export function idna_encode(host: string): string {
  if (host === "") return host;
  if (is_ascii(host)) {
    // CPython's ASCII fast path: every label but the last must be 1-63 long; the last at most 63.
    const labels = host.split(".");
    for (let i = 0; i < labels.length - 1; i++) {
      const n = labels[i]!.length;
      if (n === 0 || n >= 64) throw idna_error("label empty or too long");
    }
    if (labels[labels.length - 1]!.length >= 64) throw idna_error("label too long");
    return host;
  }
  const labels = host.split(/[.\u3002\uff0e\uff61]/);
  const trailing = labels.length > 0 && labels[labels.length - 1] === "";
  if (trailing) labels.pop();
  return labels.map(to_ascii).join(".") + (trailing ? "." : "");
}

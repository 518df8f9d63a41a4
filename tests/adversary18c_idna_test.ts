// adv18c: CPython's idna codec at the name level, and every entry point that encodes a name, beside python3.
// A18c-1: nameprep's NFKC (CPython's ucd_3_2_0.normalize) decomposes by Unicode 3.2 but reorders and composes by
//   CPython's own Unicode, code points 3.2 had not assigned included; pysocket normalized today's NFKC in runs
//   split at those code points, so a label holding one beside a combining mark encoded to ANOTHER punycode name
//   ("༘ᷭ⼇Σ" -> CPython xn--4xa519cq2l2o1c, pysocket xn--4xa519cp2l3o1c) and the resolver saw another name.
// A18c-2: a non-ASCII label of ~125k code points or more failed with "Maximum call stack size exceeded"
//   (a spread in punycode) where CPython raises UnicodeError "label empty or too long".
// A18c-12: nameprep worked on a JS string: two lone surrogates brought together by mapping to nothing (U+200B between
//   them) became one astral code point, so another character was named in the error.
// A18c-3: getfqdn() stripped its argument with JS trim() (U+FEFF too, not U+001C-U+001F nor U+0085): getfqdn("\ufeff")
//   looked this host up where CPython raises UnicodeError, getfqdn("\x1c") looked "\x1c" up where CPython uses
//   gethostname().
// No name leaves the process: pysocket's lookups go to the resolver seam; python3 runs its socket functions only for
// rows that raise before any lookup (its codec refuses the name, or a NUL is refused) and else gives the codec's
// output; its getfqdn() runs with socket.gethostbyaddr monkeypatched.
// ADV18C_FULL=1 runs the whole generated tables (40000 names, 100000 sequences, every code point).

import assert from "node:assert/strict";
import * as m from "../mod.ts";
import { create_default_context } from "../ssl.ts";
import { idna_encode, nfkc32 } from "../_idna.ts";
import { _set_lookup_for_tests } from "../_resolve.ts";
import { CCC, COMPOSITES, UNASSIGNED32 } from "../_idna_tables.ts";
import { python_json, rng } from "./_twin.ts";

const FULL = Deno.env.get("ADV18C_FULL") === "1";

/** Names mixing ASCII, non-ASCII, IDNA dots, empty labels, xn-- labels, labels about 63 long, bidi and marks. */
export function gen_names(seed: number, n: number): string[] {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const atoms = [
    "a",
    "Z",
    "0",
    "-",
    "xn--",
    "XN--",
    "Xn--",
    "ü",
    "Ü",
    "ß",
    "ς",
    "Σ",
    "\u00ad",
    "\u200b",
    "\u200d",
    "\u034f",
    "\u0301",
    "\u0308",
    "א",
    "ب",
    "١",
    "\u200e",
    "\u200f",
    "ﬁ",
    "Ⅻ",
    "①",
    "㎏",
    "İ",
    "ı",
    "\u3000",
    " ",
    "_",
    "\u{1F600}",
    "\u{10000}",
    "\u{E0001}",
    "\ufeff",
    "\u2060",
    "\ufe00",
    "Ａ",
    "１",
    "\uff0d",
    "\u2024",
    "\ufe52",
    "\u0000",
    "\t",
    "%",
    "@",
    "\u00a0",
    "\u0674",
    "\u0340",
    "\u17b4",
    "\u2ff0",
    "\ud800",
    "\udc00",
    "\u1ded",
    "\u0f18",
    "\u1b05\u1b35",
    "\u1100\u1161\u11a8",
    "bq--",
    "xn--zca",
    "xn--bcher-kva",
    "xn--a",
    "xn---",
    "xn--ls8h",
    "abc",
    "ABC",
    "\u0130",
    "\u1e9e",
    "\u193b",
    "\u07fd",
  ]; // deno-fmt-ignore
  const dots = [".", "\u3002", "\uff0e", "\uff61", ".."];
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const labels: string[] = [];
    for (let j = 0, nl = 1 + Math.floor(r() * 5); j < nl; j++) {
      const mode = r();
      let l = "";
      if (mode < 0.1) l = "";
      else if (mode < 0.25) {
        l = pick(["a", "ü", "a", "x"]).repeat(58 + Math.floor(r() * 9));
        if (r() < 0.5) l = pick(atoms) + l.slice(1);
      } else if (mode < 0.3) {
        l = "xn--" + Array.from({ length: 1 + Math.floor(r() * 20) }, () => pick([..."abcdefghijklmnopqrstuvwxyz0-9"]))
          .join("");
      } else {
        for (let q = 0, k = 1 + Math.floor(r() * 6); q < k; q++) {
          l += r() < 0.3 ? String.fromCodePoint(0x80 + Math.floor(r() * (r() < 0.8 ? 0x3000 : 0x10ff7f))) : pick(atoms);
        }
      }
      labels.push(l);
    }
    let name = labels[0]!;
    for (let j = 1; j < labels.length; j++) name += pick(dots) + labels[j];
    if (r() < 0.1) name = pick(dots) + name;
    if (r() < 0.15) name += pick(dots);
    if (r() < 0.05) name = name.repeat(1 + Math.floor(r() * 8));
    out.push(name);
  }
  return out;
}

/** Names found differing before the fixes, and their neighbours. */
const FOUND = [
  "༘ᷭ⼇Σ.xn--f-b11a2gi6lyhu", // A18c-1: U+1DED (unassigned in 3.2, class 230) reorders before U+0F18 (220)
  "\u0301ੰṐ-֢\u0308｡\u00ad𫜯İ。",
  "ßİ᤻｡x", // U+0307 after U+193B (unassigned in 3.2, class 220)
  "\ufeffxxxx。\u0000ʲ߽\u0301Ａ.⵪ឭ឴İ",
  "\u1b05\u1b35ü", // two code points 3.2 had not assigned compose (U+1B06)
  "ü\u1b05\u0334\u1b35", // ... across a blocked-or-not mark
  "ü\u1100\u1161\u11a7", // Hangul T bounds
  "ü\u1100\u1176",
  "ü\u1100\u1161\u11c3",
  "a\u0323\u1ded\u0301ü",
  "xn--zx．\ud800\u200b\udc00\u{fe8c9}xn--.a", // A18c-12: two lone surrogates that mapping brings together stay two
  "\ud800\u00ad\udc00ü",
  "\u0000ﬁ－xn--bcher-kva.",
];

const PY_ENCODE = `
import json, sys
out = []
for h in json.load(sys.stdin):
    try: out.append(["ok", h.encode("idna").decode("ascii")])
    except Exception as e: out.append([type(e).__name__, str(e)])
print(json.dumps(out))
`;

function encode_row(h: string): string[] {
  try {
    return ["ok", idna_encode(h)];
  } catch (e) {
    return [e instanceof RangeError ? "UnicodeError" : (e as Error).name, (e as Error).message];
  }
}

function differing(input: string[], want: unknown[], got: unknown[]): unknown[] {
  return input.map((h, i) => [h, want[i], got[i]]).filter(([, w, g]) => JSON.stringify(w) !== JSON.stringify(g));
}

Deno.test("adv18c idna: generated names encode as CPython's str.encode('idna'), errors with its class and text (A18c-1)", async () => {
  const input = [...FOUND, ...gen_names(1801, FULL ? 40000 : 3000)];
  const want = await python_json(PY_ENCODE, input) as unknown[];
  const got = input.map(encode_row);
  const bad = differing(input, want, got);
  assert.deepEqual(bad.slice(0, 10).map((b) => JSON.stringify(b)), [], `${bad.length} of ${input.length} names differ`);
  // The generator reaches every outcome: names encoded, and each of the codec's refusals.
  const kinds = new Set(want.map((w) => (w as string[])[0] === "ok" ? "ok" : (w as string[])[1]!));
  for (const k of ["ok", "label empty or too long", "label too long", "Label starts with ACE", "BIDI requirement 2"]) {
    assert.ok([...kinds].some((x) => x.includes(k)), `no row gave ${k}`);
  }
});

Deno.test("adv18c idna: nameprep's NFKC is CPython's ucd_3_2_0.normalize('NFKC') on generated sequences (A18c-1)", async () => {
  const expand = (s: string) => {
    const o: number[] = [];
    for (const it of s.split(",")) {
      const [a, b] = it.split(":")[0]!.split("-");
      for (let c = parseInt(a!, 16); c <= parseInt(b ?? a!, 16) && o.length < 40000; c++) o.push(c);
    }
    return o;
  };
  const marks = expand(CCC), comps = expand(COMPOSITES), una = expand(UNASSIGNED32).filter((c) => c < 0x30000);
  const jamo = [0x1100, 0x1112, 0x1113, 0x1161, 0x1175, 0x1176, 0x11a7, 0x11a8, 0x11c2, 0x11c3, 0xac00, 0xd7a3];
  const r = rng(18);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const input: string[] = [];
  for (let i = 0; i < (FULL ? 100000 : 8000); i++) {
    const cps: number[] = [];
    for (let k = 0, n = 1 + Math.floor(r() * 8); k < n; k++) {
      const x = r();
      if (x < 0.3) cps.push(pick(marks));
      else if (x < 0.5) {
        for (const c of String.fromCodePoint(pick(comps)).normalize(r() < 0.5 ? "NFD" : "NFC")) {
          cps.push(c.codePointAt(0)!);
        }
      } else if (x < 0.6) cps.push(pick(jamo));
      else if (x < 0.75) cps.push(pick(una));
      else if (x < 0.85) cps.push(0x41 + Math.floor(r() * 58));
      else cps.push(Math.floor(r() * 0x30000) % 0xd800);
    }
    input.push(String.fromCodePoint(...cps));
  }
  const want = await python_json(
    `
import json, sys
from unicodedata import ucd_3_2_0 as o
print(json.dumps([o.normalize("NFKC", s) for s in json.load(sys.stdin)]))
`,
    input,
  ) as string[];
  const bad = differing(input, want, input.map(nfkc32));
  assert.deepEqual(bad.slice(0, 10), [], `${bad.length} of ${input.length} sequences differ`);
  assert.ok(input.filter((s, i) => s !== want[i]).length > input.length / 4, "most sequences change");
});

Deno.test("adv18c idna: each code point alone normalizes as CPython's ucd_3_2_0 (every 13th; all under ADV18C_FULL)", async () => {
  const step = FULL ? 1 : 13;
  const want = await python_json(
    `
import json, sys
from unicodedata import ucd_3_2_0 as o
step = json.load(sys.stdin)
bad = {}
for cp in range(0, 0x110000, step):
    if 0xD800 <= cp < 0xE000: continue
    bad[cp] = o.normalize("NFKC", chr(cp))
print(json.dumps(bad))
`,
    step,
  ) as Record<string, string>;
  const bad = Object.entries(want).filter(([cp, v]) => nfkc32(String.fromCodePoint(Number(cp))) !== v);
  assert.deepEqual(bad.slice(0, 10), [], `${bad.length} code points differ`);
});

Deno.test("adv18c idna: a label of 150000 code points is refused as CPython refuses it, not with a stack overflow (A18c-2)", async () => {
  const input = [
    "ü".repeat(150000) + ".a",
    "a.".repeat(10) + "\u{10000}ü".repeat(70000),
    "ü".repeat(59),
    "ü".repeat(60),
  ];
  const want = await python_json(PY_ENCODE, input) as unknown[];
  const got = input.map(encode_row);
  assert.deepEqual(got, want);
});

/** What CPython's socket layer does with a str host, per entry point; python3 runs only what raises before lookup. */
const PY_ENTRY = `
import json, re, socket, ssl, sys
names, ops = json.load(sys.stdin)
CTX = ssl.create_default_context()
def cls(e):
    return "ValueError" if isinstance(e, ValueError) else type(e).__name__
def run(h, op):
    try:
        if op == "getaddrinfo": socket.getaddrinfo(h, 80)
        elif op == "create_connection": socket.create_connection((h, 9), 1)
        elif op in ("gethostbyname", "gethostbyname_ex", "gethostbyaddr"): getattr(socket, op)(h)
        else:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if op == "sendto" else socket.SOCK_STREAM)
            try:
                if op == "connect": s.connect((h, 9))
                elif op == "connect_ex": s.connect_ex((h, 9))
                else: s.sendto(b"x", (h, 9))
            finally: s.close()
        return ["ran"]
    except Exception as e:
        return [cls(e), str(e)]
out = []
for h in names:
    try: enc = h.encode("idna").decode("ascii")
    except UnicodeError: enc = None
    row = []
    for op in ops:
        if op == "server_hostname":
            s = socket.socket()
            try: row.append(["ok", CTX.wrap_socket(s, server_hostname=h, do_handshake_on_connect=False).server_hostname])
            except Exception as e: row.append([cls(e), str(e)])
            finally: s.close()
        elif op in ("getaddrinfo", "create_connection"):
            # Always the codec (ASCII too); the resolver reads a C string, up to a NUL.
            if enc is not None and enc.split("\\0")[0] == "":
                # A name that is empty as a C string: pysocket answers EAI_NONAME itself (no lookup of "" here).
                row.append(["gaierror", "[Errno -2] Name or service not known"])
            else:
                row.append(run(h, op) if enc is None else ["resolver", enc.split("\\0")[0]])
        elif op in ("gethostbyname", "gethostbyname_ex", "gethostbyaddr"):
            # "et" with "idna": always the codec; a NUL is refused.
            row.append(run(h, op) if enc is None or "\\0" in enc else ["resolver", enc])
        else:
            # idna_converter: an ASCII str as it is, any other through the codec; a NUL is refused.
            name = h if h.isascii() else enc
            if name is not None and "\\0" not in name and re.search(r"[\\s\\[\\]/\\\\]", name):
                # pysocket's literal_check (families/_ip.ts) answers a name with a space, bracket or slash itself,
                # as glibc's resolver does: no such name.
                row.append(["gaierror", "[Errno -2] Name or service not known"])
            else:
                row.append(run(h, op) if name is None or "\\0" in name else ["resolver", name])
    out.append(row)
print(json.dumps(out))
`;

const OPS = [
  "getaddrinfo",
  "create_connection",
  "gethostbyname",
  "gethostbyname_ex",
  "gethostbyaddr",
  "connect",
  "connect_ex",
  "sendto",
  "server_hostname",
] as const;

let ctx: ReturnType<typeof create_default_context> | undefined;

async function entry(h: string, op: typeof OPS[number], seen: string[]): Promise<unknown[]> {
  seen.length = 0;
  const s = op === "connect" || op === "connect_ex" || op === "sendto" || op === "server_hostname"
    ? m.socket(m.AF_INET, op === "sendto" ? m.SOCK_DGRAM : m.SOCK_STREAM)
    : null;
  try {
    if (op === "getaddrinfo") await m.getaddrinfo(h, 80);
    else if (op === "create_connection") (await m.create_connection([h, 9], 1)).close();
    else if (op === "gethostbyname") await m.gethostbyname(h);
    else if (op === "gethostbyname_ex") await m.gethostbyname_ex(h);
    else if (op === "gethostbyaddr") await m.gethostbyaddr(h);
    else if (op === "connect") await s!.connect([h, 9]);
    else if (op === "connect_ex") await s!.connect_ex([h, 9]);
    else if (op === "sendto") await s!.sendto(new Uint8Array([120]), [h, 9]);
    else {
      const t = await (ctx ??= create_default_context()).wrap_socket(s!, {
        server_hostname: h,
        do_handshake_on_connect: false,
      });
      return ["ok", t.server_hostname];
    }
    return seen.length ? ["resolver", seen[0]] : ["ran"];
  } catch (e) {
    if (seen.length) return ["resolver", seen[0]];
    return [e instanceof RangeError ? "ValueError" : (e as Error).name, (e as Error).message];
  } finally {
    s?.close();
  }
}

/** A name the resolver would not be asked about (a literal, "" or "<broadcast>"), on either side. */
const numeric_like = (h: string) => {
  let a: string;
  try {
    a = idna_encode(h);
  } catch {
    a = "-";
  }
  return [h, a].map((x) => x.split("\0").join("")).some((x) =>
    /^[\s0-9xX.]*$/.test(x) || (x.includes(":") && /^[\s0-9a-fA-F.:%]*$/.test(x)) || x.startsWith("<")
  );
};

Deno.test("adv18c idna: every entry point that encodes a name gives the resolver CPython's name, or CPython's error", async () => {
  const names = [...FOUND, ...gen_names(1818, FULL ? 3000 : 150), "a..b", "ü..b", "a\0b", "ü\0b", "-a-.b-", "A.B."]
    .filter((h) => !numeric_like(h));
  const want = await python_json(PY_ENTRY, [names, OPS]) as unknown[][];
  const seen: string[] = [];
  _set_lookup_for_tests((host) => {
    seen.push(host);
    return Promise.reject(new m.gaierror(-2));
  });
  const got: unknown[][] = [];
  try {
    for (const h of names) {
      const row: unknown[] = [];
      for (const op of OPS) row.push(await entry(h, op, seen));
      got.push(row);
    }
  } finally {
    _set_lookup_for_tests(null);
  }
  const bad = names.flatMap((h, i) =>
    OPS.map((op, j) => [h, op, want[i]![j], got[i]![j]]).filter(([, , w, g]) => JSON.stringify(w) !== JSON.stringify(g))
  );
  assert.deepEqual(
    bad.slice(0, 10).map((b) => JSON.stringify(b)),
    [],
    `${bad.length} of ${names.length * OPS.length} cells differ`,
  );
  assert.ok(names.length > 100);
});

Deno.test("adv18c getfqdn: strips as Python's str.strip(), then encodes as CPython (A18c-3)", async () => {
  const names = [
    "\ufeff",
    "\x1c",
    " \x1d\x85a.test\x1f ",
    "\ufeffa.test",
    "\u3000b.test\u2029",
    "\x85",
    "ü..x",
    "a..b",
  ];
  const want = await python_json(
    `
import json, socket, sys
names = json.load(sys.stdin)
seen = []
def fake(name):
    seen.append(name.encode("idna").decode())  # "et" with "idna": the codec's UnicodeError before any lookup
    raise OSError("no lookup here")
socket.gethostbyaddr = fake
out = []
for h in names:
    seen.clear()
    try: out.append(["ok", socket.getfqdn(h), list(seen)])
    except Exception as e: out.append(["ValueError" if isinstance(e, ValueError) else type(e).__name__, str(e), list(seen)])
print(json.dumps(out))
`,
    names,
  );
  const seen: string[] = [];
  _set_lookup_for_tests((host) => {
    seen.push(host);
    return Promise.reject(new m.gaierror(-2));
  });
  const got: unknown[] = [];
  try {
    for (const h of names) {
      seen.length = 0;
      try {
        const r = await m.getfqdn(h);
        got.push(["ok", r, [...seen]]);
      } catch (e) {
        got.push([e instanceof RangeError ? "ValueError" : (e as Error).name, (e as Error).message, [...seen]]);
      }
    }
  } finally {
    _set_lookup_for_tests(null);
  }
  assert.deepEqual(got, want);
});

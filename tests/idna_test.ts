/**
 * Host names through CPython's `idna` codec (IDNA 2003: nameprep + punycode),
 * as CPython's socket functions encode a `str` host, row by row against
 * python3's own `str.encode("idna")`; then what the resolver sees
 * (A14c-4: a label of Arabic-Indic digits was refused by node:url's UTS #46
 * bidi rule, where CPython encodes it and lets the lookup fail with gaierror).
 * No lookup leaves the process: the resolver seam answers.
 */
import assert from "node:assert/strict";
import * as m from "../mod.ts";
import { idna_encode } from "../_idna.ts";
import { B1, MAP, NFKC32_MAP, PROHIBITED, RANDAL } from "../_idna_tables.ts";
import { python_json, rng } from "./_twin.ts";

/** The first code point of each generated item ("a-b", "a:..." or "a"). */
const starts = (s: string) => s.split(",").map((it) => parseInt(it.split(/[-:]/)[0]!, 16));

function rows(): string[] {
  const r = rng(17);
  const cp = (n: number) => String.fromCodePoint(n);
  const out = [
    "١٢٧.0.0.1",
    "١٢٧",
    "١a",
    "a١",
    "straße.test",
    "ΣΊΣΥΦΟΣ",
    "ς.test",
    "bücher.localhost",
    "BÜCHER.Localhost.",
    "ü.",
    "。",
    "a。b．c｡d",
    "xn--ü",
    "XN--ü",
    "אבג",
    "אבגa",
    "1אבג",
    "אבג1",
    "عربي",
    "عربي١",
    "١عربي",
    "a\u200eb",
    "a\u200db",
    "a\u00adb",
    "ﬁ.test",
    "Ⅻ",
    "①②",
    "㎏",
    "Ǆ",
    "İstanbul",
    "a\u0301",
    "\u0301a",
    "ü".repeat(60),
    "ü".repeat(20) + "." + "a".repeat(63),
    "a".repeat(63) + ".ü",
    "a".repeat(64) + ".ü",
    "ü..a",
    ".ü",
    "\ud800",
    "a\udfffb",
    "\u{1F600}",
    "\u{10FFFD}",
    "\u{E0001}",
    "\u3000a",
    "a b",
    "ü\0x",
    "💩.test",
    "\u2f868",
    String.fromCodePoint(0x2f868),
    "\u{1D2C}x",
    "ϹΣ",
  ];
  // Every code point the generated tables name, alone and between letters.
  for (const table of [B1, MAP, NFKC32_MAP, PROHIBITED, RANDAL]) {
    for (const n of starts(table)) out.push(cp(n) + "é", "é" + cp(n) + "x");
  }
  // Random code points over every plane in use, alone, in words and beside a right-to-left letter.
  const planes = [0x80, 0x800, 0x3000, 0xa000, 0x10000, 0x20000, 0xe0000];
  for (let i = 0; i < 3000; i++) {
    const top = planes[i % planes.length]!;
    let n = Math.floor(r() * top * 2) + 0x80;
    if (n >= 0xd800 && n < 0xe000) n += 0x800;
    if (n > 0x10ffff) n = 0x10ffff;
    const c = cp(n);
    out.push(i % 3 === 0 ? c : i % 3 === 1 ? "ab" + c + "cd" : "\u05d0" + c + "\u05d1");
  }
  return out;
}

Deno.test("idna: every row encodes as CPython's idna codec, or fails with its text (A14c-4)", async () => {
  const input = rows();
  const want = await python_json(
    `
import json, sys
out = []
for h in json.load(sys.stdin):
    try: out.append(["ok", h.encode("idna").decode("ascii")])
    except UnicodeError as e: out.append(["err", str(e)])
print(json.dumps(out))
`,
    input,
  );
  if (typeof want === "string") {
    console.log(`idna rows skipped: ${want}`);
    return;
  }
  const got = input.map((h) => {
    try {
      return ["ok", idna_encode(h)];
    } catch (e) {
      assert.ok(e instanceof RangeError, String(e));
      return ["err", (e as Error).message];
    }
  });
  const bad = input.map((h, i) => [h, (want as unknown[])[i], got[i]]).filter(([, w, g]) =>
    JSON.stringify(w) !== JSON.stringify(g)
  );
  assert.deepEqual(bad.slice(0, 20), [], `${bad.length} of ${input.length} rows differ`);
  assert.ok(input.length > 3000);
});

Deno.test("idna: getaddrinfo()/create_connection() pass the encoded name to the resolver, then gaierror (A14c-4)", async () => {
  const { _set_lookup_for_tests } = await import("../_resolve.ts");
  const hosts = ["١٢٧.0.0.1", "straße.test", "ΣΊΣΥΦΟΣ.test"];
  const want = await python_json(
    `
import json, sys
print(json.dumps([h.encode("idna").decode() for h in json.load(sys.stdin)]))
`,
    hosts,
  );
  if (typeof want === "string") {
    console.log(`idna resolver rows skipped: ${want}`);
    return;
  }
  const seen: string[] = [];
  _set_lookup_for_tests((host) => {
    seen.push(host);
    return Promise.reject(new m.gaierror(-2));
  });
  try {
    for (const h of hosts) {
      await assert.rejects(m.getaddrinfo(h, 80), (e) => e instanceof m.gaierror && e.errno === -2);
      await assert.rejects(m.create_connection([h, 80], 5), (e) => e instanceof m.gaierror && e.errno === -2);
    }
  } finally {
    _set_lookup_for_tests(null);
  }
  assert.deepEqual([...new Set(seen)], want);
});

Deno.test("idna: SSLSocket.server_hostname is the name CPython's _encode_hostname gives (IDNA 2003), its errors CPython's", async () => {
  const { create_default_context } = await import("../ssl.ts");
  const hosts = [
    "straße.test",
    "bücher.localhost",
    "ΣΊΣΥΦΟΣ.test",
    "a\u200db.test",
    "xn--ü",
    "ü..a",
    "١٢٧.test",
    "LOCALHOST.",
  ];
  const want = await python_json(
    `
import json, socket, ssl, sys
out = []
for h in json.load(sys.stdin):
    s = socket.socket()
    try: out.append(["ok", ssl.create_default_context().wrap_socket(s, server_hostname=h, do_handshake_on_connect=False).server_hostname])
    except Exception as e: out.append([type(e).__name__, str(e)])
    s.close()
print(json.dumps(out))
`,
    hosts,
  );
  if (typeof want === "string") {
    console.log(`idna server_hostname rows skipped: ${want}`);
    return;
  }
  const got = [];
  for (const h of hosts) {
    const s = m.socket();
    try {
      const t = await create_default_context().wrap_socket(s, { server_hostname: h, do_handshake_on_connect: false });
      got.push(["ok", t.server_hostname]);
    } catch (e) {
      got.push([e instanceof RangeError ? "UnicodeError" : (e as Error).name, (e as Error).message]);
    } finally {
      s.close();
    }
  }
  assert.deepEqual(got, want);
});

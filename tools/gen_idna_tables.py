#!/usr/bin/env python3
"""Regenerate _idna_tables.ts: the IDNA 2003 (RFC 3490/3491) tables CPython's idna codec uses.

Run: python3 tools/gen_idna_tables.py > _idna_tables.ts   (then: deno fmt _idna_tables.ts)

CPython encodes a host name with its `idna` codec (encodings/idna.py): nameprep
(stringprep's tables B.1, B.2, C.*, D.1, D.2 from Unicode 3.2) then punycode.
JavaScript has NFKC and toLowerCase() of today's Unicode but no stringprep, no
Unicode 3.2 and no bidi classes, so this script writes what differs:
- B1: the code points mapped to nothing;
- MAP: stringprep.map_table_b2, whole (CPython's str.lower() of its own
  Unicode, then NFKC of Unicode 3.2), so JS's case tables (of another Unicode
  version) never decide: runs "start-end/step+delta" map each code point to
  itself plus delta; other items are "cp:hex code points";
- PROHIBITED: tables C.1.2, C.2.2, C.3-C.9 together;
- RANDAL, LCAT: tables D.1 and D.2;
- UNASSIGNED32: code points Unicode 3.2 had not assigned: nameprep leaves them
  as they are (no case, no decomposition), whatever today's Unicode says;
- NFKC32_MAP: assigned code points whose NFKC under Unicode 3.2 differs from
  today's (five CJK compatibility ideographs corrected since), with their 3.2 form
  (their 3.2 NFKD too: the script checks);
- CCC: the canonical combining class of every code point whose class is not 0, in
  the Unicode of the Python that runs this script, as "start-end:class" items:
  CPython's ucd_3_2_0.normalize() decomposes by Unicode 3.2 but reorders (and
  composes) by its own Unicode, a code point 3.2 had not assigned included;
- COMPOSITES: the primary composites of that Unicode (canonical pairs that NFC
  composes), so a newer JS Unicode composes nothing CPython would not.
Ranges are written as base-36 "start-end" (or "start") items joined by commas.
"""
import stringprep
import unicodedata
from unicodedata import ucd_3_2_0 as u32

ALL = [cp for cp in range(0x110000) if not 0xD800 <= cp < 0xE000]


def ranges(pred):
    out = []
    start = prev = None
    for cp in ALL:
        if pred(chr(cp)):
            if start is None:
                start = prev = cp
            elif cp == prev + 1:
                prev = cp
            else:
                out.append((start, prev))
                start = prev = cp
    if start is not None:
        out.append((start, prev))
    return ",".join(
        f"{a:x}" if a == b else f"{a:x}-{b:x}" for a, b in out
    )


def hexs(s):
    return " ".join(f"{ord(x):x}" for x in s)


PROHIBITED = (
    stringprep.in_table_c12, stringprep.in_table_c22, stringprep.in_table_c3,
    stringprep.in_table_c4, stringprep.in_table_c5, stringprep.in_table_c6,
    stringprep.in_table_c7, stringprep.in_table_c8, stringprep.in_table_c9,
)

def unassigned(c):
    return u32.category(c) == "Cn"


mapping = {}
for cp in ALL:
    c = chr(cp)
    if stringprep.in_table_b1(c):
        continue
    want = stringprep.map_table_b2(c)
    if want != c:
        mapping[cp] = want


def encode_map(mapping):
    items = []
    singles = sorted((cp, ord(v) - cp) for cp, v in mapping.items() if len(v) == 1)
    i = 0
    while i < len(singles):
        cp, d = singles[i]
        best = (i, 1)
        for step in (1, 2):
            j = i
            while j + 1 < len(singles) and singles[j + 1] == (singles[j][0] + step, d):
                j += 1
            if j - i + 1 > best[0] - i + 1 or (j > best[0]):
                best = (j, step)
        j, step = best
        if j > i:
            end = singles[j][0]
            items.append((cp, f"{cp:x}-{end:x}/{step}{d:+x}"))
        else:
            items.append((cp, f"{cp:x}:{ord(mapping[cp]):x}"))
        i = j + 1
    for cp, v in mapping.items():
        if len(v) != 1:
            items.append((cp, f"{cp:x}:{hexs(v)}"))
    return ",".join(t for _, t in sorted(items))
nfkc32 = {}
for cp in ALL:
    c = chr(cp)
    old = u32.normalize("NFKC", c)
    if not unassigned(c) and old != unicodedata.normalize("NFKC", c):
        nfkc32[cp] = old

for cp, v in nfkc32.items():
    assert u32.normalize("NFKD", chr(cp)) == v, hex(cp)


def ccc_items():
    out = []
    start = prev = None
    cls = 0
    for cp in ALL + [0x110000]:
        k = unicodedata.combining(chr(cp)) if cp < 0x110000 else 0
        if start is not None and (k != cls or cp != prev + 1):
            out.append(f"{start:x}" + ("" if start == prev else f"-{prev:x}") + f":{cls}")
            start = None
        if k and start is None:
            start, cls = cp, k
        if k:
            prev = cp
    return ",".join(out)


def primary_composite(c):
    d = unicodedata.decomposition(c)
    if not d or d.startswith("<") or len(d.split()) != 2:
        return False
    pair = "".join(chr(int(x, 16)) for x in d.split())
    if unicodedata.normalize("NFC", pair) != c:
        return False
    # _idna.ts finds the pair again from NFD: all but the last code point composed, then the last.
    nfd = unicodedata.normalize("NFD", c)
    assert unicodedata.normalize("NFC", nfd[:-1]) + nfd[-1] == pair, hex(ord(c))
    return True


print("// Generated by tools/gen_idna_tables.py from CPython's stringprep and unicodedata.ucd_3_2_0")
print(f"// (Python {'.'.join(map(str, __import__('sys').version_info[:3]))}, Unicode {unicodedata.unidata_version}). Do not edit.")
print("")
print("/** Table B.1: mapped to nothing. */")
print(f'export const B1 = "{ranges(stringprep.in_table_b1)}";')
print("/** Table B.2 (case folding): runs \"start-end/step+delta\", else \"cp:hex code points\". */")
print(f'export const MAP = "{encode_map(mapping)}";')
print("/** Tables C.1.2, C.2.2 and C.3-C.9: prohibited output. */")
print(f'export const PROHIBITED = "{ranges(lambda c: any(f(c) for f in PROHIBITED))}";')
print("/** Table D.1: RandALCat. */")
print(f'export const RANDAL = "{ranges(stringprep.in_table_d1)}";')
print("/** Table D.2: LCat. */")
print(f'export const LCAT = "{ranges(stringprep.in_table_d2)}";')
print("/** Code points Unicode 3.2 had not assigned (nameprep leaves them as they are). */")
print(f'export const UNASSIGNED32 = "{ranges(unassigned)}";')
print("/** Assigned code points whose Unicode 3.2 NFKC differs from today's: code point -> hex code points. */")
print('export const NFKC32_MAP = "' + ",".join(f"{cp:x}:{hexs(v)}" for cp, v in sorted(nfkc32.items())) + '";')
print("/** Canonical combining classes other than 0 (this Python's Unicode): \"start-end:class\" items. */")
print(f'export const CCC = "{ccc_items()}";')
print("/** Primary composites (this Python's Unicode): the code points canonical composition may produce. */")
print(f'export const COMPOSITES = "{ranges(primary_composite)}";')

// Every SocketFile reader waiting beside another task that takes the bytes
// first (issue 14): read(n), read1(), readinto(), readline(), readline(limit),
// read(), text read(n) and readline(), and `for await`, each beside recv(),
// recv_into() or another file's readline()/read1(), started before and after
// it. None may return a false EOF (an empty result before the peer's EOF):
// it waits for more, as CPython's threads do. Nothing is lost or duplicated.
// python3 runs the same pairs with threads and reports whether any reader
// returned empty before EOF (never, in CPython).

import assert from "node:assert/strict";
import { type Socket, socketpair } from "../mod.ts";
import { sleep, test_needing, within } from "./_socket_fixtures.ts";
import { python_json } from "./_twin.ts";

const test = test_needing("python3");

const enc = new TextEncoder();
const CHUNKS = ["ab\n", "cd\n", "ef\n"];

const READERS = [
  "read4",
  "read1",
  "readinto4",
  "readline",
  "readline3",
  "readall",
  "text_read3",
  "text_readline",
  "iter",
] as const;
const RIVALS = ["recv", "recv_into", "file_readline", "file_read1"] as const;

/** Run a reader kind on a fresh file of `s`; its bytes (text encoded back). */
async function reader(s: Socket, kind: string): Promise<Uint8Array> {
  switch (kind) {
    case "read4":
      return await s.makefile("rb").read(4) as Uint8Array;
    case "read1":
      return await s.makefile("rb").read1();
    case "readinto4": {
      const buf = new Uint8Array(4);
      const n = await s.makefile("rb").readinto(buf);
      return buf.slice(0, n);
    }
    case "readline":
      return await s.makefile("rb").readline() as Uint8Array;
    case "readline3":
      return await s.makefile("rb").readline(3) as Uint8Array;
    case "readall":
      return await s.makefile("rb").read() as Uint8Array;
    case "text_read3":
      return enc.encode(await s.makefile("r").read(3) as string);
    case "text_readline":
      return enc.encode(await s.makefile("r").readline() as string);
    default: {
      for await (const line of s.makefile("rb")) return line as Uint8Array;
      return new Uint8Array(0);
    }
  }
}

async function rival(s: Socket, kind: string): Promise<Uint8Array> {
  switch (kind) {
    case "recv":
      return await s.recv(100);
    case "recv_into": {
      const buf = new Uint8Array(100);
      return buf.slice(0, await s.recv_into(buf));
    }
    case "file_readline":
      return await s.makefile("rb").readline() as Uint8Array;
    default:
      return await s.makefile("rb").read1(100);
  }
}

interface Result {
  false_eof: boolean;
  complete: boolean;
}

async function run_ours(r: string, v: string, rival_first: boolean): Promise<Result> {
  const [a, b] = await socketpair();
  try {
    let eof_sent = false;
    let false_eof = false;
    const watch = (p: Promise<Uint8Array>) =>
      p.then((d) => {
        if (d.length === 0 && !eof_sent) false_eof = true;
        return d;
      });
    let pr: Promise<Uint8Array>, pv: Promise<Uint8Array>;
    if (rival_first) {
      pv = watch(rival(b, v));
      pr = watch(reader(b, r));
    } else {
      pr = watch(reader(b, r));
      pv = watch(rival(b, v));
    }
    for (const c of CHUNKS) {
      await sleep(25);
      await a.sendall(enc.encode(c));
    }
    await sleep(25);
    eof_sent = true;
    await a.shutdown(1);
    const [x, y] = await within(Promise.all([pr, pv]), 10_000, `${r} beside ${v}`);
    // What neither took is still there, once.
    b.settimeout(5);
    const rest: number[] = [];
    for (let i = 0; i < 20; i++) {
      const d = await b.recv(100);
      if (d.length === 0) break;
      rest.push(...d);
    }
    const all = [...x, ...y, ...rest].sort();
    const sent = [...enc.encode(CHUNKS.join(""))].sort();
    return { false_eof, complete: JSON.stringify(all) === JSON.stringify(sent) };
  } finally {
    a.close();
    b.close();
  }
}

const PY = String.raw`
import json, sys, threading, time
from socket import *
CHUNKS = ["ab\n", "cd\n", "ef\n"]
def reader(s, kind):
    if kind == "read4": return s.makefile("rb").read(4)
    if kind == "read1": return s.makefile("rb").read1()
    if kind == "readinto4":
        buf = bytearray(4); n = s.makefile("rb").readinto(buf); return bytes(buf[:n])
    if kind == "readline": return s.makefile("rb").readline()
    if kind == "readline3": return s.makefile("rb").readline(3)
    if kind == "readall": return s.makefile("rb").read()
    if kind == "text_read3": return s.makefile("r").read(3).encode()
    if kind == "text_readline": return s.makefile("r").readline().encode()
    for line in s.makefile("rb"): return line
    return b""
def rival(s, kind):
    if kind == "recv": return s.recv(100)
    if kind == "recv_into":
        buf = bytearray(100); return bytes(buf[:s.recv_into(buf)])
    if kind == "file_readline": return s.makefile("rb").readline()
    return s.makefile("rb").read1(100)
def run(r, v, rival_first):
    a, b = socketpair()
    state = {"eof": False, "false_eof": False}
    def work(f, kind):
        d = f(b, kind)
        if not d and not state["eof"]: state["false_eof"] = True
    ts = [threading.Thread(target=work, args=(rival, v)), threading.Thread(target=work, args=(reader, r))]
    if not rival_first: ts.reverse()
    for t in ts: t.start(); time.sleep(0.005)
    for c in CHUNKS:
        time.sleep(0.025); a.sendall(c.encode())
    time.sleep(0.025)
    state["eof"] = True
    a.shutdown(SHUT_WR)
    for t in ts: t.join(10)
    hung = any(t.is_alive() for t in ts)
    a.close(); b.close()
    return {"false_eof": state["false_eof"] or hung}
out = {}
for r, v, first in json.load(sys.stdin):
    out[f"{r} {v} {str(first).lower()}"] = run(r, v, first)
print(json.dumps(out))
`;

test("every SocketFile reader beside a task that takes the bytes first waits for more (no false EOF), as CPython", async () => {
  const combos: [string, string, boolean][] = [];
  for (const r of READERS) for (const v of RIVALS) for (const first of [false, true]) combos.push([r, v, first]);
  const theirs_p = python_json(PY, combos);
  const ours: Record<string, Result> = {};
  for (let i = 0; i < combos.length; i += 12) {
    const batch = combos.slice(i, i + 12);
    const got = await Promise.all(batch.map(([r, v, first]) => run_ours(r, v, first)));
    batch.forEach(([r, v, first], k) => ours[`${r} ${v} ${first}`] = got[k]!);
  }
  for (const [key, o] of Object.entries(ours)) {
    assert.equal(o.false_eof, false, `${key}: an empty result before EOF`);
    assert.equal(o.complete, true, `${key}: bytes lost or duplicated`);
  }
  const theirs = await theirs_p;
  if (typeof theirs === "string") {
    console.log(`CPython side skipped: ${theirs}`);
    return;
  }
  for (const [key, t] of Object.entries(theirs as Record<string, { false_eof: boolean }>)) {
    assert.equal(ours[key]!.false_eof, t.false_eof, `${key}: differs from CPython`);
  }
});

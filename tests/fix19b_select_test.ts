// fix19b: select() reads each list as CPython's seq2set does (C1-2, issue 16230): by index, its length read again at
// each step, each item's fileno() asked once. pysocket copied the lists first (a list fileno() shrinks gave every
// original item) and asked a wrapper's fileno() twice. Class: rlist, wlist and xlist; shrinking and growing lists.

import assert from "node:assert/strict";
import { socketpair } from "../mod.ts";
import { select } from "../selectors.ts";
import { cpython } from "./_twin.ts";

// op: "shrink" deletes the last item, "grow" appends one until the list has 14; which: the list given.
const CASES: [string, number][] = [["shrink", 0], ["shrink", 1], ["shrink", 2], ["grow", 0], ["grow", 1], ["grow", 2]];

Deno.test("fix19b select: lists a fileno() shrinks or grows, in each position, as CPython's (C1-2)", async () => {
  const py = await cpython(`
out_, peer = socketpair(); peer.sendall(b"x"); time.sleep(0.05)
res = []
for op, which in ${JSON.stringify(CASES)}:
    a = []; calls = [0]
    class F:
        def fileno(self):
            calls[0] += 1
            if op == "shrink": del a[-1]
            elif len(a) < 14: a.append(self)
            return out_.fileno()
    a[:] = [F()] * 10
    lists = [[], [], []]; lists[which] = a
    r = select.select(*lists, 0)
    res.append([len(r[0]), len(r[1]), len(r[2]), len(a), calls[0]])
print(json.dumps(res))
`);
  const [out, peer] = await socketpair();
  try {
    await peer.sendall(new Uint8Array([120]));
    const got: unknown[] = [];
    for (const [op, which] of CASES) {
      const a: F[] = [];
      let calls = 0;
      class F {
        fileno(): number {
          calls++;
          if (op === "shrink") a.splice(-1, 1);
          else if (a.length < 14) a.push(this);
          return out.fileno();
        }
      }
      const f = new F();
      a.push(...Array.from({ length: 10 }, () => f));
      const lists: F[][] = [[], [], []];
      lists[which] = a;
      const r = await select(lists[0]!, lists[1]!, lists[2]!, 0);
      got.push([r[0].length, r[1].length, r[2].length, a.length, calls]);
    }
    assert.deepEqual(got, py);
  } finally {
    out.close();
    peer.close();
  }
});

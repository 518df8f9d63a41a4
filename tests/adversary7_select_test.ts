// adv7: select.select()'s argument checks as CPython's: fewer than three lists, or a list that is no sequence.

import assert from "node:assert/strict";
import { select } from "../selectors.ts";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3");

test("adversary7: select() with fewer than three lists or a non-sequence raises CPython's TypeError text", async () => {
  const py = new Deno.Command("python3", {
    args: [
      "-c",
      `import json, select
out = []
for args in ((), ([],), ([], []), (1, [], []), ([], 2, []), ([], [], None)):
    try: select.select(*args, 0) if len(args) == 3 else select.select(*args); out.append("ok")
    except TypeError as e: out.append(str(e))
print(json.dumps(out))`,
    ],
    stdout: "piped",
  }).outputSync();
  assert.ok(py.success);
  const want = JSON.parse(new TextDecoder().decode(py.stdout));
  const got: unknown[] = [];
  // deno-lint-ignore no-explicit-any
  const sel = select as any;
  for (const args of [[], [[]], [[], []], [1, [], [], 0], [[], 2, [], 0], [[], [], null, 0]]) {
    try {
      await sel(...args);
      got.push("ok");
    } catch (e) {
      got.push((e as Error).message);
    }
  }
  assert.deepEqual(got, want);
});

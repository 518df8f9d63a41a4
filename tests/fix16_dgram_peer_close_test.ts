// A connected AF_UNIX datagram socket whose peer (a socket of this process) closed a moment ago: Linux refuses the
// next send at once (unix_dgram_sendmsg: ECONNREFUSED, the socket disconnected), whatever the peer was doing. Deno
// frees the peer's address only once its receive in flight settles, a turn or more later: before the fix, 48 of 50
// sends made right after the close "succeeded" into nothing (and a loaded CI machine showed it in
// adversary26_precedence's pair_d/peer_closed rows). Each case beside its CPython twin.

import assert from "node:assert/strict";
import { AF_UNIX, SOCK_DGRAM, socketpair } from "../mod.ts";
import { attempt, cpython } from "./_twin.ts";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3");
const ROUNDS = 20;

test("a send right after a same-process AF_UNIX datagram peer closed (its receive in flight) is refused, then ENOTCONN, as CPython's", async () => {
  const py = await cpython(`
out = []
for i in range(${ROUNDS}):
    a, b = socketpair(AF_UNIX, SOCK_DGRAM)
    a.close()
    out.append([attempt(lambda: b.send(b"x" * (10 if i % 2 else 65536))), attempt(lambda: b.send(b"y"))])
    b.close()
print(json.dumps(out))
`);
  const ours: unknown[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const [a, b] = await socketpair(AF_UNIX, SOCK_DGRAM);
    const pending = a.recv(10).catch(() => null); // a receive in flight, as a reading peer has
    await new Promise((r) => setTimeout(r, 1));
    a.close();
    ours.push([
      await attempt(() => b.send(new Uint8Array(i % 2 ? 10 : 65536))),
      await attempt(() => b.send(new Uint8Array([121]))),
    ]);
    await pending;
    b.close();
  }
  assert.deepEqual(ours, py);
});

// A connected AF_UNIX datagram socket whose peer (a socket of this process) closed a moment ago: Linux refuses the
// next send at once (unix_dgram_sendmsg: ECONNREFUSED, the socket disconnected), whatever the peer was doing. Deno
// frees the peer's address only once its receive in flight settles, a turn or more later: before the fix, 48 of 50
// sends made right after the close "succeeded" into nothing (and a loaded CI machine showed it in
// adversary26_precedence's pair_d/peer_closed rows). Each case beside its CPython twin.

import assert from "node:assert/strict";
import { AF_UNIX, SOCK_DGRAM, socket, socketpair } from "../mod.ts";
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

// The same class through sendto(): the destination named by its path, the sender connected to it or not (seen once in
// CI: adversary26's unix_d/peer_closed/sendto(65508 bytes, peer's path) went into the closed peer). An oversized
// datagram still gets the size error first, as unix_dgram_sendmsg checks the size before it looks the name up.
test("a sendto() to the path of a same-process AF_UNIX datagram socket that just closed is refused, connected or not, as CPython's", async () => {
  const SIZES = [10, 65508, 300000];
  const py = await cpython(`
out = []
d = tempfile.mkdtemp()
for i in range(${ROUNDS}):
    p, q = os.path.join(d, "r%d" % i), os.path.join(d, "s%d" % i)
    r = socket(AF_UNIX, SOCK_DGRAM); r.bind(p)
    s = socket(AF_UNIX, SOCK_DGRAM); s.bind(q)
    if i % 2: s.connect(p)
    r.close()
    n = ${JSON.stringify(SIZES)}[i % 3]
    row = [attempt(lambda: s.sendto(b"x" * n, p)), attempt(lambda: s.sendto(b"y", p))]
    if i % 2: row += [attempt(lambda: s.send(b"z")), attempt(lambda: s.send(b"z"))]
    out.append(row)
    s.close()
print(json.dumps(out))
`);
  const dir = Deno.makeTempDirSync();
  const ours: unknown[] = [];
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const p = `${dir}/r${i}`, q = `${dir}/s${i}`;
      const r = socket(AF_UNIX, SOCK_DGRAM);
      r.bind(p);
      const s = socket(AF_UNIX, SOCK_DGRAM);
      s.bind(q);
      if (i % 2) await s.connect(p);
      const pending = r.recv(10).catch(() => null); // a receive in flight, as a reading peer has
      await new Promise((res) => setTimeout(res, 1));
      r.close();
      const n = SIZES[i % 3]!;
      const row = [
        await attempt(() => s.sendto(new Uint8Array(n), p)),
        await attempt(() => s.sendto(new Uint8Array([121]), p)),
      ];
      if (i % 2) {
        row.push(
          await attempt(() => s.send(new Uint8Array([122]))),
          await attempt(() => s.send(new Uint8Array([122]))),
        );
      }
      ours.push(row);
      await pending;
      s.close();
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
  assert.deepEqual(ours, py);
});

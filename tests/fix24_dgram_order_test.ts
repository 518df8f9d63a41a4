// fix24: datagrams sent one after another by two sockets of this process arrive in the order sent, as CPython's:
// Linux's sendto(2) has queued a UDP (or AF_UNIX, with room) datagram at the receiver before it returns. A timed
// or non-blocking pysocket send gave Deno's send op one timer turn, then reported it sent and kept it in flight; under
// load (the CI run of ported_more12's udp_connect_filter, then 1 in 20 rounds here beside a CI run) the next socket's
// send overtook it. Now such a send waits for its op to complete (bounded: UDP 1 s, AF_UNIX 50 ms, then kept as
// before). Each row: a busy event loop (each timer turn works 3 ms), 30 rounds of two senders and a MSG_PEEK, the
// counts against CPython's. The pysocket side runs in a fresh process: in ord.ts's probe the overtaking came
// in a fresh isolate's first rounds (1 in 20, every run, beside a CI run).

import assert from "node:assert/strict";
import { AF_INET, AF_INET6, AF_UNIX } from "../mod.ts";
import { HAS_IPV6, test_needing } from "./_socket_fixtures.ts";
import { cpython } from "./_twin.ts";

const test = test_needing("python3");
const ROUNDS = 30;
const MODES = { blocking: null, timed: 2, "non-blocking": 0 } as const;

const PY = (fam: string, mode: keyof typeof MODES) => `
fam = ${fam}
d = tempfile.mkdtemp()
first = 0
for i in range(${ROUNDS}):
    socks = []
    for j in range(3):
        s = socket(fam, SOCK_DGRAM)
        s.bind(os.path.join(d, "%d-%d" % (i, j)) if fam == AF_UNIX else ("::1" if fam == AF_INET6 else "127.0.0.1", 0))
        socks.append(s)
    me, b, a = socks
    for s in (a, b):
        s.settimeout(${MODES[mode] === null ? "None" : MODES[mode]})
    a.sendto(b"a", me.getsockname())
    b.sendto(b"b", me.getsockname())
    me.settimeout(5)
    first += me.recvfrom(10, MSG_PEEK)[0] == b"a"
    got = [me.recv(10), me.recv(10)]
    assert sorted(got) == [b"a", b"b"], got
    for s in socks:
        s.close()
print(json.dumps({"first": first}))
`;

/** The pysocket side in a fresh process (tests/_fix24_order_child.ts). */
async function ours(fam: number, mode: string): Promise<unknown> {
  const child = new URL("./_fix24_order_child.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-net", child, String(fam), mode],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return JSON.parse(text);
}

for (const [name, fam] of [["AF_INET", AF_INET], ["AF_INET6", AF_INET6], ["AF_UNIX", AF_UNIX]] as const) {
  for (const mode of Object.keys(MODES) as (keyof typeof MODES)[]) {
    test({
      name: `fix24: two ${mode} ${name} datagram senders, one after the other: the first sent arrives first, as ` +
        `CPython's (busy event loop)`,
      ignore: fam === AF_INET6 && !HAS_IPV6,
    }, async () => {
      const [py, mine] = await Promise.all([cpython(PY(name, mode)), ours(fam, mode)]);
      assert.deepEqual(py, { first: ROUNDS });
      assert.deepEqual(mine, py);
    });
  }
}

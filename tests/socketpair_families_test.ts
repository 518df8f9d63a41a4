// socketpair() of a family, type and protocol that Linux's socketpair(2) refuses raises what CPython raises
// there: AF_INET and AF_INET6 (which make a socket, then cannot pair it) EOPNOTSUPP, an unknown family
// EAFNOSUPPORT, a wrong protocol EPROTONOSUPPORT, stray type bits EINVAL (before the family); the type flags
// SOCK_NONBLOCK and SOCK_CLOEXEC are taken. Before, pysocket joined an AF_INET pair through loopback (what
// CPython does on Windows only), and refused SOCK_NONBLOCK. The twin runs the same table in python3.
// (SOCK_SEQPACKET and SOCK_RAW pairs are not made: Deno has neither; docs/limits.md.)

import assert from "node:assert/strict";
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  socketpair,
} from "../mod.ts";
import { attempt, cpython } from "./_twin.ts";
import { test_needing } from "./_socket_fixtures.ts";

const CASES: [number, number, number][] = [
  [AF_INET, SOCK_STREAM, 0],
  [AF_INET, SOCK_STREAM, 6],
  [AF_INET, SOCK_STREAM, 99],
  [AF_INET, SOCK_DGRAM, 0],
  [AF_INET, SOCK_DGRAM, 6],
  [AF_INET6, SOCK_STREAM, 0],
  [AF_INET6, SOCK_DGRAM, 17],
  [AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0],
  [AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 99],
  [99, SOCK_STREAM, 0],
  [0, SOCK_DGRAM, 0],
  [-1, SOCK_STREAM, 0],
  [99, 99, 0],
  [AF_UNIX, 99, 0],
  [AF_INET, 99, 6],
  [AF_UNIX, SOCK_STREAM, 6],
  [AF_UNIX, SOCK_DGRAM, 99],
  [AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0],
  [AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0],
  [AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0],
];

test_needing("python3")("socketpair(family, type, proto) refuses what Linux's socketpair(2) refuses, as CPython", {
  ignore: Deno.build.os !== "linux",
}, async () => {
  const want = await cpython(`
out = []
for f, t, p in ${JSON.stringify(CASES)}:
    def mk():
        a, b = socketpair(f, t, p)
        r = [a.family, a.type, a.getblocking(), b.getblocking()]
        a.close(); b.close()
        return r
    out.append(attempt(mk))
print(json.dumps(out))
`);
  const got: unknown[] = [];
  for (const [f, t, p] of CASES) {
    got.push(
      await attempt(async () => {
        const [a, b] = await socketpair(f, t, p);
        const r = [a.family, a.type, a.getblocking(), b.getblocking()];
        a.close();
        b.close();
        return r;
      }),
    );
  }
  assert.deepEqual(got, want);
});

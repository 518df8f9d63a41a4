// fix24's pysocket side, run in a fresh process (the overtaking showed in a fresh isolate's first rounds, and under
// load): `deno run -A --unstable-net tests/_fix24_order_child.ts <family> <mode>` prints {"first": n}.

import assert from "node:assert/strict";
import { AF_INET6, AF_UNIX, MSG_PEEK, SOCK_DGRAM, type Socket, socket } from "../mod.ts";

const ROUNDS = 30;
const MODES = { blocking: null, timed: 2, "non-blocking": 0 } as const;

export async function ours(fam: number, mode: keyof typeof MODES): Promise<{ first: number }> {
  const dir = Deno.makeTempDirSync({ prefix: "fix24o_" });
  let first = 0;
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const socks: Socket[] = [];
      for (let j = 0; j < 3; j++) {
        const s = socket(fam, SOCK_DGRAM);
        s.bind(fam === AF_UNIX ? `${dir}/${i}-${j}` : [fam === AF_INET6 ? "::1" : "127.0.0.1", 0]);
        socks.push(s);
      }
      const [me, b, a] = socks as [Socket, Socket, Socket]; // the first sender made last (as the probe that showed it)
      for (const s of [a, b]) s.settimeout(MODES[mode]);
      await a.sendto(new Uint8Array([97]), me.getsockname());
      await b.sendto(new Uint8Array([98]), me.getsockname());
      me.settimeout(5);
      if ((await me.recvfrom(10, MSG_PEEK))[0][0] === 97) first++;
      const got = [(await me.recv(10))[0], (await me.recv(10))[0]].sort();
      assert.deepEqual(got, [97, 98]);
      for (const s of socks) s.close();
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
  return { first };
}

if (import.meta.main) {
  const [fam, mode] = Deno.args;
  console.log(JSON.stringify(await ours(Number(fam), mode as keyof typeof MODES)));
}

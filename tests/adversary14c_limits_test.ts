// adv14c: Deno limits found on the connect/accept paths, documented in docs/limits.md. Each test is ignored and
// its name prints the reason; its body shows the difference against the CPython twin when run by hand
// (`deno test -A --unstable-net --no-prompt --filter A14c-2 ...` after removing `ignore`).

import assert from "node:assert/strict";
import { socket } from "../mod.ts";
import { cpython } from "./_twin.ts";

Deno.test({
  name:
    "A14c-2 (documented in docs/limits.md, Deno limit): getsockname() while a TCP connect is in flight is ('0.0.0.0', 0) until it completes; CPython's kernel has picked the address and ephemeral port at connect(2) (Deno.connect tells the local address only once connected)",
  ignore: true,
  async fn() {
    const py = await cpython(`
srv = socket(); srv.bind(("127.0.0.1", 0)); srv.listen()
s = socket(); s.setblocking(False)
ex = s.connect_ex(srv.getsockname())
name = s.getsockname()
print(json.dumps([ex, name[0], name[1] != 0]))
s.close(); srv.close()
`);
    const srv = socket();
    srv.bind(["127.0.0.1", 0]);
    srv.listen();
    const s = socket();
    s.setblocking(false);
    const ex = await s.connect_ex(srv.getsockname());
    const name = s.getsockname() as [string, number];
    s.close();
    srv.close();
    assert.deepEqual([ex, name[0], name[1] !== 0], py);
  },
});

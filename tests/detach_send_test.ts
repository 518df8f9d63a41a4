// A14c-1's send side: detach() while a blocking send waits for a connect in flight (a non-blocking connect_ex to a
// listener whose backlog is full, then setblocking(True)). CPython's send(2), sendall, sendto and sendfile blocked
// on the descriptor go on once the handshake completes, and the peer reads the bytes; pysocket's raised (the
// detached object had no connection) and the bytes were lost. Each op is checked against the python3 twin.

import assert from "node:assert/strict";
import { socket } from "../mod.ts";
import { attempt, connecting, cpython, err, settled_within, sleep } from "./_twin.ts";

const within = settled_within;

const OPS = ["send", "sendall", "sendto", "sendfile"] as const;

Deno.test("A14c-1 send side: a blocking send waiting for a connect in flight goes on across detach(), as CPython's (twin)", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/data`;
  await Deno.writeTextFile(file, "from-a-file");
  try {
    const py = await cpython(`
file = ${JSON.stringify(file)}
out = {}
for op in ${JSON.stringify(OPS)}:
    l, fill = stalled()
    s = socket(); s.setblocking(False)
    ex = s.connect_ex(l.getsockname()); s.setblocking(True)
    got = []
    def run():
        try:
            if op == "send": got.append(["ok", s.send(b"via-" + op.encode())])
            elif op == "sendall": got.append(["ok", s.sendall(b"via-" + op.encode())])
            elif op == "sendto": got.append(["ok", s.sendto(b"via-" + op.encode(), ("127.0.0.1", 9))])
            else:
                with open(file, "rb") as f: got.append(["ok", s.sendfile(f)])
        except OSError as e: got.append(err(e))
    t = threading.Thread(target=run); t.start(); time.sleep(0.2)
    pending = not got
    fd = s.detach()
    names = [f.getsockname() for f in fill]
    for f in fill: f.close()
    l.settimeout(10); data = b""
    try:
        while True:
            x, peer = l.accept()
            if peer not in names:
                x.settimeout(5)
                try: data = x.recv(64)
                finally: x.close()
                break
            x.close()
    except OSError: pass
    t.join(10)
    a = socket(fileno=fd)
    out[op] = [ex, pending, got, data.decode(), attempt(lambda: a.getpeername() == l.getsockname())]
    a.close(); l.close()
print(json.dumps(out))
`);
    const out: Record<string, unknown> = {};
    for (const op of OPS) {
      const { l, port, s, ex, free } = await connecting();
      const got: unknown[] = [];
      const msg = new TextEncoder().encode(`via-${op}`);
      let f: Deno.FsFile | null = null;
      const run = async (): Promise<unknown> => {
        if (op === "send") return await s.send(msg);
        if (op === "sendall") return await s.sendall(msg);
        if (op === "sendto") return await s.sendto(msg, ["127.0.0.1", 9]);
        f = await Deno.open(file);
        return await s.sendfile(f);
      };
      const p = run().then((v) => got.push(["ok", v ?? null]), (e) => got.push(err(e)));
      await sleep(200);
      const pending = got.length === 0;
      const fd = s.detach();
      await free();
      let data = "";
      const acc = await within(l.accept(), 10_000);
      if (acc !== null) {
        const buf = new Uint8Array(64);
        const n = await within(acc.read(buf), 5_000);
        data = new TextDecoder().decode(buf.subarray(0, n ?? 0));
        acc.close();
      }
      await within(p, 10_000);
      (f as Deno.FsFile | null)?.close();
      const a = socket(undefined, undefined, undefined, fd);
      out[op] = [ex, pending, got, data, await attempt(() => (a.getpeername() as [string, number])[1] === port)];
      a.close();
      l.close();
    }
    assert.deepEqual(out, py);
    assert.deepEqual(out.sendall, [115, true, [["ok", null]], "via-sendall", ["ok", true]]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

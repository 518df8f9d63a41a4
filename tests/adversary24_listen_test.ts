// adv24: listener state changes visible at once, under a busy event loop (each timer turn works 3 ms, as fix23's).
// Linux completes a loopback or AF_UNIX connect inside connect(2) (the connection waits in the listener's queue), so
// the server's very next non-blocking accept() or zero-timeout select() sees it; a listen() is at once connectable;
// a closed TCP listener's port refuses at once. Every row passed (regression rows); each counts the outcomes of 30
// rounds beside the CPython twin's. (AF_UNIX after close is ENOENT by Deno's design: docs/limits.md, not probed.)

import assert from "node:assert/strict";
import { AF_INET, AF_INET6, AF_UNIX, SO_ERROR, type Socket, socket, SOL_SOCKET } from "../mod.ts";
import { select } from "../selectors.ts";
import { HAS_IPV6, test_needing } from "./_socket_fixtures.ts";
import { cpython } from "./_twin.ts";

const test = test_needing("python3");
const ROUNDS = 30;

type Fam = "AF_INET" | "AF_INET6" | "AF_UNIX";
const SCENARIOS = [
  "listen_connect_ex",
  "listen_connect",
  "accept_nb",
  "accept_select",
  "accept_timed_select",
  "select_then_accept_nb",
  "connect_ex_then_accept_nb",
  "connect_ex_then_select",
  "close_connect_ex",
  "close_connect",
  "close_connect_timed",
] as const;

const PY = (fam: Fam, scenarios: readonly string[]) => `
import errno
f = ${fam}
d = tempfile.mkdtemp(); k = [0]
def listener():
    l = socket(f)
    k[0] += 1
    l.bind(os.path.join(d, "l%d" % k[0]) if f == AF_UNIX else ("::1" if f == AF_INET6 else "127.0.0.1", 0))
    return l
def E(fn):
    try:
        r = fn(); return r if isinstance(r, int) else "ok"
    except Exception as e:
        return [type(e).__name__, getattr(e, "errno", None)]
out = {}
for sc in ${JSON.stringify(scenarios)}:
    counts = {}
    for i in range(${ROUNDS}):
        l = listener(); l.listen()
        if sc == "listen_connect_ex":
            c = socket(f); c.setblocking(False); r = c.connect_ex(l.getsockname())
            res = [r in (0, errno.EINPROGRESS), E(lambda: c.getpeername() and 1)]
        elif sc == "listen_connect":
            c = socket(f); res = E(lambda: c.connect(l.getsockname()))
        elif sc == "connect_ex_then_accept_nb":
            l.setblocking(False); c = socket(f); c.setblocking(False); c.connect_ex(l.getsockname())
            res = E(lambda: l.accept()[0].close())
        elif sc == "connect_ex_then_select":
            c = socket(f); c.setblocking(False); c.connect_ex(l.getsockname())
            res = len(select.select([l], [], [], 0)[0])
        elif sc.startswith("close_connect"):
            a = l.getsockname(); l.close(); c = socket(f)
            if sc == "close_connect_ex":
                c.setblocking(False); res = [c.connect_ex(a), c.getsockopt(SOL_SOCKET, SO_ERROR)]
            else:
                if sc == "close_connect_timed": c.settimeout(0.5)
                res = E(lambda: c.connect(a))
        else:
            c = socket(f); c.connect(l.getsockname())
            if sc == "accept_nb":
                l.setblocking(False); res = E(lambda: l.accept()[0].close())
            elif sc == "accept_select":
                res = len(select.select([l], [], [], 0)[0])
            elif sc == "accept_timed_select":
                l.settimeout(0.5); res = len(select.select([l], [], [], 0)[0])
            else:
                l.setblocking(False); res = [len(select.select([l], [], [], 0)[0]), E(lambda: l.accept()[0].close())]
        c.close(); l.close()
        key = json.dumps(res, separators=(",", ":")); counts[key] = counts.get(key, 0) + 1
    out[sc] = counts
print(json.dumps(out))
`;

async function E(fn: () => unknown): Promise<unknown> {
  try {
    const r = await fn();
    return typeof r === "number" ? r : "ok";
  } catch (e) {
    const x = e as { name: string; errno?: number | null };
    return [x.name, x.errno ?? null];
  }
}

async function ours(fam: Fam, scenarios: readonly string[]): Promise<Record<string, Record<string, number>>> {
  const f = { AF_INET, AF_INET6, AF_UNIX }[fam];
  const dir = Deno.makeTempDirSync({ prefix: "adv24l_" });
  let k = 0;
  const busy = setInterval(() => {
    const t = performance.now();
    while (performance.now() - t < 3) { /* work */ }
  }, 0);
  const out: Record<string, Record<string, number>> = {};
  try {
    for (const sc of scenarios) {
      const counts: Record<string, number> = {};
      for (let i = 0; i < ROUNDS; i++) {
        const l = socket(f);
        l.bind(f === AF_UNIX ? `${dir}/l${++k}` : [f === AF_INET6 ? "::1" : "127.0.0.1", 0]);
        l.listen();
        const c: Socket = socket(f);
        let res: unknown;
        if (sc === "listen_connect_ex") {
          c.setblocking(false);
          const r = await c.connect_ex(l.getsockname());
          res = [r === 0 || r === 115, await E(() => c.getpeername() && 1)];
        } else if (sc === "listen_connect") res = await E(() => c.connect(l.getsockname()));
        else if (sc === "connect_ex_then_accept_nb") {
          l.setblocking(false);
          c.setblocking(false);
          await c.connect_ex(l.getsockname());
          res = await E(async () => (await l.accept())[0].close());
        } else if (sc === "connect_ex_then_select") {
          c.setblocking(false);
          await c.connect_ex(l.getsockname());
          res = (await select([l], [], [], 0))[0].length;
        } else if (sc.startsWith("close_connect")) {
          const a = l.getsockname();
          l.close();
          if (sc === "close_connect_ex") {
            c.setblocking(false);
            res = [await c.connect_ex(a), c.getsockopt(SOL_SOCKET, SO_ERROR)];
          } else {
            if (sc === "close_connect_timed") c.settimeout(0.5);
            res = await E(() => c.connect(a));
          }
        } else {
          await c.connect(l.getsockname());
          if (sc === "accept_nb") {
            l.setblocking(false);
            res = await E(async () => (await l.accept())[0].close());
          } else if (sc === "accept_select") res = (await select([l], [], [], 0))[0].length;
          else if (sc === "accept_timed_select") {
            l.settimeout(0.5);
            res = (await select([l], [], [], 0))[0].length;
          } else {
            l.setblocking(false);
            res = [(await select([l], [], [], 0))[0].length, await E(async () => (await l.accept())[0].close())];
          }
        }
        c.close();
        l.close();
        const key = JSON.stringify(res);
        counts[key] = (counts[key] ?? 0) + 1;
      }
      out[sc] = counts;
    }
  } finally {
    clearInterval(busy);
    Deno.removeSync(dir, { recursive: true });
  }
  return out;
}

for (const fam of ["AF_INET", "AF_INET6", "AF_UNIX"] as const) {
  // AF_UNIX: a closed listener's path is gone (ENOENT, documented), so the close rows are TCP's.
  const scenarios = fam === "AF_UNIX" ? SCENARIOS.filter((s) => !s.startsWith("close_")) : SCENARIOS;
  test({
    name: `adv24: ${fam} listen() then connect, connect then accept/select, close then connect, each at once under a ` +
      `busy event loop, as CPython's`,
    ignore: fam === "AF_INET6" && !HAS_IPV6,
  }, async () => {
    const [py, mine] = await Promise.all([cpython(PY(fam, scenarios)), ours(fam, scenarios)]);
    assert.deepEqual(mine, py);
  });
}

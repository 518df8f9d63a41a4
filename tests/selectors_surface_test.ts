// The selectors and select.select surface against python3 (3.11, Linux:
// DefaultSelector is EpollSelector): the same calls run in both, each
// printing "ok <value>" or "<Python exception>: <str(e)>", compared after
// normalising fd numbers and object addresses. JavaScript stands in for
// Python's exceptions as API.md says: ValueError is RangeError, RuntimeError
// a plain Error, TypeError and KeyError keep their names.

import assert from "node:assert/strict";
import { socket } from "../mod.ts";
import { DefaultSelector, EVENT_READ, select, type SelectorKey } from "../selectors.ts";
import { test_needing, within } from "./_socket_fixtures.ts";

const test = test_needing("python3");

const dec = new TextDecoder();

const PY = String.raw`
import json, select, selectors, socket
out = []
def t(label, f):
    try:
        out.append([label, "ok " + str(f())])
    except Exception as e:
        out.append([label, type(e).__name__ + ": " + str(e)])
sel = selectors.DefaultSelector()
s = socket.socket()
k = sel.register(s, selectors.EVENT_READ, "d")
t("key fields", lambda: [k.fileobj is s, k.fd == s.fileno(), k.events, k.data])
t("register twice", lambda: sel.register(s, 1))
t("register twice by number", lambda: sel.register(s.fileno(), 1))
t("register events 0", lambda: sel.register(socket.socket(), 0))
t("register events 4", lambda: sel.register(socket.socket(), 4))
t("register events -1", lambda: sel.register(socket.socket(), -1))
t("register events 1.5", lambda: sel.register(socket.socket(), 1.5))
t("register events '1'", lambda: sel.register(socket.socket(), "1"))
t("register object()", lambda: sel.register(object(), 1))
t("register None", lambda: sel.register(None, 1))
t("register 'x'", lambda: sel.register("x", 1))
c = socket.socket(); c.close()
t("register closed socket", lambda: sel.register(c, 1))
t("register -1", lambda: sel.register(-1, 1))
m = sel.get_map()
t("map size, in, get", lambda: [len(m), s.fileno() in m, s in m, m[s.fileno()] is k, m[s] is k, list(m) == [s.fileno()]])
t("map of an unregistered socket", lambda: socket.socket() in m)
t("modify unregistered", lambda: sel.modify(socket.socket(), 1))
t("modify events 0", lambda: sel.modify(s, 0).events)
t("modify '1'", lambda: sel.modify(s, "1"))
k2 = sel.modify(s, 1, "e")
t("modify data", lambda: [k2 is k, k2.events, k2.data])
k3 = sel.modify(s, 3, "e")
t("modify events", lambda: [k3.events, k3.data, sel.get_key(s) is k3])
t("modify nothing changed", lambda: sel.modify(s, 3, "e") is k3)
t("get_key by number", lambda: sel.get_key(s.fileno()) is k3)
t("get_key unregistered", lambda: sel.get_key(socket.socket()))
t("get_key object()", lambda: sel.get_key(object()))
t("unregister unregistered", lambda: sel.unregister(socket.socket()))
t("unregister object()", lambda: sel.unregister(object()))
s.close()
t("get_key of a closed socket", lambda: sel.get_key(s).events)
t("unregister of a closed socket", lambda: [sel.unregister(s) is k3, len(sel.get_map())])
t("select(0)", lambda: sel.select(0))
t("select(-1)", lambda: sel.select(-1))
t("select('1')", lambda: sel.select("1"))
sel.close()
t("close twice", lambda: sel.close())
t("get_map after close", lambda: sel.get_map())
t("select after close", lambda: sel.select(0))
t("register after close", lambda: sel.register(socket.socket(), 1))
t("get_key after close", lambda: sel.get_key(1))
t("unregister after close", lambda: sel.unregister(1))
t("modify after close", lambda: sel.modify(1, 1))
t("select.select timeout -1", lambda: select.select([], [], [], -1))
t("select.select timeout '1'", lambda: select.select([], [], [], "1"))
t("select.select object()", lambda: select.select([object()], [], [], 0))
t("select.select closed socket", lambda: select.select([c], [], [], 0))
t("select.select empty", lambda: select.select([], [], [], 0))
print(json.dumps(out))
`;

type Row = [string, string];

async function ts_rows(): Promise<Row[]> {
  const out: Row[] = [];
  const py_name = (e: unknown) =>
    e instanceof RangeError ? "ValueError" : (e as Error).name === "Error" ? "RuntimeError" : (e as Error).name;
  const show = (v: unknown): string => {
    if (v === null || v === undefined) return "None";
    if (typeof v === "boolean") return v ? "True" : "False";
    if (typeof v === "string") return `'${v}'`;
    if (Array.isArray(v)) return `[${v.map(show).join(", ")}]`;
    return String(v);
  };
  const t = async (label: string, f: () => unknown) => {
    try {
      out.push([label, `ok ${show(await f())}`]);
    } catch (e) {
      out.push([label, `${py_name(e)}: ${(e as Error).message}`]);
    }
  };
  // deno-lint-ignore no-explicit-any
  const loose = (v: unknown) => v as any; // the wrong types Python accepts at run time
  const sel = new DefaultSelector<string>();
  const s = socket();
  const k = sel.register(s, EVENT_READ, "d");
  await t("key fields", () => [k.fileobj === s, k.fd === s.fileno(), k.events, k.data]);
  await t("register twice", () => sel.register(s, 1));
  await t("register twice by number", () => sel.register(s.fileno(), 1));
  await t("register events 0", () => sel.register(socket(), 0));
  await t("register events 4", () => sel.register(socket(), 4));
  await t("register events -1", () => sel.register(socket(), -1));
  await t("register events 1.5", () => sel.register(socket(), 1.5));
  await t("register events '1'", () => sel.register(socket(), loose("1")));
  await t("register object()", () => sel.register(loose({}), 1));
  await t("register None", () => sel.register(loose(null), 1));
  await t("register 'x'", () => sel.register(loose("x"), 1));
  const c = socket();
  c.close();
  await t("register closed socket", () => sel.register(c, 1));
  await t("register -1", () => sel.register(-1, 1));
  const m = sel.get_map()!;
  await t("map size, in, get", () => [
    m.size,
    m.has(s.fileno()),
    m.has(s),
    m.get(s.fileno()) === k,
    m.get(s) === k,
    [...m.keys()].length === 1 && [...m.keys()][0] === s.fileno(),
  ]);
  await t("map of an unregistered socket", () => m.has(socket()));
  await t("modify unregistered", () => sel.modify(socket(), 1));
  await t("modify events 0", () => sel.modify(s, 0).events);
  await t("modify '1'", () => sel.modify(s, loose("1")));
  const k2 = sel.modify(s, 1, "e");
  await t("modify data", () => [k2 === k, k2.events, k2.data]);
  const k3: SelectorKey<string> = sel.modify(s, 3, "e");
  await t("modify events", () => [k3.events, k3.data, sel.get_key(s) === k3]);
  await t("modify nothing changed", () => sel.modify(s, 3, "e") === k3);
  await t("get_key by number", () => sel.get_key(s.fileno()) === k3);
  await t("get_key unregistered", () => sel.get_key(socket()));
  await t("get_key object()", () => sel.get_key(loose({})));
  await t("unregister unregistered", () => sel.unregister(socket()));
  await t("unregister object()", () => sel.unregister(loose({})));
  s.close();
  await t("get_key of a closed socket", () => sel.get_key(s).events);
  await t("unregister of a closed socket", () => [sel.unregister(s) === k3, sel.get_map()!.size]);
  await t("select(0)", () => sel.select(0));
  await t("select(-1)", () => sel.select(-1));
  await t("select('1')", () => sel.select(loose("1")));
  sel.close();
  await t("close twice", () => sel.close());
  await t("get_map after close", () => sel.get_map());
  await t("select after close", () => sel.select(0));
  await t("register after close", () => sel.register(socket(), 1));
  await t("get_key after close", () => sel.get_key(1));
  await t("unregister after close", () => sel.unregister(1));
  await t("modify after close", () => sel.modify(1, 1));
  await t("select.select timeout -1", () => select([], [], [], -1));
  await t("select.select timeout '1'", () => select([], [], [], loose("1")));
  await t("select.select object()", () => select([loose({})], [], [], 0));
  await t("select.select closed socket", () => select([c], [], [], 0));
  await t("select.select empty", async () => {
    const [r, w, x] = await select([], [], [], 0);
    return { toString: () => `(${show(r)}, ${show(w)}, ${show(x)})` };
  });
  return out;
}

/** fd numbers and object addresses differ between the two runtimes. */
const norm = (rows: Row[]): Row[] =>
  rows.map(([k, v]) => [
    k,
    v.replace(/fd=\d+/g, "fd=N")
      .replace(/\(FD \d+\)/g, "(FD N)")
      .replace(/'\d+ \(FD N\)/g, "'N (FD N)")
      .replace(/<(object|Object) object[^>]*>/g, "<object>")
      .replace(/laddr=\('0\.0\.0\.0', 0\)/g, "laddr=('0.0.0.0', 0)"),
  ]);

test("selectors and select.select surface: keys, map, modify, errors, closed selector, as python3", async () => {
  const res = await new Deno.Command("python3", {
    args: ["-c", PY],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).output();
  assert.equal(res.code, 0, dec.decode(res.stderr));
  const want: Row[] = JSON.parse(dec.decode(res.stdout));
  // Created sockets that python3 closes by refcount are left to this test's end here.
  const got = await within(ts_rows(), 10_000, "surface rows");
  assert.equal(want.length, 43);
  assert.deepEqual(norm(got), norm(want));
});

// Adversary round 4 (adv4), create_connection()'s address: CPython unpacks `host, port = address` and hands
// both to getaddrinfo(), so a port given as a string (a port taken from argv without int()) or bytes
// connects, a host of None means loopback, a port above 65535 wraps as glibc's getaddrinfo wraps it, and a
// malformed address raises ValueError ("too many values to unpack"). Finding A4-3: pysocket raised TypeError
// for the string port and the None host, RangeError "port must be 0-65535." for the others.

import assert from "node:assert/strict";
import { create_connection, create_server, OSError } from "../mod.ts";
import { test_needing } from "./_socket_fixtures.ts";
import { cpython } from "./_twin.ts";

const test = test_needing("python3");

test("adversary3: create_connection() takes every address getaddrinfo takes, as CPython (finding A4-3)", {
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  using l = create_server(["127.0.0.1", 0]);
  const port = l.getsockname()[1];
  // [label, address as JSON (bytes as {"b": text})]
  const cases: [string, unknown][] = [
    ["int port", ["127.0.0.1", port]],
    ["str port", ["127.0.0.1", String(port)]],
    ["bytes port", ["127.0.0.1", { b: String(port) }]],
    ["localhost, str port", ["localhost", String(port)]],
    ["None host", [null, port]],
    ["empty host", ["", port]],
    ["wrapped port", ["127.0.0.1", port + 65536]],
    ["negative port", ["127.0.0.1", -1]],
    ["port text", ["127.0.0.1", "no-such-service"]],
    ["one item", ["127.0.0.1"]],
    ["three items", ["127.0.0.1", port, 0]],
    ["a string", "127.0.0.1"],
    ["an int", 5],
    ["int host", [5, port]],
  ];
  const want = await cpython(`
def conv(x):
    if isinstance(x, list): return tuple(conv(v) for v in x)
    if isinstance(x, dict): return x["b"].encode()
    return x
out = []
for label, addr in json.loads(${JSON.stringify(JSON.stringify(cases))}):
    try:
        s = create_connection(conv(addr), timeout=5)
        out.append([label, "connected", s.getpeername()[1]])
        s.close()
    except OSError as e:
        out.append([label, type(e).__name__, str(e)])
    except (ValueError, TypeError) as e:
        out.append([label, "TypeError" if isinstance(e, TypeError) else "ValueError", str(e)])
print(json.dumps(out))
`);
  const conv = (x: unknown): unknown =>
    Array.isArray(x)
      ? x.map(conv)
      : x !== null && typeof x === "object"
      ? new TextEncoder().encode((x as { b: string }).b)
      : x;
  const got: unknown[] = [];
  for (const [label, addr] of cases) {
    try {
      const s = await create_connection(conv(addr) as [string, number], { timeout: 5 });
      got.push([label, "connected", s.getpeername()[1]]);
      s.close();
    } catch (e) {
      if (e instanceof OSError) got.push([label, e.name, e.message]);
      else if (e instanceof TypeError) got.push([label, "TypeError", e.message]);
      else if (e instanceof RangeError) got.push([label, "ValueError", e.message]);
      else throw e;
    }
  }
  assert.deepEqual(got, want);
});

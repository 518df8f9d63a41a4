// socketserver's serve_forever(poll_interval=…) by keyword (README rule 7), found by a ported program
// (tests/ported/ss_kv.ts: `threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.05})`).

import assert from "node:assert/strict";
import { BaseRequestHandler, TCPServer } from "../socketserver.ts";

Deno.test("BaseServer.serve_forever({ poll_interval }) takes Python's keyword: service_actions() runs at that pace", async () => {
  let ticks = 0;
  class Counting extends TCPServer {
    override service_actions() {
      ticks++;
    }
  }
  await using server = new Counting(["127.0.0.1", 0], BaseRequestHandler);
  const serving = server.serve_forever({ poll_interval: 0.02 });
  const end = Date.now() + 10_000;
  while (ticks < 3 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  await server.shutdown();
  await serving;
  assert.ok(ticks >= 3, `service_actions() ran ${ticks} times`);
});

Deno.test("BaseServer.serve_forever() refuses an unknown keyword with CPython's TypeError, and serves nothing", async () => {
  await using server = new TCPServer(["127.0.0.1", 0], BaseRequestHandler);
  await assert.rejects(
    // @ts-expect-error: an unknown keyword, as a JavaScript caller could pass it
    server.serve_forever({ foo: 1 }),
    new TypeError("BaseServer.serve_forever() got an unexpected keyword argument 'foo'"),
  );
  // still usable: the refused call never started serving
  const serving = server.serve_forever({});
  await server.shutdown();
  await serving;
});

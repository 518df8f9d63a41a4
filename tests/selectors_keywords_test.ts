// register()/modify() take `events` and `data` by name in a trailing plain object (the porting rule:
// Python's `sel.register(conn, EVENT_READ, data=data)` is `sel.register(conn, EVENT_READ, { data })`);
// any other object is the data itself, as a ported SimpleNamespace state is.

import assert from "node:assert/strict";
import { socket } from "../mod.ts";
import { DefaultSelector, EVENT_READ, EVENT_WRITE } from "../selectors.ts";

Deno.test("selectors: register/modify take data= and events= by name; any other object is the data", () => {
  using sel = new DefaultSelector<unknown>();
  using a = socket();
  using b = socket();
  using c = socket();
  // data=None and data=state by name
  assert.equal(sel.register(a, EVENT_READ, { data: null }).data, null);
  const state = { addr: ["127.0.0.1", 1], inb: new Uint8Array(0), outb: new Uint8Array(0) };
  assert.equal(sel.modify(a, EVENT_READ | EVENT_WRITE, { data: state }).data, state);
  // a SimpleNamespace-like object given positionally is the data itself
  assert.equal(sel.register(b, EVENT_WRITE, state).data, state);
  // events and data both by name
  const k = sel.register(c, { events: EVENT_READ, data: "c" });
  assert.deepEqual([k.events, k.data], [EVENT_READ, "c"]);
  // an object whose only key is `data`, as the data: name it
  const inner = { data: 7 };
  assert.equal(sel.modify(c, EVENT_READ, { data: inner }).data, inner);
  // CPython 3.11's errors (DefaultSelector is an EpollSelector) for a keyword given twice or a missing events
  assert.throws(() => sel.modify(c, EVENT_READ, { events: EVENT_WRITE, data: 1 }), {
    name: "TypeError",
    message: "_PollLikeSelector.modify() got multiple values for argument 'events'",
  });
  sel.unregister(c);
  assert.throws(() => sel.register(c, { data: 1 }), {
    name: "TypeError",
    message: "_PollLikeSelector.register() missing 1 required positional argument: 'events'",
  });
});

// adv9b: select() and a DefaultSelector waiting on an SSLSocket while another task waits in do_handshake() are
// woken when that handshake fails (the peer closes, speaks plain text, or its certificate is refused): the socket
// reads as readable, as CPython's does (its thread's SSL_do_handshake fails and the kernel reports the socket
// readable). pysocket's select() slept until its timeout, or forever without one, once do_handshake() had seen the
// failure first.

import assert from "node:assert/strict";
import { create_server } from "../mod.ts";
import { create_connection } from "../connection.ts";
import { DefaultSelector, EVENT_READ, select } from "../selectors.ts";
import * as ssl from "../ssl.ts";
import { make_certs, python } from "./_ssl_fixtures.ts";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");

const PEERS = ["close", "garbage", "untrusted"];
const WAITERS = ["select", "select_timeout", "DefaultSelector"];

const PY = `
import json, selectors, socket, ssl, sys, threading, time, select
d = sys.argv[1]
c = ssl.create_default_context(cafile=d + "/ca.pem")
bad = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH); bad.load_cert_chain(d + "/untrusted.pem", d + "/untrusted.key")
l = socket.create_server(("127.0.0.1", 0))
out = {}
for peer in json.loads(sys.argv[2]):
    for waiter in json.loads(sys.argv[3]):
        s = socket.create_connection(l.getsockname()); a, _ = l.accept(); a.settimeout(5)
        def serve():
            time.sleep(0.1)
            if peer == "close": a.recv(4096); a.close()
            elif peer == "garbage": a.sendall(b"HTTP/1.0 400 Bad Request\\r\\n\\r\\n"); time.sleep(0.2); a.close()
            else:
                try: bad.wrap_socket(a, server_side=True)
                except Exception: pass
                a.close()
        t = threading.Thread(target=serve); t.start()
        w = c.wrap_socket(s, server_hostname="localhost", do_handshake_on_connect=False)
        res = {}
        def hs():
            try: w.do_handshake(); res["hs"] = "ok"
            except Exception as e: res["hs"] = type(e).__name__
        h = threading.Thread(target=hs); h.start()
        time.sleep(0.05)
        t0 = time.monotonic()
        if waiter == "select": r = len(select.select([w], [], [])[0])
        elif waiter == "select_timeout": r = len(select.select([w], [], [], 10)[0])
        else:
            with selectors.DefaultSelector() as sel:
                sel.register(w, selectors.EVENT_READ); r = len(sel.select(10))
        h.join(); t.join()
        out[peer + " " + waiter] = [res["hs"], r, time.monotonic() - t0 < 5]
        w.close()
print(json.dumps(out))
`;

test("adversary9b: select() and DefaultSelector waiting on an SSLSocket are woken when a do_handshake() in another task fails, as CPython's", async () => {
  const certs = await make_certs();
  const d = certs.dir;
  const c = ssl.create_default_context({ cafile: `${d}/ca.pem` });
  const bad = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH);
  bad.load_cert_chain(`${d}/untrusted.pem`, `${d}/untrusted.key`);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  using l = create_server(["127.0.0.1", 0]);
  const ours: Record<string, unknown> = {};
  for (const peer of PEERS) {
    for (const waiter of WAITERS) {
      const s = await create_connection(l.getsockname() as [string, number]);
      const [a] = await l.accept();
      a.settimeout(5);
      const served = (async () => {
        await sleep(100);
        // The ClientHello read first: a close with it unread is a reset on Linux, a FIN from pysocket (limits.md).
        if (peer === "close") {
          await a.recv(4096);
          a.close();
        } else if (peer === "garbage") {
          await a.sendall(new TextEncoder().encode("HTTP/1.0 400 Bad Request\r\n\r\n"));
          await sleep(200);
          a.close();
        } else {
          try {
            await bad.wrap_socket(a, { server_side: true });
          } catch { /* refused by the client */ }
          a.close();
        }
      })();
      const w = await c.wrap_socket(s, { server_hostname: "localhost", do_handshake_on_connect: false });
      const hs = w.do_handshake().then(() => "ok", (e: Error) => e.name);
      await sleep(50);
      const t0 = performance.now();
      // Bounded: a waiter that is never woken fails the test instead of hanging it.
      const bound = AbortSignal.timeout(20_000);
      let r: number;
      if (waiter === "select") r = (await select([w], [], [], { signal: bound }))[0].length;
      else if (waiter === "select_timeout") r = (await select([w], [], [], 10))[0].length;
      else {
        using sel = new DefaultSelector();
        sel.register(w, EVENT_READ);
        r = (await sel.select({ timeout: 10 })).length;
      }
      ours[`${peer} ${waiter}`] = [await hs, r, performance.now() - t0 < 5000];
      await served;
      w.close();
    }
  }
  const py = await python(PY, d, JSON.stringify(PEERS), JSON.stringify(WAITERS));
  assert.equal(py.code, 0, py.err);
  assert.deepEqual(ours, JSON.parse(py.out.trim().split("\n").at(-1)!));
});

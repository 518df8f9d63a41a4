// The server name a client sent, read from its ClientHello as sent (_sni.ts): the ClientHellos of CPython's
// ssl client (OpenSSL) for a mixed-case name, an A-label, an IP address (no SNI) and no server_hostname,
// whole, cut at every offset and re-framed over two records.
import assert from "node:assert/strict";
import { client_hello_sni, record_end } from "../_sni.ts";
import { create_server } from "../mod.ts";
import * as ssl from "../ssl.ts";
import { make_certs } from "./_ssl_fixtures.ts";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");

/** The first bytes CPython's TLS client sends for `server_hostname` (the listener never answers). */
async function hello_of(host: string | null): Promise<Uint8Array> {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  const py = new Deno.Command("python3", {
    args: [
      "-c",
      `import socket, ssl, sys
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
s = socket.create_connection(("127.0.0.1", ${port}), timeout=5)
try:
    ctx.wrap_socket(s, server_hostname=${host === null ? "None" : JSON.stringify(host)})
except Exception:
    pass`,
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  const c = await l.accept();
  const buf = new Uint8Array(16384);
  let n = 0;
  const end = Date.now() + 5000;
  // Enough for the record its header announces.
  while (Date.now() < end) {
    const r = await c.read(buf.subarray(n));
    if (r === null) break;
    n += r;
    if (n >= 5 && n >= 5 + ((buf[3]! << 8) | buf[4]!)) break;
  }
  c.close();
  l.close();
  await py.status;
  return buf.slice(0, n);
}

/** The same handshake bytes framed as two records, cut at `at` inside the body. */
function two_records(rec: Uint8Array, at: number): Uint8Array {
  const body = rec.subarray(5);
  const frame = (b: Uint8Array) => new Uint8Array([22, rec[1]!, rec[2]!, b.length >> 8, b.length & 255, ...b]);
  return new Uint8Array([...frame(body.subarray(0, at)), ...frame(body.subarray(at))]);
}

test("client_hello_sni() reads the name a CPython client sent, case kept, from whole and cut ClientHellos", async () => {
  for (
    const [host, want] of [
      ["WRONG.Example", "WRONG.Example"],
      ["xn--bcher-kva.example", "xn--bcher-kva.example"],
      ["127.0.0.1", null],
      [null, null],
    ] as const
  ) {
    const hello = await hello_of(host);
    assert.ok(hello.length > 100, `a ClientHello for ${host}`);
    assert.deepEqual((client_hello_sni(hello) as { name: unknown }).name, want, `whole hello for ${host}`);
    for (let cut = 0; cut < hello.length; cut++) {
      assert.equal(client_hello_sni(hello.subarray(0, cut)), null, `${host}: ${cut} bytes are not enough`);
    }
    for (const at of [1, 4, 40, hello.length - 10]) {
      assert.deepEqual(
        (client_hello_sni(two_records(hello, at)) as { name: unknown }).name,
        want,
        `${host}: two records at ${at}`,
      );
    }
  }
});

test("client_hello_sni(): bytes that are not a ClientHello name nothing", () => {
  assert.deepEqual(client_hello_sni(new TextEncoder().encode("GET / HTTP/1.1\r\n\r\n")), { name: null });
  assert.deepEqual(client_hello_sni(new Uint8Array([22, 3, 1, 0, 4, 2, 0, 0, 0])), { name: null }); // a ServerHello
  assert.deepEqual(client_hello_sni(new Uint8Array([21, 3, 3, 0, 2, 2, 40])), { name: null }); // an alert
});

test("record_end(): where the record the last byte falls in ends (a trickled hello is parsed once per record)", () => {
  const rec = (n: number) => [22, 3, 1, n >> 8, n & 255, ...new Array(n).fill(0)];
  const two = new Uint8Array([...rec(10), ...rec(300)]);
  assert.equal(record_end(two.subarray(0, 0)), 5);
  assert.equal(record_end(two.subarray(0, 3)), 5);
  assert.equal(record_end(two.subarray(0, 7)), 15);
  assert.equal(record_end(two.subarray(0, 15)), 20);
  assert.equal(record_end(two.subarray(0, 17)), 20);
  assert.equal(record_end(two.subarray(0, 21)), 320);
  assert.equal(record_end(two), 325);
});

test("a pysocket server's sni_callback gets the case-kept name of a ClientHello trickled one byte per write", async () => {
  const certs = await make_certs();
  const hello = await hello_of("Trickle.Example");
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  ctx.load_cert_chain(certs.P("server.pem"), certs.P("server.key"));
  const seen: (string | null)[] = [];
  ctx.sni_callback = (_s, name) => {
    seen.push(name);
  };
  using l = create_server(["127.0.0.1", 0]);
  const served = (async () => {
    const [raw] = await l.accept();
    raw.settimeout(20);
    try {
      using _s = await ctx.wrap_socket(raw, { server_side: true });
    } catch { /* the trickling client never finishes its handshake */ }
    raw.close();
  })();
  const c = await Deno.connect({ hostname: "127.0.0.1", port: (l.getsockname() as [string, number])[1] });
  c.setNoDelay(true);
  for (let i = 0; i < hello.length; i++) {
    await c.write(hello.subarray(i, i + 1));
    if (i % 64 === 0) await new Promise((r) => setTimeout(r, 1));
  }
  const end = Date.now() + 10_000;
  while (seen.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  c.close();
  await served;
  assert.deepEqual(seen, ["Trickle.Example"]);
});

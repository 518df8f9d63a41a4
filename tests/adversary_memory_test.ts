// The adversary's memory tests: a peer that streams forever (no newline,
// multi-byte text) against bounded reads (readline(limit) binary and text,
// makefile read(n), recv with a huge n), plain and TLS; a peer that streams
// at an application that never reads (what the peer gets to push in is the
// read-ahead pysocket keeps); a datagram flood at a UDP socket nobody reads.

import assert from "node:assert/strict";
import { AF_INET, create_connection, SOCK_DGRAM, type Socket, socket } from "../mod.ts";
import { create_default_context } from "../ssl.ts";
import { make_certs, python_server } from "./_ssl_fixtures.ts";
import { missing, own_mib, test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");

// Without openssl every test here is registered as ignored (test_needing), and no certificate is made.
const certs = (missing("openssl") ? undefined : await make_certs())!;

// Streams `ch` forever (up to `limit_mb` MiB or `seconds`), plain or TLS; prints the bytes
// the application side took in (sent successfully) when it stops.
const STREAMER = `
import socket, ssl, sys, time
d, ch, tls, limit_mb, seconds = sys.argv[1], sys.argv[2], sys.argv[3] == "1", int(sys.argv[4]), float(sys.argv[5])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(d + "/server.pem", d + "/server.key")
with socket.create_server(("127.0.0.1", 0)) as srv:
    print(srv.getsockname()[1], flush=True)
    c, _ = srv.accept()
    if tls: c = ctx.wrap_socket(c, server_side=True)
    c.settimeout(0.5)
    chunk = (ch * 65536).encode()[:65536]
    sent, t0 = 0, time.time()
    while sent < limit_mb * 2**20 and time.time() - t0 < seconds:
        try:
            c.sendall(chunk); sent += len(chunk)
        except socket.timeout:
            continue
        except OSError:
            break
    print(sent, flush=True)
`;

async function streamer(ch: string, tls: boolean, limit_mb: number, seconds: number) {
  const p = await python_server(STREAMER, certs.dir, ch, tls ? "1" : "0", String(limit_mb), String(seconds));
  let s: Socket = await create_connection(["127.0.0.1", Number(p.first)], 10);
  if (tls) {
    s = await create_default_context({ cafile: certs.P("ca.pem") }).wrap_socket(s, { server_hostname: "localhost" });
  }
  return { s, p };
}

for (const tls of [false, true]) {
  const kind = tls ? "TLS" : "plain";
  test(`adversary (${kind}): bounded reads against a peer streaming forever stay bounded`, async () => {
    const cases: [string, string, (s: Socket) => Promise<number>][] = [
      ["binary readline(100)", "a", async (s) => ((await s.makefile("rb").readline(100)) as Uint8Array).length],
      [
        "text readline(100), 2-byte chars",
        "é",
        async (s) => ((await s.makefile("r", { encoding: "utf-8" }).readline(100)) as string).length,
      ],
      ["makefile read(1000)", "a", async (s) => ((await s.makefile("rb").read(1000)) as Uint8Array).length],
      ["recv(2**30)", "a", async (s) => (await s.recv(2 ** 30)).length],
    ];
    for (const [what, ch, read] of cases) {
      const { s, p } = await streamer(ch, tls, 64, 3);
      const before = own_mib();
      const n = await read(s);
      const grown = own_mib() - before;
      s.close();
      await p.rest();
      if (what.startsWith("recv")) assert.ok(n > 0 && n <= 2 ** 20, `${what}: ${n}`);
      else assert.equal(n, what.includes("1000") ? 1000 : 100, what);
      assert.ok(grown < 48, `${what}: heap and buffers grew ${grown.toFixed(1)} MiB`);
    }
  });

  test(`adversary (${kind}): a peer streaming at an application that does not read pushes in only a bounded read-ahead`, async () => {
    const { s, p } = await streamer("a", tls, 256, 3);
    assert.equal((await s.recv(10)).length > 0, true);
    const before = own_mib();
    await new Promise((r) => setTimeout(r, 3500)); // the application does not read
    const grown = own_mib() - before;
    s.close();
    const r = await p.rest();
    const lines = r.out.trim().split("\n");
    const sent = Number(lines[lines.length - 1]) / 2 ** 20;
    console.log(`  ${kind}: the peer pushed ${sent.toFixed(1)} MiB in 3 s; heap and buffers +${grown.toFixed(1)} MiB`);
    // Kernel buffers (a few MiB) plus pysocket's read-ahead; far below the 256 MiB offered.
    assert.ok(sent < 32, `the peer pushed ${sent.toFixed(1)} MiB`);
    assert.ok(grown < 48, `heap and buffers grew ${grown.toFixed(1)} MiB`);
  });
}

test("adversary: a datagram flood at a UDP socket nobody reads queues at most one datagram in pysocket", async () => {
  const u = socket(AF_INET, SOCK_DGRAM);
  u.bind(["127.0.0.1", 0]);
  const port = (u.getsockname() as [string, number])[1];
  await u.sendto(new Uint8Array(1), ["127.0.0.1", port]);
  await u.recvfrom(10); // the receive machinery is running
  const before = own_mib();
  const out = await new Deno.Command("python3", {
    args: [
      "-c",
      `
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
t0, n = time.time(), 0
while time.time() - t0 < 1:
    try:
        s.sendto(bytes(60000), ("127.0.0.1", int(sys.argv[1]))); n += 1
    except OSError:
        pass
print(n)
`,
      String(port),
    ],
    stdout: "piped",
    stdin: "null",
    signal: AbortSignal.timeout(20_000),
  }).output();
  const sent = Number(new TextDecoder().decode(out.stdout).trim());
  await new Promise((r) => setTimeout(r, 500));
  const grown = own_mib() - before;
  console.log(
    `  ${sent} datagrams of 60,000 bytes (${
      (sent * 60000 / 2 ** 20).toFixed(0)
    } MiB) at a socket nobody reads: heap and buffers +${grown.toFixed(1)} MiB`,
  );
  // What pysocket could have queued is this isolate's: a queue of every datagram would be hundreds of MiB.
  assert.ok(grown < 48, `heap and buffers grew ${grown.toFixed(1)} MiB`);
  u.close();
});

import assert from "node:assert/strict";
import { create_connection, create_server, SHUT_WR, TimeoutError } from "../mod.ts";

Deno.test("Socket.recv() after a timeout returns the bytes that arrived later", async () => {
  using srv = create_server(["127.0.0.1", 0]);
  using cli = await create_connection(srv.getsockname() as [string, number]);
  const [conn] = await srv.accept();
  using _c = conn;
  conn.settimeout(0.05);
  await assert.rejects(conn.recv(10), TimeoutError);
  await cli.sendall(new Uint8Array([1, 2, 3]));
  assert.deepEqual(await conn.recv(10), new Uint8Array([1, 2, 3]));
  await cli.shutdown(SHUT_WR);
  assert.equal((await conn.recv(10)).length, 0);
});

Deno.test("examples/demo.ts (deno task demo) completes every round trip", async () => {
  const demo = new URL("../examples/demo.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-net", demo],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.match(text, /client {2}got "hello over TCP\/IPv4 \(AF_INET, 127\.0\.0\.1\)" back/);
  assert.match(text, /client {2}got "hello over Unix stream socket \(AF_UNIX\)" back/);
  assert.match(text, /TCP\/IPv6 \(AF_INET6, ::1\)/);
  assert.match(text, /all round trips done\n$/);
});

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

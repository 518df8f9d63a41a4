// Port of tls_line_rpc.py (the server threads are tasks whose lines are printed after they end; `with` blocks are
// `using`; arg[::-1] is a reversed copy; isinstance is instanceof).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import * as ssl from "../../ssl.ts";
import { b, bjoin, bstrip, decode, print } from "../ported/_py.ts";

const d = Deno.args[0]!;
const slog: string[] = [];

async function serve(lsock: Socket, certname: string, n: number) {
  const ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH);
  ctx.load_cert_chain(`${d}/${certname}.pem`, `${d}/${certname}.key`);
  for (let i = 0; i < n; i++) {
    const [raw] = await lsock.accept();
    raw.settimeout(5);
    let conn: ssl.SSLSocket;
    try {
      conn = await ctx.wrap_socket(raw, { server_side: true });
    } catch (e) {
      if (!(e instanceof socket.OSError)) throw e;
      slog.push("server: handshake failed");
      raw.close();
      continue;
    }
    const f = conn.makefile("rb");
    let count = 0;
    for (let j = 0; j < 20; j++) {
      const line = bstrip(await f.readline() as Uint8Array);
      if (!line.length) break;
      count += 1;
      const sp = line.indexOf(0x20);
      const verb = decode(sp < 0 ? line : line.subarray(0, sp));
      const arg = sp < 0 ? new Uint8Array(0) : line.subarray(sp + 1);
      if (verb === "ECHO") {
        await conn.sendall(bjoin([arg, b("\n")]));
      } else if (verb === "REV") {
        await conn.sendall(bjoin([arg.slice().reverse(), b("\n")]));
      } else if (verb === "LEN") {
        await conn.sendall(b(`${arg.length}\n`));
      } else if (verb === "BYE") {
        await conn.sendall(b("bye\n"));
        break;
      } else {
        await conn.sendall(b(`ERR ${verb}\n`));
      }
    }
    await f.close();
    const v = conn.version();
    slog.push(`server: ${count} commands, ${v === "TLSv1.2" || v === "TLSv1.3" ? "True" : "False"}`);
    conn.close();
  }
}

const good = socket.create_server(["127.0.0.1", 0]);
const bad = socket.create_server(["127.0.0.1", 0]);
const threads = [serve(good, "server", 2), serve(bad, "untrusted", 1)];
const ctx = ssl.create_default_context({ cafile: d + "/ca.pem" });
{
  using raw = await socket.create_connection(good.getsockname(), { timeout: 5 });
  using c = await ctx.wrap_socket(raw, { server_hostname: "localhost" });
  const subject = c.getpeercert()!["subject"];
  print("subject:", subject);
  await c.sendall(b("ECHO hello\nREV stressed\nLEN abcdef\nPING x\nBYE\n"));
  const f = c.makefile("rb");
  for (let i = 0; i < 5; i++) print("answer:", await f.readline());
  print("then:", await f.readline());
  await f.close();
}
for (const [host, lsock] of [["wrong.example", good], ["localhost", bad]] as const) {
  using raw = await socket.create_connection(lsock.getsockname(), { timeout: 5 });
  try {
    await ctx.wrap_socket(raw, { server_hostname: host });
  } catch (e) {
    if (!(e instanceof ssl.SSLCertVerificationError)) throw e;
    print(host, "refused:", e.verify_code, e.verify_message, e instanceof ssl.SSLError);
  }
}
await Promise.all(threads);
good.close();
bad.close();
for (const line of slog) print(line);

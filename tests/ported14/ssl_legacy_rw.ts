// Port of ssl_legacy_rw.py (the server thread is a task; getpeercert()'s subject is nested arrays, printed as
// Python's tuples).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import * as ssl from "../../ssl.ts";
import { b, bjoin, bstrip, bupper, decode, print } from "../ported/_py.ts";

const d = Deno.args[0];
const slog: string[] = [];

async function server(lsock: Socket) {
  const ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH);
  ctx.load_cert_chain(d + "/server.pem", d + "/server.key");
  for (const ending of ["shutdown", "close", "close"]) {
    const [raw] = await lsock.accept();
    raw.settimeout(5);
    const conn = await ctx.wrap_socket(raw, { server_side: true, do_handshake_on_connect: false });
    await conn.do_handshake();
    slog.push(`server: handshake done, ${conn.version()}`);
    while (true) {
      const data = await conn.read();
      if (!data.length || decode(bstrip(data)) === "BYE") break;
      const n = await conn.write(bjoin([bupper(data), b(" WORLD")]));
      slog.push(`server: wrote ${n}`);
    }
    await conn.write(b("CIAO"));
    if (ending === "close") {
      conn.close();
    } else {
      await conn.shutdown(socket.SHUT_RDWR);
      conn.close();
    }
  }
}

{
  using lsock = socket.create_server(["127.0.0.1", 0]);
  const addr = lsock.getsockname();
  const t = server(lsock);
  const ctx = ssl.create_default_context({ cafile: d + "/ca.pem" });
  for (const [i, suppress] of [true, false, true].entries()) {
    const s = await ctx.wrap_socket(socket.socket(), {
      server_hostname: "localhost",
      suppress_ragged_eofs: suppress,
    });
    s.settimeout(5);
    print("session", i, "suppress_ragged_eofs", suppress);
    print("  before connect: version", s.version());
    await s.connect(addr);
    print("  after connect:", s.version(), (s.getpeercert() as { subject: unknown[] }).subject[0]);
    print("  write:", await s.write(b("hello")));
    print("  read():", await s.read());
    await s.write(b("abc"));
    const first = await s.read(3);
    print("  read(3):", first, "pending", s.pending());
    const buf = new Uint8Array(4);
    const n = await s.read(4, buf);
    print("  read(4, buf):", n, buf, "pending", s.pending());
    print("  read(100):", await s.read(100), "pending", s.pending());
    await s.write(b("BYE"));
    print("  goodbye:", await s.read());
    try {
      print("  at the end: read() ->", await s.read());
    } catch (e) {
      if (!(e instanceof ssl.SSLError)) throw e;
      print("  at the end:", e.constructor.name, "is SSLError:", e instanceof ssl.SSLError, "errno", e.errno);
    }
    s.close();
  }
  await t;
}

for (const line of slog) print(line);

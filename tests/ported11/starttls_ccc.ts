// Port of starttls_ccc.py (the server thread is a task whose lines are kept and printed after it ends;
// type(x).__name__ is the constructor's name; unwrap() is typed as never returning, as pysocket's raises; the
// original's sys.exit(1) is Deno.exit(1)).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import * as ssl from "../../ssl.ts";
import { b, bjoin, decode, print } from "../ported/_py.ts";

const d = Deno.args[0]!;
const slog: unknown[][] = [];

async function server(lsock: Socket) {
  const ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH);
  ctx.load_cert_chain(d + "/server.pem", d + "/server.key");
  const [conn] = await lsock.accept();
  conn.settimeout(5);
  const f = conn.makefile("rb");
  await conn.sendall(b("220 ready\r\n"));
  slog.push(["server: plain", await f.readline()]);
  await f.close();
  await conn.sendall(b("234 go ahead\r\n"));
  const tls = await ctx.wrap_socket(conn, { server_side: true });
  slog.push(["server: tls", await tls.recv(64), tls.version()]);
  await tls.sendall(b("200 secret ok\r\n"));
  slog.push(["server: tls", await tls.recv(64)]);
  await tls.sendall(b("200 CCC ok\r\n"));
  const plain: Socket = await (tls.unwrap() as Promise<Socket>);
  slog.push(["server: unwrapped to", plain.constructor.name]);
  await plain.sendall(b("200 plain again\r\n"));
  let buf = new Uint8Array(0);
  while (!decode(buf).endsWith("QUIT\r\n")) {
    const data = await plain.recv(64);
    if (!data.length) break;
    buf = bjoin([buf, data]);
  }
  slog.push(["server: plain after CCC", buf]);
  await plain.sendall(b("221 bye\r\n"));
  plain.close();
}

const lsock = socket.create_server(["127.0.0.1", 0]);
const t = server(lsock);
t.catch(() => {});
const c = await socket.create_connection(lsock.getsockname() as [string, number], 5);
print("client:", await c.recv(64));
await c.sendall(b("AUTH TLS\r\n"));
print("client:", await c.recv(64));
const ctx = ssl.create_default_context({ cafile: d + "/ca.pem" });
const tls = await ctx.wrap_socket(c, { server_hostname: "localhost" });
await tls.sendall(b("SECRET\r\n"));
print("client: tls", await tls.recv(64));
await tls.sendall(b("CCC\r\n"));
print("client: tls", await tls.recv(64));
let plain: Socket;
try {
  plain = await (tls.unwrap() as Promise<Socket>);
} catch (e) {
  if (!(e instanceof socket.OSError)) throw e;
  print("client: unwrap failed:", e.constructor.name, e.errno);
  tls.close();
  await t.catch(() => {});
  lsock.close();
  Deno.exit(1);
}
print("client: unwrapped to", plain.constructor.name);
let buf = new Uint8Array(0);
while (!decode(buf).endsWith("again\r\n")) {
  const data = await plain.recv(64);
  if (!data.length) break;
  buf = bjoin([buf, data]);
}
print("client: plain", buf);
await plain.sendall(b("LIST\r\n"));
await plain.sendall(b("QUIT\r\n"));
print("client: plain", await plain.recv(64));
print("client: then", await plain.recv(64));
plain.close();
await t;
lsock.close();
for (const line of slog) print(...line);

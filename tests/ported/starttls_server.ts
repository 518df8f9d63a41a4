// Port of starttls_server.py.
import * as socket from "../../mod.ts";
import * as ssl from "../../ssl.ts";
import { b, bjoin, print } from "./_py.ts";

const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
ctx.load_cert_chain(Deno.args[1]!, Deno.args[2]!);
const srv = socket.socket();
srv.bind(["127.0.0.1", Number(Deno.args[0])]);
srv.listen();
const [conn] = await srv.accept();
await conn.sendall(b("220 ready\r\n"));
const line = await conn.recv(100);
print("plain:", line);
await conn.sendall(b("220 go ahead\r\n"));
const tls = await ctx.wrap_socket(conn, { server_side: true });
print("upgraded:", tls.version());
const data = await tls.recv(100);
print("secure:", data);
await tls.sendall(bjoin([b("250 "), data]));
tls.close();
srv.close();

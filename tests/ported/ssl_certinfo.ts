// Port of ssl_certinfo.py (the server thread is a task). ssl.get_server_certificate, cert_time_to_seconds,
// HAS_TLSv1_3 and HAS_TLSv1_2 are missing from pysocket's ssl: those lines carry @ts-ignore (finding P9).
import * as socket from "../../mod.ts";
import * as ssl from "../../ssl.ts";
import { join, print } from "./_py.ts";

const [CERT, KEY] = [Deno.args[0]!, Deno.args[1]!];
const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
ctx.load_cert_chain(CERT, KEY);
const lsock = socket.create_server(["127.0.0.1", 0]);
const addr = lsock.getsockname();

async function serve(n: number) {
  for (let _ = 0; _ < n; _++) {
    const [conn] = await lsock.accept();
    try {
      using tls = await ctx.wrap_socket(conn, { server_side: true });
      await tls.recv(10);
    } catch (e) {
      if (!(e instanceof socket.OSError)) throw e; // ssl.SSLError is an OSError
    }
  }
}

const t = serve(3);
const mine = ssl.PEM_cert_to_DER_cert(Deno.readTextFileSync(CERT));
const same = (x: Uint8Array, y: Uint8Array) => x.length === y.length && x.every((v, i) => v === y[i]);
// @ts-ignore: finding P9
let pem: string = await ssl.get_server_certificate(addr);
print("get_server_certificate:", pem.split(/\r?\n/)[0], same(ssl.PEM_cert_to_DER_cert(pem), mine));
// @ts-ignore: finding P9
pem = await ssl.get_server_certificate(addr, { ca_certs: CERT, timeout: 5 });
print("with ca_certs:", same(ssl.PEM_cert_to_DER_cert(pem), mine));

const client = ssl.create_default_context({ cafile: CERT });
{
  using sock = await socket.create_connection(addr);
  using tls = await client.wrap_socket(sock, { server_hostname: "localhost" });
  const cert = tls.getpeercert()!;
  // @ts-ignore: finding P9
  const not_before: number = ssl.cert_time_to_seconds(cert["notBefore"]);
  // @ts-ignore: finding P9
  const not_after: number = ssl.cert_time_to_seconds(cert["notAfter"]);
  const now = Date.now() / 1000;
  print("valid now", not_before <= now && now < not_after, "days", Math.round((not_after - not_before) / 86400));
}
await join(t, 10);
lsock.close();
try {
  // @ts-ignore: finding P9
  ssl.cert_time_to_seconds("not a date");
} catch (e) {
  if (!(e instanceof RangeError)) throw e;
  print("ValueError:", e.message);
}
// @ts-ignore: finding P9
print("HAS_SNI", ssl.HAS_SNI, "HAS_ALPN", ssl.HAS_ALPN, "HAS_TLSv1_3", ssl.HAS_TLSv1_3, "HAS_TLSv1_2", ssl.HAS_TLSv1_2);

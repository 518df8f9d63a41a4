// Port of tls_details.py (the server thread is a task).
import * as socket from "../../mod.ts";
import * as ssl from "../../ssl.ts";
import { b, join, print, repr } from "./_py.ts";

const D = Deno.args[0]!;

async function show(label: string, fn: () => unknown) {
  try {
    print(label, "ok", repr(await fn()));
  } catch (e) {
    const name = e instanceof RangeError ? "ValueError" : (e as Error).name;
    print(label, name, String((e as Error).message).split(" (_ssl.c")[0]);
  }
}

const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
sctx.load_cert_chain(D + "/server.pem", D + "/server.key");
const listener = socket.create_server(["127.0.0.1", 0]);
const port = listener.getsockname()[1];
const log: unknown[] = [];

async function serve() {
  const [conn] = await listener.accept();
  using s = await sctx.wrap_socket(conn, { server_side: true });
  log.push(["server side", s.server_side, s.version()]);
  const f = s.makefile("rwb");
  for await (const line of f as AsyncIterable<Uint8Array>) {
    const text = new TextDecoder().decode(line);
    if (text === "quit\n") {
      break;
    }
    if (text.startsWith("big")) {
      await f.write(new Uint8Array(100001).fill(0x42).fill(0x0a, 100000));
    } else {
      await f.write(b(text.toUpperCase()));
    }
    await f.flush();
  }
  await f.close();
}

const t = serve();
const cctx = ssl.create_default_context({ cafile: D + "/ca.pem" });
await show("no server_hostname", () => cctx.wrap_socket(socket.socket()));
const raw = await socket.create_connection(["127.0.0.1", port]);
const c = await cctx.wrap_socket(raw, { server_hostname: "localhost" });
print("client", c.server_side, c.server_hostname, c.compression(), c.selected_alpn_protocol(), c.version());
const der = c.getpeercert(true) as Uint8Array;
const back = ssl.PEM_cert_to_DER_cert(ssl.DER_cert_to_PEM_cert(der));
print(
  "der",
  der instanceof Uint8Array ? "bytes" : typeof der,
  back.length === der.length && back.every((x, i) => x === der[i]),
);
const cert = c.getpeercert() as ssl.PeerCertificate;
print("subject", Object.fromEntries(cert.subject.map((x) => x[0]!)).commonName);
await show("pending before", () => c.pending());
await c.sendall(b("hello\n"));
await show("recv 3", () => c.recv(3));
await show("pending after", () => c.pending());
const buf = new Uint8Array(10);
await show("recv_into", async () => [await c.recv_into(buf), buf.slice(0, 3)]);
await c.sendall(b("big\n"));
let n = 0;
while (n < 100001) {
  n += (await c.recv(65536)).length;
}
print("big reply", n);
await show("recv MSG_PEEK", () => c.recv(10, socket.MSG_PEEK));
await show("send flags", () => c.send(b("x"), 1));
await show("sendto", () => c.sendto(b("x"), ["127.0.0.1", port]));
await show("recvfrom", () => c.recvfrom(10));
c.settimeout(0.3);
await show("timed recv", () => c.recv(10));
c.settimeout(5);
const f = c.makefile("rwb");
await f.write(b("via file\n"));
await f.flush();
await show("file readline", () => f.readline());
await f.write(b("quit\n"));
await f.flush();
await show("recv at EOF", () => c.recv(10));
await show("recv again", () => c.recv(10));
await f.close();
c.close();
await join(t, 10);
print(...log);
listener.close();

const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
await show("missing cert file", () => ctx.load_cert_chain(D + "/nope.pem"));
await show("key of another cert", () => ctx.load_cert_chain(D + "/server.pem", D + "/client.key"));
await show("missing CA file", () => ctx.load_verify_locations(D + "/nope.pem"));
await show("no CA given", () => (ctx.load_verify_locations as () => void)());
const cc = ssl.create_default_context();
await show("CERT_NONE with check_hostname", () => {
  cc.verify_mode = ssl.CERT_NONE;
});
cc.check_hostname = false;
cc.verify_mode = ssl.CERT_NONE;
print("modes", cc.verify_mode, cc.check_hostname);
cc.check_hostname = true;
print("modes", cc.verify_mode, cc.check_hostname);
await show(
  "client context, server side",
  () => ssl.create_default_context().wrap_socket(socket.socket(), { server_side: true }),
);

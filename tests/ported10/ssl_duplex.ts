// Port of ssl_duplex.py (threads are tasks: conn.sendall in a thread is a started sendall Promise beside the
// reads; dict(x[0] for x in subject) is Object.fromEntries; `ctx is optional` is ===; tempfile.mkstemp is
// Deno.makeTempFileSync; open(path, "rb") is Deno.open and f.tell() a seek by 0).
import * as socket from "../../mod.ts";
import * as ssl from "../../ssl.ts";
import type { SSLSocket } from "../../ssl.ts";
import { b, beq, bjoin, print, sleep } from "../ported/_py.ts";

const d = Deno.args[0]!;
const SIZE = 4 << 20;
const unit_up = Uint8Array.from({ length: 256 }, (_, i) => i);
const up = bjoin(Array(SIZE / 256).fill(unit_up));
const down = bjoin(Array(SIZE / 256).fill(unit_up.slice().reverse()));
const path = Deno.makeTempFileSync();
Deno.writeFileSync(path, bjoin(Array(4096).fill(Uint8Array.from({ length: 256 }, (_, i) => (i * 13) % 256))));
const filedata = Deno.readFileSync(path);
const sha = async (x: Uint8Array) =>
  [...new Uint8Array(await crypto.subtle.digest("SHA-256", x as Uint8Array<ArrayBuffer>))]
    .map((c) => c.toString(16).padStart(2, "0")).join("").slice(0, 12);
const cn = (cert: Partial<ssl.PeerCertificate>) => Object.fromEntries(cert["subject"]!.map((x) => x[0]!))["commonName"];

const required = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH);
required.load_cert_chain(d + "/server.pem", d + "/server.key");
required.verify_mode = ssl.CERT_REQUIRED;
required.load_verify_locations(d + "/ca.pem");
const optional = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH);
optional.load_cert_chain(d + "/server.pem", d + "/server.key");
optional.verify_mode = ssl.CERT_OPTIONAL;
optional.load_verify_locations(d + "/ca.pem");

const lsock = socket.create_server(["127.0.0.1", 0]);
lsock.settimeout(30);
const port = (lsock.getsockname() as [string, number])[1];
const log: string[] = [];

async function recv_exact(s: socket.Socket, n: number) {
  const chunks: Uint8Array[] = [];
  while (n) {
    const c = await s.recv(Math.min(n, 65536));
    if (!c.length) break;
    chunks.push(c);
    n -= c.length;
  }
  return bjoin(chunks);
}

async function server() {
  for (const ctx of [required, optional, required, required]) {
    const [newsock] = await lsock.accept();
    let conn: SSLSocket;
    try {
      conn = await ctx.wrap_socket(newsock, { server_side: true });
    } catch (e) {
      if (!(e instanceof socket.OSError)) throw e;
      log.push(`server handshake failed: ${e instanceof socket.OSError ? "True" : "False"}`);
      newsock.close();
      continue;
    }
    using _c = conn;
    conn.settimeout(20);
    const cert = conn.getpeercert();
    log.push(`server sees ${cert ? cn(cert) : "None"}`);
    if (ctx === optional) {
      await conn.sendall(b("hello stranger"));
      try {
        await conn.recv(1);
      } catch (e) {
        if (!(e instanceof socket.OSError)) throw e;
      }
      continue;
    }
    const t = conn.sendall(down);
    let got = await recv_exact(conn, SIZE);
    await t;
    log.push(`server got ${got.length} up ok ${beq(got, up) ? "True" : "False"}`);
    for (let i = 0; i < 100; i++) {
      await conn.sendall(b(String(i).padStart(3, "0")));
      await sleep(0.003);
    }
    got = await recv_exact(conn, 500_000);
    log.push(`server got sendfile ${got.length} ok ${beq(got, filedata.subarray(10, 500_010)) ? "True" : "False"}`);
    await conn.sendall(b("done"));
    await conn.recv(1);
  }
}

const st = server();

async function client(certfile: string | null = null, hostname = "localhost") {
  const ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, { cafile: d + "/ca.pem" });
  if (certfile) ctx.load_cert_chain(d + "/" + certfile + ".pem", d + "/" + certfile + ".key");
  const sock = await socket.create_connection(["127.0.0.1", port], 20);
  return await ctx.wrap_socket(sock, { server_hostname: hostname });
}

{
  using s = await client("client");
  print("version", s.version(), "server", cn(s.getpeercert()!));
  const t = s.sendall(up);
  const got = await recv_exact(s, SIZE);
  await t;
  print("client got", got.length, "down ok", beq(got, down), await sha(got));
  s.settimeout(0.002);
  const buf = new Uint8Array(300);
  let view = buf.subarray(0);
  let timeouts = 0;
  const deadline = performance.now() + 20_000;
  while (view.length && performance.now() < deadline) {
    let n: number;
    try {
      n = await s.recv_into(view);
    } catch (e) {
      if (!(e instanceof socket.TimeoutError)) throw e;
      timeouts += 1;
      continue;
    }
    view = view.subarray(n);
  }
  const want = b(Array.from({ length: 100 }, (_, i) => String(i).padStart(3, "0")).join(""));
  print("trickle", buf.slice(0, 12), buf.slice(-6), beq(buf, want), "timed out sometimes:", timeouts > 0);
  s.settimeout(20);
  {
    using f = await Deno.open(path, { read: true });
    print("sendfile", await s.sendfile(f, 10, 500_000), "position", await f.seek(0, Deno.SeekMode.Current));
  }
  print("end", await s.recv(4));
}

{
  using s = await client();
  print("no client certificate, optional:", await s.recv(100));
}

try {
  using s = await client("client", "127.0.0.2");
  print("connected?", s.version());
} catch (e) {
  if (!(e instanceof ssl.SSLCertVerificationError)) throw e;
  print("wrong IP:", e.name, e.verify_code, e.verify_message);
}

try {
  using s = await client("evil_client");
  s.settimeout(5);
  const data = await s.recv(100);
  print("evil client refused:", data.length === 0);
} catch (e) {
  if (!(e instanceof socket.OSError)) throw e;
  print("evil client refused:", true);
}
await st;
lsock.close();
for (const line of log) print(line);
Deno.removeSync(path);

// Port of tls_file_echo.py (the server thread becomes a task; tempfile.mkstemp is Deno.makeTempFileSync,
// open(path, 'rb') Deno.open, f.tell() a seek of 0 from the current position; hashlib.sha256 is
// crypto.subtle.digest; a memoryview slice is subarray).
import * as socket from "../../mod.ts";
import * as ssl from "../../ssl.ts";
import { b, beq, bjoin, join, print } from "../ported/_py.ts";

const certs = Deno.args[0]!;
const server_ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
server_ctx.load_cert_chain(certs + "/server.pem", certs + "/server.key");
const client_ctx = ssl.create_default_context({ cafile: certs + "/ca.pem" });
const listener = socket.create_server(["127.0.0.1", 0]);
const port = listener.getsockname()[1] as number;
const sha256 = async (x: Uint8Array) =>
  new Uint8Array(await crypto.subtle.digest("SHA-256", x.slice() as Uint8Array<ArrayBuffer>));

async function server() {
  const [raw] = await listener.accept();
  raw.settimeout(10);
  const tls = await server_ctx.wrap_socket(raw, { server_side: true, do_handshake_on_connect: false });
  print("server: before handshake, version", tls.version());
  await tls.do_handshake();
  print("server: after handshake", tls.version() !== null, tls.server_side, tls.server_hostname);
  const rf = tls.makefile("rb");
  const wf = tls.makefile("wb");
  while (true) {
    const line = await rf.readline() as Uint8Array;
    if (!line.length) break;
    const text = new TextDecoder().decode(line);
    if (text.startsWith("UPLOAD ")) {
      const n = parseInt(text.split(/\s+/)[1]!);
      const data = await rf.read(n) as Uint8Array;
      print("server: upload of", data.length, "bytes");
      await wf.write(await sha256(data));
      await wf.flush();
    } else {
      await wf.write(bjoin([b("echo: "), line]));
      await wf.write(text.startsWith("hold") ? b("pending ") : b(""));
      await wf.flush();
    }
  }
  await rf.close();
  await wf.close();
  print("server: client closed; pending", tls.pending());
  tls.close();
}

const t = server();
const path = Deno.makeTempFileSync();
Deno.writeFileSync(path, bjoin([...Array(1000).fill(new Uint8Array(256).map((_, i) => i)), b("tail")]));
{
  using raw = await socket.create_connection(["127.0.0.1", port], { timeout: 10 });
  await using tls = await client_ctx.wrap_socket(raw, { server_hostname: "localhost" });
  const f = tls.makefile("rwb");
  for (const line of [b("hello\n"), b("hold on\n"), b("\n"), bjoin([b("x".repeat(5000)), b("\n")])]) {
    await f.write(line);
    await f.flush();
    const reply = await f.readline() as Uint8Array;
    if (beq(line, b("hello\n"))) {
      print("client:", ["TLSv1.2", "TLSv1.3"].includes(tls.version()!), tls.getpeercert()!.subject![0]);
    }
    print("client:", line.length, "->", reply.length, reply.subarray(0, 20));
  }
  await f.write(b(`UPLOAD ${Deno.statSync(path).size}\n`));
  await f.flush();
  let sent: number;
  let position: number;
  {
    using src = await Deno.open(path, { read: true });
    sent = await tls.sendfile(src);
    position = await src.seek(0, Deno.SeekMode.Current);
  }
  const digest = new Uint8Array(32);
  let got = 0;
  while (got < 32) {
    const n = await f.readinto(digest.subarray(got));
    if (!n) break;
    got += n;
  }
  print("client: sendfile sent", sent, "position", position);
  print("client: digest matches", beq(digest, await sha256(Deno.readFileSync(path))), got);
  await f.close();
}
await join(t, 10);
Deno.removeSync(path);
listener.close();

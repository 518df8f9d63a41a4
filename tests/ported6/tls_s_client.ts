// Port of tls_s_client.py (subprocess.Popen with pipes is Deno.Command(...).spawn(); communicate() writes
// what is left, closes stdin and reads both outputs).
import * as socket from "../../mod.ts";
import { create_default_context, Purpose, SSLError, type SSLSocket } from "../../ssl.ts";
import { print } from "../ported/_py.ts";

const certs = Deno.args[0]!;
const ends = [["close() without close_notify", "close"]];
if (Deno.args.length === 2 && Deno.args[1] === "unwrap") ends.push(["unwrap()", "unwrap"]);
const context = create_default_context(Purpose.CLIENT_AUTH);
context.load_cert_chain({ certfile: certs + "/server.pem", keyfile: certs + "/server.key" });
context.set_alpn_protocols(["h2", "http/1.1"]);
const seen: (string | null)[] = [];

function sni_callback(_sslsock: SSLSocket, server_name: string | null) {
  seen.push(server_name);
}

context.sni_callback = sni_callback;
const bindsocket = socket.socket();
bindsocket.bind(["127.0.0.1", 0]);
bindsocket.listen(5);
const port = bindsocket.getsockname()[1];

interface Child {
  proc: Deno.ChildProcess;
  stdin: WritableStreamDefaultWriter<Uint8Array> | null;
}

function s_client(...args: string[]): Child {
  const proc = new Deno.Command("openssl", {
    args: ["s_client", "-connect", `127.0.0.1:${port}`, "-brief", ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  return { proc, stdin: proc.stdin.getWriter() };
}

async function report(child: Child, to_send: Uint8Array | null = null) {
  if (child.stdin) {
    if (to_send) await child.stdin.write(to_send);
    await child.stdin.close();
  }
  const { stdout, stderr } = await child.proc.output();
  print("  s_client stdout:", stdout);
  for (let line of new TextDecoder().decode(stderr).split(/\r\n|\n/).slice(0, -1)) {
    if (["Server Temp Key", "Hash used", "Signature type"].some((p) => line.startsWith(p))) continue;
    if (line.includes(":error:")) line = "error: " + line.split(":")[5];
    print("  s_client:", line);
  }
}

const enc = new TextEncoder();
for (const [label, end] of ends) {
  print(label);
  const child = s_client(
    "-servername",
    "localhost",
    "-alpn",
    "http/1.1,h2",
    "-CAfile",
    certs + "/ca.pem",
    "-verify_return_error",
  );
  const [newsocket] = await bindsocket.accept();
  const conn = await context.wrap_socket(newsocket, { server_side: true });
  print("  version", conn.version(), "alpn", conn.selected_alpn_protocol(), "sni", seen.at(-1));
  await conn.sendall(enc.encode("hello from the server\n"));
  await child.stdin!.write(enc.encode("hello from s_client\n"));
  print("  got", await conn.recv(100));
  if (end === "close") {
    conn.close();
  } else {
    const plain: socket.Socket = await conn.unwrap();
    print("  unwrapped to", plain.constructor.name, await plain.recv(100));
    plain.close();
  }
  await child.stdin!.close();
  child.stdin = null;
  await report(child);
}

if (Deno.args.length === 2 && Deno.args[1] === "alpn") {
  print("an unknown ALPN protocol offered");
  const child = s_client("-servername", "localhost", "-alpn", "spdy/1", "-CAfile", certs + "/ca.pem");
  const [newsocket] = await bindsocket.accept();
  const conn = await context.wrap_socket(newsocket, { server_side: true });
  print("  alpn", conn.selected_alpn_protocol());
  conn.close();
  await report(child, new Uint8Array());
}

print("a client without the CA");
const child = s_client("-servername", "localhost", "-verify_return_error");
const [newsocket] = await bindsocket.accept();
try {
  await context.wrap_socket(newsocket, { server_side: true });
} catch (e) {
  if (!(e instanceof SSLError)) throw e;
  print("  handshake failed:", e.name, e.reason);
}
newsocket.close();
await report(child, new Uint8Array());
bindsocket.close();

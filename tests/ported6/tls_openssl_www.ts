// Port of tls_openssl_www.py (subprocess.Popen is Deno.Command(...).spawn(), its stdout read line by line).
import * as socket from "../../mod.ts";
import { create_default_context, SSLCertVerificationError, type SSLSocket } from "../../ssl.ts";
import { print, repr } from "../ported/_py.ts";

const certs = Deno.args[0]!;
const resume = Deno.args.length === 2 && Deno.args[1] === "resume";
const server = new Deno.Command("openssl", {
  args: [
    "s_server",
    "-www",
    "-accept",
    "127.0.0.1:0",
    "-naccept",
    "3",
    "-cert",
    certs + "/server.pem",
    "-key",
    certs + "/server.key",
  ],
  stdout: "piped",
  stderr: "null",
  stdin: "null",
}).spawn();
const lines = server.stdout.pipeThrough(new TextDecoderStream()).getReader();
let port = 0;
let pending = "";
find: while (true) {
  const { value, done } = await lines.read();
  if (done) break;
  pending += value;
  for (const line of pending.split("\n")) {
    const m = /^ACCEPT 127\.0\.0\.1:(\d+)/.exec(line);
    if (m) {
      port = Number(m[1]);
      break find;
    }
  }
}
lines.releaseLock();
print("s_server listening");

const context = create_default_context({ cafile: certs + "/ca.pem" });

async function get(session: null = null) {
  using sock = await socket.create_connection(["127.0.0.1", port]);
  using ssock = await context.wrap_socket(sock, { server_hostname: "localhost", session });
  print("version", ssock.version(), "cipher", ssock.cipher()![0]);
  const cert = ssock.getpeercert()!;
  const subject = Object.fromEntries(cert.subject!.map((x) => x[0]!));
  print(
    "peer",
    `{${Object.entries(subject).map(([k, v]) => `${repr(k)}: ${repr(v)}`).join(", ")}}`,
    cert.subjectAltName,
  );
  await ssock.sendall(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));
  const f = ssock.makefile("rb");
  print("status", await f.readline());
  while (true) {
    const h = await f.readline() as Uint8Array;
    const t = new TextDecoder().decode(h);
    if (t === "\r\n" || t === "\n" || t === "") break;
    print("header", h);
  }
  const body = await f.read() as Uint8Array;
  await f.close();
  print("body", body.length > 200, body.slice(0, 30));
  for (const line of new TextDecoder().decode(body).split(/\r\n|\n|\r/)) {
    if (["New,", "Reused,", "Protocol  :", "Cipher    :", "Verify return code"].some((p) => line.startsWith(p))) {
      print("  ", line);
    }
  }
  if (resume) print("session_reused", ssock.session_reused);
  return (ssock as SSLSocket).session;
}

const first = await get();
await get(resume ? first : null);

const bad = create_default_context();
try {
  using sock = await socket.create_connection(["127.0.0.1", port]);
  await bad.wrap_socket(sock, { server_hostname: "localhost" });
} catch (e) {
  if (!(e instanceof SSLCertVerificationError)) throw e;
  print("untrusted:", e.verify_code, e.verify_message);
}
let timer: ReturnType<typeof setTimeout> | undefined;
const status = await Promise.race([server.status, new Promise<null>((r) => timer = setTimeout(() => r(null), 30_000))]);
clearTimeout(timer);
print("s_server exit code", status === null ? "None" : status.code);

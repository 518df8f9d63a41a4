// Port of tls_pending.py (the server thread is a task; its lines are kept and printed after it ends, as the
// original's; hashlib.sha256 is node:crypto's; type(x).__name__ is the constructor's name).
import { createHash } from "node:crypto";
import * as socket from "../../mod.ts";
import * as ssl from "../../ssl.ts";
import { select } from "../../selectors.ts";
import { b, bjoin, print } from "../ported/_py.ts";

const d = Deno.args[0]!;
const unwrap = Deno.args.length === 2 && Deno.args[1] === "unwrap";
const blob = new Uint8Array(256 * 256).map((_, i) => i % 256);
const slog: unknown[][] = [];

async function server(lsock: socket.Socket) {
  const ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH);
  ctx.load_cert_chain(d + "/server.pem", d + "/server.key");
  ctx.verify_mode = ssl.CERT_REQUIRED;
  ctx.load_verify_locations(d + "/ca.pem");
  const [conn] = await lsock.accept();
  {
    using tls = await ctx.wrap_socket(conn, { server_side: true });
    const subject = Object.fromEntries(tls.getpeercert()!["subject"]!.map((x) => x[0]!));
    slog.push(["server: client certificate CN:", subject["commonName"]]);
    const go = await tls.recv(16);
    slog.push(["server: got", go]);
    await tls.sendall(blob);
    await tls.sendall(b("that was 64 KB\n"));
    slog.push(["server: the client's bye:", await tls.recv(16)]);
    if (unwrap) {
      const plain: socket.Socket = await (tls.unwrap() as Promise<socket.Socket>);
      plain.close();
    }
  }
  lsock.close();
}

const lsock = socket.create_server(["127.0.0.1", 0]);
const t = server(lsock);

const ctx = ssl.create_default_context({ cafile: d + "/ca.pem" });
ctx.load_cert_chain(d + "/client.pem", d + "/client.key");
const raw = await socket.create_connection(lsock.getsockname() as [string, number], { timeout: 20 });
raw.setblocking(false);
const sock = await ctx.wrap_socket(raw, { server_hostname: "localhost", do_handshake_on_connect: false });
const wants = new Set<string>();
for (let i = 0; i < 1000; i++) {
  try {
    await sock.do_handshake();
    break;
  } catch (e) {
    if (e instanceof ssl.SSLWantReadError) {
      wants.add("read");
      await select([sock], [], [], 5);
    } else if (e instanceof ssl.SSLWantWriteError) {
      wants.add("write");
      await select([], [sock], [], 5);
    } else throw e;
  }
}
print("client: handshake done, version", sock.version());
try {
  await sock.recv(1024);
} catch (e) {
  if (!(e instanceof ssl.SSLWantReadError)) throw e;
  print("client: nothing yet:", e.constructor.name);
}
await sock.send(b("go"));

let got: Uint8Array = new Uint8Array();
let saw_pending = false;
let selects = 0;
while (got.length < blob.length + 15 && selects < 2000) {
  const [r] = await select([sock], [], [], 5);
  selects += 1;
  if (!r.length) {
    print("client: select() timed out with", got.length, "bytes, pending", sock.pending());
    break;
  }
  let data: Uint8Array;
  try {
    data = await sock.recv(1024);
  } catch (e) {
    if (e instanceof ssl.SSLWantReadError) continue;
    throw e;
  }
  while (sock.pending()) {
    saw_pending = true;
    data = bjoin([data, await sock.recv(sock.pending())]);
  }
  got = bjoin([got, data]);
}
const sha = (x: Uint8Array) => createHash("sha256").update(x).digest("hex");
print(
  "client: got",
  got.length,
  "bytes, blob intact:",
  sha(got.subarray(0, blob.length)) === sha(blob),
  "tail:",
  got.subarray(blob.length),
  "pending() was used:",
  saw_pending,
);
await sock.send(b("bye"));
if (!unwrap) sock.close();
let plain: socket.Socket | null = null;
for (let i = 0; i < (unwrap ? 1000 : 0); i++) {
  try {
    plain = await (sock.unwrap() as Promise<socket.Socket>);
    break;
  } catch (e) {
    if (!(e instanceof ssl.SSLWantReadError)) throw e;
    await select([sock], [], [], 5);
  }
}
if (unwrap) {
  plain!.setblocking(true);
  print("client: unwrapped to", plain!.constructor.name, "reading", await plain!.recv(10));
  plain!.close();
}
await t;
for (const line of slog) print(...line);

// Port of tls_unix.py (threads are tasks; `for line in f` is `for await`; sock.family.name is
// AddressFamily[sock.family]; a dict() of the subject's pairs is a Map; os.unlink of the closed listener's path
// finds no file: Deno removed it at close, a known limit).
import * as socket from "../../mod.ts";
import { AddressFamily, SocketKind } from "../../mod.ts";
import * as ssl from "../../ssl.ts";
import { b, beq, bstrip, join, print, repr } from "../ported/_py.ts";

const certs = Deno.args[0]!;
const UNTRUSTED = Deno.args.length === 2 && Deno.args[1] === "untrusted";
const sctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH);
sctx.load_cert_chain(`${certs}/server.pem`, `${certs}/server.key`);
const cctx = ssl.create_default_context({ cafile: `${certs}/ca.pem` });
const server_lines: string[] = [];

async function upper_service(tls: ssl.SSLSocket, label: string) {
  const f = tls.makefile("rwb");
  for await (const line of f) {
    if (beq(bstrip(line as Uint8Array), b("bye"))) {
      await f.write(b("BYE\n"));
      await f.flush();
      break;
    }
    await f.write((line as Uint8Array).map((c) => (c >= 0x61 && c <= 0x7a ? c - 32 : c)));
    await f.flush();
  }
  await f.close();
  server_lines.push(`${label}: served, ${tls.version()} family ${AddressFamily[tls.family]}`);
  tls.close();
}

async function talk(tls: ssl.SSLSocket, label: string) {
  print(label, "version:", tls.version(), "family:", AddressFamily[tls.family], "type:", SocketKind[tls.type]);
  print(label, "server subject CN:", new Map(tls.getpeercert()!.subject.map((x) => x[0]!)).get("commonName"));
  const f = tls.makefile("rwb");
  for (const text of [b("hello over tls\n"), b("second line\n"), b("bye\n")]) {
    await f.write(text);
    await f.flush();
    print(label, "got", await f.readline());
  }
  await f.close();
  tls.close();
}

// 1: a Unix domain listener
const d = Deno.makeTempDirSync();
const path = `${d}/tls.sock`;
const srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
srv.bind(path);
srv.listen();

async function serve_unix(count: number) {
  for (let i = 0; i < count; i++) {
    const [conn, addr] = await srv.accept();
    let tls: ssl.SSLSocket;
    try {
      tls = await sctx.wrap_socket(conn, { server_side: true });
    } catch (e) {
      if (!(e instanceof ssl.SSLError)) throw e;
      server_lines.push(`unix ${i}: handshake failed: ${e.reason}`);
      conn.close();
      continue;
    }
    await upper_service(tls, `unix ${i} (peer ${repr(addr)})`);
  }
}

let t = serve_unix(UNTRUSTED ? 2 : 1);
let s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
await s.connect(path);
let tls = await cctx.wrap_socket(s, { server_hostname: "localhost" });
print("unix: peer", tls.getpeername() === path, "own name", repr(tls.getsockname()));
await talk(tls, "unix");

// 3: a client that does not trust the CA
if (UNTRUSTED) {
  const other = ssl.create_default_context({ cafile: `${certs}/other.pem` });
  s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
  await s.connect(path);
  try {
    await other.wrap_socket(s, { server_hostname: "localhost" });
  } catch (e) {
    if (!(e instanceof ssl.SSLCertVerificationError)) throw e;
    print("untrusting client:", e.reason, e.verify_message);
  }
  s.close();
}
await join(t, 30);
srv.close();
try {
  Deno.removeSync(path); // os.unlink(path)
} catch (e) {
  // Known limit (docs/limits.md): closing a Unix listener removes its file on Deno, so the unlink finds none.
  if (!(e instanceof Deno.errors.NotFound)) throw e;
}

// 2: socketpair()
const [a, b_] = await socket.socketpair();
t = (async () => upper_service(await sctx.wrap_socket(b_, { server_side: true }), "socketpair"))();
tls = await cctx.wrap_socket(a, { server_hostname: "localhost" });
await talk(tls, "socketpair");
await join(t, 30);

for (const line of server_lines) {
  print(line);
}

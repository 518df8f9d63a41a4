// fix19d (C3-1): a server context given chains of two key types (load_cert_chain twice: ECDSA then RSA, or RSA then
// ECDSA). OpenSSL (CPython) keeps one chain per key type and serves, per handshake, the one the client's
// signature_algorithms allow (its preference: ECDSA first); pysocket kept only the last chain. Differential: the same
// openssl s_client rows (TLS 1.2 / 1.3, with and without SNI, signature algorithms default / ECDSA only / RSA-PSS
// only / RSA PKCS#1 only) against a python3 server and a pysocket server of the same contexts (wrap_socket of each
// accepted connection, and accept() of a wrapped listener); what each client was served is compared. Also a
// pysocket client (Deno's TLS) against both servers, and a sni_callback swapping to a one-chain context.

import assert from "node:assert/strict";
import { create_server, type Socket, socket } from "../mod.ts";
import * as ssl from "../ssl.ts";
import { make_cpy_certs } from "./_cpy_ssl.ts";
import { missing, test_needing } from "./_socket_fixtures.ts";
import { python_server } from "./_ssl_fixtures.ts";

const test = test_needing("python3", "openssl");
const certs = (missing("openssl") ? undefined : await make_cpy_certs())!;
const FILES: Record<string, string> = { ec: "keycertecc.pem", rsa: "keycert3.pem", ec2: "keycert4.pem" };

type Row = [version: string, sni: boolean, sigalgs: string];
const ROWS: Row[] = [];
for (const version of ["-tls1_2", "-tls1_3"]) {
  for (const sni of [true, false]) {
    for (const sigalgs of ["", "ECDSA+SHA256", "RSA-PSS+SHA256", "RSA+SHA256"]) ROWS.push([version, sni, sigalgs]);
  }
}

/** What an openssl s_client row was served: the certificate's CN, or "failed". */
async function s_client(port: number, [version, sni, sigalgs]: Row): Promise<string> {
  const args = ["s_client", "-connect", `127.0.0.1:${port}`, version, sni ? "-servername" : "-noservername"];
  if (sni) args.push("localhost");
  if (sigalgs) args.push("-sigalgs", sigalgs);
  const out = await new Deno.Command("openssl", {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(10_000),
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const m = /^subject=.*CN ?= ?([^,\n]+)/m.exec(text);
  return m ? m[1]!.trim() : "failed";
}

/**
 * What each row was served by the server on `port`, four s_clients at a time (the server takes them one by one;
 * what a row is served depends on its ClientHello alone), in ROWS order.
 */
async function served(port: number): Promise<Record<string, string>> {
  const got = new Map<Row, string>();
  let next = 0;
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next < ROWS.length) {
      const row = ROWS[next++]!;
      got.set(row, await s_client(port, row));
    }
  }));
  return Object.fromEntries(ROWS.map((row) => [row.join(" "), got.get(row)!]));
}

/** A python3 server (argv: dir, chains in load order, "wrap"|"listener", connections): prints its port. */
const PY_SERVER = `
import socket, ssl, sys
d, order, mode, n = sys.argv[1], sys.argv[2].split(","), sys.argv[3], int(sys.argv[4])
files = ${JSON.stringify(FILES)}
sc = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
for k in order: sc.load_cert_chain(d + "/" + files[k])
l = socket.create_server(("127.0.0.1", 0)); l.settimeout(20)
if mode == "listener": l = sc.wrap_socket(l, server_side=True)
print(l.getsockname()[1], flush=True)
for _ in range(n):
    try:
        if mode == "listener": s, _ = l.accept()
        else:
            a, _ = l.accept(); a.settimeout(5); s = sc.wrap_socket(a, server_side=True)
        s.sendall(b"ok"); s.close()
    except socket.timeout: break
    except OSError: pass
`;

function context(order: string[]): ssl.SSLContext {
  const sc = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  for (const k of order) sc.load_cert_chain(certs.P(FILES[k]!));
  return sc;
}

/** The pysocket twin of PY_SERVER: serves `n` connections, in the background. */
async function serve(sc: ssl.SSLContext, mode: string, n: number): Promise<{ port: number; done: Promise<void> }> {
  const plain = create_server(["127.0.0.1", 0]);
  plain.settimeout(20);
  const port = (plain.getsockname() as [string, number])[1];
  const l: Socket = mode === "listener" ? await sc.wrap_socket(plain, { server_side: true }) : plain;
  const done = (async () => {
    try {
      for (let i = 0; i < n; i++) {
        try {
          let s: ssl.SSLSocket;
          if (mode === "listener") [s] = (await l.accept()) as unknown as [ssl.SSLSocket, unknown];
          else {
            const [a] = await l.accept();
            a.settimeout(5);
            s = await sc.wrap_socket(a, { server_side: true });
          }
          await s.sendall(new TextEncoder().encode("ok"));
          s.close();
        } catch (e) {
          if (e instanceof ssl.SSLError || (e as Error).constructor.name.endsWith("Error")) {
            if ((e as Error).constructor.name === "TimeoutError") break;
            continue;
          }
          throw e;
        }
      }
    } finally {
      l.close();
    }
  })();
  return { port, done };
}

for (const order of [["ec", "rsa"], ["rsa", "ec"], ["ec", "rsa", "ec2"]]) {
  for (const mode of ["wrap", "listener"]) {
    test(`C3-1: a server with chains ${order.join(", ")} (${mode}) serves what OpenSSL serves to each client`, async () => {
      // CPython's server and pysocket's, side by side.
      const py = await python_server(PY_SERVER, certs.dir, order.join(","), mode, String(ROWS.length));
      let want: Record<string, string>, got: Record<string, string>;
      try {
        const srv = await serve(context(order), mode, ROWS.length);
        [want, got] = await Promise.all([served(Number(py.first)), served(srv.port)]);
        await srv.done;
      } finally {
        py.kill();
        await py.rest();
      }
      // Both chains are served to some client: the rows tell the key types apart.
      assert.ok(Object.values(want).includes("localhost-ecc") || Object.values(want).includes("fakehostname"));
      assert.ok(Object.values(want).includes("localhost"));
      assert.deepEqual(got, want);
    });
  }
}

/** A client of this library (Deno's TLS) or python3's, verifying against the CA, to a server of `order`. */
const PY_CLIENT = `
import json, socket, ssl, sys
d, port, host, v12 = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4] == "1"
c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); c.load_verify_locations(d + "/pycacert.pem"); c.check_hostname = False
if v12: c.maximum_version = ssl.TLSVersion.TLSv1_2
with c.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10), server_hostname=host) as s:
    print(json.dumps([s.getpeercert()["subject"][-1][0][1], s.version()]))
`;

async function pysocket_client(port: number, host: string, v12: boolean): Promise<unknown> {
  const c = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  c.load_verify_locations(certs.P("pycacert.pem"));
  c.check_hostname = false;
  if (v12) c.maximum_version = ssl.TLSVersion.TLSv1_2;
  const s = await c.wrap_socket(socket(), { server_hostname: host });
  try {
    s.settimeout(10);
    await s.connect(["127.0.0.1", port]);
    return [(s.getpeercert()!.subject as unknown as string[][][]).at(-1)![0]![1], s.version()];
  } finally {
    s.close();
  }
}

test("C3-1: python3 and pysocket clients (TLS 1.2, 1.3) get the ECDSA chain from either server given ECDSA and RSA", async () => {
  const rows: [string, boolean][] = [["localhost", false], ["localhost", true], ["127.0.0.1", false]];
  const want: unknown[] = [];
  const got: unknown[] = [];
  /** Each row's python3 client and pysocket client against `port`, all at once (the server takes them in turn). */
  const clients = (port: number) =>
    Promise.all(rows.map(([host, v12]) => {
      const p = new Deno.Command("python3", {
        args: ["-c", PY_CLIENT, certs.dir, String(port), host, v12 ? "1" : "0"],
        stdout: "piped",
        signal: AbortSignal.timeout(20_000),
      });
      return Promise.all([
        p.output().then((o) => JSON.parse(new TextDecoder().decode(o.stdout))),
        pysocket_client(port, host, v12),
      ]);
    }));
  for (const order of [["ec", "rsa"], ["rsa", "ec"]]) {
    // CPython's server and pysocket's, side by side.
    const py = await python_server(PY_SERVER, certs.dir, order.join(","), "wrap", String(2 * rows.length));
    try {
      const srv = await serve(context(order), "wrap", 2 * rows.length);
      const [of_py, of_ts] = await Promise.all([clients(Number(py.first)), clients(srv.port)]);
      for (const [w, g] of [...of_py, ...of_ts]) {
        want.push(w);
        got.push(g);
      }
      await srv.done;
    } finally {
      py.kill();
      await py.rest();
    }
  }
  // CPython's rows are all the ECDSA chain (both clients offer ECDSA first); pysocket's server serves the same.
  assert.ok(want.every((w) => (w as string[])[0] === "localhost-ecc"), JSON.stringify(want));
  assert.deepEqual(got, want);
});

test("C3-1: a sni_callback swapping a two-chain context to a one-chain one serves that chain; the reverse picks", async () => {
  const PY = `
import json, socket, ssl, sys, threading
d = sys.argv[1]
def ctx(*fs):
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    for f in fs: c.load_cert_chain(d + "/" + f)
    return c
out = []
for first, other in [(("keycertecc.pem", "keycert3.pem"), ("keycert3.pem",)), (("keycert3.pem",), ("keycert3.pem", "keycertecc.pem"))]:
    sc, oc = ctx(*first), ctx(*other)
    def cb(sock, name, initial, oc=oc): sock.context = oc
    sc.set_servername_callback(cb)
    l = socket.create_server(("127.0.0.1", 0))
    def run():
        a, _ = l.accept(); a.settimeout(5)
        try: sc.wrap_socket(a, server_side=True).close()
        except OSError: pass
    t = threading.Thread(target=run); t.start()
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); c.load_verify_locations(d + "/pycacert.pem"); c.check_hostname = False
    with c.wrap_socket(socket.create_connection(l.getsockname(), timeout=10), server_hostname="localhost") as s:
        out.append(s.getpeercert()["subject"][-1][0][1])
    t.join(10); l.close()
print(json.dumps(out))
`;
  const p = new Deno.Command("python3", {
    args: ["-c", PY, certs.dir],
    stdout: "piped",
    signal: AbortSignal.timeout(30_000),
  });
  const want = JSON.parse(new TextDecoder().decode((await p.output()).stdout));
  const got: unknown[] = [];
  for (const [first, other] of [[["ec", "rsa"], ["rsa"]], [["rsa"], ["rsa", "ec"]]]) {
    const sc = context(first!), oc = context(other!);
    sc.set_servername_callback((sock) => {
      sock.context = oc;
      return null;
    });
    const srv = await serve(sc, "wrap", 1);
    got.push(((await pysocket_client(srv.port, "localhost", false)) as string[])[0]);
    await srv.done;
  }
  assert.deepEqual(want, ["localhost", "localhost-ecc"]);
  assert.deepEqual(got, want);
});

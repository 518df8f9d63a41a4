// SSLSocket.cipher() names the suite as CPython does (OpenSSL's names: ECDHE-ECDSA-AES256-GCM-SHA384, not the
// IANA TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384), on both sides of a connection, for EC and RSA certificates and
// for TLS 1.2 and 1.3: a python3 peer reports its own cipher() and the pysocket side must report the same tuple.
// Found by tests/ported5/tls_info (finding P8-2).

import assert from "node:assert/strict";
import * as socket from "../mod.ts";
import * as ssl from "../ssl.ts";
import { test_needing } from "./_socket_fixtures.ts";
import { cert_dir, python_server, RSA_KEY, self_signed } from "./_ssl_fixtures.ts";

const test = test_needing("python3", "openssl");

let dir: Promise<string> | null = null;
const certs = () =>
  dir ??= (async () => {
    const d = cert_dir("pysocket_p8_cipher_");
    const san = ["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"];
    await self_signed(d, "ec.key", "ec.pem", "/CN=localhost", { ext: san });
    await self_signed(d, "rsa.key", "rsa.pem", "/CN=localhost", { ext: san, newkey: RSA_KEY });
    return d;
  })();

const PY_SERVER = `
import json, socket, ssl, sys
d, kind, ver = sys.argv[1], sys.argv[2], sys.argv[3]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(d + '/' + kind + '.pem', d + '/' + kind + '.key')
if ver == '1.2':
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
l = socket.create_server(('127.0.0.1', 0))
print(l.getsockname()[1])
c, _ = l.accept()
c.settimeout(20)
s = ctx.wrap_socket(c, server_side=True)
print(json.dumps(list(s.cipher())))
s.recv(1)
s.close()
`;

const PY_CLIENT = `
import json, socket, ssl, sys
d, kind, ver, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
ctx = ssl.create_default_context(cafile=d + '/' + kind + '.pem')
if ver == '1.2':
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', port), timeout=20), server_hostname='localhost')
print(json.dumps(list(s.cipher())))
s.sendall(b'x')
s.close()
`;

for (const kind of ["ec", "rsa"]) {
  for (const ver of ["1.2", "1.3"]) {
    test({
      name:
        `SSLSocket.cipher() of a pysocket client and server matches CPython's peer: ${kind} certificate, TLS ${ver}`,
      sanitizeOps: false,
      sanitizeResources: false,
      async fn() {
        const d = await certs();
        // pysocket client, CPython server
        const srv = await python_server(PY_SERVER, d, kind, ver);
        const cctx = ssl.create_default_context({ cafile: `${d}/${kind}.pem` });
        if (ver === "1.2") cctx.maximum_version = ssl.TLSVersion.TLSv1_2;
        const raw = await socket.create_connection(["127.0.0.1", Number(srv.first)], 20);
        const c = await cctx.wrap_socket(raw, { server_hostname: "localhost" });
        const mine = c.cipher();
        await c.sendall(new Uint8Array([1]));
        c.close();
        const r = await srv.rest();
        assert.equal(r.code, 0, r.err);
        assert.deepEqual(mine, JSON.parse(r.out.trim()));
        assert.ok(!mine![0].startsWith("TLS_ECDHE"), `an IANA name: ${mine![0]}`);

        // pysocket server, CPython client
        const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
        sctx.load_cert_chain(`${d}/${kind}.pem`, `${d}/${kind}.key`);
        if (ver === "1.2") sctx.maximum_version = ssl.TLSVersion.TLSv1_2;
        await using l = socket.create_server(["127.0.0.1", 0]);
        const port = (l.getsockname() as [string, number])[1];
        const child = new Deno.Command("python3", {
          args: ["-c", PY_CLIENT, d, kind, ver, String(port)],
          stdout: "piped",
          stderr: "piped",
          stdin: "null",
          signal: AbortSignal.timeout(30_000),
        }).output();
        const [conn] = await l.accept();
        conn.settimeout(20);
        const s = await sctx.wrap_socket(conn, { server_side: true });
        const theirs_side = s.cipher();
        await s.recv(1);
        s.close();
        const o = await child;
        assert.equal(o.code, 0, new TextDecoder().decode(o.stderr));
        assert.deepEqual(theirs_side, JSON.parse(new TextDecoder().decode(o.stdout).trim()));
      },
    });
  }
}

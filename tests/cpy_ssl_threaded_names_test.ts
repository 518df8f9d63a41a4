// CPython 3.11's test_ssl.ThreadedTests.test_check_hostname_idn and test_check_hostname's siblings (NUL bytes, a
// trailing dot, case) ported onto pysocket beside python3 twins (tests/_cpy_ssl.ts). No name is resolved: the
// client connects to 127.0.0.1, the names are SNI and the certificate check only.

import assert from "node:assert/strict";
import { socket } from "../mod.ts";
import { PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER, SSLContext } from "../ssl.ts";
import { attempt, Echo, make_cpy_certs, testing_context, twin } from "./_cpy_ssl.ts";
import { missing, test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");
const certs = (missing("openssl") ? undefined : await make_cpy_certs())!;
const P = (n: string) => certs.P(n);
const enc = new TextEncoder();

const PY_CONN = `
def conn(cc, sc, host, **kw):
    with Echo(sc) as server:
        with cc.wrap_socket(socket.socket(), server_hostname=host, **kw) as s:
            s.settimeout(10); s.connect((HOST, server.port))
            return bool(s.getpeercert())
`;
async function conn(cc: SSLContext, sc: SSLContext, host: string): Promise<boolean> {
  await using server = new Echo(sc);
  const s = await cc.wrap_socket(socket(), { server_hostname: host });
  try {
    s.settimeout(10);
    await s.connect(["127.0.0.1", server.port]);
    return Boolean(s.getpeercert());
  } finally {
    s.close();
  }
}

const IDN: [string, string][] = [
  ["könig.idn.pythontest.net", "xn--knig-5qa.idn.pythontest.net"],
  ["xn--knig-5qa.idn.pythontest.net", "xn--knig-5qa.idn.pythontest.net"],
  ["b:xn--knig-5qa.idn.pythontest.net", "xn--knig-5qa.idn.pythontest.net"],
  ["königsgäßchen.idna2003.pythontest.net", "xn--knigsgsschen-lcb0w.idna2003.pythontest.net"],
  ["xn--knigsgsschen-lcb0w.idna2003.pythontest.net", "xn--knigsgsschen-lcb0w.idna2003.pythontest.net"],
  ["b:xn--knigsgsschen-lcb0w.idna2003.pythontest.net", "xn--knigsgsschen-lcb0w.idna2003.pythontest.net"],
  ["xn--knigsgchen-b4a3dun.idna2008.pythontest.net", "xn--knigsgchen-b4a3dun.idna2008.pythontest.net"],
  ["b:xn--knigsgchen-b4a3dun.idna2008.pythontest.net", "xn--knigsgchen-b4a3dun.idna2008.pythontest.net"],
  // Siblings: the Greek names of the same certificate, and names it must not match.
  ["τεστ.idna2003.pythontest.net", "xn--nxasmq6b.idna2003.pythontest.net"],
  ["xn--nxasmm1c.idna2008.pythontest.net", "xn--nxasmm1c.idna2008.pythontest.net"],
  ["python.example.org", "python.example.org"],
  ["KÖNIG.idn.pythontest.net", "xn--knig-5qa.idn.pythontest.net"],
  ["königsgäßchen.idna2008.pythontest.net", "xn--knigsgsschen-lcb0w.idna2008.pythontest.net"],
  ["idn.pythontest.net", "idn.pythontest.net"],
];

test("ThreadedTests.test_check_hostname_idn: IDN names as text, A-labels and bytes (no name is resolved)", async () => {
  // The client connects to 127.0.0.1; the names are SNI and the certificate check only. The twin's getaddrinfo
  // refuses any name but loopback's.
  const want = await twin(
    certs,
    `
sc = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); sc.load_cert_chain(IDNSANSFILE)
c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); c.verify_mode = ssl.CERT_REQUIRED; c.check_hostname = True
c.load_verify_locations(SIGNING_CA)
rows = json.loads(sys.argv[2])
def one(name):
    with Echo(sc) as server:
        with c.wrap_socket(socket.socket(), server_hostname=name) as s:
            before = s.server_hostname
            s.settimeout(10); s.connect((HOST, server.port))
            return [before, s.server_hostname, bool(s.getpeercert())]
out = [attempt(lambda: one(n[2:].encode() if n.startswith("b:") else n)) for n, _ in rows]
print(json.dumps(out))
`.replace("sys.argv[2]", JSON.stringify(JSON.stringify(IDN))),
  ) as unknown[];
  const sc = new SSLContext(PROTOCOL_TLS_SERVER);
  sc.load_cert_chain(P("idnsans.pem"));
  const c = new SSLContext(PROTOCOL_TLS_CLIENT);
  c.load_verify_locations(P("pycacert.pem"));
  const one = async (name: string | Uint8Array) => {
    await using server = new Echo(sc);
    const s = await c.wrap_socket(socket(), { server_hostname: name as string });
    try {
      const before = s.server_hostname;
      s.settimeout(10);
      await s.connect(["127.0.0.1", server.port]);
      return [before, s.server_hostname, Boolean(s.getpeercert())];
    } finally {
      s.close();
    }
  };
  const got = [];
  for (const [n] of IDN) got.push(await attempt(() => one(n.startsWith("b:") ? enc.encode(n.slice(2)) : n)));
  // The rows where CPython verified: the expected A-label before and after connect.
  IDN.forEach(([n, a], i) => {
    const w = want[i] as unknown[];
    if (w[0] === "ok") assert.deepEqual(w[1], [a, a, true], n);
  });
  assert.deepEqual(got, want);
});

test("ThreadedTests.test_check_hostname (sibling): server_hostname with NUL bytes, a trailing dot, other case", async () => {
  const NAMES = [
    "localhost\u0000",
    "localhost\u0000evil.com",
    "localhost.",
    "LocalHost",
    "localhost\u0000.",
    "127.0.0.1\u0000",
  ];
  const want = await twin(
    certs,
    PY_CONN + `
c, s, h = testing_context()
print(json.dumps([attempt(lambda: conn(c, s, n)) for n in ${JSON.stringify(NAMES)}]))
`,
  );
  const [c, s] = testing_context(certs);
  const got = [];
  for (const n of NAMES) got.push(await attempt(() => conn(c, s, n)));
  // The NUL-bearing names must never reach the handshake (SECURITY if one connected).
  for (const i of [0, 1, 4, 5]) assert.match(got[i] as string, /^TypeError: .*null bytes/);
  assert.deepEqual(got, want);
});

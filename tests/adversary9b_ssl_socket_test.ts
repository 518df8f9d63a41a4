// adv9b: an SSLSocket's TLS calls in every state a ported program meets them (not connected, connected before the
// handshake on either side, after it, closed), and server_hostname as CPython keeps and checks it (IDNA A-label,
// bytes, NUL, a last label too long, a name longer than SNI allows), each beside its CPython twin.

import assert from "node:assert/strict";
import { create_server, socket } from "../mod.ts";
import { create_connection } from "../connection.ts";
import * as ssl from "../ssl.ts";
import { make_certs, python } from "./_ssl_fixtures.ts";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");

/** ["ok", value] or [Python class, str(e)] with fd numbers blanked (RangeError is ValueError). */
async function outcome(f: () => unknown): Promise<unknown[]> {
  try {
    const r = await f();
    return ["ok", r === undefined ? null : r instanceof Uint8Array ? r.length : r];
  } catch (e) {
    const err = e as Error;
    const name = err.name === "RangeError" ? (err.message.includes("codec") ? "UnicodeError" : "ValueError") : err.name;
    return [name, err.message.replace(/fd=-?\d+/g, "fd=N")];
  }
}

const PY = `
import json, socket, ssl, sys, threading, re
d = sys.argv[1]
def outcome(f):
    try:
        r = f()
        if isinstance(r, bytes): r = len(r)
        return ["ok", r]
    except Exception as e:
        return [type(e).__name__, re.sub(r"fd=-?\\d+", "fd=N", str(e))]
`;

const CALLS = `
def calls(x, out, k):
    for name, f in [("getpeercert", lambda: x.getpeercert()), ("getpeercert(True)", lambda: x.getpeercert(True)),
                    ("cipher", x.cipher), ("version", x.version), ("compression", x.compression),
                    ("alpn", x.selected_alpn_protocol), ("pending", x.pending), ("session_reused", lambda: x.session_reused),
                    ("server_side", lambda: x.server_side), ("server_hostname", lambda: x.server_hostname),
                    ("cb end-point", lambda: x.get_channel_binding("tls-server-end-point")),
                    ("verify_client_post_handshake", x.verify_client_post_handshake), ("unwrap", lambda: x.unwrap() and None),
                    ("context = 5", lambda: setattr(x, "context", 5)), ("session = None", lambda: setattr(x, "session", None))]:
        out[k + " " + name] = outcome(f)
`;

async function calls(x: ssl.SSLSocket, out: Record<string, unknown>, k: string): Promise<void> {
  const list: [string, () => unknown][] = [
    ["getpeercert", () => x.getpeercert()],
    ["getpeercert(True)", () => x.getpeercert(true)],
    ["cipher", () => x.cipher()],
    ["version", () => x.version()],
    ["compression", () => x.compression()],
    ["alpn", () => x.selected_alpn_protocol()],
    ["pending", () => x.pending()],
    ["session_reused", () => x.session_reused],
    ["server_side", () => x.server_side],
    ["server_hostname", () => x.server_hostname],
    ["cb end-point", () => x.get_channel_binding("tls-server-end-point")],
    ["verify_client_post_handshake", () => x.verify_client_post_handshake()],
    ["unwrap", () => x.unwrap()],
    ["context = 5", () => (x as unknown as Record<string, unknown>).context = 5],
    ["session = None", () => (x as unknown as Record<string, unknown>).session = null],
  ];
  for (const [name, f] of list) out[`${k} ${name}`] = await outcome(f);
}

test("adversary9b: SSLSocket's TLS calls not connected, before the handshake (client and server), after it and closed, as CPython's", async () => {
  const certs = await make_certs();
  const P = certs.P;
  const c = ssl.create_default_context({ cafile: P("ca.pem") });
  const sc = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH);
  sc.load_cert_chain(P("server.pem"), P("server.key"));
  const ours: Record<string, unknown> = {};
  const u = await c.wrap_socket(socket(), { server_hostname: "localhost" });
  await calls(u, ours, "unconnected");
  using l = create_server(["127.0.0.1", 0]);
  {
    const s = await create_connection(l.getsockname() as [string, number]);
    const [a] = await l.accept();
    const w = await c.wrap_socket(s, { server_hostname: "localhost", do_handshake_on_connect: false });
    await calls(w, ours, "client before");
    const sw = await sc.wrap_socket(a, { server_side: true, do_handshake_on_connect: false });
    await calls(sw, ours, "server before");
    w.close();
    sw.close();
  }
  u.close();
  await calls(u, ours, "closed unconnected");
  {
    const s = await create_connection(l.getsockname() as [string, number]);
    const [a] = await l.accept();
    const [w, sw] = await Promise.all([
      c.wrap_socket(s, { server_hostname: "localhost" }),
      sc.wrap_socket(a, { server_side: true }),
    ]);
    for (
      const [k, f] of [
        ["client after verify_client_post_handshake", () => w.verify_client_post_handshake()],
        ["server after verify_client_post_handshake", () => sw.verify_client_post_handshake()],
        ["client after session_reused", () => w.session_reused],
        ["client after shared_ciphers", () => w.shared_ciphers()],
        ["client after getpeercert subject", () => w.getpeercert()?.subject],
      ] as [string, () => unknown][]
    ) ours[k] = await outcome(f);
    // pysocket has no channel binding (CHANNEL_BINDING_TYPES is empty): CPython gives 48 bytes of tls-unique here.
    assert.deepEqual(await outcome(() => w.get_channel_binding()), [
      "ValueError",
      "'tls-unique' channel binding type not implemented",
    ]);
    w.close();
    sw.close();
    for (
      const [k, f] of [
        ["closed cipher", () => w.cipher()],
        ["closed version", () => w.version()],
        ["closed alpn", () => w.selected_alpn_protocol()],
      ] as [string, () => unknown][]
    ) ours[k] = await outcome(f);
  }
  const r = await python(
    PY + CALLS + `
c = ssl.create_default_context(cafile=d + "/ca.pem")
sc = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH); sc.load_cert_chain(d + "/server.pem", d + "/server.key")
out = {}
u = c.wrap_socket(socket.socket(), server_hostname="localhost")
calls(u, out, "unconnected")
l = socket.create_server(("127.0.0.1", 0))
s = socket.create_connection(l.getsockname()); a, _ = l.accept()
w = c.wrap_socket(s, server_hostname="localhost", do_handshake_on_connect=False)
calls(w, out, "client before")
sw = sc.wrap_socket(a, server_side=True, do_handshake_on_connect=False)
calls(sw, out, "server before")
w.close(); sw.close(); u.close()
calls(u, out, "closed unconnected")
s = socket.create_connection(l.getsockname()); a, _ = l.accept()
res = {}
t = threading.Thread(target=lambda: res.__setitem__("sw", sc.wrap_socket(a, server_side=True))); t.start()
w = c.wrap_socket(s, server_hostname="localhost"); t.join(); sw = res["sw"]
for k, f in [("client after verify_client_post_handshake", w.verify_client_post_handshake),
             ("server after verify_client_post_handshake", sw.verify_client_post_handshake),
             ("client after session_reused", lambda: w.session_reused),
             ("client after shared_ciphers", w.shared_ciphers),
             ("client after getpeercert subject", lambda: w.getpeercert()["subject"])]:
    out[k] = outcome(f)
w.close(); sw.close()
for k, f in [("closed cipher", w.cipher), ("closed version", w.version), ("closed alpn", w.selected_alpn_protocol)]:
    out[k] = outcome(f)
print(json.dumps(out))
`,
    certs.dir,
  );
  assert.equal(r.code, 0, r.err);
  const theirs = JSON.parse(r.out.trim().split("\n").at(-1)!);
  // CPython's `context = 5` on a socket without an SSL object raises AttributeError from that missing object (a
  // quirk: 'NoneType' object has no attribute 'context'); pysocket's is the TypeError CPython raises once connected.
  for (const k of ["unconnected context = 5", "closed unconnected context = 5"]) {
    assert.deepEqual(theirs[k], ["AttributeError", "'NoneType' object has no attribute 'context'"]);
    assert.deepEqual(ours[k], ["TypeError", "The value must be a SSLContext"]);
    delete theirs[k];
    delete ours[k];
  }
  const keys = Object.keys(theirs);
  const diffs = keys.filter((k) => JSON.stringify(ours[k]) !== JSON.stringify(theirs[k]));
  assert.deepEqual(diffs.map((k) => [k, ours[k]]), diffs.map((k) => [k, theirs[k]]));
  assert.deepEqual(Object.keys(ours).sort(), keys.sort());
});

test("adversary9b: server_hostname is kept and checked as CPython's (IDNA A-label, bytes, NUL, label and SNI lengths)", async () => {
  const hosts: (string | Uint8Array)[] = [
    "a\0b",
    "localhost\0.evil",
    "LOCALHOST",
    "localhost.",
    "127.0.0.1.",
    "a".repeat(64),
    "a".repeat(64) + ".b",
    "b." + "a".repeat(64),
    ("a".repeat(50) + ".").repeat(5) + "bbbb",
    ("a".repeat(50) + ".").repeat(5) + "bbbbb",
    ("a".repeat(50) + ".").repeat(5) + "bbbbbb",
    "\u00e9x.test",
    "\u00e9x.test.",
    "xn--zca.test",
    "a..b",
    new TextEncoder().encode("localhost"),
  ];
  const c = ssl.create_default_context();
  const ours: unknown[] = [];
  using l = create_server(["127.0.0.1", 0]);
  for (const h of hosts) {
    const s = await create_connection(l.getsockname() as [string, number]);
    const [a] = await l.accept();
    ours.push(
      await outcome(async () =>
        (await c.wrap_socket(s, { server_hostname: h as string, do_handshake_on_connect: false })).server_hostname
      ),
    );
    s.close();
    a.close();
  }
  const r = await python(
    PY + `
c = ssl.create_default_context()
l = socket.create_server(("127.0.0.1", 0))
out = []
for h in json.loads(sys.argv[2]):
    if isinstance(h, list): h = bytes(h)
    s = socket.create_connection(l.getsockname()); a, _ = l.accept()
    out.append(outcome(lambda: c.wrap_socket(s, server_hostname=h, do_handshake_on_connect=False).server_hostname))
    s.close(); a.close()
print(json.dumps(out))
`,
    "-",
    JSON.stringify(hosts.map((h) => typeof h === "string" ? h : Array.from(h))),
  );
  assert.equal(r.code, 0, r.err);
  const theirs = JSON.parse(r.out.trim().split("\n").at(-1)!);
  assert.deepEqual(ours, theirs);
});

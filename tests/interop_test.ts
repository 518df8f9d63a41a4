// Interop with a real peer: CPython's socket module (python3) as client of a
// pysocket server and as server of a pysocket client, in every family.
// Every wait is bounded: python3 sets its own socket timeouts, and the child
// is killed through an AbortSignal if it outlives the test's budget.

import assert from "node:assert/strict";
import { type AddressInput, AF_UNIX, SHUT_WR, socket } from "../mod.ts";
import { b, FAMILIES, type Family, missing, recv_exactly, Server, str, TempDir, within } from "./_socket_fixtures.ts";

/** These tests need python3 (skipped with a printed reason without it). */
const PY = { ignore: missing("python3") };

const BUDGET_MS = 20_000;

/** The payload both sides exchange: a greeting line, then 256 KiB of a pattern. */
function payload(): Uint8Array<ArrayBuffer> {
  const body = new Uint8Array(256 * 1024);
  for (let i = 0; i < body.length; i++) body[i] = (i * 7 + 3) & 0xff;
  const head = b("hello from the client\n");
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

async function sha256(data: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", data.slice()));
  return [...d].map((x) => x.toString(16).padStart(2, "0")).join("");
}

/** The Python address literal for `addr`, for the script's argv. */
function py_addr(fam: Family, addr: AddressInput): string {
  return fam.family === AF_UNIX ? String(addr) : JSON.stringify([(addr as [string, number])[0], addr[1]]);
}

/** Shared by both Python scripts: family and address from argv. */
const PY_PRELUDE = `
import hashlib, json, socket, sys
fam = {"AF_INET": socket.AF_INET, "AF_INET6": socket.AF_INET6, "AF_UNIX": socket.AF_UNIX}[sys.argv[1]]
def addr(s):
    return s if fam == socket.AF_UNIX else tuple(json.loads(s))
def recv_all(s):
    chunks = []
    while True:
        c = s.recv(65536)
        if not c:
            return b"".join(chunks)
        chunks.append(c)
`;

/** python3 as client: connect, send the payload, half-close, read the reply to EOF. */
const PY_CLIENT = PY_PRELUDE + `
s = socket.socket(fam, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(addr(sys.argv[2]))
s.sendall(sys.stdin.buffer.read())
s.shutdown(socket.SHUT_WR)
reply = recv_all(s)
s.close()
print(json.dumps({"len": len(reply), "sha": hashlib.sha256(reply).hexdigest(), "head": reply[:40].decode("latin-1")}))
`;

/** python3 as server: print the address, accept one client, echo to EOF with a prefix, close. */
const PY_SERVER = PY_PRELUDE + `
s = socket.socket(fam, socket.SOCK_STREAM)
s.settimeout(10)
s.bind(addr(sys.argv[2]))
s.listen()
print(json.dumps(s.getsockname() if fam == socket.AF_UNIX else s.getsockname()[:2]), flush=True)
conn, peer = s.accept()
conn.settimeout(10)
got = recv_all(conn)
conn.sendall(b"python got " + str(len(got)).encode() + b" bytes\\n" + got)
conn.close()
s.close()
print(json.dumps({"len": len(got), "sha": hashlib.sha256(got).hexdigest(), "peer": repr(peer)}), flush=True)
`;

function python(args: string[], signal: AbortSignal): Deno.ChildProcess {
  return new Deno.Command("python3", {
    args: ["-c", ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    signal,
  }).spawn();
}

for (const fam of FAMILIES) {
  Deno.test(`Socket server answers a python3 client [${fam.name}]`, PY, async () => {
    using server = new Server(fam);
    server.sock.settimeout(10);
    const data = payload();
    const child = python([PY_CLIENT, fam.name, py_addr(fam, server.addr)], AbortSignal.timeout(BUDGET_MS));
    const writer = child.stdin.getWriter();
    await writer.write(data);
    await writer.close();
    const out = child.output();
    try {
      const [conn] = await server.sock.accept();
      using _conn = conn;
      conn.settimeout(10);
      const got = await recv_exactly(conn, data.length + 1);
      assert.equal(got.length, data.length);
      assert.equal(await sha256(got), await sha256(data));
      await conn.sendall(b(`pysocket got ${got.length} bytes\n`));
      await conn.sendall(got);
      await conn.shutdown(SHUT_WR);
    } finally {
      const res = await within(out, BUDGET_MS, "python3 client");
      const err = new TextDecoder().decode(res.stderr);
      assert.equal(res.code, 0, err);
      const report = JSON.parse(new TextDecoder().decode(res.stdout));
      const head = `pysocket got ${data.length} bytes\n`;
      assert.equal(report.len, head.length + data.length);
      assert.equal(report.head, head + "hello from the client\n".slice(0, 40 - head.length));
      const want = new Uint8Array(head.length + data.length);
      want.set(b(head));
      want.set(data, head.length);
      assert.equal(report.sha, await sha256(want));
    }
  });

  Deno.test(`Socket client talks to a python3 server [${fam.name}]`, PY, async () => {
    using dir = new TempDir();
    const bind_to = fam.family === AF_UNIX ? dir.sock("py.sock") : JSON.stringify([fam.host, 0]);
    const child = python([PY_SERVER, fam.name, bind_to], AbortSignal.timeout(BUDGET_MS));
    await child.stdin.close();
    const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    try {
      for (let i = 0; i < 100 && !text.includes("\n"); i++) {
        const { value, done } = await within(lines.read(), BUDGET_MS, "python3 server address");
        if (done) break;
        text += value;
      }
      const first = JSON.parse(text.slice(0, text.indexOf("\n")));
      text = text.slice(text.indexOf("\n") + 1);
      using c = socket(fam.family);
      c.settimeout(10);
      await c.connect(first as AddressInput);
      const data = payload();
      await c.sendall(data);
      await c.shutdown(SHUT_WR);
      const reply = await recv_exactly(c, 2 * data.length);
      const head = `python got ${data.length} bytes\n`;
      assert.equal(str(reply.subarray(0, head.length)), head);
      assert.equal(await sha256(reply.subarray(head.length)), await sha256(data));
      assert.equal((await c.recv(10)).length, 0);
      // Drain the child's stdout to its end: the summary line.
      for (let i = 0; i < 100; i++) {
        const { value, done } = await within(lines.read(), BUDGET_MS, "python3 server summary");
        if (done) break;
        text += value;
      }
      const report = JSON.parse(text.trim());
      assert.equal(report.len, data.length);
      assert.equal(report.sha, await sha256(data));
      if (fam.family === AF_UNIX) assert.equal(report.peer, "''");
    } finally {
      await lines.cancel().catch(() => {});
      const err = await new Response(child.stderr).text();
      const status = await within(child.status, BUDGET_MS, "python3 server exit");
      assert.equal(status.code, 0, err);
    }
  });
}

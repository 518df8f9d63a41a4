// A non-blocking SSLSocket.send() is OpenSSL's SSL_write without partial writes, in CPython: it returns all of the
// bytes or raises SSLWantWriteError, having written part of them; the retry with the same bytes goes on from
// there. pysocket's used to return what its send queue took (A8a-2), so the loop CPython programs write —
// retry the same message on SSLWantWriteError, the count unread — lost each message's tail. Each scenario runs
// a CPython client and a pysocket client against the same python3 server, which reports what it received.

import assert from "node:assert/strict";
import { type SSLSocket, SSLWantWriteError } from "../ssl.ts";
import { select } from "../selectors.ts";
import { client_twins, make_certs, sha256 } from "./_ssl_fixtures.ts";
import { missing, test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");
const certs = (missing("openssl") ? undefined : await make_certs())!;
const MiB = 1 << 20;

/** The bytes both clients send (the python twin computes the same). */
function pattern(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + (i >> 13) + seed * 31) & 255;
  return b;
}

/**
 * The twin's pattern(): the same bytes, built per 8 KiB block with bytes.translate (i * 7 mod 256 repeats every
 * 8192 bytes, and i >> 13 is the block's number): a generator over every byte took seconds under CI load, so the
 * server's delayed read began before the CPython client ever met a full buffer (one CI run: "False").
 */
const PY_PATTERN = `
_BASE = bytes((j * 7) & 255 for j in range(8192))
def pattern(n, seed):
    out = bytearray()
    for k in range((n + 8191) // 8192):
        c = (k + seed * 31) & 255
        out += _BASE.translate(bytes((x + c) & 255 for x in range(256)))
    return bytes(out[:n])
`;

const both = (sleep_s: number, py_body: string, ours: (s: SSLSocket) => Promise<string[]>) =>
  client_twins(certs, sleep_s, PY_PATTERN + py_body, ours);

test("ssl: a non-blocking send retried with the same message on SSLWantWriteError, the count unread, delivers every message once, as CPython's", async () => {
  const COUNT = 12, SIZE = 512 * 1024;
  const msgs = Array.from({ length: COUNT }, (_, i) => pattern(SIZE, i + 1));
  const digest = await sha256(...msgs);
  // The server reads after 2 s: the messages are made first (python's pattern() is slow under load), so both
  // clients meet a full buffer before it reads (a 0.5 s wait let a loaded CPython client never block).
  const r = await both(
    2,
    `
ms = [pattern(${SIZE}, i + 1) for i in range(${COUNT})]
s.setblocking(False)
wants = 0
for m in ms:
    for _ in range(10000):
        try:
            s.send(m); break
        except ssl.SSLWantWriteError:
            wants += 1; select.select([], [s], [], 5)
print(wants > 0)
s.setblocking(True); end()`,
    async (s) => {
      s.setblocking(false);
      let wants = 0;
      for (const m of msgs) {
        for (let i = 0; i < 10_000; i++) {
          try {
            await s.send(m);
            break;
          } catch (e) {
            if (!(e instanceof SSLWantWriteError)) throw e;
            wants++;
            await select([], [s], [], 5);
          }
        }
      }
      return [wants > 0 ? "True" : "False"];
    },
  );
  assert.deepEqual(r.cpython, [`${COUNT * SIZE} ${digest} eof`, "True"]);
  assert.deepEqual(r.pysocket, r.cpython);
});

test("ssl: after SSLWantWriteError, a blocking send of the same bytes finishes them; a shorter retry is BAD_LENGTH, and every write after it fails, as CPython's", async () => {
  // Finishing: 4 MiB non-blocking (SSLWantWriteError, part written), then blocking with the same bytes.
  // The server reads after 3 s: python's pattern() of 4 MiB takes 0.36 s on a quiet machine, more under load, and a
  // server that reads before the send makes it succeed whole.
  const data = pattern(4 * MiB, 7);
  const r = await both(
    3,
    `
data = pattern(${4 * MiB}, 7)
s.setblocking(False)
try: print(s.send(data))
except ssl.SSLWantWriteError as e: print(type(e).__name__, e)
s.setblocking(True)
print(s.send(data))
end()`,
    async (s) => {
      const out: string[] = [];
      s.setblocking(false);
      await s.send(data).then((n) => out.push(String(n)), (e: Error) => out.push(`${e.name} ${e.message}`));
      s.setblocking(true);
      out.push(String(await s.send(data)));
      return out;
    },
  );
  assert.deepEqual(r.cpython, [
    `${4 * MiB} ${await sha256(data)} eof`,
    `SSLWantWriteError The operation did not complete (write) (_ssl.c:2427)\n${4 * MiB}`,
  ]);
  assert.deepEqual(r.pysocket, r.cpython);

  // Too short a retry: OpenSSL's BAD_LENGTH, then every write of the connection fails (SSLEOFError).
  const bad = await both(
    1,
    `
s.setblocking(False)
for d in (bytes(16 << 20), b"x", bytes(17 << 20)):
    try: print(s.send(d))
    except ssl.SSLError as e: print(type(e).__name__, e, e.reason)
end()`,
    async (s) => {
      const out: string[] = [];
      s.setblocking(false);
      for (const d of [new Uint8Array(16 * MiB), new Uint8Array(1), new Uint8Array(17 * MiB)]) {
        await s.send(d).then(
          (n) => out.push(String(n)),
          (e: Error & { reason?: string }) => out.push(`${e.name} ${e.message} ${e.reason ?? null}`),
        );
      }
      return out;
    },
  );
  assert.deepEqual(bad.cpython[1].split("\n"), [
    "SSLWantWriteError The operation did not complete (write) (_ssl.c:2427) None",
    "SSLError [SSL: BAD_LENGTH] bad length (_ssl.c:2427) BAD_LENGTH",
    "SSLEOFError EOF occurred in violation of protocol (_ssl.c:2427) None",
  ]);
  assert.deepEqual(bad.pysocket[1].split("\n").map((l) => l.replace(/ null$/, " None")), bad.cpython[1].split("\n"));
  // What the server got: part of the 16 MiB (how much differs: the kernel's buffers against pysocket's queue), then
  // the end the client's close gave it.
  for (const [got] of [bad.cpython, bad.pysocket]) {
    const [n, , end] = got.split(" ");
    assert.ok(Number(n) > 0 && Number(n) < 16 * MiB, got);
    assert.equal(end, bad.cpython[0].split(" ")[2]);
  }
});

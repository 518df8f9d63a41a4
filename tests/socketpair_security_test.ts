// socketpair() is a private channel (issue 13): another local process that
// connects to the pair's listener first never becomes the peer and never
// holds the pair up. One test plays the intruder from a separate process
// (python3 watching /proc/net/unix, as an unprivileged neighbour could);
// others connect strangers first through a test hook, for every family and
// for each platform's branch (through the platform seam).

import assert from "node:assert/strict";
import {
  type AddressInput,
  AF_INET,
  AF_INET6,
  AF_UNIX,
  ConnectionError,
  errno,
  OSError,
  type Socket,
  socket,
  socketpair,
} from "../mod.ts";
import { _set_socketpair_hook_for_tests } from "../connection.ts";
import { _set_platform_for_tests } from "../_platform.ts";
import { b, HAS_IPV6, missing, str, within } from "./_socket_fixtures.ts";

/** The pair carries its own bytes both ways. */
async function exchange(a: Socket, c: Socket, tag: string): Promise<void> {
  await a.sendall(b(`ping ${tag}`));
  assert.equal(str(await within(c.recv(64), 10_000, `recv ping ${tag}`)), `ping ${tag}`);
  await c.sendall(b(`pong ${tag}`));
  assert.equal(str(await within(a.recv(64), 10_000, `recv pong ${tag}`)), `pong ${tag}`);
}

// The intruder: polls /proc/net/unix for names with `prefix`, connects to each
// new one at once, sends 32 random bytes (a guessed token), and reports whether
// any pair ever sent it a byte. Stops on a line on stdin or after `limit` s.
const INTRUDER = `
import json, os, select, socket, stat, sys, time
prefix, limit = sys.argv[1], float(sys.argv[2])
seen, socks = set(), []
out = {"seen": 0, "connected": 0, "refused": 0, "got_bytes": 0, "eof": 0, "dir_modes": []}
print("ready", flush=True)
end = time.time() + limit
while time.time() < end:
    if select.select([sys.stdin], [], [], 0)[0]:
        break
    with open("/proc/net/unix") as f:
        lines = f.read().splitlines()[1:]
    for line in lines:
        parts = line.split()
        if len(parts) < 8 or prefix not in parts[7] or parts[7] in seen:
            continue
        path = parts[7]
        seen.add(path)
        out["seen"] += 1
        addr = "\\0" + path[1:] if path.startswith("@") else path
        if not path.startswith("@"):
            try:
                out["dir_modes"].append(oct(stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode)))
            except OSError:
                pass
        s = socket.socket(socket.AF_UNIX)
        s.setblocking(False)
        try:
            s.connect(addr)
        except BlockingIOError:
            pass
        except OSError:
            out["refused"] += 1
            s.close()
            continue
        out["connected"] += 1
        try:
            s.send(os.urandom(32))
        except OSError:
            pass
        socks.append(s)
    for s in list(socks):
        try:
            d = s.recv(4096)
        except (BlockingIOError, InterruptedError):
            continue
        except OSError:
            d = b""
        if d:
            out["got_bytes"] += len(d)
        else:
            out["eof"] += 1
            socks.remove(s)
            s.close()
json.dump(out, sys.stdout)
print(flush=True)
`;

interface IntruderReport {
  seen: number;
  connected: number;
  refused: number;
  got_bytes: number;
  eof: number;
  dir_modes: string[];
}

/** Run `pairs` socketpair() calls while the intruder watches; returns its report. */
async function with_intruder(prefix: string, pairs: number): Promise<IntruderReport> {
  const child = new Deno.Command("python3", {
    args: ["-c", INTRUDER, prefix, "120"],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  try {
    while (!text.includes("ready\n")) {
      const { value, done } = await within(lines.read(), 30_000, "intruder start");
      if (done) throw new Error("the intruder exited early");
      text += value;
    }
    for (let i = 0; i < pairs; i++) {
      const [a, c] = await within(socketpair(), 20_000, `socketpair ${i}`);
      try {
        await exchange(a, c, String(i));
      } finally {
        a.close();
        c.close();
      }
    }
  } finally {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode("stop\n")).catch(() => {});
    await w.close().catch(() => {});
  }
  text = "";
  try {
    for (let i = 0; i < 10_000; i++) {
      const { value, done } = await within(lines.read(), 30_000, "intruder report");
      if (done) break;
      text += value;
    }
  } catch (e) {
    child.kill();
    await child.status;
    throw e;
  }
  assert.equal((await child.status).code, 0);
  return JSON.parse(text.replace(/^ready\n/, "")) as IntruderReport;
}

Deno.test({
  name: "socketpair() on Linux (abstract name): an intruder process watching /proc/net/unix never becomes the peer",
  ignore: missing("python3") || Deno.build.os !== "linux",
  async fn() {
    const pairs = 300;
    const r = await with_intruder("@pysocket-", pairs);
    console.log(
      `  intruder: ${r.seen} pair listeners seen, ${r.connected} connects landed, ${r.refused} refused (closed already), ` +
        `${r.eof} saw EOF, ${r.got_bytes} bytes of any pair received; ${pairs} of ${pairs} pairs formed with their own ends`,
    );
    assert.equal(r.got_bytes, 0, "the intruder received a pair's bytes");
    assert.ok(r.seen > 0, "the intruder saw the pairs' names (else it tested nothing)");
  },
});

Deno.test({
  name:
    "socketpair() without abstract names (darwin through the seam): a 0700 directory, and an intruder still never the peer",
  ignore: missing("python3") || Deno.build.os !== "linux",
  async fn() {
    _set_platform_for_tests("darwin");
    try {
      const pairs = 150;
      const r = await with_intruder("pysocket-pair-", pairs);
      console.log(
        `  intruder (root ignores the 0700 mode, so this exercises the secret): ${r.seen} listeners seen, ` +
          `${r.connected} connects landed, ${r.got_bytes} bytes received; dir modes seen ${
            [...new Set(r.dir_modes)].join(",") || "(none)"
          }`,
      );
      assert.equal(r.got_bytes, 0);
      for (const m of r.dir_modes) assert.equal(m, "0o700");
    } finally {
      _set_platform_for_tests(null);
    }
  },
});

/** Connect strangers to `addr` before the pair's own end: silent, wrong secret, short secret then close. */
async function strangers(family: number, addr: AddressInput, out: Socket[]): Promise<void> {
  for (const send of [null, new Uint8Array(32).fill(7), new Uint8Array(5)]) {
    const s = socket(family);
    out.push(s);
    await within(s.connect(addr), 10_000, "stranger connect");
    if (send) await s.sendall(send);
    if (send?.length === 5) await s.shutdown(1);
  }
}

const CASES: { name: string; os: string | null; family: number | undefined; ok: boolean }[] = [
  { name: "AF_UNIX, abstract name (linux)", os: null, family: undefined, ok: Deno.build.os === "linux" },
  { name: "AF_UNIX, private directory (darwin seam)", os: "darwin", family: undefined, ok: Deno.build.os === "linux" },
  { name: "AF_INET (the default on the windows seam)", os: "windows", family: undefined, ok: true },
  // socketpair(AF_INET) is EOPNOTSUPP on Linux and macOS, as CPython's (tests/socketpair_families_test.ts):
  // the loopback pair is Windows' (where CPython makes it too), run through the windows seam.
  { name: "AF_INET (windows seam)", os: "windows", family: AF_INET, ok: true },
  { name: "AF_INET6 (windows seam)", os: "windows", family: AF_INET6, ok: HAS_IPV6 },
];

for (const c of CASES) {
  Deno.test({
    name: `socketpair() ${c.name}: strangers that connect first are closed and the pair still forms`,
    ignore: !c.ok,
    async fn() {
      _set_platform_for_tests(c.os);
      const seen: Socket[] = [];
      let dir_mode: number | null = null;
      let path: string | null = null;
      _set_socketpair_hook_for_tests(async (addr) => {
        if (typeof addr === "string" && !addr.startsWith("\0")) {
          path = addr;
          dir_mode = Deno.statSync(addr.slice(0, addr.lastIndexOf("/"))).mode! & 0o777;
        }
        const fam = typeof addr === "string" ? AF_UNIX : (addr as readonly unknown[]).length === 4 ? AF_INET6 : AF_INET;
        await strangers(fam, addr, seen);
      });
      try {
        const t0 = performance.now();
        const [a, p] = await within(socketpair(c.family), 20_000, "socketpair with strangers first");
        const ms = performance.now() - t0;
        try {
          const want = c.family ?? (c.os === "windows" ? AF_INET : AF_UNIX);
          assert.equal(a.family, want);
          assert.equal(p.family, want);
          if (want !== AF_UNIX) {
            assert.deepEqual(p.getpeername(), a.getsockname());
            assert.deepEqual(a.getpeername(), p.getsockname());
          }
          await exchange(a, p, c.name);
          // Every stranger was closed: it reads EOF (or a reset), never the pair's bytes.
          for (const s of seen) {
            s.settimeout(10);
            const got = await s.recv(64).catch((e) => {
              assert.ok(e instanceof ConnectionError, String(e));
              return new Uint8Array(0);
            });
            assert.equal(got.length, 0, "a stranger received bytes");
          }
          console.log(
            `  pair formed in ${
              ms.toFixed(0)
            } ms with ${seen.length} strangers connected first (a silent one among them)`,
          );
          if (c.os === "darwin") {
            assert.equal(dir_mode, 0o700);
            assert.throws(() => Deno.statSync(path!.slice(0, path!.lastIndexOf("/"))), Deno.errors.NotFound);
          }
        } finally {
          a.close();
          p.close();
        }
      } finally {
        for (const s of seen) s.close();
        _set_socketpair_hook_for_tests(null);
        _set_platform_for_tests(null);
      }
    },
  });
}

Deno.test("socketpair() on the windows seam: AF_UNIX is EAFNOSUPPORT, as Deno has no Unix sockets there", () => {
  _set_platform_for_tests("windows");
  try {
    assert.throws(() => socket(AF_UNIX), (e: unknown) => e instanceof OSError && e.errno === errno.EAFNOSUPPORT);
  } finally {
    _set_platform_for_tests(null);
  }
});

Deno.test({
  name: "socketpair() matches CPython: families, types, and SOCK_DGRAM refused here",
  ignore: missing("python3"),
  async fn() {
    const py = new Deno.Command("python3", {
      args: [
        "-c",
        "import socket;a,b=socket.socketpair();print(a.family==socket.AF_UNIX, a.type==socket.SOCK_STREAM, b.getpeername()==a.getsockname())",
      ],
    }).outputSync();
    const want = new TextDecoder().decode(py.stdout).trim();
    const [a, p] = await socketpair();
    try {
      assert.equal(
        `${a.family === AF_UNIX ? "True" : "False"} ${a.type === 1 ? "True" : "False"} ${
          JSON.stringify(p.getpeername()) === JSON.stringify(a.getsockname()) ? "True" : "False"
        }`,
        want,
      );
    } finally {
      a.close();
      p.close();
    }
  },
});

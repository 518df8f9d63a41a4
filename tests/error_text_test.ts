// Issue 14: an OSError's message is exactly CPython's str(e); the operation
// and address ride in `operation` and are shown when Deno prints the error
// (console.log through the custom inspect; uncaught through the cause chain).
// Also IPv6 link-local binds and scope ids as CPython (bind attempts that
// fail locally, and ::1 only), bind() to a name that does not resolve
// (gaierror, in a network namespace so no lookup leaves the machine), and
// the inet_* round trips type-checking.

import assert from "node:assert/strict";
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  create_connection,
  gaierror,
  inet_aton,
  inet_ntoa,
  inet_ntop,
  inet_pton,
  OSError,
  SOCK_DGRAM,
  type Socket,
  socket,
} from "../mod.ts";
import { OperationError } from "../errors.ts";
import { closed_port, HAS_IPV6, lone_v4, missing, TempDir } from "./_socket_fixtures.ts";

// The refused connects go to a port freed on a loopback address of this file's own (no other test file, run in
// parallel, can be given it meanwhile); the python3 twin and the expected texts use the same address.
const LONE = lone_v4();
const LONE_RE = LONE.replaceAll(".", "\\.");

/** What Python prints for an outcome: `ClassName: str(e)`, or `ok`. */
function outcome(e: unknown): string {
  if (e === null) return "ok";
  if (e instanceof OSError) return `${e.name}: ${e.message}`;
  return `${(e as Error).name}: ${(e as Error).message}`;
}

async function attempt(f: () => unknown): Promise<string> {
  try {
    await f();
    return "ok";
  } catch (e) {
    return outcome(e);
  }
}

function run_python(code: string, args: string[] = [], prefix: string[] = []): string[] {
  const cmd = prefix.length ? prefix[0]! : "python3";
  const out = new Deno.Command(cmd, {
    args: [...prefix.slice(1), ...(prefix.length ? ["python3"] : []), "-c", code, ...args],
  })
    .outputSync();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).trim().split("\n");
}

const PY_CASES = `
import socket, sys
port, unix_path, ipv6, lone = int(sys.argv[1]), sys.argv[2], sys.argv[3] == "1", sys.argv[4]
def show(f):
    try:
        f()
        print("ok")
    except Exception as e:
        print(f"{type(e).__name__}: {e}")
def refused():
    with socket.socket() as s: s.connect((lone, port))
def in_use():
    with socket.socket() as a, socket.socket() as b:
        a.bind(("127.0.0.1", 0)); a.listen(); b.bind(a.getsockname())
def missing_path():
    with socket.socket(socket.AF_UNIX) as s: s.connect(unix_path)
def closed_recv():
    s = socket.socket(); s.close(); s.recv(1)
def v6bind(addr):
    def f():
        with socket.socket(socket.AF_INET6) as s: s.bind(addr)
    return f
def v6connect(scope):
    def f():
        with socket.create_server(("::1", 0), family=socket.AF_INET6) as l, socket.socket(socket.AF_INET6) as s:
            s.connect(("::1", l.getsockname()[1], 0, scope)); assert s.getpeername()[1] == l.getsockname()[1]
    return f
cases = [refused, in_use, missing_path, closed_recv]
if ipv6:
    cases += [v6bind(("fe80::1", 0)), v6bind(("fe80::1", 0, 0, 1)), v6bind(("::1", 0, 0, 1)),
              v6bind(("fe80::1%lo", 0)), v6bind(("::1%lo", 0)), v6bind(("::1%1", 0)), v6bind(("fe80::1%1", 0)),
              v6connect(1), v6connect(99)]
    def v6dgram(addr):
        def f():
            with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s: s.bind(addr)
        return f
    cases += [v6dgram(a) for a in [("fe80::1", 0), ("fe80::1", 0, 0, 1), ("::1", 0, 0, 1), ("::1%lo", 0)]]
for c in cases: show(c)
`;

Deno.test({
  name: "OSError messages are CPython's str(e), link-local binds and scope ids included",
  ignore: missing("python3"),
  async fn() {
    const port = closed_port(LONE);
    using dir = new TempDir();
    const path = dir.sock("missing.sock");
    const v6bind = (addr: [string, number] | [string, number, number, number]) => () => {
      using s = socket(AF_INET6);
      s.bind(addr);
    };
    const v6connect = (scope: number) => async () => {
      using l = socket(AF_INET6);
      l.bind(["::1", 0]);
      l.listen();
      using s = socket(AF_INET6);
      const lp = l.getsockname()[1];
      await s.connect(["::1", lp, 0, scope]);
      assert.equal(s.getpeername()[1], lp);
    };
    const mine: string[] = [
      await attempt(async () => {
        using s = socket();
        await s.connect([LONE, port]);
      }),
      await attempt(() => {
        using a = socket(), b = socket();
        a.bind(["127.0.0.1", 0]);
        a.listen();
        b.bind(a.getsockname());
      }),
      await attempt(async () => {
        using s = socket(AF_UNIX);
        await s.connect(path);
      }),
      await attempt(async () => {
        const s: Socket = socket();
        s.close();
        await s.recv(1);
      }),
    ];
    if (HAS_IPV6) {
      for (
        const a of [["fe80::1", 0], ["fe80::1", 0, 0, 1], ["::1", 0, 0, 1], ["fe80::1%lo", 0], ["::1%lo", 0], [
          "::1%1",
          0,
        ], ["fe80::1%1", 0]] as ([string, number] | [string, number, number, number])[]
      ) mine.push(await attempt(v6bind(a)));
      mine.push(await attempt(v6connect(1)), await attempt(v6connect(99)));
      for (const a of [["fe80::1", 0], ["fe80::1", 0, 0, 1], ["::1", 0, 0, 1], ["::1%lo", 0]] as const) {
        mine.push(
          await attempt(() => {
            using s = socket(AF_INET6, SOCK_DGRAM);
            s.bind(a as unknown as [string, number]);
          }),
        );
      }
    }
    const theirs = run_python(PY_CASES, [String(port), path, HAS_IPV6 ? "1" : "0", LONE]);
    assert.deepEqual(mine, theirs);
  },
});

Deno.test("an OSError keeps its operation beside the message: `operation`, the cause chain, and Deno's console", async () => {
  const port = closed_port(LONE);
  const e = await create_connection([LONE, port], 5).then(() => null, (e: unknown) => e);
  assert.ok(e instanceof OSError);
  assert.equal(e.message, "[Errno 111] Connection refused");
  assert.equal(e.operation, `connect to ('${LONE}', ${port})`);
  assert.ok(e.cause instanceof OperationError);
  assert.equal(e.cause.message, e.operation);
  assert.ok(e.cause.cause instanceof Deno.errors.ConnectionRefused, "Deno's own error is kept");
  const shown = Deno.inspect(e);
  assert.match(
    shown,
    new RegExp(
      `^ConnectionRefusedError: \\[Errno 111\\] Connection refused \\(connect to \\('${LONE_RE}', ${port}\\)\\)\\n`,
    ),
  );
  assert.match(shown, /\n\s+at /);
  assert.match(shown, /Caused by .*ConnectionRefused/);
  assert.equal(String(e), "ConnectionRefusedError: [Errno 111] Connection refused");
});

Deno.test("an uncaught OSError: Deno's report shows Python's text and the operation", async () => {
  const port = closed_port(LONE);
  using dir = new TempDir();
  const file = `${dir.path}/uncaught.ts`;
  Deno.writeTextFileSync(
    file,
    `import { create_connection } from "${
      new URL("../mod.ts", import.meta.url).href
    }";\nawait create_connection(["${LONE}", ${port}], 5);\n`,
  );
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--no-prompt", file],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 1);
  assert.match(err, /Uncaught \(in promise\) ConnectionRefusedError: \[Errno 111\] Connection refused\n/);
  assert.match(err, new RegExp(`Caused by: OperationError: connect to \\('${LONE_RE}', ${port}\\)`));
});

Deno.test("a missing Deno permission still says what to do (a reason CPython never meets)", async () => {
  using dir = new TempDir();
  const file = `${dir.path}/no_net.ts`;
  Deno.writeTextFileSync(
    file,
    `import { socket } from "${new URL("../mod.ts", import.meta.url).href}";
try { const s = socket(); s.bind(["127.0.0.1", 0]); } catch (e) { console.log(e.name, e.errno, e.message); }`,
  );
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", `--allow-read=${dir.path}`, file],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.match(text, /^PermissionError 13 \[Errno 13\] Permission denied \(.*--allow-net/);
});

Deno.test({
  name: "bind() to a name that does not resolve raises gaierror as CPython (in a network namespace: no lookup leaves)",
  ignore: missing("python3", "unshare"),
  async fn() {
    // Inside `unshare -n` there is no network at all (not even lo up): the resolver cannot reach anyone.
    const py = run_python(
      `import socket\ns=socket.socket()\ntry: s.bind(("pysocket-test.invalid", 0))\nexcept Exception as e: print(f"{type(e).__name__}: {e}")`,
      [],
      ["unshare", "-n"],
    );
    using dir = new TempDir();
    const file = `${dir.path}/bind_name.ts`;
    Deno.writeTextFileSync(
      file,
      `import { socket, OSError } from "${new URL("../mod.ts", import.meta.url).href}";
const s = socket();
try { s.bind(["pysocket-test.invalid", 0]); console.log("ok"); } catch (e) { console.log(e instanceof OSError ? e.name + ": " + e.message : String(e)); }`,
    );
    const out = await new Deno.Command("unshare", {
      args: ["-n", Deno.execPath(), "run", "-A", "--no-prompt", file],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const mine = new TextDecoder().decode(out.stdout).trim();
    assert.equal(mine, py[0]);
    assert.match(mine, /^gaierror: \[Errno -\d+\] /);
  },
});

Deno.test("Deno's resolver failure texts map to gaierror with glibc's EAI numbers", async () => {
  const { map_error } = await import("../_map_error.ts");
  const e1 = map_error(new Error("failed to lookup address information: Name or service not known"), "bind");
  assert.ok(e1 instanceof gaierror);
  assert.equal(e1.errno, -2);
  assert.equal(e1.message, "[Errno -2] Name or service not known");
  const e2 = map_error(new Error("failed to lookup address information: Temporary failure in name resolution"));
  assert.equal((e2 as gaierror).errno, -3);
});

Deno.test({
  name: "inet_ntoa(inet_aton(x)) and inet_ntop(AF_INET6, inet_pton(...)) type-check and round-trip as CPython",
  ignore: missing("python3"),
  fn() {
    const v4: string = inet_ntoa(inet_aton("127.1"));
    const v6: string = inet_ntop(AF_INET6, inet_pton(AF_INET6, "0:0::ffff:1.2.3.4"));
    const v4b: string = inet_ntop(AF_INET, inet_pton(AF_INET, "10.0.0.1"));
    const want = run_python(
      "import socket\nprint(socket.inet_ntoa(socket.inet_aton('127.1')))\nprint(socket.inet_ntop(socket.AF_INET6, socket.inet_pton(socket.AF_INET6, '0:0::ffff:1.2.3.4')))\nprint(socket.inet_ntop(socket.AF_INET, socket.inet_pton(socket.AF_INET, '10.0.0.1')))",
    );
    assert.deepEqual([v4, v6, v4b], want);
  },
});

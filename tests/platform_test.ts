// Every platform's branch (issue 15), run on Linux through the platform seam
// (_set_platform_for_tests): errno tables, Unix path limits, reuse_port,
// dual-stack, netdb files, interfaces without /sys, the demo's skip path, and
// importing under Node (a bundle run by node). Where the behaviour is
// CPython's on Linux, python3 runs the twin in the same test.

import assert from "node:assert/strict";
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  ConnectionRefusedError,
  create_server,
  errno,
  getservbyname,
  has_dualstack_ipv6,
  if_nameindex,
  if_nametoindex,
  IPPROTO_IPV6,
  IPV6_V6ONLY,
  OSError,
  SO_REUSEPORT,
  socket,
  SOL_SOCKET,
} from "../mod.ts";
import { map_error } from "../_map_error.ts";
import { _set_platform_for_tests, facts_for, platform } from "../_platform.ts";
import { _reset_netdb_for_tests } from "../_services.ts";
import { HAS_IPV6, missing, TempDir } from "./_socket_fixtures.ts";

/** Run `fn` as if on `os`, restoring the real platform after. */
async function as_if<T>(os: string, fn: () => T | Promise<T>): Promise<T> {
  _set_platform_for_tests(os);
  try {
    return await fn();
  } finally {
    _set_platform_for_tests(null);
  }
}

function py(code: string): string {
  const out = new Deno.Command("python3", { args: ["-c", code] }).outputSync();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).trim();
}

Deno.test("platform() on this machine is Deno.build.os's facts", () => {
  assert.equal(platform().os, Deno.build.os);
  assert.deepEqual(facts_for("linux").unix_path_max, 108);
  assert.deepEqual(facts_for("darwin").unix_path_max, 104);
});

Deno.test("map_error() reads '(os error N)' in the platform's numbers: macOS 61 and Windows 10061 are ECONNREFUSED", async () => {
  const raw = (n: number) => Object.assign(new Error(`Connection refused (os error ${n})`), {});
  for (const [os, n] of [["darwin", 61], ["freebsd", 61], ["windows", 10061], ["linux", 111]] as const) {
    const e = await as_if(os, () => map_error(raw(n), "connect to ('127.0.0.1', 9)"));
    assert.ok(e instanceof ConnectionRefusedError, `${os} ${n}: ${e}`);
    assert.equal((e as OSError).errno, errno.ECONNREFUSED);
    assert.equal(e.message, "[Errno 111] Connection refused");
  }
  // On Linux 61 is ENODATA; macOS's EOPNOTSUPP is 102, FreeBSD's 45; Windows' WSAEADDRINUSE is 10048.
  assert.equal((await as_if("linux", () => map_error(new Error("x (os error 61)"))) as OSError).errno, errno.ENODATA);
  assert.equal(
    (await as_if("darwin", () => map_error(new Error("x (os error 102)"))) as OSError).errno,
    errno.EOPNOTSUPP,
  );
  assert.equal(
    (await as_if("freebsd", () => map_error(new Error("x (os error 45)"))) as OSError).errno,
    errno.EOPNOTSUPP,
  );
  assert.equal(
    (await as_if("windows", () => map_error(new Error("x (os error 10048)"))) as OSError).errno,
    errno.EADDRINUSE,
  );
  // A number no table knows is not misread: the error keeps Deno's text, errno None.
  const unknown = await as_if("windows", () => map_error(new Error("odd (os error 4242)"))) as OSError;
  assert.equal(unknown.errno, null);
  assert.equal(unknown.message, "odd (os error 4242)");
});

Deno.test({
  name: "AF_UNIX path limit: 108 bytes on Linux (as CPython), 104 on the darwin seam",
  ignore: missing("python3"),
  async fn() {
    using dir = new TempDir();
    const at = (n: number) => `${dir.path}/${"x".repeat(n - dir.path.length - 1)}`;
    const verdict = (n: number) => {
      const s = socket(AF_UNIX);
      try {
        s.bind(at(n));
        return "ok";
      } catch (e) {
        return (e as Error).message;
      } finally {
        s.close();
      }
    };
    const want = py(
      `import socket\nfor n in (103, 104, 107, 108):\n  s=socket.socket(socket.AF_UNIX)\n  p=${
        JSON.stringify(dir.path)
      }+'/'+'y'*(n-${dir.path.length}-1)\n  try: s.bind(p); print('ok')\n  except OSError as e: print(e)\n  s.close()`,
    ).split("\n");
    assert.deepEqual([103, 104, 107, 108].map(verdict), want);
    const darwin = await as_if("darwin", () => [103, 104].map(verdict));
    assert.deepEqual(darwin, ["ok", "AF_UNIX path too long"]);
  },
});

Deno.test("SO_REUSEPORT outside Linux: setsockopt raises ENOPROTOOPT and create_server(reuse_port) CPython's ValueError", async () => {
  for (const os of ["darwin", "windows"]) {
    await as_if(os, () => {
      using s = socket(AF_INET);
      assert.throws(
        () => s.setsockopt(SOL_SOCKET, SO_REUSEPORT, 1),
        (e: unknown) => e instanceof OSError && e.errno === errno.ENOPROTOOPT && e.message.includes("Linux only"),
      );
      assert.throws(() => create_server(["127.0.0.1", 0], { reuse_port: true }), {
        name: "RangeError",
        message: "SO_REUSEPORT not supported on this platform",
      });
    });
  }
  using s = socket(AF_INET); // Linux honours it (with --unstable-net)
  s.setsockopt(SOL_SOCKET, SO_REUSEPORT, 1);
  assert.equal(s.getsockopt(SOL_SOCKET, SO_REUSEPORT), 1);
});

Deno.test({
  name:
    "dual-stack: Linux as CPython (has_dualstack_ipv6, IPV6_V6ONLY 0); the windows seam tells the truth and refuses",
  ignore: !HAS_IPV6 || missing("python3"),
  async fn() {
    const want = py(
      "import socket\ns=socket.socket(socket.AF_INET6)\nprint(socket.has_dualstack_ipv6(), s.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY))",
    );
    {
      using s = socket(AF_INET6);
      assert.equal(`${has_dualstack_ipv6() ? "True" : "False"} ${s.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY)}`, want);
      using srv = create_server(["::", 0], { family: AF_INET6, dualstack_ipv6: true });
      assert.equal(srv.family, AF_INET6);
    }
    await as_if("windows", () => {
      assert.equal(has_dualstack_ipv6(), false);
      using s = socket(AF_INET6);
      assert.equal(s.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY), 1);
      s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 1); // what it is already: accepted
      assert.throws(
        () => s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 0),
        (e: unknown) => e instanceof OSError && e.errno === errno.ENOPROTOOPT,
      );
      assert.throws(() => create_server(["::", 0], { family: AF_INET6, dualstack_ipv6: true }), {
        name: "RangeError",
        message: "dualstack_ipv6 not supported on this platform",
      });
    });
  },
});

Deno.test("netdb files: Windows' live under System32\\drivers\\etc; absent, the built-in tables answer", async () => {
  const w = facts_for("windows").netdb;
  assert.equal(w.services, "C:\\Windows\\System32\\drivers\\etc\\services");
  assert.equal(w.protocols, "C:\\Windows\\System32\\drivers\\etc\\protocol");
  assert.equal(w.hosts, "C:\\Windows\\System32\\drivers\\etc\\hosts");
  assert.deepEqual(facts_for("darwin").netdb, facts_for("linux").netdb);
  _reset_netdb_for_tests();
  try {
    await as_if("windows", () => {
      assert.equal(getservbyname("http", "tcp"), 80);
      assert.equal(getservbyname("ssh"), 22);
    });
  } finally {
    _reset_netdb_for_tests();
  }
});

Deno.test("if_nameindex() without /sys/class/net (darwin seam): from Deno.networkInterfaces(), indexes where Deno knows them", async () => {
  const real = if_nameindex(); // /sys/class/net: every interface
  const seam = await as_if("darwin", () => if_nameindex());
  const addressed = new Set(Deno.networkInterfaces().map((i) => i.name));
  assert.deepEqual(new Set(seam.map(([, n]) => n)), addressed);
  // Interfaces with a link-local IPv6 address (its scope id) and the loopback get their real index.
  const link_local = new Set(
    Deno.networkInterfaces().filter((i) => i.family === "IPv6" && /^fe[89ab]/.test(i.address)).map((i) => i.name),
  );
  for (const [idx, name] of seam) {
    if (link_local.has(name) || name === "lo") assert.equal(idx, real.find(([, n]) => n === name)?.[0], name);
  }
  assert.equal(await as_if("darwin", () => if_nametoindex("lo")), 1);
});

Deno.test("the demo skips its Unix part with a printed reason where there are no Unix sockets (windows seam)", async () => {
  using dir = new TempDir();
  const wrapper = `${dir.path}/demo_on_windows.ts`;
  const root = new URL("../", import.meta.url).href;
  Deno.writeTextFileSync(
    wrapper,
    `import { _set_platform_for_tests } from "${root}_platform.ts";\n_set_platform_for_tests("windows");\nawait import("${root}examples/demo.ts");\n`,
  );
  const out = await new Deno.Command(Deno.execPath(), {
    // The demo imports @pysocket/socket, which the package's deno.json resolves.
    args: ["run", "-A", "--unstable-net", "--config", new URL("../deno.json", import.meta.url).pathname, wrapper],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.match(text, /== Unix stream socket \(AF_UNIX\): skipped, \[Errno 97\] .*no Unix sockets on windows/);
  assert.match(text, /all round trips done/);
});

Deno.test({
  name:
    "under Node (deno bundle --platform=node, run by node): importing works; socket calls raise an OSError naming Node.js",
  ignore: (() => {
    try {
      return !new Deno.Command("node", { args: ["--version"], stdout: "null" }).outputSync().success;
    } catch {
      console.log("skipping the Node test: node is not on PATH");
      return true;
    }
  })(),
  async fn() {
    using dir = new TempDir();
    const root = new URL("../", import.meta.url).pathname;
    const bundled = await new Deno.Command(Deno.execPath(), {
      args: ["bundle", "--platform=node", `${root}mod.ts`, "-o", `${dir.path}/pysocket.mjs`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const why = new TextDecoder().decode(bundled.stderr);
    if (
      bundled.code !== 0 && /invalid value 'node'|unrecognized subcommand|bundle/.test(why) && !/\.ts:\d+/.test(why)
    ) {
      console.log(`skipped: this Deno (${Deno.version.deno}) cannot bundle for Node: ${why.split("\n")[0]}`);
      return;
    }
    assert.equal(bundled.code, 0, why);
    Deno.writeTextFileSync(
      `${dir.path}/run.mjs`,
      `const m = await import("./pysocket.mjs");
const out = { exports: Object.keys(m).length, inet_aton: [...m.inet_aton("127.1")], dual: m.has_dualstack_ipv6() };
for (const [k, f] of Object.entries({ socket: () => m.socket(), pair: () => m.socketpair(), host: () => m.gethostname() })) {
  try { await f(); out[k] = "no error"; } catch (e) { out[k] = [e.constructor.name, e.errno, e.message]; }
}
console.log(JSON.stringify(out));`,
    );
    const ran = await new Deno.Command("node", { args: [`${dir.path}/run.mjs`], stdout: "piped", stderr: "piped" })
      .output();
    assert.equal(ran.code, 0, new TextDecoder().decode(ran.stderr));
    const r = JSON.parse(new TextDecoder().decode(ran.stdout));
    assert.ok(r.exports > 100);
    assert.deepEqual(r.inet_aton, [127, 0, 0, 1]);
    assert.equal(r.dual, false);
    for (const k of ["socket", "pair", "host"]) {
      assert.equal(r[k][0], "OSError", k);
      assert.equal(r[k][1], errno.EOPNOTSUPP, k);
      assert.match(r[k][2], /needs the Deno runtime \(found Node\.js \d+\.\d+\.\d+\)/, k);
    }
  },
});

// Issue 13, "no surprise permissions, no surprise deletions": a name lookup
// with only --allow-net never asks for read access (run on a terminal, where
// Deno would prompt), and a Unix listener bound to a relative path deletes
// only its own file on close, even after a chdir.

import assert from "node:assert/strict";
import { missing, TempDir } from "./_socket_fixtures.ts";

const MOD = new URL("../mod.ts", import.meta.url).href;

/** Whether `script` can give a child a terminal (where Deno prompts). */
function has_script(): boolean {
  try {
    return new Deno.Command("script", { args: ["-qc", "true", "/dev/null"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    console.log("skipping the terminal test: `script` (util-linux) is not on PATH");
    return false;
  }
}

Deno.test({
  name: "create_connection(('localhost', port)) with only --allow-net, on a terminal: no prompt for read access",
  ignore: !has_script(),
  async fn() {
    using dir = new TempDir();
    const file = `${dir.path}/localhost.ts`;
    Deno.writeTextFileSync(
      file,
      `import { AI_CANONNAME, create_connection, create_server, getaddrinfo, gethostbyname } from "${MOD}";
using srv = create_server(["127.0.0.1", 0]);
const port = (srv.getsockname() as [string, number])[1];
using c = await create_connection(["localhost", port], 10);
const [conn] = await srv.accept();
conn.close();
const info = await getaddrinfo("localhost", port, 0, 1, 0, AI_CANONNAME);
console.log("RESULT", JSON.stringify([c.getpeername(), info[0]![3], await gethostbyname("localhost")]));
`,
    );
    // script(1) runs the child on a pseudo-terminal; stdin is closed, so a prompt would end in a denial.
    const out = await new Deno.Command("timeout", {
      args: ["60", "script", "-qc", `${Deno.execPath()} run --allow-net=127.0.0.1,localhost ${file}`, "/dev/null"],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assert.doesNotMatch(text, /Allow\?|requires read access|--allow-read/, text);
    const m = /RESULT (.*)/.exec(text);
    assert.ok(m, text);
    const [peer, canon, addr] = JSON.parse(m[1]!.trim());
    assert.equal(peer[0], "127.0.0.1");
    assert.equal(canon, "localhost"); // without the hosts file, the name itself (CPython's answer here too)
    assert.equal(addr, "127.0.0.1");
  },
});

Deno.test({
  name:
    "a Unix listener bound to a relative path: getsockname() as given (CPython); close after chdir never deletes another dir's file",
  ignore: missing("python3", "unix"),
  async fn() {
    using a = new TempDir();
    using b = new TempDir();
    const file = `${a.path}/rel.ts`;
    Deno.writeTextFileSync(
      file,
      `import { AF_UNIX, socket } from "${MOD}";
const [dir_a, dir_b] = Deno.args;
Deno.chdir(dir_a!);
const s = socket(AF_UNIX);
s.bind("rel.sock");
s.listen();
const c = socket(AF_UNIX);
await c.connect("rel.sock");
const [conn] = await s.accept();
console.log(JSON.stringify([s.getsockname(), conn.getsockname()]));
conn.close();
c.close();
Deno.chdir(dir_b!);
Deno.writeTextFileSync("rel.sock", "another program's file");
s.close();
await new Promise((r) => setTimeout(r, 50));
`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", file, a.path, b.path],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const py = new Deno.Command("python3", {
      args: [
        "-c",
        "import json,os,socket,sys\nos.chdir(sys.argv[1])\ns=socket.socket(socket.AF_UNIX)\ns.bind('rel2.sock')\ns.listen()\n" +
        "c=socket.socket(socket.AF_UNIX)\nc.connect('rel2.sock')\nconn,_=s.accept()\n" +
        "print(json.dumps([s.getsockname(), conn.getsockname()]))\nconn.close()\nc.close()\ns.close()",
        a.path,
      ],
    }).outputSync();
    assert.equal(
      new TextDecoder().decode(out.stdout).trim(),
      new TextDecoder().decode(py.stdout).trim().replaceAll("rel2", "rel").replaceAll(" ", ""),
    );
    // The other directory's file is intact; the listener's own file is gone (Deno deletes it on
    // close; CPython would leave it: the documented difference).
    assert.equal(Deno.readTextFileSync(`${b.path}/rel.sock`), "another program's file");
    assert.throws(() => Deno.lstatSync(`${a.path}/rel.sock`), Deno.errors.NotFound);
  },
});

Deno.test({
  name: "getaddrinfo() of a name that does not resolve: as CPython, both inside a network namespace (no lookup leaves)",
  ignore: missing("python3", "unshare"),
  async fn() {
    // [host, port, family, type, proto, flags]; family 10 is AF_INET6, flags 2 AI_CANONNAME, 4 AI_NUMERICHOST.
    const calls = [
      ["nothing-here.invalid", 80, 0, 0, 0, 0],
      ["nothing-here.invalid", "nosuch", 0, 0, 0, 0],
      ["nothing-here.invalid", 80, 10, 1, 0, 2],
      ["nothing-here.invalid", "http", 0, 1, 0, 4],
    ];
    const py = new Deno.Command("unshare", {
      args: [
        "-n",
        "python3",
        "-c",
        `import json, socket, sys
for c in json.loads(sys.argv[1]):
    try: print("ok", socket.getaddrinfo(*c))
    except Exception as e: print(f"{type(e).__name__}: {e}")`,
        JSON.stringify(calls),
      ],
    }).outputSync();
    assert.equal(py.code, 0, new TextDecoder().decode(py.stderr));
    using dir = new TempDir();
    const file = `${dir.path}/gai.ts`;
    Deno.writeTextFileSync(
      file,
      `import { getaddrinfo } from "${MOD}";
for (const c of JSON.parse(Deno.args[0]!)) {
  try { console.log("ok", JSON.stringify(await getaddrinfo(...(c as Parameters<typeof getaddrinfo>)))); }
  catch (e) { console.log(\`\${(e as Error).name}: \${(e as Error).message}\`); }
}`,
    );
    const mine = await new Deno.Command("unshare", {
      args: ["-n", Deno.execPath(), "run", "-A", "--no-prompt", file, JSON.stringify(calls)],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(mine.code, 0, new TextDecoder().decode(mine.stderr));
    const theirs = new TextDecoder().decode(py.stdout).trim().split("\n");
    assert.deepEqual(new TextDecoder().decode(mine.stdout).trim().split("\n"), theirs);
    assert.ok(theirs.every((l) => l.startsWith("gaierror: ")), theirs.join("\n"));
  },
});

// Port of makefile_text.py (print(x, file=f) is `await f.write(x + "\n")`, with flush=True an `await f.flush()`;
// the threads are tasks; a list comprehension of readline() calls awaits each in turn).
import * as socket from "../../mod.ts";
import { list, print, repr, sleep } from "../ported/_py.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const latin = (...codes: number[]) => new Uint8Array(codes);

async function server(lsock: socket.Socket) {
  const [conn] = await lsock.accept();
  {
    using c = conn;
    const f = c.makefile("rw", { encoding: "utf-8", newline: "\r\n" });
    await f.write("220 text service ready\n");
    await f.flush();
    for await (const l of f) {
      const line = l as string;
      const cmd = line.replace(/[\r\n]+$/, "");
      if (cmd === "QUIT") {
        await f.write("221 bye\n");
        await f.flush();
        break;
      }
      const n = await f.write("250 " + cmd.toUpperCase() + "\n");
      await f.writelines(["250-count ", String(n), "\n"]);
      await f.flush();
    }
    await f.close();
  }
  lsock.close();
}

const lsock = socket.create_server(["127.0.0.1", 0]);
const port = (lsock.getsockname() as [string, number])[1];
const t = server(lsock);
{
  using s = await socket.create_connection(["127.0.0.1", port], { timeout: 20 });
  const r = s.makefile("r", { encoding: "utf-8", newline: "" });
  const w = s.makefile("w", { encoding: "utf-8", newline: "\r\n" });
  print("greeting", repr(await r.readline()));
  for (const cmd of ["hello", "héllo wörld", "日本語"]) {
    print(cmd, "->", await w.write(cmd + "\n"), "chars");
    await w.flush();
    print(repr(await r.readline()), repr(await r.readline()));
  }
  await w.write("QUIT\n");
  await w.flush();
  print(repr(await r.readline()), repr(await r.read()));
  await r.close();
  await w.close();
}
await t;

for (const newline of [null, "", "\n", "\r", "\r\n"]) {
  const [a, b] = await socket.socketpair();
  {
    using _a = a, _b = b;
    const f = b.makefile("r", { encoding: "utf-8", newline });
    for (
      const piece of [
        enc("one\r\ntwo\rthree\nfo"),
        enc("ur\r"),
        latin(10, ...enc("five"), 0xe2, 0x82),
        latin(0xac, 13, 10),
      ]
    ) {
      await a.sendall(piece);
    }
    await a.shutdown(socket.SHUT_WR);
    const lines: unknown[] = [];
    for (let i = 0; i < 6; i++) lines.push(await f.readline());
    print(`newline=${repr(newline)}`, list(lines));
    await f.close();
  }
}

{
  const [a, b] = await socket.socketpair();
  using _a = a, _b = b;
  const f = b.makefile("r", { encoding: "utf-8" });
  await a.sendall(latin(...enc("abcdefghij\n"), 0xc3));
  const th = (async () => {
    await sleep(0.2);
    await a.sendall(latin(0xa9, ...enc("t"), 0xc3, 0xa9, ...enc("\nrest\n")));
  })();
  print(repr(await f.readline(4)), repr(await f.readline(100)), repr(await f.read(3)), repr(await f.readline()));
  await th;
  print(repr(await f.readline()));
  await f.close();
}
{
  const [a, b] = await socket.socketpair();
  using _a = a, _b = b;
  const line = latin(...enc("caf"), 0xe9, 32, 0xff, 0xfe, ...enc(" end\n"));
  await a.sendall(latin(...line, ...line));
  await a.shutdown(socket.SHUT_WR);
  const f1 = b.makefile("r", { encoding: "latin-1" });
  print("latin-1", repr(await f1.readline()), f1.encoding);
  const f2 = b.makefile("r", { encoding: "utf-8", errors: "replace" });
  print("replace", repr(await f2.read()), f2.errors);
  await f1.close();
  await f2.close();
}

// Port of makefile_rwb_idle.py (the accept thread and the server threads are tasks; time.sleep() is an awaited
// timer; b"%d" % n is a template string).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { b, bjoin, bstrip, bupper, decode, print, sleep } from "../ported/_py.ts";

const log: string[] = [];

async function serve(conn: Socket) {
  conn.settimeout(0.8);
  const f = conn.makefile("rwb");
  await f.write(b("220 ready\r\n"));
  await f.flush();
  try {
    while (true) {
      const line = await f.readline(32) as Uint8Array;
      if (!line.length) {
        log.push("server: EOF");
        break;
      }
      if (line.at(-1) !== 0x0a) {
        log.push(`server: long line cut at ${line.length}`);
        const rest = await f.readline() as Uint8Array;
        await f.write(b(`500 line too long (${rest.length} more)\r\n`));
        await f.flush();
        continue;
      }
      const cmd = decode(bupper(bstrip(line)));
      if (cmd === "NOOP") {
        await f.write(b("250 ok\r\n"));
      } else if (cmd.startsWith("ECHO ")) {
        await f.write(bjoin([b("250 "), bstrip(line).subarray(5), b("\r\n")]));
      } else if (cmd === "SLOW") {
        await sleep(1.2);
        await f.write(b("250 slow done\r\n"));
      } else if (cmd === "QUIT") {
        await f.write(b("221 bye\r\n"));
        await f.flush();
        break;
      } else {
        await f.write(b("502 unknown\r\n"));
      }
      await f.flush();
    }
  } catch (e) {
    if (!(e instanceof socket.TimeoutError)) throw e;
    log.push(`server: readline ${e.constructor.name}: ${e.message}`);
    await f.write(b("421 idle\r\n"));
    await f.flush();
    log.push("server: 421 written after the timeout");
    try {
      await f.readline();
    } catch (e) {
      if (!(e instanceof socket.OSError)) throw e;
      log.push(`server: readline again ${e.constructor.name}: ${e.message}`);
    }
  } finally {
    await f.close();
    conn.close();
  }
}

async function accept_loop(lsock: Socket, n: number) {
  const threads: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const [conn] = await lsock.accept();
    threads.push(serve(conn));
  }
  await Promise.all(threads);
}

{
  using lsock = socket.create_server(["127.0.0.1", 0]);
  const addr = lsock.getsockname() as [string, number];
  const acc = accept_loop(lsock, 2);

  // client 1: a session, then idle
  let c = await socket.create_connection(addr, { timeout: 5 });
  let f = c.makefile("rwb");
  print("c1:", await f.readline());
  for (const cmd of [b("noop"), b("ECHO hello there"), b("FOO"), b("ECHO " + "x".repeat(40))]) {
    await f.write(bjoin([cmd, b("\r\n")]));
    await f.flush();
    print("c1:", cmd.subarray(0, 12), "->", await f.readline());
  }
  c.settimeout(0.4);
  await f.write(b("SLOW\r\n"));
  await f.flush();
  try {
    print("c1: slow ->", await f.readline());
  } catch (e) {
    if (!(e instanceof socket.TimeoutError)) throw e;
    print("c1: slow ->", e.constructor.name, e);
  }
  try {
    await f.readline();
  } catch (e) {
    if (!(e instanceof socket.OSError)) throw e;
    print("c1: reading on ->", e.constructor.name, e);
  }
  // the file is done for reading; the socket is not: what is left arrives on it
  c.settimeout(5);
  let rest = new Uint8Array(0);
  while (true) {
    const chunk = await c.recv(100);
    if (!chunk.length) break;
    rest = bjoin([rest, chunk]);
  }
  print("c1: the rest on the socket:", rest);
  await f.close();
  c.close();

  // client 2: quits properly
  c = await socket.create_connection(addr, { timeout: 5 });
  {
    using _c = c;
    f = c.makefile("rwb");
    try {
      print("c2:", await f.readline());
      await f.write(b("ECHO  spaced  \r\nQUIT\r\n"));
      await f.flush();
      print("c2:", await f.readline(), await f.readline(), await f.readline());
    } finally {
      await f.close();
    }
  }
  await acc;
}

for (const entry of log.sort()) print(entry);

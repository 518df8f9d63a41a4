// Port of peer_closed_sends.py (the server thread is a task; repr(None) is "None"; b"%d" formatting is a
// template; lists print through list()).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { select } from "../../selectors.ts";
import { b, list, print, repr, sleep } from "../ported/_py.ts";

async function server(lsock: Socket) {
  const [conn] = await lsock.accept();
  await conn.recv(64);
  conn.close();
}

for (const mode of Deno.args.length ? Deno.args : ["blocking", "timed", "non-blocking"]) {
  for (const call of ["send", "sendall", "sendmsg"]) {
    const lsock = socket.create_server(["127.0.0.1", 0]);
    const t = server(lsock);
    const c = await socket.create_connection(lsock.getsockname() as [string, number]);
    await c.sendall(b("request\n"));
    await t;
    // wait until the server's FIN is here (the socket reads EOF) without reading it
    await select([c], [], [], 5);
    if (mode === "timed") c.settimeout(2);
    else if (mode === "non-blocking") c.setblocking(false);
    const results: string[] = [];
    for (let i = 0; i < 4; i++) {
      try {
        let r: number | void;
        if (call === "send") r = await c.send(b(`more ${i}\n`));
        else if (call === "sendall") r = await c.sendall(b(`more ${i}\n`));
        else r = await c.sendmsg([b("more "), b(`${i}\n`)]);
        results.push(repr(r ?? null));
      } catch (e) {
        if (!(e instanceof socket.OSError)) throw e;
        results.push(e.constructor.name);
      }
      await sleep(0.05); // the reset comes back
    }
    try {
      results.push("recv " + repr(await c.recv(64)));
    } catch (e) {
      if (!(e instanceof socket.OSError)) throw e;
      results.push("recv " + e.constructor.name);
    }
    print(mode, call, list(results));
    c.close();
    lsock.close();
  }
}

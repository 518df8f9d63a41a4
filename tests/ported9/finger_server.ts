// Port of finger_server.py ("%-8s" is padEnd; bytes.decode("ascii", "replace") maps bytes above 127 to U+FFFD).
import * as socket from "../../mod.ts";
import { b, print, repr } from "../ported/_py.ts";

const USERS: Record<string, [string, string, string]> = {
  "ada": ["Ada Lovelace", "Analytical Engine", "Plan: notes on the engine"],
  "grace": ["Grace Hopper", "COBOL", "Plan: find the moth"],
};
const ends_nl = (x: Uint8Array) => x.length > 0 && x[x.length - 1] === 10;
const ascii = (x: Uint8Array) => String.fromCharCode(...x).replace(/[\x80-\xff]/g, "\ufffd");

const lsock = socket.create_server(["127.0.0.1", Number(Deno.args[0])]);
print("finger server on port", (lsock.getsockname() as [string, number])[1]);
for (let i = 0; i < (Deno.args.length > 1 ? Number(Deno.args[1]) : 6); i++) {
  const [conn] = await lsock.accept();
  using c = conn;
  c.settimeout(10);
  const f = c.makefile("rb");
  const line = await f.readline(100) as Uint8Array;
  let reply: string;
  if (!ends_nl(line)) {
    while (true) {
      const more = await f.readline(4096) as Uint8Array;
      if (!more.length || ends_nl(more)) break;
    }
    reply = "finger: query too long\r\n";
  } else {
    const q = ascii(line).trim();
    const long_form = q.startsWith("/W");
    const user = long_form ? q.slice(2).trim() : q;
    print("query", repr(q));
    if (user.includes("@")) reply = "finger: forwarding service denied\r\n";
    else if (!user) reply = Object.keys(USERS).sort().map((u) => `${u.padEnd(8)} ${USERS[u]![0]}\r\n`).join("");
    else if (user in USERS) {
      const [name, shell, plan] = USERS[user]!;
      reply = `Login: ${user}\tName: ${name}\r\n`;
      if (long_form) reply += `Shell: ${shell}\r\n${plan}\r\n`;
    } else reply = `finger: ${user}: no such user\r\n`;
  }
  await f.close();
  await c.sendall(b(reply));
}
lsock.close();
print("served");

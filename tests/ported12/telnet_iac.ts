// Port of telnet_iac.py (the server thread is a task; the generator feed() returns its events as an array;
// bytearray is a number[]; time.sleep is an awaited timer).
import * as socket from "../../mod.ts";
import { b, bjoin, print, repr, sleep } from "../ported/_py.ts";

const [IAC, DONT, DO, WONT, WILL, SB, SE] = [255, 254, 253, 252, 251, 250, 240];
const [ECHO, SGA, TTYPE, NAWS, LINEMODE] = [1, 3, 24, 31, 34];
const NAMES: Record<number, string> = { [DO]: "DO", [DONT]: "DONT", [WILL]: "WILL", [WONT]: "WONT" };
const OPTS: Record<number, string> = {
  [ECHO]: "ECHO",
  [SGA]: "SGA",
  [TTYPE]: "TTYPE",
  [NAWS]: "NAWS",
  [LINEMODE]: "LINEMODE",
};

type Ev = ["data", Uint8Array] | ["cmd", number, number] | ["sb", Uint8Array];

class Parser {
  state = "data";
  cmd = 0;
  sb: number[] = [];

  feed(data: Uint8Array): Ev[] {
    const evs: Ev[] = [];
    let out: number[] = [];
    for (const c of data) {
      if (this.state === "data") {
        if (c === IAC) this.state = "iac";
        else if (out.at(-1) === 13 && c === 0) { /* CR NUL is a bare CR */ }
        else out.push(c);
      } else if (this.state === "iac") {
        if (c === IAC) {
          out.push(IAC);
          this.state = "data";
        } else if (c in NAMES) {
          this.cmd = c;
          this.state = "opt";
        } else if (c === SB) {
          this.sb = [];
          this.state = "sb";
        } else {
          this.state = "data";
        }
      } else if (this.state === "opt") {
        if (out.length) {
          evs.push(["data", new Uint8Array(out)]);
          out = [];
        }
        evs.push(["cmd", this.cmd, c]);
        this.state = "data";
      } else if (this.state === "sb") {
        if (c === IAC) this.state = "sb_iac";
        else this.sb.push(c);
      } else if (this.state === "sb_iac") {
        if (c === SE) {
          if (out.length) {
            evs.push(["data", new Uint8Array(out)]);
            out = [];
          }
          evs.push(["sb", new Uint8Array(this.sb)]);
          this.state = "data";
        } else {
          this.sb.push(c);
          this.state = "sb";
        }
      }
    }
    if (out.length) evs.push(["data", new Uint8Array(out)]);
    return evs;
  }
}

const verb = (v: number, o: number) => `${NAMES[v]} ${OPTS[o] ?? o}`;

function esc(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (const c of data) {
    out.push(c);
    if (c === 0xff) out.push(0xff);
    else if (c === 13) out.push(0);
  }
  return new Uint8Array(out);
}

const endswith = (x: Uint8Array, s: string) => new TextDecoder("latin1").decode(x).endsWith(s);
const latin1 = (x: Uint8Array) => new TextDecoder("latin1").decode(x);

const slog: string[] = [];
const clog: string[] = [];
const lsock = socket.create_server(["127.0.0.1", 0]);

async function server() {
  const [conn] = await lsock.accept();
  conn.settimeout(5);
  using _conn = conn;
  await conn.sendall(
    new Uint8Array([IAC, DO, TTYPE, IAC, DO, NAWS, IAC, WILL, ECHO, IAC, WILL, SGA, IAC, DO, LINEMODE]),
  );
  const p = new Parser();
  let line = new Uint8Array(0);
  let stage = "negotiate";
  while (true) {
    const data = await conn.recv(7);
    if (!data.length) {
      slog.push("EOF");
      break;
    }
    for (const ev of p.feed(data)) {
      if (ev[0] === "cmd") {
        slog.push("got " + verb(ev[1], ev[2]));
        if (ev[1] === WILL && ev[2] === TTYPE) await conn.sendall(new Uint8Array([IAC, SB, TTYPE, 1, IAC, SE]));
      } else if (ev[0] === "sb") {
        const sb = ev[1];
        if (sb[0] === TTYPE) slog.push("terminal type " + repr(new TextDecoder().decode(sb.subarray(2))));
        else if (sb[0] === NAWS) {
          slog.push(`window ${sb[1]! * 256 + sb[2]!}x${sb[3]! * 256 + sb[4]!}`);
          await conn.sendall(b("login: "));
        }
      } else {
        line = bjoin([line, ev[1]]);
        while (line.includes(10)) {
          const i = line.indexOf(10);
          const one = line.subarray(0, i);
          line = line.subarray(i + 1);
          slog.push("line " + repr(one));
          const stripped = latin1(one).trim();
          if (stage === "negotiate") {
            stage = "logged in";
            await conn.sendall(
              esc(
                bjoin([b("welcome " + stripped + "\r\nbyte "), new Uint8Array([0xff]), b(" and a bare \r here\r\n")]),
              ),
            );
          } else if (stripped === "logout") {
            await conn.sendall(b("bye\r\n"));
            await conn.shutdown(socket.SHUT_WR);
          }
        }
      }
    }
  }
}

const t = server();
const c = await socket.create_connection(lsock.getsockname(), { timeout: 5 });
const p = new Parser();
let text = new Uint8Array(0);
const pending: Uint8Array[] = [];
while (true) {
  const data = await c.recv(5);
  if (!data.length) {
    clog.push("EOF");
    break;
  }
  for (const ev of p.feed(data)) {
    if (ev[0] === "cmd") {
      const [, v, o] = ev;
      clog.push("got " + verb(v, o));
      const answer = v === DO ? ([TTYPE, NAWS].includes(o) ? WILL : WONT) : ([ECHO, SGA].includes(o) ? DO : DONT);
      let reply = new Uint8Array([IAC, answer, o]);
      if (o === NAWS && answer === WILL) {
        reply = bjoin([reply, new Uint8Array([IAC, SB, NAWS, 0, 255, 255, 0, 24, IAC, SE])]);
      }
      pending.push(reply);
    } else if (ev[0] === "sb") {
      clog.push("asked " + repr(ev[1]));
      pending.push(bjoin([new Uint8Array([IAC, SB, TTYPE, 0]), b("XTERM"), new Uint8Array([IAC, SE])]));
    } else {
      text = bjoin([text, ev[1]]);
      if (endswith(text, "login: ")) {
        clog.push("prompt " + repr(text));
        text = new Uint8Array(0);
        pending.push(b("alice\r\n"));
      } else if (latin1(text).split("\r\n").length - 1 === 2) {
        clog.push("text " + repr(text));
        text = new Uint8Array(0);
        pending.push(b("logout\r\n"));
      }
    }
  }
  if (pending.length) {
    const blob = bjoin(pending);
    pending.length = 0;
    for (let i = 0; i < blob.length; i += 4) {
      await c.sendall(blob.subarray(i, i + 4));
      await sleep(0.005);
    }
  }
}
clog.push("rest " + repr(text));
c.close();
await t;
lsock.close();
print("server:");
for (const x of slog) print("  " + x);
print("client:");
for (const x of clog) print("  " + x);

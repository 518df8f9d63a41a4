// Port of syslog_tcp_framing.py (the collector and the three client threads are tasks; select.poll() is the
// selectors entry point's poll(); str.split(" ", n) keeps the rest in its last part as Python's does, through
// pysplit(); isdigit() of a byte is a range check).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { poll, POLLIN } from "../../selectors.ts";
import { b, bjoin, decode, join, print, repr } from "../ported/_py.ts";

const FACILITIES = [
  "kern",
  "user",
  "mail",
  "daemon",
  "auth",
  "syslog",
  "lpr",
  "news",
  "uucp",
  "cron",
  "authpriv",
  "ftp",
  "ntp",
  "audit",
  "alert",
  "clock",
  ...Array.from({ length: 8 }, (_, i) => `local${i}`),
];
const SEVERITIES = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"];
const collected: [string, number, string][] = [];
const log: string[] = [];

/** Python's str.split(sep, maxsplit). */
function pysplit(s: string, sep: string, maxsplit: number): string[] {
  const out: string[] = [];
  let rest = s;
  while (out.length < maxsplit) {
    const i = rest.indexOf(sep);
    if (i < 0) break;
    out.push(rest.slice(0, i));
    rest = rest.slice(i + sep.length);
  }
  out.push(rest);
  return out;
}
const partition = (s: string, sep: string): [string, string, string] => {
  const i = s.indexOf(sep);
  return i < 0 ? [s, "", ""] : [s.slice(0, i), sep, s.slice(i + sep.length)];
};
const isdigit = (s: string) => s.length > 0 && /^[0-9]+$/.test(s);

function parse(msg: Uint8Array): string {
  const text = decode(msg);
  if (!text.startsWith("<") || !text.slice(0, 5).includes(">")) return `unparsed ${repr(text)}`;
  const [pri_text, , rest0] = partition(text.slice(1), ">");
  if (!isdigit(pri_text) || Number(pri_text) > 191) return `bad PRI ${repr(pri_text)}`;
  const pri = Number(pri_text);
  const [fac, sev] = [FACILITIES[pri >> 3], SEVERITIES[pri & 7]];
  if (rest0.startsWith("1 ")) {
    const [, , host, app, , msgid, r] = pysplit(rest0, " ", 6);
    let rest = r!;
    if (rest.startsWith("- ")) rest = rest.slice(2);
    return `${fac}.${sev} 5424 host=${host} app=${app} msgid=${msgid} msg=${repr(rest)}`;
  }
  // RFC 3164: "Mmm dd hh:mm:ss host tag: msg"
  const parts = pysplit(rest0, " ", 4);
  const [host, tag_msg] = [parts[3], parts.length > 4 ? parts[4]! : ""];
  const [tag, , body] = partition(tag_msg, ": ");
  return `${fac}.${sev} 3164 host=${host} tag=${tag} msg=${repr(body)}`;
}

function frames(buf: Uint8Array, at_eof: boolean): [Uint8Array[], Uint8Array] {
  const out: Uint8Array[] = [];
  while (buf.length) {
    if (buf[0]! >= 0x30 && buf[0]! <= 0x39) {
      const sp = buf.indexOf(0x20);
      if (sp < 0) break;
      const n = Number(decode(buf.subarray(0, sp)));
      const rest = buf.subarray(sp + 1);
      if (rest.length < n) {
        if (at_eof) {
          log.push(`collector: counted frame cut short (${rest.length} of ${n} bytes)`);
          buf = new Uint8Array(0);
        }
        break;
      }
      out.push(rest.subarray(0, n));
      buf = rest.subarray(n);
    } else {
      const nl = buf.indexOf(0x0a);
      if (nl < 0 && !at_eof) break;
      let line = nl < 0 ? buf : buf.subarray(0, nl);
      while (line.length && line.at(-1) === 0x0d) line = line.subarray(0, -1);
      out.push(line);
      buf = nl < 0 ? new Uint8Array(0) : buf.subarray(nl + 1);
    }
  }
  return [out, buf];
}

async function collector(lsock: Socket, nclients: number) {
  lsock.setblocking(false);
  const poller = poll();
  poller.register(lsock, POLLIN);
  const conns = new Map<number, Socket>();
  const bufs = new Map<number, Uint8Array>();
  const names = new Map<number, string>();
  let done = 0;
  while (done < nclients) {
    for (const [fd] of await poller.poll(5000)) {
      if (fd === lsock.fileno()) {
        const [conn] = await lsock.accept();
        conn.setblocking(false);
        conns.set(conn.fileno(), conn);
        bufs.set(conn.fileno(), new Uint8Array(0));
        poller.register(conn, POLLIN);
        continue;
      }
      const conn = conns.get(fd)!;
      let data: Uint8Array;
      try {
        data = await conn.recv(64);
      } catch (e) {
        if (e instanceof socket.BlockingIOError) continue;
        throw e;
      }
      const [msgs, left] = frames(bjoin([bufs.get(fd)!, data]), !data.length);
      bufs.set(fd, left);
      for (const m of msgs) {
        const result = parse(m);
        // the client's name is the first word after the header's host field, or the first message's
        if (!names.has(fd)) names.set(fd, result.includes("host=") ? result.split("host=")[1]!.split(" ")[0]! : "?");
        const name = names.get(fd)!;
        collected.push([name, collected.filter((c) => c[0] === name).length, result]);
      }
      if (!data.length) {
        poller.unregister(fd);
        conn.close();
        // the number may be reused by the next connection accepted
        conns.delete(fd);
        bufs.delete(fd);
        names.delete(fd);
        done += 1;
      }
    }
  }
  lsock.close();
}

async function send_all(addr: [string, number], pieces: Uint8Array[]) {
  using s = await socket.create_connection(addr, { timeout: 5 });
  for (const p of pieces) await s.sendall(p);
}

const octet = (msg: Uint8Array) => bjoin([b(`${msg.length} `), msg]);

const lsock = socket.create_server(["127.0.0.1", 0]);
const addr = lsock.getsockname() as [string, number];
const ct = collector(lsock, 3);

const a = bjoin([
  octet(b("<34>1 2023-10-11T22:14:15.003Z alpha su - ID47 - 'su root' failed on /dev/pts/8")),
  octet(b('<165>1 2023-10-11T22:14:15.000003-07:00 alpha evntslog - ID47 [ex@32473 iut="3"] app event')),
  octet(b("<14>1 2023-10-11T22:14:16Z alpha backup 42 - - line one\nline two\nline three")),
]);
const b_ = b(
  "<13>Oct 11 22:14:15 bravo sshd[42]: Accepted publickey for ops\n" +
    "<86>Oct 11 22:14:16 bravo sudo: ops : TTY=pts/0 ; COMMAND=/bin/true\r\n" +
    "<999>Oct 11 22:14:17 bravo bad: priority out of range\n" +
    "no header at all\n" +
    "<191>Oct 11 22:14:18 bravo cron[7]: last line without LF",
);
const c = bjoin([octet(b("<0>1 - charlie kernel - - - panic")), b("30 <3>1 - charlie cut")]);
const threads = [
  send_all(addr, Array.from({ length: Math.ceil(a.length / 37) }, (_, k) => a.subarray(37 * k, 37 * k + 37))),
  send_all(addr, [b_]),
  send_all(addr, [c.subarray(0, 5), c.subarray(5)]),
];
for (const t of threads) await join(t, 5);
await join(ct, 10);

collected.sort((p, q) => p[0] !== q[0] ? (p[0] < q[0] ? -1 : 1) : p[1] - q[1]);
for (const [name, seq, result] of collected) print(name, seq, result);
for (const line of log) print(line);

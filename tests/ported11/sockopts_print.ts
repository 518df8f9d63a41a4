// Port of sockopts_print.py (errno.errorcode is socket.errorcode; struct.unpack("ii") is a little-endian
// DataView; the "%s=%s" join is a template).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { b, print, str } from "../ported/_py.ts";

let OPTS: [string, number, number][] = [
  ["SO_REUSEADDR", socket.SOL_SOCKET, socket.SO_REUSEADDR],
  ["SO_KEEPALIVE", socket.SOL_SOCKET, socket.SO_KEEPALIVE],
  ["SO_TYPE", socket.SOL_SOCKET, socket.SO_TYPE],
  ["SO_ERROR", socket.SOL_SOCKET, socket.SO_ERROR],
  ["TCP_NODELAY", socket.IPPROTO_TCP, socket.TCP_NODELAY],
  ["TCP_KEEPIDLE", socket.IPPROTO_TCP, socket.TCP_KEEPIDLE],
  ["TCP_KEEPINTVL", socket.IPPROTO_TCP, socket.TCP_KEEPINTVL],
  ["TCP_KEEPCNT", socket.IPPROTO_TCP, socket.TCP_KEEPCNT],
];
// argv[1] == "portable": leave out the keepalive tunables (TCP_KEEPIDLE/INTVL/CNT)
const portable = Deno.args.length === 1 && Deno.args[0] === "portable";
if (portable) OPTS = OPTS.filter((o) => !o[0].startsWith("TCP_KEEP"));

function get(s: Socket, level: number, opt: number): string | number {
  try {
    return s.getsockopt(level, opt) as number;
  } catch (e) {
    if (!(e instanceof socket.OSError)) throw e;
    return "OSError " + socket.errorcode[e.errno!];
  }
}

function show(label: string, s: Socket) {
  print(label + ":", OPTS.map(([name, lvl, opt]) => `${name}=${str(get(s, lvl, opt))}`).join(", "));
}

function setopt(s: Socket, name: string, level: number, opt: number, value: number | boolean) {
  try {
    s.setsockopt(level, opt, value as number);
    print("  set", name, value, "->", get(s, level, opt));
  } catch (e) {
    if (!(e instanceof socket.OSError)) throw e;
    print("  set", name, value, "-> OSError", socket.errorcode[e.errno!]);
  }
}

const s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
show("fresh", s);
setopt(s, "TCP_NODELAY", socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
setopt(s, "SO_KEEPALIVE", socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1);
if (!portable) {
  setopt(s, "TCP_KEEPIDLE", socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 60);
  setopt(s, "TCP_KEEPINTVL", socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 10);
  setopt(s, "TCP_KEEPCNT", socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 5);
}
setopt(s, "SO_REUSEADDR", socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
setopt(s, "TCP_NODELAY", socket.IPPROTO_TCP, socket.TCP_NODELAY, 0);
setopt(s, "SO_KEEPALIVE", socket.SOL_SOCKET, socket.SO_KEEPALIVE, true);
show("after sets", s);
try {
  const raw = s.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8) as Uint8Array;
  const dv = new DataView(raw.buffer, raw.byteOffset);
  print("SO_LINGER:", [dv.getInt32(0, true), dv.getInt32(4, true)]);
} catch (e) {
  if (!(e instanceof socket.OSError)) throw e;
  print("SO_LINGER: OSError", socket.errorcode[e.errno!]);
}
s.close();

const lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
lsock.bind(["127.0.0.1", 0]);
lsock.listen();
show("listener", lsock);
const c = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
c.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1);
c.settimeout(5);
await c.connect(lsock.getsockname());
show("client", c);
const [conn] = await lsock.accept();
show("accepted", conn);
conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
conn.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1);
show("accepted after sets", conn);
await c.sendall(b("ping"));
print("data still flows:", await conn.recv(4));
c.close();
conn.close();
lsock.close();

const u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
print("udp SO_TYPE:", u.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE) === socket.SOCK_DGRAM);
print("udp SO_BROADCAST:", get(u, socket.SOL_SOCKET, socket.SO_BROADCAST));
u.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1);
print("udp SO_BROADCAST after set:", get(u, socket.SOL_SOCKET, socket.SO_BROADCAST));
print("udp TCP_NODELAY:", get(u, socket.IPPROTO_TCP, socket.TCP_NODELAY));
u.close();

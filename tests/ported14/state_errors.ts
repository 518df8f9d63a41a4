// Port of state_errors.py (each row's lambda is an async arrow, awaited; RangeError is Python's OverflowError
// here, the only one these rows raise; tempfile.TemporaryDirectory() is Deno.makeTempDirSync() removed in finally).
import * as socket from "../../mod.ts";
import { b, print, repr } from "../ported/_py.ts";

const { errorcode } = socket;

async function row(label: string, fn: () => unknown) {
  let r: unknown;
  try {
    r = await fn();
  } catch (e) {
    if (e instanceof socket.OSError) {
      const code = e.errno !== null && e.errno !== undefined ? (errorcode[e.errno] ?? e.errno) : null;
      print(`${label.padEnd(44)} ${e.constructor.name} ${code === null ? "None" : code} ${e.message}`);
      return;
    }
    if (e instanceof RangeError) {
      print(`${label.padEnd(44)} OverflowError ${e.message}`);
      return;
    }
    if (e instanceof TypeError) {
      print(`${label.padEnd(44)} TypeError ${e.message}`);
      return;
    }
    throw e;
  }
  print(`${label.padEnd(44)} -> ${repr(r)}`);
}

const lsock = socket.create_server(["127.0.0.1", 0]);
const addr = lsock.getsockname();

let s = socket.socket();
await row("tcp recv before connect", () => s.recv(10));
await row("tcp send before connect", () => s.send(b("x")));
await row("tcp sendall before connect", () => s.sendall(b("x")));
await row("tcp getpeername before connect", () => s.getpeername());
await row("tcp shutdown before connect", () => s.shutdown(socket.SHUT_RDWR));
await row("tcp accept on unbound, unlistened", () => s.accept());
s.bind(["127.0.0.1", 0]);
await row("tcp bind twice", () => s.bind(["127.0.0.1", 0]));
await row("tcp accept on bound, unlistened", () => s.accept());
s.close();

s = socket.socket();
await row("tcp bind to a listener's port", () => s.bind(addr));
await row("tcp connect", () => s.connect(addr));
const [conn] = await lsock.accept();
await row("tcp connect twice", () => s.connect(addr));
await row("tcp connect_ex twice", async () => errorcode[await s.connect_ex(addr)]);
await row("tcp listen on a connected socket", () => s.listen());
await row("tcp bind after connect", () => s.bind(["127.0.0.1", 0]));
await row("tcp sendto on a connected socket", () => s.sendto(b("x"), addr));
await row("tcp connect on a listener", () => lsock.connect(addr));
await row("tcp recv on a listener", () => lsock.recv(10));
await row("tcp send on a listener", () => lsock.send(b("x")));
await s.shutdown(socket.SHUT_WR);
await row("tcp send after SHUT_WR", () => s.send(b("x")));
await row("tcp sendall after SHUT_WR", () => s.sendall(b("x".repeat(100000))));
await row("tcp shutdown SHUT_WR again", () => s.shutdown(socket.SHUT_WR));
await s.shutdown(socket.SHUT_RD);
await row("tcp recv after SHUT_RD", () => s.recv(10));
await row("tcp shutdown(7)", () => s.shutdown(7));
conn.close();
s.close();
await row("closed: recv", () => s.recv(10));
await row("closed: send", () => s.send(b("x")));
await row("closed: getsockname", () => s.getsockname());
await row("closed: setsockopt", () => s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1));
await row("closed: fileno", () => s.fileno());
await row("closed: close again", () => s.close());
await row("closed: settimeout", () => s.settimeout(1));
await row("closed: connect", () => s.connect(addr));

const u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
await row("udp listen", () => u.listen());
await row("udp accept", () => u.accept());
await row("udp send unconnected", () => u.send(b("x")));
await row("udp sendto 65507 bytes", () => u.sendto(b("x".repeat(65507)), ["127.0.0.1", 9]));
await row("udp sendto 65508 bytes", () => u.sendto(b("x".repeat(65508)), ["127.0.0.1", 9]));
await row("udp getpeername unconnected", () => u.getpeername());
await row("udp shutdown unconnected", () => u.shutdown(socket.SHUT_RDWR));
await row("udp sendto after that shutdown", () => u.sendto(b("x"), ["127.0.0.1", 9]));
await row("udp sendto port 65536", () => u.sendto(b("x"), ["127.0.0.1", 65536]));
await row("udp sendto port -1", () => u.sendto(b("x"), ["127.0.0.1", -1]));
await u.connect(["127.0.0.1", 9]);
await row("udp sendto elsewhere when connected", () => u.sendto(b("x"), ["127.0.0.1", 10]));
await row("udp getsockopt TCP_NODELAY", () => u.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY));
u.close();

await row(
  "socket(AF_INET, SOCK_STREAM, IPPROTO_UDP)",
  () => socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_UDP),
);
await row(
  "socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP)",
  () => socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_TCP),
);
let t = socket.socket();
await row("setsockopt(SOL_SOCKET, 9999)", () => t.setsockopt(socket.SOL_SOCKET, 9999, 1));
await row("getsockopt(SOL_SOCKET, 9999)", () => t.getsockopt(socket.SOL_SOCKET, 9999));
await row("connect to port 0", () => t.connect(["127.0.0.1", 0]));
t.close();
t = socket.socket();
await row("bind port 65536", () => t.bind(["127.0.0.1", 65536]));
await row("connect_ex to port 0", async () => errorcode[await t.connect_ex(["127.0.0.1", 0])]);
t.close();
lsock.close();

const d = Deno.makeTempDirSync();
try {
  const stream_path = `${d}/stream.sock`;
  const dgram_path = `${d}/dgram.sock`;
  const file_path = `${d}/plain.txt`;
  Deno.writeTextFileSync(file_path, "not a socket\n");
  const ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
  ls.bind(stream_path);
  const ds = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
  ds.bind(dgram_path);
  const us_do = async (op: "connect" | "bind", path: string) => {
    // a fresh stream socket for each row, closed when the row is done
    using us = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
    return op === "bind" ? us.bind(path) : await us.connect(path);
  };
  await row("unix connect to a missing path", () => us_do("connect", `${d}/missing`));
  await row("unix connect to a regular file", () => us_do("connect", file_path));
  await row("unix stream connect to a dgram path", () => us_do("connect", dgram_path));
  await row("unix bind a taken path", () => us_do("bind", stream_path));
  await row("unix bind a regular file", () => us_do("bind", file_path));
  await row("unix bind a path of 108 bytes", () => us_do("bind", "/tmp/" + "p".repeat(103)));
  await row("unix bind in a missing dir", () => us_do("bind", `${d}/no/x.sock`));
  const ud = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
  await row("unix dgram sendto a stream path", () => ud.sendto(b("x"), stream_path));
  await row("unix dgram sendto a missing path", () => ud.sendto(b("x"), `${d}/missing`));
  await row("unix dgram send unconnected", () => ud.send(b("x")));
  await row("unix dgram listen", () => ud.listen());
  ud.close();
  ls.close();
  ds.close();
} finally {
  Deno.removeSync(d, { recursive: true });
}

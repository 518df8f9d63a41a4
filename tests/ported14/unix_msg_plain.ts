// Port of unix_msg_plain.py (tempfile.TemporaryDirectory() is Deno.makeTempDirSync() removed in finally;
// os.path.basename() is the path's last part).
import * as socket from "../../mod.ts";
import { b, list, print, repr } from "../ported/_py.ts";

const basename = (p: unknown) => String(p).split("/").at(-1);

print(
  "CMSG_LEN(4):",
  socket.CMSG_LEN(4),
  "CMSG_SPACE(4):",
  socket.CMSG_SPACE(4),
  "CMSG_SPACE(12):",
  socket.CMSG_SPACE(12),
);

// stream pair
{
  const [a, bb] = await socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM);
  using _a = a, _b = bb;
  let n = await a.sendmsg([b("head:"), b("body"), b("--tail--").subarray(2, 6)]);
  print("stream sendmsg sent", n);
  let [data, anc, flags, addr] = await bb.recvmsg(1024);
  print("stream recvmsg:", data, list(anc), flags, repr(addr));
  await a.sendmsg([b("x".repeat(10))]);
  [data, anc, flags, addr] = await bb.recvmsg(4, socket.CMSG_SPACE(4));
  print("stream short recvmsg:", data, list(anc), flags);
  [data, anc, flags, addr] = await bb.recvmsg(100);
  print("stream rest:", data, flags);
  n = await socket.send_fds(a, [b("no fds here")], []);
  print("send_fds with []:", n, await bb.recv(100));
  await a.sendmsg([b("abcdefgh")]);
  const [buf1, buf2] = [new Uint8Array(3), new Uint8Array(10)];
  let nbytes: number;
  [nbytes, anc, flags, addr] = await bb.recvmsg_into([buf1, buf2.subarray(0, 4)]);
  print("stream recvmsg_into:", nbytes, buf1, buf2, list(anc), flags);
  print("left:", await bb.recv(100));
  await a.shutdown(socket.SHUT_WR);
  const r = await bb.recvmsg(100);
  print("after SHUT_WR:", [r[0], list(r[1]), r[2]]);
}

const d = Deno.makeTempDirSync();
try {
  const srv_path = `${d}/srv.sock`;
  const cli_path = `${d}/cli.sock`;
  const srv = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
  srv.bind(srv_path);
  const anon = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
  const named = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
  named.bind(cli_path);
  using _s = srv, _an = anon, _n = named;
  srv.settimeout(5);
  print("dgram sendmsg to path:", await anon.sendmsg([b("one "), b("two")], [], 0, srv_path));
  let [data, anc, flags, addr] = await srv.recvmsg(100);
  print("from unbound sender:", data, list(anc), flags, repr(addr));
  await named.sendmsg([b("0123456789".repeat(3))], [], 0, srv_path);
  [data, anc, flags, addr] = await srv.recvmsg(8);
  print("short buffer:", data, list(anc), (flags & socket.MSG_TRUNC) === socket.MSG_TRUNC, basename(addr));
  await srv.sendto(b("reply"), addr!);
  named.settimeout(5);
  [data, anc, flags, addr] = await named.recvmsg(100, 64);
  print("reply:", data, list(anc), flags, basename(addr));
  await named.sendmsg([b("A"), b(""), b("BC")], [], 0, srv_path);
  const buf = new Uint8Array(8);
  let nbytes: number;
  [nbytes, anc, flags, addr] = await srv.recvmsg_into([buf]);
  print("dgram recvmsg_into:", nbytes, buf.subarray(0, nbytes), flags, basename(addr));
  await named.sendmsg([], [], 0, srv_path);
  [data, anc, flags, addr] = await srv.recvmsg(100);
  print("empty datagram:", data, list(anc), flags, basename(addr));
  await named.connect(srv_path);
  print("connected sendmsg:", await named.sendmsg([b("via "), b("connect")]));
  print("recvfrom:", (await srv.recvfrom(100))[0]);
} finally {
  Deno.removeSync(d, { recursive: true });
}

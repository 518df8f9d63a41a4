// Port of zero_length_ops.py (each row's lambda is an async arrow, awaited; a tuple of two results is an array).
import * as socket from "../../mod.ts";
import { print, repr } from "../ported/_py.ts";
const b = (s: string) => new TextEncoder().encode(s);
async function t(label: string, fn: () => unknown) {
  try {
    const r = await fn();
    print(`${label.padEnd(40)} -> ${repr(r)}`);
  } catch (e) {
    if (!(e instanceof socket.OSError)) throw e;
    print(`${label.padEnd(40)} ${e.constructor.name} ${e.message}`);
  }
}
const ls = socket.create_server(["127.0.0.1", 0]);
const c = await socket.create_connection(ls.getsockname(), { timeout: 2 });
const [s] = await ls.accept();
s.settimeout(2);
await t("tcp send(b'')", () => c.send(b("")));
await t("tcp sendall(b'')", () => c.sendall(b("")));
await t("tcp recv(0)", () => s.recv(0));
await t("tcp recv_into(empty)", () => s.recv_into(new Uint8Array(0)));
await t("tcp sendmsg([])", () => c.sendmsg([]));
await t("tcp sendmsg([b''])", () => c.sendmsg([b("")]));
await c.shutdown(socket.SHUT_WR);
await t("tcp send(b'') after SHUT_WR", () => c.send(b("")));
await t("tcp sendall(b'') after SHUT_WR", () => c.sendall(b("")));
await t("tcp sendmsg([]) after SHUT_WR", () => c.sendmsg([]));
await t("peer recv after SHUT_WR", () => s.recv(10));
await t("peer recv(0) at EOF", () => s.recv(0));
await s.shutdown(socket.SHUT_RD);
await t("tcp recv(0) after own SHUT_RD", () => s.recv(0));
c.close();
s.close();
await t("closed recv(0)", () => s.recv(0));
await t("closed send(b'')", () => s.send(b("")));
const u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
u.bind(["127.0.0.1", 0]);
u.settimeout(2);
const v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
v.settimeout(2);
await t("udp sendto(b'')", () => v.sendto(b(""), u.getsockname()));
await t("udp recvfrom empty dgram", async () => (await u.recvfrom(10))[0]);
await t("udp sendto(b'') recv(0)", async () => [await v.sendto(b("abc"), u.getsockname()), await u.recv(0)]);
await t("udp recv after recv(0)", () => u.recv(10));
await v.connect(u.getsockname());
await t("udp sendmsg([])", () => v.sendmsg([]));
await t("udp recv empty", () => u.recv(10));
await t("udp recv_into(empty) of 3 bytes", async () => [await v.send(b("xyz")), await u.recv_into(new Uint8Array(0))]);
await t("udp recv after that", () => u.recv(10));
await v.shutdown(socket.SHUT_WR);
await t("udp send(b'') after SHUT_WR", () => v.send(b("")));
const [a, bb] = await socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM);
bb.settimeout(2);
await t("unix dgram send(b'')", () => a.send(b("")));
await t("unix dgram recv empty", () => bb.recv(10));
await t("unix dgram recv(0) of 3", async () => [await a.send(b("abc")), await bb.recv(0)]);
await t("unix dgram recv after", () => bb.recv(10));
const [x, y] = await socket.socketpair();
y.settimeout(0.3);
await t("unix stream send(b'')", () => x.send(b("")));
await t("unix stream recv after empty send", () => y.recv(10));
for (const sock of [ls, u, v, a, bb, x, y]) sock.close();

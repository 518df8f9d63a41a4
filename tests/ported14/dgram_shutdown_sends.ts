// Port of dgram_shutdown_sends.py.
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { b, print, repr } from "../ported/_py.ts";

async function attempt(label: string, fn: () => Promise<unknown>) {
  let r: unknown;
  try {
    r = await fn();
  } catch (e) {
    if (!(e instanceof socket.OSError)) throw e;
    print(`  ${label}: ${e.constructor.name} ${e.message}`);
    return;
  }
  print(`  ${label}: -> ${repr(r)}`);
}

async function family(name: string, a: Socket, bb: Socket, big: number) {
  print(name);
  bb.settimeout(5);
  a.settimeout(5);
  await a.send(b("before"));
  print("  b got:", await bb.recv(100));
  await a.shutdown(socket.SHUT_WR);
  await attempt("small send after SHUT_WR", () => a.send(b("x")));
  await attempt(`send of ${big} bytes after SHUT_WR`, () => a.send(b("x".repeat(big))));
  await attempt(`send of ${big - 1} bytes after SHUT_WR`, () => a.send(b("x".repeat(big - 1))));
  await bb.send(b("still receiving"));
  print("  a got:", await a.recv(100));
  await bb.send(b("queued"));
  a.settimeout(0.3);
  await a.shutdown(socket.SHUT_RD);
  await attempt("recv after SHUT_RD (queued)", () => a.recv(100));
  await attempt("recv after SHUT_RD (empty)", () => a.recv(100));
  a.close();
  bb.close();
}

async function udp_pair(fam: number, host: string): Promise<[Socket, Socket]> {
  const a = socket.socket(fam, socket.SOCK_DGRAM);
  const bb = socket.socket(fam, socket.SOCK_DGRAM);
  a.bind([host, 0]);
  bb.bind([host, 0]);
  await a.connect(bb.getsockname());
  await bb.connect(a.getsockname());
  return [a, bb];
}

await family("udp4", ...await udp_pair(socket.AF_INET, "127.0.0.1"), 65508);
await family("udp6", ...await udp_pair(socket.AF_INET6, "::1"), 65528);
const [a, bb] = await socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM);
await family("unix dgram", a, bb, 300000);

// an unbound UDP socket: shutdown() raises ENOTCONN but still shuts; the send that then raises EPIPE has bound it
const u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
print("unbound udp");
await attempt("shutdown(SHUT_WR)", () => u.shutdown(socket.SHUT_WR));
await attempt("sendto", () => u.sendto(b("x"), ["127.0.0.1", 9]));
print("  bound by that send:", (u.getsockname() as [string, number])[1] !== 0);
u.close();

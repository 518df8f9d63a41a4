// Port of udp_send_first.py (the echo thread is a task; errno.errorcode is socket.errorcode; the lambdas are
// arrow functions, awaited by report()).
import * as socket from "../../mod.ts";
import { b, bupper, print } from "../ported/_py.ts";

const fixes_only = Deno.args.length === 1 && Deno.args[0] === "fixes";

async function report(label: string, fn: () => unknown) {
  try {
    const r = await fn();
    print(label, "->", r);
  } catch (e) {
    if (!(e instanceof socket.OSError)) throw e;
    print(label, "->", e.constructor.name, socket.errorcode[e.errno!]);
  }
}

const peer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
peer.bind(["127.0.0.1", 0]);
peer.settimeout(5);

async function echo() {
  for (let i = 0; i < 3; i++) {
    const [data, addr] = await peer.recvfrom(64);
    await peer.sendto(bupper(data), addr!);
  }
}

const t = echo();

for (const how of ["send", "sendmsg", "big sendto"]) {
  const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  s.settimeout(5);
  print("== " + how);
  const name = () => s.getsockname() as [string, number];
  print("port before:", name()[1]);
  if (how === "send") await report("send without a destination", () => s.send(b("hi")));
  else if (how === "sendmsg") await report("sendmsg without an address", () => s.sendmsg([b("h"), b("i")]));
  else await report("sendto of 70000 bytes", () => s.sendto(new Uint8Array(70000).fill(0x78), peer.getsockname()));
  if (!fixes_only) {
    print("bound by the failed send:", name()[0], name()[1] !== 0);
    await report("bind afterwards", () => s.bind(["127.0.0.1", 0]));
  }
  if (how !== "sendmsg") {
    await s.sendto(b("fixed by sendto"), peer.getsockname());
  } else {
    await s.connect(peer.getsockname());
    await s.send(b("fixed by connect"));
  }
  print("reply:", (await s.recvfrom(64))[0]);
  s.close();
}
await t;
peer.close();

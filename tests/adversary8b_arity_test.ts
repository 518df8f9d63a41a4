// adv8b: argument checks with a trailing keyword object (README rule 7): legal calls with the object in every
// legal place, undefined in the middle, and a subclass forwarding every parameter to super are never refused;
// naming a parameter of a function CPython takes no keyword for raises CPython's "takes no keyword arguments".

import assert from "node:assert/strict";
import * as m from "../mod.ts";
import { python_json } from "./_twin.ts";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3");
const { AF_INET, SOCK_DGRAM, socket, create_server } = m;
type Fn = (...a: unknown[]) => unknown;

test("adversary8b: sendto() with a trailing undefined or options after undefined, as a subclass forwards them", async () => {
  const u = socket(AF_INET, SOCK_DGRAM);
  const r = socket(AF_INET, SOCK_DGRAM);
  try {
    r.bind(["127.0.0.1", 0]);
    r.settimeout(5);
    const to = r.getsockname();
    const signal = new AbortController().signal;
    const d = new Uint8Array([1, 2]);
    class Forwarding extends m.Socket {
      override sendto(
        data: m.Buffer,
        flagsOrAddress: number | m.AddressInput | null,
        address?: m.AddressInput | null | m.SignalOptions,
        options?: m.SignalOptions,
      ): Promise<number> {
        return super.sendto(data, flagsOrAddress, address, options);
      }
    }
    const f = new Forwarding(AF_INET, SOCK_DGRAM);
    const calls: [string, () => Promise<number>][] = [
      ["sendto(d, 0, a, undefined)", () => u.sendto(d, 0, to, undefined)],
      ["sendto(d, a, undefined, {signal})", () => u.sendto(d, to, undefined, { signal })],
      ["sendto(d, a, {signal}, undefined)", () => (u.sendto as Fn)(d, to, { signal }, undefined) as Promise<number>],
      ["subclass sendto(d, a)", () => f.sendto(d, to)],
      ["subclass sendto(d, 0, a)", () => f.sendto(d, 0, to)],
      ["subclass sendto(d, a, {signal})", () => f.sendto(d, to, { signal })],
    ];
    for (const [name, call] of calls) {
      assert.equal(await call(), 2, name);
      assert.deepEqual(await r.recv(10), d, name);
    }
    f.close();
    // Still CPython's count errors.
    await assert.rejects(() => (u.sendto as Fn)(d) as Promise<number>, {
      message: "sendto() takes 2 or 3 arguments (1 given)",
    });
    await assert.rejects(() => (u.sendto as Fn)(d, 0, 0, to) as Promise<number>, {
      message: "sendto() takes 2 or 3 arguments (4 given)",
    });
  } finally {
    u.close();
    r.close();
  }
});

test("adversary8b: create_server({ address }) names its one positional parameter, as CPython's create_server(address=)", () => {
  const s = (create_server as Fn)({ address: ["127.0.0.1", 0], backlog: 2 }) as m.Socket;
  try {
    assert.equal((s.getsockname() as [string, number])[0], "127.0.0.1");
  } finally {
    s.close();
  }
});

test("adversary8b: naming a parameter CPython takes no keyword for raises its 'takes no keyword arguments'", async () => {
  const want = await python_json(
    `import json, socket
s = socket.socket()
calls = [lambda: s.bind(address=("127.0.0.1", 0)), lambda: s.settimeout(value=1), lambda: s.setblocking(flag=True),
  lambda: s.listen(backlog=1), lambda: s.shutdown(how=1), lambda: s.getsockopt(level=1, optname=2),
  lambda: s.setsockopt(1, 2, value=1), lambda: socket.inet_aton(ip_string="1.2.3.4"), lambda: socket.htons(x=1),
  lambda: socket.htonl(x=1), lambda: socket.inet_ntop(socket.AF_INET, packed_ip=b"1234"),
  lambda: socket.setdefaulttimeout(timeout=1), lambda: socket.CMSG_LEN(length=1), lambda: socket.getservbyname("http", proto="tcp")]
out = []
for c in calls:
    try: c(); out.append("ok")
    except TypeError as e: out.append(str(e))
s.close()
print(json.dumps(out))`,
    null,
  );
  const sock = socket();
  const s = (name: string, ...a: unknown[]) => (sock as unknown as Record<string, Fn>)[name]!.apply(sock, a);
  const k = (o: object) => o;
  const calls: (() => unknown)[] = [
    () => s("bind", k({ address: ["127.0.0.1", 0] })),
    () => s("settimeout", k({ value: 1 })),
    () => s("setblocking", k({ flag: true })),
    () => s("listen", k({ backlog: 1 })),
    () => s("shutdown", k({ how: 1 })),
    () => s("getsockopt", k({ level: 1, optname: 2 })),
    () => s("setsockopt", 1, 2, k({ value: 1 })),
    () => (m.inet_aton as Fn)(k({ ip_string: "1.2.3.4" })),
    () => (m.htons as Fn)(k({ x: 1 })),
    () => (m.htonl as Fn)(k({ x: 1 })),
    () => (m.inet_ntop as Fn)(AF_INET, k({ packed_ip: new Uint8Array(4) })),
    () => (m.setdefaulttimeout as Fn)(k({ timeout: 1 })),
    () => (m.CMSG_LEN as Fn)(k({ length: 1 })),
    () => (m.getservbyname as Fn)("http", k({ proto: "tcp" })),
  ];
  const got: string[] = [];
  for (const c of calls) {
    try {
      await c();
      got.push("ok");
    } catch (e) {
      got.push(e instanceof TypeError ? e.message : `${(e as Error).name}: ${(e as Error).message}`);
    }
  }
  sock.close();
  assert.deepEqual(got, want);
  // A trailing { signal } alone is no keyword: these still run.
  const signal = new AbortController().signal;
  assert.equal((m.htons as Fn)(1, { signal }), 256);
});

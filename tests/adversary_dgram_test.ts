// The adversary's datagram tests: a connected UDP or Unix datagram socket
// receives only from its peer, as the kernel's connected sockets do. A
// stranger sends from another port, from another loopback address with the
// peer's port number, and (Unix) from an unbound socket and another name;
// python3 plays the stranger and the peer.

import assert from "node:assert/strict";
import { AF_INET, AF_UNIX, SOCK_DGRAM, socket } from "../mod.ts";
import { lone_v4, test_needing, within } from "./_socket_fixtures.ts";

const test = test_needing("python3");

const dec = new TextDecoder();

async function run(script: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command("python3", {
    args: ["-c", script, ...args],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
    signal: AbortSignal.timeout(20_000),
  }).output();
  return dec.decode(out.stdout) + dec.decode(out.stderr);
}

test("adversary: a connected UDP socket never returns a stranger's datagram (other port, other loopback address with the peer's port)", async () => {
  // The peer is on a loopback address of this test's own: a UDP port freed there cannot be given meanwhile to
  // another test file's socket (the files run in parallel) before python3 binds it again.
  const peer_host = lone_v4();
  const peer_port_probe = socket(AF_INET, SOCK_DGRAM);
  peer_port_probe.bind([peer_host, 0]);
  const peer_port = (peer_port_probe.getsockname() as [string, number])[1];
  peer_port_probe.close();
  const u = socket(AF_INET, SOCK_DGRAM);
  u.bind(["127.0.0.1", 0]);
  await u.connect([peer_host, peer_port]);
  const port = (u.getsockname() as [string, number])[1];
  const log = await run(
    `
import socket, sys
port, peer_port, peer_host = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
for src in [("127.0.0.1", 0), ("127.0.0.2", peer_port), ("127.0.0.3", peer_port)]:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind(src)
        s.sendto(b"STRANGER from %r" % (src,), ("127.0.0.1", port))
    except OSError as e:
        print("skip", src, e)
    s.close()
p = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); p.bind((peer_host, peer_port))
p.sendto(b"peer", ("127.0.0.1", port))
print("sent")
`,
    String(port),
    String(peer_port),
    peer_host,
  );
  assert.match(log, /sent/, log);
  const got = dec.decode(await within(u.recv(100), 10_000, "recv"));
  assert.equal(got, "peer");
  u.close();
});

test("adversary: a connected Unix datagram socket never returns a stranger's datagram (unbound, or bound to another name)", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "pysocket_adv_dgram_" });
  try {
    const me = `${dir}/me`;
    const peer = `${dir}/peer`;
    const u = socket(AF_UNIX, SOCK_DGRAM);
    u.bind(me);
    const p = socket(AF_UNIX, SOCK_DGRAM);
    p.bind(peer);
    await u.connect(peer);
    const log = await run(
      `
import os, socket, sys
me, d = sys.argv[1], sys.argv[2]
for name in [None, d + "/stranger", "\\0pysocket-stranger-" + os.path.basename(d)]:  # abstract: machine-wide
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    if name: s.bind(name)
    try:
        s.sendto(b"STRANGER", me)
    except OSError as e:
        print("refused", e)
    s.close()
print("sent")
`,
      me,
      dir,
    );
    assert.match(log, /sent/, log);
    await p.sendto(new TextEncoder().encode("peer"), me);
    const got = dec.decode(await within(u.recv(100), 10_000, "recv"));
    assert.equal(got, "peer");
    u.close();
    p.close();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

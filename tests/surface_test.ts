// The rest of Python's socket surface: every public name of CPython's
// `socket` module and `socket.socket` that a porting user could call exists
// here, and what Deno cannot honour raises an OSError that says why.

import assert from "node:assert/strict";
import * as m from "../mod.ts";
import { AF_INET, AF_UNIX, errno, OSError, SOCK_STREAM, socket, socketpair } from "../mod.ts";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3");

const exported = m as Record<string, unknown>;

/** Python names deliberately absent, with the reason. */
const LEFT_OUT: Record<string, string> = {
  SocketIO: "socket files are SocketFile (makefile); no raw io.RawIOBase class",
  IntEnum: "Python's enum module, re-exported by accident",
  IntFlag: "Python's enum module, re-exported by accident",
  array: "a Python module",
  io: "a Python module",
  os: "a Python module",
  selectors: "a Python module (see ./selectors)",
  sys: "a Python module",
  errorTab: "Windows only",
};

/** Families of constants Deno has no sockets for (CAN, TIPC, ALG, ...): left out of constants.ts on purpose. */
const LEFT_OUT_PREFIXES = [
  "ALG_",
  "CAN_",
  "J1939_",
  "NETLINK_",
  "PACKET_",
  "PF_",
  "TIPC_",
  "VMADDR_",
  "VM_SOCKETS_",
  "IOCTL_VM_",
  "UDPLITE_",
  "CAPI",
  "AF_DECnet",
];

async function python_names(): Promise<{ module: string[]; socket: string[] } | null> {
  try {
    const out = await new Deno.Command("python3", {
      args: [
        "-c",
        "import socket, json; print(json.dumps({'module': [n for n in dir(socket) if not n.startswith('_')], " +
        "'socket': [n for n in dir(socket.socket) if not n.startswith('_')]}))",
      ],
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!out.success) return null;
    return JSON.parse(new TextDecoder().decode(out.stdout));
  } catch {
    return null;
  }
}

test("mod.ts has every public name of CPython's socket module (or a documented reason)", async () => {
  const py = await python_names();
  if (py === null) return console.log("skip: python3 not available");
  const missing = py.module.filter((n) =>
    !(n in exported) && !(n in LEFT_OUT) && !LEFT_OUT_PREFIXES.some((p) => n.startsWith(p))
  );
  assert.deepEqual(missing, []);
});

test("Socket has every public method and attribute of CPython's socket.socket (or a documented reason)", async () => {
  const py = await python_names();
  if (py === null) return console.log("skip: python3 not available");
  using s = socket();
  const gone: Record<string, string> = { sendmsg_afalg: "AF_ALG sockets do not exist on Deno" };
  const missing = py.socket.filter((n) => !(n in s) && !(n in gone));
  assert.deepEqual(missing, []);
});

test("AddressFamily, SocketKind, MsgFlag, AddressInfo map names to numbers and back, as CPython's enums", async () => {
  assert.equal(m.AddressFamily.AF_INET, 2);
  assert.equal(m.AddressFamily.AF_INET6, 10);
  assert.equal(m.AddressFamily[1], "AF_UNIX");
  assert.equal(m.AddressFamily[16], "AF_NETLINK"); // AF_ROUTE is the alias, as in Python
  assert.equal(m.AddressFamily.AF_ROUTE, 16);
  assert.equal(m.SocketKind.SOCK_DGRAM, 2);
  assert.equal(m.SocketKind[1], "SOCK_STREAM");
  assert.equal(m.MsgFlag.MSG_PEEK, m.MSG_PEEK);
  assert.equal(m.MsgFlag[64], "MSG_DONTWAIT");
  assert.equal(m.AddressInfo.AI_PASSIVE, m.AI_PASSIVE);
  assert.ok(Object.isFrozen(m.AddressFamily) && Object.isFrozen(m.MsgFlag));
  using s = socket(AF_UNIX, SOCK_STREAM);
  assert.equal(m.AddressFamily[s.family], "AF_UNIX");
  assert.equal(m.SocketKind[s.type], "SOCK_STREAM");
  // Every member agrees with python3 (names, aliases and numbers).
  const out = await new Deno.Command("python3", {
    args: [
      "-c",
      "import socket, json; print(json.dumps({E.__name__: [{n: int(v) for n, v in E.__members__.items()}, " +
      "{int(v): v.name for v in E}] for E in (socket.AddressFamily, socket.SocketKind, socket.MsgFlag, socket.AddressInfo)}))",
    ],
    stdout: "piped",
    stderr: "null",
  }).output().catch(() => null);
  if (!out?.success) return;
  const py: Record<string, [Record<string, number>, Record<string, string>]> = JSON.parse(
    new TextDecoder().decode(out.stdout),
  );
  for (const [name, [members, names]] of Object.entries(py)) {
    const ours = exported[name] as Record<string, unknown>;
    for (const [k, v] of Object.entries(members)) assert.equal(ours[k], v, `${name}.${k}`);
    for (const [v, k] of Object.entries(names)) assert.equal(ours[v], k, `${name}[${v}]`);
  }
});

test("CMSG_LEN and CMSG_SPACE give Linux's sizes; out of range is RangeError", () => {
  assert.equal(m.CMSG_LEN(0), 16);
  assert.equal(m.CMSG_LEN(4), 20);
  assert.equal(m.CMSG_SPACE(0), 16);
  assert.equal(m.CMSG_SPACE(4), 24);
  assert.equal(m.CMSG_SPACE(8), 24);
  assert.equal(m.CMSG_SPACE(9), 32);
  assert.throws(() => m.CMSG_LEN(-1), { name: "RangeError", message: "CMSG_LEN() argument out of range" });
  assert.throws(() => m.CMSG_SPACE(-1), { name: "RangeError", message: "CMSG_SPACE() argument out of range" });
  assert.throws(() => m.CMSG_LEN("4" as unknown as number), TypeError);
});

test("EAGAIN, EWOULDBLOCK and EBADF are the socket module's errno re-exports", () => {
  assert.equal(m.EAGAIN, errno.EAGAIN);
  assert.equal(m.EWOULDBLOCK, errno.EAGAIN);
  assert.equal(m.EBADF, errno.EBADF);
});

function assert_oserror(f: () => unknown, code: number, text: RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof OSError, String(e));
    assert.equal(e.errno, code, e.message);
    assert.match(e.message, text);
    return true;
  });
}

test("close(fd) closes a detached socket; other numbers are EBADF", () => {
  const s = socket();
  const fd = s.detach();
  m.close(fd);
  // The number is gone: adopting or closing it again is EBADF.
  assert_oserror(() => socket(undefined, undefined, undefined, fd), errno.EBADF, /Bad file descriptor/);
  assert_oserror(() => m.close(fd), errno.EBADF, /^\[Errno 9\] Bad file descriptor: close\(\d+\): .*detach/);
  using t = socket();
  assert_oserror(() => m.close(t.fileno()), errno.EBADF, /not OS descriptors/);
  assert.ok(t.fileno() >= 0); // a live socket is not closed under its owner
});

test("fromfd() adopts a detached socket; a foreign or mismatched number raises", () => {
  const s = socket();
  const fd = s.detach();
  assert_oserror(() => m.fromfd(fd, AF_UNIX, SOCK_STREAM), errno.EINVAL, /family 2, type 1/);
  using t = m.fromfd(fd, AF_INET, SOCK_STREAM);
  assert.equal(t.fileno(), fd);
  assert.equal(t.family, AF_INET);
  assert_oserror(() => m.fromfd(0, AF_INET, SOCK_STREAM), errno.EBADF, /fromfd\(0\).*detach/);
});

test("dup() and Socket.dup() raise EOPNOTSUPP saying why", () => {
  using s = socket();
  assert_oserror(() => s.dup(), errno.EOPNOTSUPP, /^\[Errno 95\] Operation not supported: dup\(\): Deno/);
  assert_oserror(() => m.dup(s.fileno()), errno.EOPNOTSUPP, /file descriptors/);
  s.close();
  assert_oserror(() => s.dup(), errno.EBADF, /Bad file descriptor/);
});

test("Socket.get_inheritable() is false; set_inheritable(true) raises", () => {
  const s = socket();
  assert.equal(s.get_inheritable(), false);
  s.set_inheritable(false);
  assert_oserror(() => s.set_inheritable(true), errno.EOPNOTSUPP, /child processes/);
  s.close();
  assert_oserror(() => s.get_inheritable(), errno.EBADF, /Bad file descriptor/);
});

test("sethostname() raises PermissionError (EPERM) saying Deno cannot", () => {
  assert.throws(() => m.sethostname("box"), (e: unknown) => {
    assert.ok(e instanceof m.PermissionError);
    assert.equal(e.errno, errno.EPERM);
    assert.match(e.message, /^\[Errno 1\] Operation not permitted: sethostname\(\): Deno/);
    return true;
  });
  assert.throws(() => m.sethostname(5 as unknown as string), TypeError);
});

test("Socket.sendmsg() joins the buffers; recvmsg() and recvmsg_into() return Python's 4-tuples", async () => {
  const [a, b] = await socketpair();
  try {
    const enc = new TextEncoder();
    assert.equal(await a.sendmsg([enc.encode("ab"), enc.encode("cd")]), 4);
    const [data, anc, flags, addr] = await b.recvmsg(4);
    assert.equal(await a.sendmsg([enc.encode("e")], [], 0), 1);
    assert.deepEqual([new TextDecoder().decode(data), anc, flags, addr], ["abcd", [], 0, null]);
    const x = new Uint8Array(1), y = new Uint8Array(3);
    assert.equal(await a.sendmsg([enc.encode("fgh")]), 3);
    await new Promise((r) => setTimeout(r, 20));
    const [n, anc2] = await b.recvmsg_into([x, y]);
    assert.equal(n, 4);
    assert.deepEqual(anc2, []);
    assert.deepEqual([...x, ...y], [..."efgh"].map((c) => c.charCodeAt(0)));
    // Ancillary data cannot be sent on Deno; room for it on a receive stays empty (as CPython when none arrives).
    await assert.rejects(a.sendmsg([enc.encode("x")], [[1, 1, new Uint8Array(4)]]), (e: unknown) => {
      assert.ok(e instanceof OSError && e.errno === errno.EOPNOTSUPP && /control messages/.test(e.message));
      return true;
    });
    assert.equal(await a.sendmsg([enc.encode("ij")]), 2);
    const [d3, anc3, flags3] = await b.recvmsg(4, m.CMSG_SPACE(4));
    assert.deepEqual([new TextDecoder().decode(d3), anc3, flags3], ["ij", [], 0]);
    await assert.rejects(b.recvmsg(4, -1), RangeError);
    await assert.rejects(a.sendmsg(5 as unknown as Uint8Array[]), TypeError);
    await assert.rejects(a.sendmsg(["str"] as unknown as Uint8Array[]), TypeError);
  } finally {
    a.close();
    b.close();
  }
});

test("send_fds() sends without fds and raises with fds; recv_fds() raises", async () => {
  const [a, b] = await socketpair();
  try {
    assert.equal(await m.send_fds(a, [new Uint8Array([7])], []), 1);
    assert.deepEqual(await b.recv(4), new Uint8Array([7]));
    await assert.rejects(m.send_fds(a, [new Uint8Array([1])], [0]), (e: unknown) => {
      assert.ok(e instanceof OSError && e.errno === errno.EOPNOTSUPP && /SCM_RIGHTS/.test(e.message));
      return true;
    });
    await assert.rejects(m.recv_fds(b, 16, 1), (e: unknown) => {
      assert.ok(e instanceof OSError && e.errno === errno.EOPNOTSUPP && /SCM_RIGHTS/.test(e.message));
      return true;
    });
  } finally {
    a.close();
    b.close();
  }
  await assert.rejects(m.recv_fds(b, 16, 1), (e: unknown) => e instanceof OSError && e.errno === errno.EBADF);
});

test("Socket.timeout mirrors gettimeout(), as CPython's attribute", () => {
  using s = socket();
  assert.equal(s.timeout, null);
  s.settimeout(1.5);
  assert.equal(s.timeout, 1.5);
  s.setblocking(false);
  assert.equal(s.timeout, 0);
});

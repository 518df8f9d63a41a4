// Pins the export surface of mod.ts: the core names must stay, with the
// right kind and value, and no camelCase alias may appear (API.md rule 1).
// Other entry points add names over time; this file pins the core only.

import assert from "node:assert/strict";
import * as mod from "../mod.ts";

/** The core names of mod.ts (stream sockets, errors, helpers), sorted. */
const CORE_NAMES = [
  "AF_INET",
  "AF_INET6",
  "AF_UNIX",
  "AF_UNSPEC",
  "BlockingIOError",
  "BrokenPipeError",
  "ConnectionAbortedError",
  "ConnectionError",
  "ConnectionRefusedError",
  "ConnectionResetError",
  "FileExistsError",
  "FileNotFoundError",
  "INADDR_ANY",
  "INADDR_LOOPBACK",
  "IPPROTO_IP",
  "IPPROTO_IPV6",
  "IPPROTO_TCP",
  "IPPROTO_UDP",
  "IPV6_V6ONLY",
  "InterruptedError",
  "MSG_DONTWAIT",
  "MSG_NOSIGNAL",
  "MSG_OOB",
  "MSG_PEEK",
  "MSG_TRUNC",
  "MSG_WAITALL",
  "OSError",
  "PermissionError",
  "SHUT_RD",
  "SHUT_RDWR",
  "SHUT_WR",
  "SOCK_CLOEXEC",
  "SOCK_DGRAM",
  "SOCK_NONBLOCK",
  "SOCK_STREAM",
  "SOL_SOCKET",
  "SOMAXCONN",
  "SO_ACCEPTCONN",
  "SO_ERROR",
  "SO_KEEPALIVE",
  "SO_REUSEADDR",
  "SO_REUSEPORT",
  "SO_TYPE",
  "Socket",
  "SocketFile",
  "SocketType",
  "TCP_NODELAY",
  "TimeoutError",
  "create_connection",
  "create_server",
  "errno",
  "error",
  "errorcode",
  "gaierror",
  "getdefaulttimeout",
  "has_dualstack_ipv6",
  "has_ipv6",
  "herror",
  "setdefaulttimeout",
  "socket",
  "socketpair",
  "strerror",
  "timeout",
] as const;

/** Linux's numbers, as CPython 3.11 prints them on Linux. */
const CONSTANT_VALUES: Record<string, number> = {
  AF_INET: 2,
  AF_INET6: 10,
  AF_UNIX: 1,
  AF_UNSPEC: 0,
  INADDR_ANY: 0,
  INADDR_LOOPBACK: 0x7f000001,
  IPPROTO_IP: 0,
  IPPROTO_IPV6: 41,
  IPPROTO_TCP: 6,
  IPPROTO_UDP: 17,
  IPV6_V6ONLY: 26,
  MSG_DONTWAIT: 64,
  MSG_NOSIGNAL: 16384,
  MSG_OOB: 1,
  MSG_PEEK: 2,
  MSG_TRUNC: 32,
  MSG_WAITALL: 256,
  SHUT_RD: 0,
  SHUT_RDWR: 2,
  SHUT_WR: 1,
  SOCK_CLOEXEC: 524288,
  SOCK_DGRAM: 2,
  SOCK_NONBLOCK: 2048,
  SOCK_STREAM: 1,
  SOL_SOCKET: 1,
  SOMAXCONN: 4096,
  SO_ACCEPTCONN: 30,
  SO_ERROR: 4,
  SO_KEEPALIVE: 9,
  SO_REUSEADDR: 2,
  SO_REUSEPORT: 15,
  SO_TYPE: 3,
  TCP_NODELAY: 1,
};

const CLASSES = [
  "BlockingIOError",
  "BrokenPipeError",
  "ConnectionAbortedError",
  "ConnectionError",
  "ConnectionRefusedError",
  "ConnectionResetError",
  "FileExistsError",
  "FileNotFoundError",
  "InterruptedError",
  "OSError",
  "PermissionError",
  "Socket",
  "SocketFile",
  "TimeoutError",
  "gaierror",
  "herror",
];

const FUNCTIONS = [
  "create_connection",
  "create_server",
  "getdefaulttimeout",
  "has_dualstack_ipv6",
  "setdefaulttimeout",
  "socket",
  "socketpair",
  "strerror",
];

const exported = mod as Record<string, unknown>;

Deno.test("mod.ts exports every pinned core name", () => {
  assert.deepEqual([...CORE_NAMES], [...CORE_NAMES].sort(), "keep the pinned list sorted");
  const missing = CORE_NAMES.filter((n) => !(n in exported));
  assert.deepEqual(missing, []);
});

Deno.test("mod.ts core names have the right kind and value", () => {
  for (const n of CLASSES) {
    assert.equal(typeof exported[n], "function", n);
    assert.ok((exported[n] as { prototype?: unknown }).prototype, n);
  }
  for (const n of FUNCTIONS) assert.equal(typeof exported[n], "function", n);
  for (const [n, v] of Object.entries(CONSTANT_VALUES)) assert.equal(exported[n], v, n);
  // Python's aliases.
  assert.equal(mod.error, mod.OSError);
  assert.equal(mod.timeout, mod.TimeoutError);
  assert.equal(mod.SocketType, mod.Socket);
  assert.equal(mod.has_ipv6, true);
  // The exception hierarchy.
  for (const n of CLASSES.filter((c) => c.endsWith("Error") || c === "gaierror" || c === "herror")) {
    if (n === "OSError") continue;
    assert.ok((exported[n] as { prototype: unknown }).prototype instanceof mod.OSError, `${n} extends OSError`);
  }
  for (const n of ["BrokenPipeError", "ConnectionAbortedError", "ConnectionRefusedError", "ConnectionResetError"]) {
    assert.ok((exported[n] as { prototype: unknown }).prototype instanceof mod.ConnectionError, n);
  }
  assert.equal(mod.errno.ECONNREFUSED, 111);
  assert.equal(mod.errorcode[111], "ECONNREFUSED");
});

Deno.test("mod.ts exports no camelCase aliases", () => {
  const camel = Object.keys(exported).filter((n) => /^[a-z][a-z0-9]*[A-Z]/.test(n));
  assert.deepEqual(camel, []);
  // Constants are UPPER_CASE numbers (or bigints for a few 64-bit values).
  // (CMSG_LEN and CMSG_SPACE are functions in Python too.)
  for (const n of Object.keys(exported).filter((k) => /^[A-Z][A-Z0-9_]*$/.test(k) && !k.startsWith("CMSG_"))) {
    assert.ok(["number", "bigint"].includes(typeof exported[n]), `${n} is ${typeof exported[n]}`);
  }
  // Nor on the socket and socket-file objects (private helpers start with `_`).
  const own = (p: object) => Object.getOwnPropertyNames(p).filter((n) => n !== "constructor" && n !== "toString");
  for (const proto of [mod.Socket.prototype, mod.SocketFile.prototype]) {
    const camelMethods = own(proto).filter((n) => /^[a-z][a-z0-9]*[A-Z]/.test(n));
    assert.deepEqual(camelMethods, []);
  }
  const methods = own(mod.Socket.prototype);
  for (
    const n of [
      "accept",
      "bind",
      "close",
      "connect",
      "connect_ex",
      "detach",
      "fileno",
      "getblocking",
      "getpeername",
      "getsockname",
      "getsockopt",
      "gettimeout",
      "listen",
      "makefile",
      "recv",
      "recv_into",
      "recvfrom",
      "recvfrom_into",
      "send",
      "sendall",
      "sendfile",
      "sendto",
      "setblocking",
      "setsockopt",
      "settimeout",
      "shutdown",
    ]
  ) assert.ok(methods.includes(n), `Socket.${n}`);
});

Deno.test("mod.ts has no default export", () => {
  assert.equal("default" in exported, false);
});

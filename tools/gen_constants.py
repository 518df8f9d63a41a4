#!/usr/bin/env python3
"""Regenerate constants.ts and _errno_table.ts from the CPython on this Linux host.

Run: python3 tools/gen_constants.py   (then: deno fmt)
The numbers are Linux's, taken from CPython's own socket and errno modules, so
pysocket prints exactly what CPython prints on Linux.
"""
import errno
import os
import socket
import sys

PREFIXES = ("AF_", "AI_", "EAI_", "INADDR_", "IP_", "IPPORT_", "IPPROTO_",
            "IPV6_", "MSG_", "NI_", "SCM_", "SHUT_", "SO_", "SOCK_", "SOL_",
            "TCP_")
EXTRA = ("SOMAXCONN",)
# One group per prefix: a one-line description for each constant, and, on the
# group's representative, a paragraph and one runnable example (instead of a
# `console.log(X) // N` per constant). Examples import `@pysocket/socket`, the
# specifier a JSR user writes; the package resolves its own name, so
# `deno test --doc constants.ts` runs them.
GROUPS = [
    # (prefix, one-line doc, representative, group paragraph, example lines)
    ("AF_", "Address family", "AF_INET",
     "The address families (`socket()`'s first argument, `s.family`). pysocket creates\n"
     "sockets of `AF_INET` (IPv4), `AF_INET6` (IPv6) and `AF_UNIX` (local); the other\n"
     "families are Linux's numbers for comparison, and `socket()` raises `OSError`\n"
     "(`EAFNOSUPPORT`) for them. `AddressFamily` maps a number back to its name.",
     ['import { AddressFamily, AF_INET, AF_INET6, AF_UNIX, SOCK_STREAM, socket } from "@pysocket/socket";',
      "for (const family of [AF_INET, AF_INET6, AF_UNIX]) {",
      "  using s = socket(family, SOCK_STREAM);",
      "  console.log(AddressFamily[s.family], s.family);",
      "}",
      '// AF_INET 2',
      '// AF_INET6 10',
      '// AF_UNIX 1']),
    ("AI_", "getaddrinfo() flag", "AI_PASSIVE",
     "The `getaddrinfo()` flags (its sixth argument). `AI_PASSIVE` with no host gives\n"
     "the wildcard address a server binds; `AI_NUMERICHOST` refuses names, so nothing\n"
     "is looked up.",
     ['import { AF_INET, AI_PASSIVE, getaddrinfo, SOCK_STREAM } from "@pysocket/socket";',
      "console.log(await getaddrinfo(null, 8080, AF_INET, SOCK_STREAM, 0, AI_PASSIVE));",
      '// [ [ 2, 1, 6, "", [ "0.0.0.0", 8080 ] ] ]']),
    ("EAI_", "getaddrinfo() error code (a gaierror's errno)", "EAI_NONAME",
     "The `getaddrinfo()` error codes: a `gaierror`'s `errno` is one of these\n"
     "(negative, as glibc and CPython have them).",
     ['import { AI_NUMERICHOST, EAI_NONAME, gaierror, getaddrinfo } from "@pysocket/socket";',
      "try {",
      '  await getaddrinfo("localhost", 80, 0, 0, 0, AI_NUMERICHOST); // a name, but only numbers allowed',
      "} catch (e) {",
      "  console.log(e instanceof gaierror && e.errno === EAI_NONAME); // true",
      "}"]),
    ("INADDR_", "IPv4 special address (host byte order)", "INADDR_LOOPBACK",
     "IPv4 special addresses as 32-bit numbers in host byte order, as in C and\n"
     "Python. `htonl()` and `inet_ntoa()` turn one into the dotted form.",
     ['import { htonl, INADDR_ANY, INADDR_LOOPBACK, inet_ntoa } from "@pysocket/socket";',
      "const packed = new Uint8Array(new Uint32Array([htonl(INADDR_LOOPBACK)]).buffer);",
      "console.log(inet_ntoa(packed), INADDR_ANY); // 127.0.0.1 0"]),
    ("IP_", "IPPROTO_IP socket option", "IP_MULTICAST_TTL",
     "Socket options at level `IPPROTO_IP`. pysocket supports the multicast ones on\n"
     "UDP sockets (`IP_MULTICAST_TTL`, `IP_MULTICAST_LOOP`, `IP_ADD_MEMBERSHIP`,\n"
     "`IP_DROP_MEMBERSHIP`); the others raise `OSError` `ENOPROTOOPT`, because Deno\n"
     "exposes no way to set them. UDP needs `--unstable-net`.",
     ['import { AF_INET, IP_MULTICAST_TTL, IPPROTO_IP, SOCK_DGRAM, socket } from "@pysocket/socket";',
      "using u = socket(AF_INET, SOCK_DGRAM);",
      "u.setsockopt(IPPROTO_IP, IP_MULTICAST_TTL, 4);",
      "console.log(u.getsockopt(IPPROTO_IP, IP_MULTICAST_TTL)); // 4"]),
    ("IPPORT_", "Port number limit", "IPPORT_RESERVED",
     "Port number limits: ports below `IPPORT_RESERVED` (1024) are privileged on\n"
     "Linux, so binding one needs root (or `CAP_NET_BIND_SERVICE`).",
     ['import { getservbyname, IPPORT_RESERVED } from "@pysocket/socket";',
      'console.log(getservbyname("http") < IPPORT_RESERVED); // true: 80 is a privileged port']),
    ("IPPROTO_", "Protocol number", "IPPROTO_TCP",
     "IP protocol numbers: `socket()`'s third argument, the `proto` in\n"
     "`getaddrinfo()` results, and the level of protocol-specific socket options\n"
     "(`IPPROTO_TCP` for `TCP_NODELAY`). `getprotobyname()` gives the same numbers.",
     ['import { getprotobyname, IPPROTO_TCP, IPPROTO_UDP } from "@pysocket/socket";',
      'console.log(getprotobyname("tcp") === IPPROTO_TCP, getprotobyname("udp") === IPPROTO_UDP); // true true']),
    ("IPV6_", "IPPROTO_IPV6 socket option", "IPV6_V6ONLY",
     "Socket options at level `IPPROTO_IPV6`. Deno's IPv6 listeners are always\n"
     "dual-stack, so `IPV6_V6ONLY` can be set to 0 but setting it to 1 raises\n"
     "`OSError` `ENOPROTOOPT` rather than being ignored. The multicast options\n"
     "(`IPV6_JOIN_GROUP`, `IPV6_LEAVE_GROUP`, `IPV6_MULTICAST_LOOP`) work on UDP\n"
     "sockets; the others raise `ENOPROTOOPT`.",
     ['import { AF_INET6, errno, IPPROTO_IPV6, IPV6_V6ONLY, OSError, socket } from "@pysocket/socket";',
      "using s = socket(AF_INET6);",
      "s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 0); // dual-stack: what Deno does anyway",
      "try {",
      "  s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 1);",
      "} catch (e) {",
      "  console.log(e instanceof OSError && e.errno === errno.ENOPROTOOPT); // true",
      "}"]),
    ("MSG_", "send/recv flag", "MSG_PEEK",
     "Flags for `send`/`recv` and friends. pysocket supports `MSG_PEEK`,\n"
     "`MSG_WAITALL` and `MSG_DONTWAIT` on receives and `MSG_DONTWAIT` and\n"
     "`MSG_NOSIGNAL` on sends; the others (`MSG_OOB`, `MSG_TRUNC`, ...) raise\n"
     "`OSError` `EOPNOTSUPP`, because Deno has no such reads.",
     ['import { MSG_PEEK, socketpair } from "@pysocket/socket";',
      "const [a, b] = await socketpair();",
      'await a.sendall(new TextEncoder().encode("hello"));',
      "const peeked = await b.recv(5, MSG_PEEK); // the bytes stay queued",
      "const read = await b.recv(5);",
      "console.log(new TextDecoder().decode(peeked), new TextDecoder().decode(read)); // hello hello",
      "a.close();",
      "b.close();"]),
    ("NI_", "getnameinfo() flag", "NI_NUMERICHOST",
     "The `getnameinfo()` flags: `NI_NUMERICHOST` and `NI_NUMERICSERV` give numbers\n"
     "instead of names, so nothing is looked up.",
     ['import { getnameinfo, NI_NUMERICHOST, NI_NUMERICSERV } from "@pysocket/socket";',
      'console.log(await getnameinfo(["127.0.0.1", 80], NI_NUMERICHOST | NI_NUMERICSERV)); // [ "127.0.0.1", "80" ]']),
    ("SCM_", "Socket control message type", "SCM_RIGHTS",
     "Control message types for `sendmsg`/`recvmsg` ancillary data. Deno gives no\n"
     "access to control messages, so pysocket cannot pass descriptors\n"
     "(`SCM_RIGHTS`): `send_fds` with a descriptor raises `OSError` `EOPNOTSUPP`.",
     ['import { errno, OSError, send_fds, socketpair } from "@pysocket/socket";',
      "const [a, b] = await socketpair();",
      "try {",
      "  await send_fds(a, [new Uint8Array([1])], [0]); // would need SCM_RIGHTS",
      "} catch (e) {",
      "  console.log(e instanceof OSError && e.errno === errno.EOPNOTSUPP); // true",
      "}",
      "a.close();",
      "b.close();"]),
    ("SHUT_", "shutdown() mode", "SHUT_WR",
     "The `shutdown()` modes. `SHUT_WR` is a real half-close: the peer reads end of\n"
     "stream (an empty `Uint8Array`) while the other direction keeps working.",
     ['import { SHUT_WR, socketpair } from "@pysocket/socket";',
      "const [a, b] = await socketpair();",
      "await a.shutdown(SHUT_WR);",
      "console.log((await b.recv(10)).length); // 0: end of stream",
      'await b.sendall(new TextEncoder().encode("still open"));',
      "console.log(new TextDecoder().decode(await a.recv(10))); // still open",
      "a.close();",
      "b.close();"]),
    ("SO_", "SOL_SOCKET socket option", "SO_REUSEADDR",
     "Socket options at level `SOL_SOCKET`. pysocket supports `SO_REUSEADDR`,\n"
     "`SO_REUSEPORT` (needs `--unstable-net`), `SO_KEEPALIVE`, `SO_TYPE`,\n"
     "`SO_ERROR`, `SO_ACCEPTCONN` and, on UDP, `SO_BROADCAST`; the others raise\n"
     "`OSError` `ENOPROTOOPT` (Deno exposes no `SO_RCVBUF`, `SO_LINGER`, ...).",
     ['import { SO_REUSEADDR, SO_TYPE, SOCK_STREAM, socket, SOL_SOCKET } from "@pysocket/socket";',
      "using s = socket();",
      "s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);",
      "console.log(s.getsockopt(SOL_SOCKET, SO_REUSEADDR)); // 1",
      "console.log(s.getsockopt(SOL_SOCKET, SO_TYPE) === SOCK_STREAM); // true"]),
    ("SOCK_", "Socket type", "SOCK_STREAM",
     "The socket types (`socket()`'s second argument, `s.type`): `SOCK_STREAM` (TCP,\n"
     "Unix streams) and `SOCK_DGRAM` (UDP, Unix datagrams, which need\n"
     "`--unstable-net`), optionally or-ed with `SOCK_NONBLOCK` and `SOCK_CLOEXEC`.\n"
     "`SocketKind` maps a number back to its name.",
     ['import { AF_INET, SOCK_NONBLOCK, SOCK_STREAM, socket, SocketKind } from "@pysocket/socket";',
      "using s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK);",
      "console.log(SocketKind[s.type], s.getblocking()); // SOCK_STREAM false"]),
    ("SOL_", "Socket option level", "SOL_SOCKET",
     "Socket option levels: `setsockopt()`'s and `getsockopt()`'s first argument.\n"
     "`SOL_SOCKET` is the socket's own level; the protocol levels are the\n"
     "`IPPROTO_*` numbers (`SOL_TCP` equals `IPPROTO_TCP`).",
     ['import { IPPROTO_TCP, SO_KEEPALIVE, socket, SOL_SOCKET, SOL_TCP } from "@pysocket/socket";',
      "using s = socket();",
      "s.setsockopt(SOL_SOCKET, SO_KEEPALIVE, 1);",
      "console.log(s.getsockopt(SOL_SOCKET, SO_KEEPALIVE), SOL_TCP === IPPROTO_TCP); // 1 true"]),
    ("TCP_", "IPPROTO_TCP socket option", "TCP_NODELAY",
     "Socket options at level `IPPROTO_TCP`. pysocket supports `TCP_NODELAY`\n"
     "(turn off Nagle's algorithm for small, latency-bound writes); the others\n"
     "raise `OSError` `ENOPROTOOPT`.",
     ['import { AF_INET, IPPROTO_TCP, socketpair, TCP_NODELAY } from "@pysocket/socket";',
      "const [a, b] = await socketpair(AF_INET); // a connected TCP pair over loopback",
      "a.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);",
      "console.log(a.getsockopt(IPPROTO_TCP, TCP_NODELAY)); // 1",
      "a.close();",
      "b.close();"]),
    ("SOMAXCONN", "Default listen() backlog", "SOMAXCONN",
     "The largest `listen()` backlog Linux allows by default. pysocket records the\n"
     "backlog; Deno's listeners always use 511.",
     ['import { socket, SOMAXCONN } from "@pysocket/socket";',
      "using s = socket();",
      's.bind(["127.0.0.1", 0]);',
      "s.listen(SOMAXCONN);",
      "console.log(SOMAXCONN); // 4096"]),
]


def group_of(name):
    for g in GROUPS:
        if name.startswith(g[0]) or name == g[0]:
            return g
    return None


def main():
    out = []
    out.append("// Generated by tools/gen_constants.py from CPython "
               f"{sys.version.split()[0]} on Linux. Do not edit by hand.\n")
    out.append("""/**
 * The constants of Python's `socket` module, with Linux's numbers (from
 * CPython on Linux), grouped by prefix: address families (`AF_*`), socket
 * types (`SOCK_*`), option levels and options (`SOL_*`, `SO_*`, `IPPROTO_*`,
 * `IP_*`, `IPV6_*`, `TCP_*`), message flags (`MSG_*`), resolver flags and
 * errors (`AI_*`, `NI_*`, `EAI_*`), `shutdown()` modes (`SHUT_*`) and a few
 * more. Each group's example sits on one representative constant:
 * {@linkcode AF_INET}, {@linkcode SOCK_STREAM}, {@linkcode SO_REUSEADDR},
 * {@linkcode MSG_PEEK}, {@linkcode AI_PASSIVE}, {@linkcode EAI_NONAME},
 * {@linkcode SHUT_WR}, ... The `errno` numbers are in `errno` (errors.ts).
 *
 * They are plain numbers, as CPython's `IntEnum`s print on Linux: `s.family`
 * is `2`; `AddressFamily[s.family]` is `"AF_INET"`.
 *
 * @example Print constants as CPython would
 * ```ts
 * import { AF_INET, SOCK_STREAM } from "@pysocket/socket";
 * console.log(AF_INET, SOCK_STREAM); // 2 1
 * ```
 * @module
 */
""")
    names = sorted(n for n in dir(socket)
                   if (n.startswith(PREFIXES) or n in EXTRA)
                   and isinstance(getattr(socket, n), int)
                   and not isinstance(getattr(socket, n), bool))
    for n in names:
        v = int(getattr(socket, n))
        prefix, line, rep, para, example = group_of(n)
        doc = [f"{line} `{n}` ({v} on Linux)."]
        if n == rep:
            doc += [""] + para.split("\n") + ["", "@example", "```ts"] + example + ["```"]
        else:
            doc += ["", f"See {{@linkcode {rep}}} for this group's example."]
        doc += ["", "@category Constants"]
        body = "\n".join((" * " + d).rstrip() for d in doc)
        # a negative literal is not a "simple" type for deno doc --lint
        out.append(f"/**\n{body}\n */\nexport const {n}{': number' if v < 0 else ''} = {v};\n")
    with open("constants.ts", "w") as f:
        f.write("\n".join(out))

    e = []
    e.append("// Generated by tools/gen_constants.py from CPython "
             f"{sys.version.split()[0]} on Linux. Do not edit by hand.\n")
    enames = sorted(n for n in dir(errno) if n.startswith("E"))
    # A public union type, so `errno`'s type references nothing private.
    e.append("/**\n * The name of a Linux errno value, as Python's `errno` module has them.\n *\n * @category Errors\n */")
    e.append("export type ErrnoName =")
    e.extend(f"  | \"{n}\"" + (";" if i == len(enames) - 1 else "") for i, n in enumerate(enames))
    e.append("")
    e.append("/** Linux errno names to numbers, as Python's `errno` module has them. */")
    e.append("export const ERRNO_NUMBERS = {")
    for n in sorted(n for n in dir(errno) if n.startswith("E")):
        e.append(f"  {n}: {getattr(errno, n)},")
    e.append("} as const;\n")
    e.append("/** Linux's strerror() text for each errno number. */")
    e.append("export const STRERROR: Readonly<Record<number, string>> = {")
    for num in sorted(errno.errorcode):
        e.append(f"  {num}: {os.strerror(num)!r},".replace("'", '"'))
    e.append("};\n")
    e.append("/** The canonical name of each errno number (Python's `errno.errorcode`). */")
    e.append("export const ERRORCODE: Readonly<Record<number, string>> = {")
    for num in sorted(errno.errorcode):
        e.append(f"  {num}: \"{errno.errorcode[num]}\",")
    e.append("};\n")
    e.append("/** getaddrinfo() error texts (gai_strerror) by EAI_* number. */")
    e.append("export const GAI_STRERROR: Readonly<Record<number, string>> = {")
    for n in sorted(x for x in dir(socket) if x.startswith("EAI_")):
        v = getattr(socket, n)
        e.append(f"  [{v}]: {gai_text(v)!r},".replace("'", '"'))
    e.append("};\n")
    with open("_errno_table.ts", "w") as f:
        f.write("\n".join(e))


def gai_text(v):
    import ctypes
    libc = ctypes.CDLL(None)
    libc.gai_strerror.restype = ctypes.c_char_p
    return libc.gai_strerror(v).decode()


if __name__ == "__main__":
    main()

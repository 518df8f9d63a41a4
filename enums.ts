// Generated from CPython 3.11 on Linux (socket.AddressFamily, SocketKind,
// MsgFlag, AddressInfo); regenerate with the snippet in tests/surface_test.ts.

/**
 * Python's socket enums (`AddressFamily`, `SocketKind`, `MsgFlag`,
 * `AddressInfo`) as frozen objects that map each name to its Linux number and
 * each number back to the name CPython's enum gives it.
 *
 * @example Name a socket's family and type as Python's `sock.family.name`
 * ```ts
 * import { AddressFamily, socket, SocketKind } from "@pysocket/socket";
 * using s = socket();
 * console.log(AddressFamily[s.family], SocketKind[s.type]); // "AF_INET" "SOCK_STREAM"
 * ```
 * @module
 */

/**
 * Python's `socket.AddressFamily`: the `AF_*` constants as one frozen object, both ways: `AddressFamily.AF_INET === 2` and `AddressFamily[2] === "AF_INET"` (the name Python's enum gives: `sock.family.name` is `AddressFamily[sock.family]` here).
 *
 * @example
 * ```ts
 * import { AddressFamily, socket } from "@pysocket/socket";
 * using s = socket();
 * console.log(AddressFamily[s.family]); // "AF_INET"
 * console.log(AddressFamily.AF_INET, AddressFamily[2]); // 2 "AF_INET"
 * ```
 *
 * @category Constants
 */
export const AddressFamily: Readonly<
  Record<
    | "AF_UNSPEC"
    | "AF_UNIX"
    | "AF_INET"
    | "AF_AX25"
    | "AF_IPX"
    | "AF_APPLETALK"
    | "AF_NETROM"
    | "AF_BRIDGE"
    | "AF_ATMPVC"
    | "AF_X25"
    | "AF_INET6"
    | "AF_ROSE"
    | "AF_NETBEUI"
    | "AF_SECURITY"
    | "AF_KEY"
    | "AF_NETLINK"
    | "AF_ROUTE"
    | "AF_PACKET"
    | "AF_ASH"
    | "AF_ECONET"
    | "AF_ATMSVC"
    | "AF_RDS"
    | "AF_SNA"
    | "AF_IRDA"
    | "AF_PPPOX"
    | "AF_WANPIPE"
    | "AF_LLC"
    | "AF_CAN"
    | "AF_TIPC"
    | "AF_ALG"
    | "AF_VSOCK"
    | "AF_QIPCRTR",
    number
  > & Record<number, string>
> = Object.freeze(
  {
    AF_UNSPEC: 0,
    AF_UNIX: 1,
    AF_INET: 2,
    AF_AX25: 3,
    AF_IPX: 4,
    AF_APPLETALK: 5,
    AF_NETROM: 6,
    AF_BRIDGE: 7,
    AF_ATMPVC: 8,
    AF_X25: 9,
    AF_INET6: 10,
    AF_ROSE: 11,
    AF_NETBEUI: 13,
    AF_SECURITY: 14,
    AF_KEY: 15,
    AF_NETLINK: 16,
    AF_ROUTE: 16,
    AF_PACKET: 17,
    AF_ASH: 18,
    AF_ECONET: 19,
    AF_ATMSVC: 20,
    AF_RDS: 21,
    AF_SNA: 22,
    AF_IRDA: 23,
    AF_PPPOX: 24,
    AF_WANPIPE: 25,
    AF_LLC: 26,
    AF_CAN: 29,
    AF_TIPC: 30,
    AF_ALG: 38,
    AF_VSOCK: 40,
    AF_QIPCRTR: 42,
    0: "AF_UNSPEC",
    1: "AF_UNIX",
    2: "AF_INET",
    3: "AF_AX25",
    4: "AF_IPX",
    5: "AF_APPLETALK",
    6: "AF_NETROM",
    7: "AF_BRIDGE",
    8: "AF_ATMPVC",
    9: "AF_X25",
    10: "AF_INET6",
    11: "AF_ROSE",
    13: "AF_NETBEUI",
    14: "AF_SECURITY",
    15: "AF_KEY",
    16: "AF_NETLINK",
    17: "AF_PACKET",
    18: "AF_ASH",
    19: "AF_ECONET",
    20: "AF_ATMSVC",
    21: "AF_RDS",
    22: "AF_SNA",
    23: "AF_IRDA",
    24: "AF_PPPOX",
    25: "AF_WANPIPE",
    26: "AF_LLC",
    29: "AF_CAN",
    30: "AF_TIPC",
    38: "AF_ALG",
    40: "AF_VSOCK",
    42: "AF_QIPCRTR",
  } as const,
);

/**
 * Python's `socket.SocketKind`: the `SOCK_*` constants as one frozen object, both ways: `SocketKind.SOCK_STREAM === 1` and `SocketKind[1] === "SOCK_STREAM"` (`sock.type.name` in Python is `SocketKind[sock.type]` here).
 *
 * @example
 * ```ts
 * import { SocketKind, socket } from "@pysocket/socket";
 * using s = socket();
 * console.log(SocketKind[s.type]); // "SOCK_STREAM"
 * console.log(SocketKind.SOCK_STREAM, SocketKind[1]); // 1 "SOCK_STREAM"
 * ```
 *
 * @category Constants
 */
export const SocketKind: Readonly<
  Record<
    "SOCK_STREAM" | "SOCK_DGRAM" | "SOCK_RAW" | "SOCK_RDM" | "SOCK_SEQPACKET" | "SOCK_NONBLOCK" | "SOCK_CLOEXEC",
    number
  > & Record<number, string>
> = Object.freeze(
  {
    SOCK_STREAM: 1,
    SOCK_DGRAM: 2,
    SOCK_RAW: 3,
    SOCK_RDM: 4,
    SOCK_SEQPACKET: 5,
    SOCK_NONBLOCK: 2048,
    SOCK_CLOEXEC: 524288,
    1: "SOCK_STREAM",
    2: "SOCK_DGRAM",
    3: "SOCK_RAW",
    4: "SOCK_RDM",
    5: "SOCK_SEQPACKET",
    2048: "SOCK_NONBLOCK",
    524288: "SOCK_CLOEXEC",
  } as const,
);

/**
 * Python's `socket.MsgFlag`: the `MSG_*` flags as one frozen object, both ways: `MsgFlag.MSG_PEEK === 2` and `MsgFlag[2] === "MSG_PEEK"`.
 *
 * @example
 * ```ts
 * import { MsgFlag } from "@pysocket/socket";
 * console.log(MsgFlag.MSG_PEEK, MsgFlag[2]); // 2 "MSG_PEEK"
 * ```
 *
 * @category Constants
 */
export const MsgFlag: Readonly<
  Record<
    | "MSG_OOB"
    | "MSG_PEEK"
    | "MSG_DONTROUTE"
    | "MSG_CTRUNC"
    | "MSG_TRUNC"
    | "MSG_DONTWAIT"
    | "MSG_EOR"
    | "MSG_WAITALL"
    | "MSG_CONFIRM"
    | "MSG_ERRQUEUE"
    | "MSG_NOSIGNAL"
    | "MSG_MORE"
    | "MSG_FASTOPEN"
    | "MSG_CMSG_CLOEXEC",
    number
  > & Record<number, string>
> = Object.freeze(
  {
    MSG_OOB: 1,
    MSG_PEEK: 2,
    MSG_DONTROUTE: 4,
    MSG_CTRUNC: 8,
    MSG_TRUNC: 32,
    MSG_DONTWAIT: 64,
    MSG_EOR: 128,
    MSG_WAITALL: 256,
    MSG_CONFIRM: 2048,
    MSG_ERRQUEUE: 8192,
    MSG_NOSIGNAL: 16384,
    MSG_MORE: 32768,
    MSG_FASTOPEN: 536870912,
    MSG_CMSG_CLOEXEC: 1073741824,
    1: "MSG_OOB",
    2: "MSG_PEEK",
    4: "MSG_DONTROUTE",
    8: "MSG_CTRUNC",
    32: "MSG_TRUNC",
    64: "MSG_DONTWAIT",
    128: "MSG_EOR",
    256: "MSG_WAITALL",
    2048: "MSG_CONFIRM",
    8192: "MSG_ERRQUEUE",
    16384: "MSG_NOSIGNAL",
    32768: "MSG_MORE",
    536870912: "MSG_FASTOPEN",
    1073741824: "MSG_CMSG_CLOEXEC",
  } as const,
);

/**
 * Python's `socket.AddressInfo`: the `AI_*` flags of `getaddrinfo` as one frozen object, both ways: `AddressInfo.AI_PASSIVE === 1` and `AddressInfo[1] === "AI_PASSIVE"`.
 *
 * @example
 * ```ts
 * import { AddressInfo } from "@pysocket/socket";
 * console.log(AddressInfo.AI_PASSIVE, AddressInfo[1]); // 1 "AI_PASSIVE"
 * ```
 *
 * @category Constants
 */
export const AddressInfo: Readonly<
  Record<
    "AI_PASSIVE" | "AI_CANONNAME" | "AI_NUMERICHOST" | "AI_V4MAPPED" | "AI_ALL" | "AI_ADDRCONFIG" | "AI_NUMERICSERV",
    number
  > & Record<number, string>
> = Object.freeze(
  {
    AI_PASSIVE: 1,
    AI_CANONNAME: 2,
    AI_NUMERICHOST: 4,
    AI_V4MAPPED: 8,
    AI_ALL: 16,
    AI_ADDRCONFIG: 32,
    AI_NUMERICSERV: 1024,
    1: "AI_PASSIVE",
    2: "AI_CANONNAME",
    4: "AI_NUMERICHOST",
    8: "AI_V4MAPPED",
    16: "AI_ALL",
    32: "AI_ADDRCONFIG",
    1024: "AI_NUMERICSERV",
  } as const,
);

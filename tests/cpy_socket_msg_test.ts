// CPython 3.11 Lib/test/test_socket.py, ported onto pysocket: the sendmsg()/recvmsg()/recvmsg_into() tests that
// carry no ancillary data (SendmsgTests, SendmsgStreamTests, SendmsgConnectionlessTests, RecvmsgGenericTests,
// RecvmsgGenericStreamTests, RecvmsgTests, RecvmsgIntoTests) over the socket kinds CPython runs them on
// (SendmsgTCPTest, RecvmsgTCPTest, RecvmsgIntoTCPTest, the UDP, UDP6 and UnixStream classes alike). The control
// message tests (SCMRightsTest, RFC3542AncillaryTest, CmsgMacroTests, testSendmsgBadCmsg...) are out of scope: Deno
// gives no control messages.

import assert from "node:assert/strict";
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  errno,
  MSG_CTRUNC,
  MSG_DONTWAIT,
  MSG_OOB,
  MSG_PEEK,
  MSG_TRUNC,
  OSError,
  SOCK_DGRAM,
  SOCK_STREAM,
  type Socket,
  socket,
  TimeoutError,
} from "../mod.ts";
import { HAS_IPV6, TempDir } from "./_socket_fixtures.ts";
import { enc, finding, MSG, not_applicable, threaded } from "./_cpy_socket.ts";

/** Python's object(): an instance of a class (a plain {} would be read as the trailing keywords object). */
class PyObject {}
const obj = () => new PyObject();

const FAIL_TIMEOUT = 10; // support.LOOPBACK_TIMEOUT

interface Kind {
  name: "TCP" | "UDP" | "UDP6" | "UnixStream";
  stream: boolean;
}
const KINDS: Kind[] = [
  { name: "TCP", stream: true },
  { name: "UDP", stream: false },
  ...(HAS_IPV6 ? [{ name: "UDP6" as const, stream: false }] : []),
  { name: "UnixStream", stream: true },
];

interface Fixture extends Disposable {
  kind: Kind;
  serv_sock: Socket;
  cli_sock: Socket;
  cli_addr: unknown;
  serv_addr: unknown;
  /** sendToServer(msg) */
  send(msg: Uint8Array): Promise<number>;
  /** sendmsgToServer(...args): missing arguments from sendmsg_to_server_defaults */
  sendmsg(...args: unknown[]): Promise<number>;
  /** checkRecvmsgAddress */
  check_address(a: unknown): void;
  /** checkFlags */
  check_flags(
    flags: number,
    eor: boolean | null,
    opts?: { checkset?: number; checkunset?: number; ignore?: number },
  ): void;
}

async function fixture(kind: Kind): Promise<Fixture> {
  const dir = new TempDir();
  const dgram = !kind.stream;
  let serv_sock: Socket, cli_sock: Socket, cleanup: () => void;
  if (dgram) {
    const [fam, host] = kind.name === "UDP6" ? [AF_INET6, "::1"] : [AF_INET, "127.0.0.1"];
    serv_sock = socket(fam, SOCK_DGRAM);
    serv_sock.bind([host, 0]);
    cli_sock = socket(fam, SOCK_DGRAM);
    cli_sock.bind([host, 0]); // bindClient()
    cleanup = () => (serv_sock.close(), cli_sock.close());
  } else {
    const fam = kind.name === "TCP" ? AF_INET : AF_UNIX;
    const serv = socket(fam, SOCK_STREAM);
    serv.bind(fam === AF_UNIX ? dir.sock("serv") : ["127.0.0.1", 0]);
    serv.listen();
    const cli = socket(fam, SOCK_STREAM);
    // bindClient(): CPython binds the client first. An AF_UNIX client cannot be bound before connect() here
    // (docs/limits.md), so the Unix client is left unbound; its address is not examined (connected sockets).
    if (fam !== AF_UNIX) cli.bind(["127.0.0.1", 0]);
    const [[conn]] = await Promise.all([serv.accept(), cli.connect(serv.getsockname())]);
    serv_sock = conn; // SendrecvmsgConnectedBase: serv_sock is cli_conn, cli_sock is serv_conn
    cli_sock = cli;
    cleanup = () => (conn.close(), cli.close(), serv.close());
  }
  const serv_addr = serv_sock.getsockname(), cli_addr = cli_sock.getsockname();
  const defaults = dgram ? [[], [], 0, serv_addr] : [];
  const common_unset = MSG_CTRUNC | MSG_OOB;
  const non_eor = dgram ? MSG_TRUNC : 0;
  return {
    kind,
    serv_sock,
    cli_sock,
    cli_addr,
    serv_addr,
    send: (msg) => dgram ? cli_sock.sendto(msg, serv_addr) : cli_sock.send(msg),
    sendmsg: (...args) =>
      (cli_sock.sendmsg as (...a: unknown[]) => Promise<number>).call(
        cli_sock,
        ...args,
        ...defaults.slice(args.length),
      ),
    check_address(a) {
      if (!dgram) return; // connected: "unspecified", not examined
      if (kind.name === "UDP6") assert.deepEqual((a as unknown[]).slice(0, -1), (cli_addr as unknown[]).slice(0, -1));
      else assert.deepEqual(a, cli_addr);
    },
    check_flags(flags, eor, { checkset = 0, checkunset = 0, ignore = 0 } = {}) {
      let defaultset = 0, defaultunset = common_unset;
      if (eor) defaultunset |= non_eor;
      else if (eor !== null) defaultset |= non_eor;
      defaultset &= ~checkunset;
      defaultunset &= ~checkset;
      checkset |= defaultset;
      checkunset |= defaultunset;
      const mask = (checkset | checkunset) & ~ignore;
      assert.equal(flags & mask, checkset & mask, `msg_flags ${flags}`);
    },
    [Symbol.dispose]() {
      cleanup();
      dir[Symbol.dispose]();
    },
  };
}

/** One test on `kind`: `server` and `client` run as ThreadableTest's two threads. */
async function run(
  kind: Kind,
  server: (f: Fixture, misc: { set(): void; wait(): Promise<void> }) => Promise<void>,
  client: (f: Fixture, misc: { set(): void; wait(): Promise<void> }) => Promise<void> = async () => {},
  server_timeout = false,
): Promise<void> {
  using f = await fixture(kind);
  if (server_timeout) f.serv_sock.settimeout(FAIL_TIMEOUT); // SendrecvmsgServerTimeoutBase
  let set!: () => void;
  const ev = new Promise<void>((r) => set = r);
  const misc = { set: () => set(), wait: () => ev };
  await threaded(() => server(f, misc), () => client(f, misc));
}

const cls = (k: Kind, group: string) => `test_socket ${group}${k.name}Test`;

// ---------------------------------------------------------------- SendmsgTests

for (const k of KINDS) {
  const C = cls(k, "Sendmsg");
  const recv_msg = async (f: Fixture) => assert.deepEqual(await f.serv_sock.recv(MSG.length), MSG);
  const send_test = (name: string, client: (f: Fixture) => Promise<void>) =>
    Deno.test(`${C}.${name}`, () => run(k, recv_msg, client, true));

  send_test("testSendmsg", async (f) => assert.equal(await f.sendmsg([MSG]), MSG.length));
  send_test("testSendmsgDataGenerator", async (f) =>
    assert.equal(
      await f.sendmsg((function* () {
        yield MSG;
      })()),
      MSG.length,
    ));
  send_test(
    "testSendmsgAncillaryGenerator",
    async (f) => assert.equal(await f.sendmsg([MSG], (function* () {})()), MSG.length),
  );
  send_test("testSendmsgArray", async (f) => assert.equal(await f.sendmsg([Uint8Array.from(MSG)]), MSG.length));
  send_test(
    "testSendmsgGather",
    async (f) => assert.equal(await f.sendmsg([MSG.slice(0, 3), MSG.slice(3)]), MSG.length),
  );

  Deno.test(`${C}.testSendmsgBadArgs`, () =>
    run(k, async (f) => {
      assert.deepEqual(await f.serv_sock.recv(1000), enc("done"));
    }, async (f) => {
      const sm = f.cli_sock.sendmsg.bind(f.cli_sock) as (...a: unknown[]) => Promise<number>;
      await assert.rejects(sm(), TypeError);
      await assert.rejects(f.sendmsg(enc("not in an iterable")), TypeError);
      await assert.rejects(f.sendmsg(obj()), TypeError);
      await assert.rejects(f.sendmsg([obj()]), TypeError);
      await assert.rejects(f.sendmsg([MSG, obj()]), TypeError);
      await assert.rejects(f.sendmsg([MSG], obj()), TypeError);
      await assert.rejects(f.sendmsg([MSG], [], obj()), TypeError);
      await assert.rejects(f.sendmsg([MSG], [], 0, obj()), TypeError);
      await f.send(enc("done"));
    }, true));

  Deno.test(`${C}.testSendmsgAfterClose`, () =>
    run(k, async () => {}, async (f) => {
      f.cli_sock.close();
      await assert.rejects(f.sendmsg([MSG]), OSError);
    }, true));

  if (k.stream) {
    Deno.test(`${C}.testSendmsgExplicitNoneAddr`, () =>
      run(k, recv_msg, async (f) => {
        assert.equal(await f.sendmsg([MSG], [], 0, null), MSG.length);
      }, true));

    Deno.test(`${C}.testSendmsgTimeout`, () =>
      run(k, async (f, misc) => {
        assert.deepEqual(await f.serv_sock.recv(512), new Uint8Array(512).fill(0x61));
        await misc.wait();
      }, async (f, misc) => {
        try {
          f.cli_sock.settimeout(0.03);
          let raised = false;
          for (let i = 0; i < 200_000; i++) {
            try {
              await f.sendmsg([new Uint8Array(512).fill(0x61)]);
            } catch (e) {
              if (!(e instanceof TimeoutError)) throw e;
              raised = true;
              break;
            }
          }
          assert.ok(raised, "TimeoutError not raised");
        } finally {
          misc.set();
        }
      }, true));

    Deno.test(`${C}.testSendmsgDontWait`, () =>
      run(k, async (f, misc) => {
        assert.deepEqual(await f.serv_sock.recv(512), new Uint8Array(512).fill(0x61));
        await misc.wait();
      }, async (f, misc) => {
        try {
          let e: unknown = null;
          for (let i = 0; i < 200_000 && e === null; i++) {
            await f.sendmsg([new Uint8Array(512).fill(0x61)], [], MSG_DONTWAIT).catch((x) => e = x);
          }
          assert.ok(e instanceof OSError, String(e));
          assert.ok([errno.EAGAIN, errno.EWOULDBLOCK, errno.ENOMEM].includes(e.errno!));
        } finally {
          misc.set();
        }
      }, true));
  } else {
    Deno.test(`${C}.testSendmsgNoDestAddr`, () =>
      run(k, async () => {}, async (f) => {
        await assert.rejects(f.cli_sock.sendmsg([MSG]), OSError);
        await assert.rejects(f.cli_sock.sendmsg([MSG], [], 0, null), OSError);
      }, true));
  }
}

// ---------------------------------------------------------------- RecvmsgGenericTests (recvmsg and recvmsg_into)

type Recv = [Uint8Array, unknown[], number, unknown];
for (const k of KINDS) {
  for (const into of [false, true]) {
    const C = cls(k, into ? "RecvmsgInto" : "Recvmsg");
    /** doRecvmsg (RecvmsgIntoMixin's for recvmsg_into) */
    const doRecvmsg = async (sock: Socket, bufsize: number, ...args: number[]): Promise<Recv> => {
      if (!into) return await (sock.recvmsg as (...a: unknown[]) => Promise<Recv>).call(sock, bufsize, ...args);
      const buf = new Uint8Array(bufsize);
      const r = await (sock.recvmsg_into as (...a: unknown[]) => Promise<[number, unknown[], number, unknown]>).call(
        sock,
        [buf],
        ...args,
      );
      assert.ok(r[0] >= 0 && r[0] <= bufsize);
      return [buf.slice(0, r[0]), r[1], r[2], r[3]];
    };
    const simple = (name: string, bufsize: (n: number) => number, args: number[], expect: Uint8Array, eor: boolean) =>
      Deno.test(`${C}.${name}`, () =>
        run(k, async (f) => {
          const [msg, ancdata, flags, addr] = await doRecvmsg(f.serv_sock, bufsize(MSG.length), ...args);
          assert.deepEqual(msg, expect);
          f.check_address(addr);
          assert.deepEqual(ancdata, []);
          f.check_flags(flags, eor);
        }, async (f) => {
          await f.send(MSG);
        }));

    simple("testRecvmsg", (n) => n, [], MSG, true);
    simple("testRecvmsgExplicitDefaults", (n) => n, [0, 0], MSG, true);
    simple("testRecvmsgShorter", (n) => n + 42, [], MSG, true);
    simple("testRecvmsgTrunc", (n) => n - 3, [], MSG.slice(0, -3), false);

    for (const [name, anc] of [["testRecvmsgShortAncillaryBuf", 1], ["testRecvmsgLongAncillaryBuf", 10240]] as const) {
      finding(
        `${C}.${name}`,
        "C2-5",
        `recv${
          into ? "msg_into" : "msg"
        }() with ancbufsize ${anc} raises OSError EOPNOTSUPP though no ancillary data comes; CPython returns the data with ancdata []`,
        () =>
          run(k, async (f) => {
            const [msg, ancdata, flags, addr] = await doRecvmsg(f.serv_sock, MSG.length, anc);
            assert.deepEqual(msg, MSG);
            f.check_address(addr);
            assert.deepEqual(ancdata, []);
            f.check_flags(flags, true);
          }, async (f) => {
            await f.send(MSG);
          }),
      );
    }

    Deno.test(`${C}.testRecvmsgAfterClose`, () =>
      run(k, async (f) => {
        f.serv_sock.close();
        await assert.rejects(doRecvmsg(f.serv_sock, 1024), OSError);
      }));

    Deno.test(`${C}.testRecvmsgTimeout`, () =>
      run(k, async (f, misc) => {
        try {
          f.serv_sock.settimeout(0.03);
          await assert.rejects(doRecvmsg(f.serv_sock, MSG.length), TimeoutError);
        } finally {
          misc.set();
        }
      }, async (_f, misc) => {
        await misc.wait();
      }));

    Deno.test(`${C}.testRecvmsgPeek`, () =>
      run(k, async (f) => {
        let [msg, ancdata, flags, addr] = await doRecvmsg(f.serv_sock, MSG.length - 3, 0, MSG_PEEK);
        assert.deepEqual(msg, MSG.slice(0, -3));
        f.check_address(addr);
        assert.deepEqual(ancdata, []);
        f.check_flags(flags, false, { ignore: MSG_TRUNC });
        [msg, ancdata, flags, addr] = await doRecvmsg(f.serv_sock, MSG.length, 0, MSG_PEEK);
        assert.deepEqual(msg, MSG);
        f.check_address(addr);
        assert.deepEqual(ancdata, []);
        f.check_flags(flags, true);
        [msg, ancdata, flags, addr] = await doRecvmsg(f.serv_sock, MSG.length);
        assert.deepEqual(msg, MSG);
        f.check_address(addr);
        assert.deepEqual(ancdata, []);
        f.check_flags(flags, true);
      }, async (f) => {
        await f.send(MSG);
      }));

    Deno.test(`${C}.testRecvmsgFromSendmsg`, () =>
      run(k, async (f) => {
        f.serv_sock.settimeout(FAIL_TIMEOUT);
        const [msg, ancdata, flags, addr] = await doRecvmsg(f.serv_sock, MSG.length);
        assert.deepEqual(msg, MSG);
        f.check_address(addr);
        assert.deepEqual(ancdata, []);
        f.check_flags(flags, true);
      }, async (f) => {
        assert.equal(await f.sendmsg([MSG.slice(0, 3), MSG.slice(3)]), MSG.length);
      }));

    if (k.stream) {
      Deno.test(`${C}.testRecvmsgEOF`, () =>
        run(k, async (f) => {
          const [msg, ancdata, flags, addr] = await doRecvmsg(f.serv_sock, 1024);
          assert.deepEqual(msg, new Uint8Array());
          f.check_address(addr);
          assert.deepEqual(ancdata, []);
          f.check_flags(flags, null);
        }, (f) => {
          f.cli_sock.close();
          return Promise.resolve();
        }));

      Deno.test(`${C}.testRecvmsgOverflow`, () =>
        run(k, async (f) => {
          const [seg1, anc1, flags1, addr1] = await doRecvmsg(f.serv_sock, MSG.length - 3);
          f.check_address(addr1);
          assert.deepEqual(anc1, []);
          f.check_flags(flags1, false);
          const [seg2, anc2, flags2, addr2] = await doRecvmsg(f.serv_sock, 1024);
          f.check_address(addr2);
          assert.deepEqual(anc2, []);
          f.check_flags(flags2, true);
          const msg = new Uint8Array([...seg1, ...seg2]);
          assert.deepEqual(msg, MSG);
        }, async (f) => {
          await f.send(MSG);
        }));
    }

    if (!into) {
      Deno.test(`${C}.testRecvmsgBadArgs`, () =>
        run(k, async (f) => {
          const rm = f.serv_sock.recvmsg.bind(f.serv_sock) as (...a: unknown[]) => Promise<Recv>;
          await assert.rejects(rm(), TypeError);
          await assert.rejects(rm(-1, 0, 0), RangeError);
          await assert.rejects(rm(MSG.length, -1, 0), RangeError);
          await assert.rejects(rm([new Uint8Array(10)], 0, 0), TypeError);
          await assert.rejects(rm(obj(), 0, 0), TypeError);
          await assert.rejects(rm(MSG.length, obj(), 0), TypeError);
          await assert.rejects(rm(MSG.length, 0, obj()), TypeError);
          const [msg, ancdata, flags, addr] = await rm(MSG.length, 0, 0);
          assert.deepEqual(msg, MSG);
          f.check_address(addr);
          assert.deepEqual(ancdata, []);
          f.check_flags(flags, true);
        }, async (f) => {
          await f.send(MSG);
        }));
    } else {
      const rmi = (s: Socket) =>
        s.recvmsg_into.bind(s) as (...a: unknown[]) => Promise<[number, unknown[], number, unknown]>;
      Deno.test(`${C}.testRecvmsgIntoBadArgs`, () =>
        run(k, async (f) => {
          const buf = new Uint8Array(MSG.length);
          const r = rmi(f.serv_sock);
          await assert.rejects(r(), TypeError);
          await assert.rejects(r(MSG.length, 0, 0), TypeError);
          await assert.rejects(r(buf, 0, 0), TypeError);
          await assert.rejects(r([obj()], 0, 0), TypeError);
          // [b"I'm not writable"]: a read-only buffer. JavaScript has no read-only Uint8Array; a string stands in.
          await assert.rejects(r(["I'm not writable"], 0, 0), TypeError);
          await assert.rejects(r([buf, obj()], 0, 0), TypeError);
          await assert.rejects(r([buf], -1, 0), RangeError);
          await assert.rejects(r([buf], obj(), 0), TypeError);
          await assert.rejects(r([buf], 0, obj()), TypeError);
          const [nbytes, ancdata, flags, addr] = await r([buf], 0, 0);
          assert.equal(nbytes, MSG.length);
          assert.deepEqual(buf, MSG);
          f.check_address(addr);
          assert.deepEqual(ancdata, []);
          f.check_flags(flags, true);
        }, async (f) => {
          await f.send(MSG);
        }));

      Deno.test(`${C}.testRecvmsgIntoGenerator`, () =>
        run(k, async (f) => {
          const buf = new Uint8Array(MSG.length);
          const [nbytes, ancdata, flags, addr] = await rmi(f.serv_sock)((function* () {
            yield buf;
          })());
          assert.equal(nbytes, MSG.length);
          assert.deepEqual(buf, MSG);
          f.check_address(addr);
          assert.deepEqual(ancdata, []);
          f.check_flags(flags, true);
        }, async (f) => {
          await f.send(MSG);
        }));

      Deno.test(`${C}.testRecvmsgIntoArray`, () =>
        run(k, async (f) => {
          const buf = new Uint8Array(MSG.length); // array.array("B", [0] * len(MSG))
          const [nbytes, ancdata, flags, addr] = await rmi(f.serv_sock)([buf]);
          assert.equal(nbytes, MSG.length);
          assert.deepEqual(buf, MSG);
          f.check_address(addr);
          assert.deepEqual(ancdata, []);
          f.check_flags(flags, true);
        }, async (f) => {
          await f.send(MSG);
        }));

      Deno.test(`${C}.testRecvmsgIntoScatter`, () =>
        run(k, async (f) => {
          const b1 = enc("----"), b2 = enc("0123456789"), b3 = enc("--------------");
          const [nbytes, ancdata, flags, addr] = await rmi(f.serv_sock)([b1, b2.subarray(2, 9), b3]);
          assert.equal(nbytes, "Mary had a little lamb".length);
          assert.deepEqual(b1, enc("Mary"));
          assert.deepEqual(b2, enc("01 had a 9"));
          assert.deepEqual(b3, enc("little lamb---"));
          f.check_address(addr);
          assert.deepEqual(ancdata, []);
          f.check_flags(flags, true);
        }, async (f) => {
          await f.send(enc("Mary had a little lamb"));
        }));
    }
  }
}

not_applicable(
  "test_socket SendmsgTests.testSendmsgBadCmsg, testSendmsgBadMultiCmsg, testSendmsgExcessCmsgReject",
  "ancillary data items (CMSG): Deno gives no control messages",
);
not_applicable(
  "test_socket SCMRightsTest, RFC3542AncillaryTest, CmsgMacroTests (all kinds)",
  "SCM_RIGHTS and control messages: Deno gives no descriptors and no control messages",
);
not_applicable(
  "test_socket *SCTPStreamTest, *UDPLITE*Test",
  "SCTP and UDP-Lite sockets: Deno has neither",
);

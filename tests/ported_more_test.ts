// More classic Python socket programs (PyMOTW, the Python docs, "Foundations of Python Network Programming",
// networking courses), each in tests/ported/ as the CPython original (*.py) and its port by the README's porting
// rules (*.ts), compared by stdout with CPython. As in tests/ported_programs_test.ts, a client/server pair runs four
// ways (python3 server and client as the reference, then each side ported, then both), and a single program runs
// under python3 and as its port. Unlike there, a server here binds the port its argv gives (0: any) and prints the
// address it bound on its first line, as PyMOTW's servers print "starting up on …": the test reads the port from
// that line, so no port is chosen before the server binds it (no race with other test files). Ports print as PORT
// (the server's) and EPH (others). A pair that fails because of an unfixed pysocket bug is kept, marked `ignore`,
// with the finding named in a printed reason ("ignored: finding P<n>: …").

import assert from "node:assert/strict";
import { HAS_IPV6, held_closed_port, test_needing } from "./_socket_fixtures.ts";
import {
  type Ctx,
  ctx,
  type Lang,
  pair_tests,
  type Result,
  run as run_in,
  RUN_IGNORED,
  RUN_MS,
  same,
  settle,
  unwrap,
} from "./_ported.ts";

const test = test_needing("python3", "openssl");

const ROOT = new URL("./ported/", import.meta.url).pathname;
const run = (lang: Lang, prog: string, args: string[], ms = RUN_MS) => run_in(ROOT, lang, prog, args, ms);

/** The server's port is PORT, other ports in addresses EPH. */
function norm(s: string, port: number): string {
  return s
    .replaceAll(String(port), "PORT")
    .replace(/('(?:127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)', )\d+/g, "$1EPH");
}

interface PairSpec {
  name: string;
  server: string;
  client: string;
  /** A Unix stream or datagram server: its argv[1] is a path in a temp dir (no port). */
  unix?: boolean;
  sargs?: (ctx: Ctx) => string[];
  cargs?: (ctx: Ctx) => string[];
  /** The server never ends by itself (serve_forever): stop it once the client is done. */
  kill?: boolean;
  /** Only these (server, client) runs beside the reference (default: py+ts, ts+py, ts+ts). */
  runs?: [Lang, Lang][];
  ignore?: string;
}

async function run_pair(spec: PairSpec, ctx: Ctx, sl: Lang, cl: Lang): Promise<{ server: Result; client: Result }> {
  const dir = spec.unix ? Deno.makeTempDirSync({ prefix: "pysocket_more_" }) : "";
  try {
    const where = spec.unix ? `${dir}/sock` : "0";
    const server = run(sl, spec.server, [where, ...(spec.sargs?.(ctx) ?? [])], RUN_MS + 30_000);
    const line = await server.first;
    if (line === null) {
      const r = await server.done;
      throw new Error(`${sl} server ${spec.server} ended before printing its address:\n${r.out}\n${r.err}`);
    }
    let port = -1;
    let target = where;
    if (!spec.unix) {
      const m = /(\d+)\)?\s*$/.exec(line);
      assert.ok(m, `${sl} server's first line names no port: ${line}`);
      port = Number(m[1]);
      target = String(port);
    }
    const client = await run(cl, spec.client, [target, ...(spec.cargs?.(ctx) ?? [])]).done;
    if (spec.kill) {
      await new Promise((r) => setTimeout(r, 300)); // let the last handler print
      try {
        server.child.kill("SIGTERM");
      } catch { /* ended */ }
    }
    const s = await server.done;
    const n = (r: Result) => ({ ...r, out: spec.unix ? r.out.replaceAll(dir, "DIR") : norm(r.out, port) });
    return { server: n(s), client: n(client) };
  } finally {
    if (dir) Deno.removeSync(dir, { recursive: true });
  }
}

const PAIRS: PairSpec[] = [
  {
    name: "selectors echo server with outgoing buffers, modify() between EVENT_READ and EVENT_WRITE",
    server: "sel_bufecho_server",
    client: "sel_bufecho_client",
  },
  {
    name: "UDPServer + DatagramRequestHandler; a client that retransmits on timeout with backoff",
    server: "udp_retx_server",
    client: "udp_retx_client",
  },
  {
    name: "mutual TLS: self-signed server certificate, client certificate, getpeercert/version/cipher, makefile",
    server: "mtls_server",
    client: "mtls_client",
    sargs: (c) => [`${c.certs}/self.pem`, `${c.certs}/self.key`, `${c.certs}/ca.pem`],
    cargs: (c) => [`${c.certs}/self.pem`, `${c.certs}/client.pem`, `${c.certs}/client.key`],
  },
  {
    name: "SMTP-like dialogue: text makefile with newline='\\r\\n', multi-line replies, DATA dot-stuffing",
    server: "smtp_server",
    client: "smtp_client",
  },
  { name: "FTP-like control connection with PASV data connections", server: "ftp_server", client: "ftp_client" },
  {
    name: "settimeout() and socket.timeout in a bounded retry loop against a server that loses requests",
    server: "retry_server",
    client: "retry_client",
  },
  {
    name: "length-prefixed frames (struct '!I') read with recv_into through memoryview slices",
    server: "frames_server",
    client: "frames_client",
  },
  {
    name: "ThreadingUnixStreamServer (PyMOTW's unlink-first idiom), shutdown() asked for by a handler",
    server: "ss_unix_server",
    client: "ss_unix_client",
    unix: true,
  },
  {
    name: "non-blocking TLS server on selectors (handshakes driven by SSLWantReadError), against python3 clients",
    server: "tls_sel_server",
    client: "tls_nb_client",
    sargs: (c) => [`${c.certs}/self.pem`, `${c.certs}/self.key`],
    cargs: (c) => [`${c.certs}/self.pem`],
    runs: [["ts", "py"]],
  },
  {
    name: "non-blocking TLS server on selectors, with the ported non-blocking client",
    server: "tls_sel_server",
    client: "tls_nb_client",
    sargs: (c) => [`${c.certs}/self.pem`, `${c.certs}/self.key`],
    cargs: (c) => [`${c.certs}/self.pem`],
    runs: [["py", "ts"], ["ts", "ts"]],
  },
  {
    name: "UnixDatagramServer + DatagramRequestHandler; a client bound to its own path",
    server: "ss_unixdg_server",
    client: "ss_unixdg_client",
    unix: true,
  },
  {
    name: "non-blocking TLS client: do_handshake()/recv()/send() retried on SSLWantReadError with select()",
    server: "tls_nb_server",
    client: "tls_nb_client",
    sargs: (c) => [`${c.certs}/self.pem`, `${c.certs}/self.key`],
    cargs: (c) => [`${c.certs}/self.pem`],
  },
];

pair_tests(test, "ported more", PAIRS, ctx, run_pair);
for (const p of PAIRS.filter((p) => p.ignore)) console.log(`ignored: ported more: ${p.name}: ${p.ignore}`);

interface SingleSpec {
  name: string;
  prog: string;
  /** Arguments, made fresh for each run (held ports are disposed after it); `ctx` makes the certificates. */
  args?: (ctx: () => Promise<Ctx>) => Promise<{ args: string[] } & Disposable>;
  needs_ipv6?: boolean;
  ignore?: string;
}

const none = () => Promise.resolve({ args: [], [Symbol.dispose]() {} });

/** A port nobody listens on (held: no other test file's bind(port 0) gets it meanwhile). */
async function closed_port_arg(): Promise<{ args: string[] } & Disposable> {
  const held = await held_closed_port("127.0.0.1");
  return { args: [String(held.port)], [Symbol.dispose]: () => held[Symbol.dispose]() };
}

const SINGLES: SingleSpec[] = [
  {
    name: "non-blocking connect, select() for writability, SO_ERROR (open and closed port)",
    prog: "nb_connect",
    args: closed_port_arg,
  },
  {
    name: "key-value store on ThreadingTCPServer + StreamRequestHandler, text makefile clients",
    prog: "ss_kv",
  },
  {
    name: "dual-stack IPv6 listener (create_server dualstack_ipv6=True); an AF_INET6 client via ::ffff:127.0.0.1",
    prog: "dualstack",
    needs_ipv6: true,
  },
  {
    name: "socketpair() producer/consumer: sendfile() (whole, slice, again) and recv_into a memoryview",
    prog: "pair_sendfile",
  },
  {
    name: "one UDP server, three clients: recvfrom_into with nbytes, MSG_PEEK, truncation, select() over clients",
    prog: "udp_many",
  },
  {
    name: "getaddrinfo/getnameinfo/gethostbyname table on numeric hosts, None and localhost",
    prog: "gai_table",
  },
  {
    name: "accepted sockets' timeout and blocking, MSG_DONTWAIT, sendmsg/recvmsg/recvmsg_into, detach and adopt",
    prog: "sock_details",
  },
  {
    name: "keyword arguments: socket(type=, family=, fileno=), socketpair(type=), register(data=), modify(data=)",
    prog: "kwargs_calls",
  },
  {
    name: "select() and a selector asked for reading and writing right after the peer sent",
    prog: "select_rw",
  },
  {
    name: "ssl.get_server_certificate(), cert_time_to_seconds(), HAS_TLSv1_3 against a local TLS server",
    prog: "ssl_certinfo",
    args: async (ctx) => {
      const { certs } = await ctx();
      return { args: [`${certs}/self.pem`, `${certs}/self.key`], [Symbol.dispose]() {} };
    },
  },
  {
    name: "socket files: mode, name, readable()/writable()/seekable(), makefile('rwb', 0) readinto, writelines, closed",
    prog: "file_attrs",
  },
  {
    name: "TLS with socketserver: get_request() wrapping each connection, and server.socket replaced by a wrapped one",
    prog: "ss_tls",
    args: async (ctx) => {
      const { certs } = await ctx();
      return { args: [`${certs}/self.pem`, `${certs}/self.key`], [Symbol.dispose]() {} };
    },
  },
  {
    name: "errors a program raises itself: OSError('text'), socket.timeout('text'), OSError(errno, text)",
    prog: "raise_errors",
  },
];

for (const spec of SINGLES) {
  const skip = spec.needs_ipv6 && !HAS_IPV6;
  if (skip) console.log(`ignored: ported more: ${spec.name}: this machine has no IPv6 loopback`);
  test({
    name: `ported more: ${spec.name}`,
    ignore: skip || (spec.ignore !== undefined && !RUN_IGNORED),
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      // CPython's run and the port's run at once, each with arguments of its own (a held port each).
      const once = async (lang: Lang) => {
        using a = await (spec.args ?? none)(ctx);
        return await run(lang, spec.prog, a.args).done;
      };
      const ts = settle(once("ts"));
      try {
        let py = await once("py");
        if (py.code !== 0) {
          // The reference itself failed (a loaded machine can stall its threads past their timeouts): once more,
          // aloud.
          console.log(`ported more: ${spec.prog}: CPython's run ended with ${py.code}; running it again`);
          py = await once("py");
        }
        assert.equal(py.code, 0, `CPython failed:\n${py.err}`);
        same(spec.prog, unwrap(await ts), py, true);
      } finally {
        await ts;
      }
    },
  });
}
for (const p of SINGLES.filter((p) => p.ignore)) console.log(`ignored: ported more: ${p.name}: ${p.ignore}`);

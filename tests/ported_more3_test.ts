// A third batch of classic Python socket programs (socketserver hooks, UDP client names, readiness in every
// state, …), each in tests/ported/ as the CPython original (*.py) and its port by the README's porting rules
// (*.ts), run under python3 and as the port, stdout compared. Each program holds both sides (threads become
// tasks), binds port 0 and prints no port numbers, so runs never race other test files. A program that fails
// because of an unfixed pysocket bug is kept, marked `ignore`, with the finding named in a printed reason
// ("ignored: ported more3: …: finding A4-<n>: …"); PORTED_RUN_IGNORED=1 runs it anyway (to check a fix).

import assert from "node:assert/strict";
import { HAS_IPV6, test_needing } from "./_socket_fixtures.ts";
import { type Ctx, ctx, type Lang, run as run_in, RUN_IGNORED, same, settle, unwrap } from "./_ported.ts";

const test = test_needing("python3", "openssl");

const ROOT = new URL("./ported/", import.meta.url).pathname;
const run = (lang: Lang, prog: string, args: string[]) => run_in(ROOT, lang, prog, args).done;

interface SingleSpec {
  name: string;
  prog: string;
  /** Arguments (certificate paths…), made once per run. */
  args?: (c: () => Promise<Ctx>) => Promise<string[]>;
  needs_ipv6?: boolean;
  ignore?: string;
}

const SINGLES: SingleSpec[] = [
  {
    name: "socketserver hooks in CPython's order: verify/process/finish_request, setup/handle/finish, " +
      "shutdown/close_request, handle_error (raise, handler timeout), service_actions, serve_forever again",
    prog: "ss_lifecycle",
  },
  {
    name: "UDPServer: max_packet_size cuts datagrams, an empty reply still sent, ThreadingUDPServer with five " +
      "clients at once, handle_request() timeouts",
    prog: "ss_udp_details",
  },
  {
    name: "select() and DefaultSelector readiness in every state (fresh, bound, listening, connected, " +
      "half-closed, peer closed, after a timeout, UDP, closed)",
    prog: "readiness_states",
  },
  {
    name: "UDP client names (udp_remote.py): getsockname() after sendto, connect, bind('')+connect, " +
      "bind('0.0.0.0')+connect with sendmsg/recvmsg, IPv6 '::' to '::1' (finding A4-1)",
    prog: "udp_names",
    needs_ipv6: true,
  },
  {
    name: "HTTP/1.1 keep-alive on ThreadingTCPServer: pipelined requests, a body in pieces, readline(65537) " +
      "and a 414, Connection: close, a half-closed client",
    prog: "http_keepalive",
  },
  {
    name: "memcached-style protocol on a selectors loop with per-connection buffers: byte-by-byte, " +
      "pipelined, a 200 KB value, partial send()s, clients leaving without quit",
    prog: "memcache_sel",
  },
  {
    name: "TLS details: SSLSocket attributes, DER/PEM round trip, pending(), recv_into, a 100 KB makefile reply, " +
      "the calls CPython refuses on an SSLSocket, a read timeout, EOF, context errors",
    prog: "tls_details",
    args: async (c) => [(await c()).certs],
  },
  {
    name: "rdt 3.0 over UDP: stop-and-wait with sequence numbers and a retransmission timeout through a relay " +
      "that drops and duplicates datagrams; the file arrives whole, once",
    prog: "udp_stopwait",
  },
  {
    name: "SOCKS4 proxy: struct-parsed CONNECT, create_connection to the target (91 when refused), select() " +
      "relay passing half-closes on, 300 KB through it",
    prog: "socks4_proxy",
  },
  {
    name: "when timeouts fire: accept, recv, recvfrom, makefile readline, sendall to a non-reader (total), " +
      "setdefaulttimeout on create_connection and accepted sockets, timeout 0 and None",
    prog: "timeouts_moments",
  },
  {
    name: "selectors echo server under load: twenty clients at once, partial send()s, EVENT_WRITE only while " +
      "bytes wait, each client reading its echo while it sends, then half-closing",
    prog: "sel_many_clients",
  },
  {
    name: "a tiny inetd on one selectors loop: echo (TCP and UDP), discard, chargen and quit services, " +
      "callbacks kept as the keys' data",
    prog: "inetd_services",
  },
  {
    name: "fast port scanner: ten non-blocking connect_ex() at once, select() for writability, SO_ERROR " +
      "verdicts, getpeername() of a refused socket",
    prog: "nb_scanner",
  },
  {
    name: "worker pool over socketpair(): length-prefixed JSON jobs, results collected with select() as they " +
      "come, recv_into through a memoryview, EOF after each worker's goodbye",
    prog: "pair_workers",
  },
  {
    name: "chat room on ThreadingTCPServer: NICK/messages/QUIT over rfile, broadcasts to the other members, " +
      "a member that shuts its socket down, reader threads woken by shutdown(SHUT_RDWR)",
    prog: "ss_chat",
  },
];

for (const spec of SINGLES) {
  const skip = spec.needs_ipv6 && !HAS_IPV6;
  if (skip) console.log(`ignored: ported more3: ${spec.name}: this machine has no IPv6 loopback`);
  test({
    name: `ported more3: ${spec.name}`,
    ignore: skip || (spec.ignore !== undefined && !RUN_IGNORED),
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const args = spec.args ? await spec.args(ctx) : [];
      // The port runs beside CPython's run: each binds port 0 and makes its own temp paths.
      const ts = settle(run("ts", spec.prog, args));
      try {
        let py = await run("py", spec.prog, args);
        if (py.code !== 0) {
          // The reference itself failed (a loaded machine can stall its threads past their timeouts): once more,
          // aloud.
          console.log(`ported more3: ${spec.prog}: CPython's run ended with ${py.code}; running it again`);
          py = await run("py", spec.prog, args);
        }
        assert.equal(py.code, 0, `CPython failed:\n${py.err}`);
        same(spec.prog, unwrap(await ts), py);
      } finally {
        await ts;
      }
    },
  });
}
for (const p of SINGLES.filter((p) => p.ignore)) console.log(`ignored: ported more3: ${p.name}: ${p.ignore}`);

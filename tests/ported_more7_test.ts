// A seventh batch of classic Python socket programs, ported by the README's porting rules and run beside
// their CPython originals (tests/ported7/: *.py the original, *.ts the port): PyMOTW-3's select.poll() echo
// server with its multi-socket and slow clients, its selectors echo server and client, Foundations of Python
// Network Programming's tcp_sixteen, udp_local, srv_single/srv_legacy1 and www_ping, Scot Doyle's epoll
// servers (level- and edge-triggered), a keep-alive HTTP/1.1 client against CPython's own http.server, a
// line-based pub/sub broker, TLS over AF_UNIX and socketpair(), a select() server for TCP and UDP at once,
// and more (see each spec's name).
//
// A single program holds every side (threads become tasks) and prints no port numbers; python3 and the port
// must print the same and end with the same exit code. A client/server pair runs four ways (python3 server and
// client as the reference, then py+ts, ts+py, ts+ts), stdout compared with the port normalized. A program that
// fails because of something Deno cannot do is kept, marked `ignore`, with the finding named in a printed
// reason ("ignored: ported more7: …: finding P10-<n>: …"); PORTED_RUN_IGNORED=1 runs it anyway.

import { test_needing } from "./_socket_fixtures.ts";
import {
  ctx,
  pair_tests,
  port_pair_runner,
  type PortPairSpec,
  print_ignored,
  single_tests,
  type SingleSpec,
} from "./_ported.ts";

const test = test_needing("python3", "openssl");

const ROOT = new URL("./ported7/", import.meta.url).pathname;

// ---- single programs ---------------------------------------------------------------------------------------

const SINGLES: SingleSpec[] = [
  {
    name: "PyMOTW-3 select_poll_echo_server (poll() with READ_ONLY/READ_WRITE flag sets, modify(), message " +
      "queues) driven by select_echo_multiclient (two sockets) and select_echo_slow_client (parts with pauses)",
    prog: "motw_poll_echo",
  },
  {
    name: "PyMOTW-3 selectors_echo_server and selectors_echo_client: callbacks as key.data, keep_running, a " +
      "client registered for EVENT_READ | EVENT_WRITE switching to read-only with modify()",
    prog: "motw_selectors",
  },
];

single_tests(test, "ported more7", ROOT, SINGLES);

// ---- client/server pairs -----------------------------------------------------------------------------------

const PAIRS: PortPairSpec[] = [
  {
    name: "Foundations ch. 3 tcp_sixteen: recvall() of sixteen octets both ways, a message in pieces, a " +
      "client that hangs up early (the server's EOFError) and one that half-closes (both EOFErrors)",
    server: "tcp_sixteen_server",
    client: "tcp_sixteen_client",
  },
];

pair_tests(test, "ported more7", PAIRS, ctx, port_pair_runner(ROOT));

print_ignored("ported more7", [...SINGLES, ...PAIRS]);

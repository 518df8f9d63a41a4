// An eighth batch of classic Python socket programs, ported by the README's porting rules and run beside their
// CPython originals (tests/ported8/: *.py the original, *.ts the port): Mark Lutz's Programming Python (4th ed.,
// ch. 12: echo server and client, thread, select and socketserver servers, the five socket stream redirection
// tests, getfile; ch. 5: output buffering on socket files), David Beazley and Brian Jones's Python Cookbook (3rd
// ed., ch. 11: socketserver servers with a worker pool, UDP time servers, IP ranges, multiprocessing.connection's
// Listener, remote procedure calls, hmac client authentication, SSL, event-driven I/O, large arrays with
// memoryview and recv_into), a select() TCP proxy and Kurose & Ross's web server lab (see each spec's name).
//
// A single program holds every side (threads become tasks) and prints no port numbers; python3 and the port
// must print the same and end with the same exit code. A client/server pair runs four ways (python3 server and
// client as the reference, then py+ts, ts+py, ts+ts), stdout compared with the port normalized. A program that
// fails because of something Deno cannot do is kept, marked `ignore`, with the finding named in a printed
// reason ("ignored: ported more8: …: known limit …"); PORTED_RUN_IGNORED=1 runs it anyway.

import { test_needing } from "./_socket_fixtures.ts";
import {
  certs,
  ctx,
  pair_tests,
  port_pair_runner,
  type PortPairSpec,
  print_ignored,
  single_tests,
  type SingleSpec,
} from "./_ported.ts";

const test = test_needing("python3", "openssl");

const ROOT = new URL("./ported8/", import.meta.url).pathname;

// ---- single programs ---------------------------------------------------------------------------------------

const SINGLES: SingleSpec[] = [
  {
    name: "Lutz ch. 12 thread-server.py with testecho.py: a thread (task) per connection, handlers that sleep, " +
      "six clients at once echoed with the time",
    prog: "lutz_thread_server",
  },
  {
    name: "Lutz ch. 12 class-server.py: socketserver.ThreadingTCPServer with a BaseRequestHandler, five clients " +
      "at once, shutdown(), server_close(), a refused connect after",
    prog: "lutz_class_server",
  },
  {
    name: "Lutz ch. 12 select-server.py: two listening ports and every client in one select() loop, clients in " +
      "turn, then three at once",
    prog: "lutz_select_server",
  },
  {
    name: "Lutz ch. 12 getfile.py: a thread per client reading the file name with makefile('r').readline(), " +
      "1 KB blocks sent with send() (each asserted whole), three fetches at once, an empty and a missing file",
    prog: "lutz_getfile",
  },
  {
    name: "Lutz ch. 5 socket-unbuff-server/client: makefile('w', buffering=1) holds text until flush() as " +
      "CPython 3.11's (the raw send() overtakes it), default buffering, makefile('wb', buffering=0), close()",
    prog: "lutz_unbuff",
  },
  {
    name: "Cookbook 11.2: BaseRequestHandler and StreamRequestHandler echo servers, ThreadingTCPServer, a pool " +
      "of four workers calling serve_forever() on one TCPServer (after P11-1), a handler timeout, " +
      "bind_and_activate=False and allow_reuse_address",
    prog: "cb_tcp_server",
  },
  {
    name: "Cookbook 11.3: the time server on UDPServer, ThreadingUDPServer and over IPv6 (empty datagrams " +
      "included), and the plain recvfrom/sendto time_server()",
    prog: "cb_udp_time",
  },
  {
    name: "Cookbook 11.8: RPCHandler and RPCProxy with JSON in place of pickle, framed as multiprocessing's " +
      "Connection, over AF_UNIX and TCP: results, the server's TypeError text, keywords, KeyError, a big list",
    prog: "cb_rpc",
  },
  {
    name: "Cookbook 11.9: hmac challenge-response before an echo service, over TCP and AF_UNIX: right key, " +
      "wrong key, a short digest, a client gone before its challenge (BrokenPipeError)",
    prog: "cb_hmac_auth",
  },
  {
    name: "Cookbook 11.10: echo_server() on a listening socket wrapped by ssl.wrap_socket(server_side=True) " +
      "(accept() does the handshake; a plain-text client's WRONG_VERSION_NUMBER printed by the loop), a client " +
      "wrapped with CERT_REQUIRED and ca_certs, and the SSLMixin on a TCPServer requiring client certificates",
    prog: "cb_ssl",
    args: certs,
  },
  {
    name: "Cookbook 11.12: EventHandler objects in select() through fileno(), UDPTimeServer, UDPEchoServer, " +
      "TCPServer with TCPEchoClient handlers (outgoing buffer while wants_to_send), ThreadPoolHandler's " +
      "socketpair completion signal with UDPFibServer, a 200 KB echo read by its length, handlers removing themselves",
    prog: "cb_event_io",
  },
  {
    name: "Cookbook 11.4: ipaddress networks, ranges, indexing, membership and interfaces (ipaddress written on " +
      "pysocket's inet_pton/inet_ntop), inet_aton/inet_ntoa round trips, connect() given an address object " +
      "(TypeError naming its class) and then str(a)",
    prog: "cb_ip_range",
  },
  {
    name: "voorloopnul's select() TCP proxy (TheServer, Forward, the channel dict): two clients relayed to an " +
      "upper-casing echo server, every chunk printed, then a client while the remote port is closed",
    prog: "tcp_forward",
  },
  {
    name: "Kurose & Ross's WebServer.py lab (recv(1024), open(filename[1:]), the file sent a character per " +
      "send(), 404) with a thread per request and the lab's client reading the reply through makefile('rb')",
    prog: "kr_webserver",
  },
  {
    name: "the same with a client that has no certificate for the SSLMixin server",
    prog: "cb_ssl",
    args: async () => [...await certs(), "nocert"],
    ignore: "known limit (docs/limits.md, ssl): a pysocket server that refuses a client certificate closes " +
      "right after the handshake without OpenSSL's certificate_required alert, so the TLS 1.3 client reads b'' " +
      "where CPython's raises TLSV13_ALERT_CERTIFICATE_REQUIRED (or, as the alert races its write, SSLEOFError)",
  },
];

single_tests(test, "ported more8", ROOT, SINGLES);

// ---- client/server pairs -----------------------------------------------------------------------------------

const REDIRECT = [
  "1: the client's sys.stdout is makefile('w'), the server reads lines",
  "2: the client's sys.stdin is makefile('r'), input() reads what the server sends",
  "3: both redirected, print() then input() (input() flushes the socket stdout)",
  "4: both redirected, the server speaks first",
  "5: roles swapped: the redirected 'client' listens (redirectBothAsServer), the 'server' connects",
];

const PAIRS: PortPairSpec[] = [
  {
    name: "Lutz ch. 12 echo-server.py and echo-client.py: the default message, words from argv, binary lines",
    server: "lutz_echo_server",
    client: "lutz_echo_client",
  },
  {
    name: "Cookbook 11.13: send_from() of memoryview slices and recv_into() a memoryview of a preallocated " +
      "array: 1,000,000 doubles, 300,000 int32, an empty array (array.array for numpy)",
    server: "cb_arrays_server",
    client: "cb_arrays_client",
  },
  {
    name: "Cookbook 11.7: a client speaking multiprocessing.connection's wire format and hmac handshake on " +
      "pysocket against CPython's own Listener (authkey, send_bytes/recv_bytes echo), on TCP and AF_UNIX: " +
      "small, empty and 1 MB messages, a wrong key (AuthenticationError on both sides)",
    server: "cb_mp_listener",
    client: "cb_mp_client",
    runs: [["py", "ts"]],
  },
  ...REDIRECT.map((what, i): PortPairSpec => ({
    name: `Lutz ch. 12 socket_stream_redirect.py, test ${what}`,
    server: "lutz_redirect_server",
    client: "lutz_redirect_client",
    args: () => [String(i + 1)],
  })),
];

pair_tests(test, "ported more8", PAIRS, ctx, port_pair_runner(ROOT));

print_ignored("ported more8", [...SINGLES, ...PAIRS]);

// A fifth batch of classic Python socket programs, ported by the README's porting rules and run beside their
// CPython originals (tests/ported5/: *.py the original, *.ts the port): Foundations of Python Network
// Programming's tcp_deadlock, udp_remote with backoff, big_sender, the Zen question/answer server with worker
// threads and safe_tls/test_tls; PyMOTW-3's address packing, binary data, getaddrinfo, the three echo servers
// and the verbose socketserver echo; and Internet classics on loopback: TFTP, POP3, an IRC-like select() chat,
// JSON-RPC on ThreadingTCPServer, an HTTP/1.0 server on StreamRequestHandler, Time/Daytime/QOTD on TCP and
// UDP socketservers and a SOCKS5 proxy.
//
// A single program holds every side (threads become tasks) and prints no port numbers; python3 and the port
// must print the same and end with the same exit code. A client/server pair runs four ways (python3 server and
// client as the reference, then py+ts, ts+py, ts+ts), stdout compared with the port normalized. A program that
// fails because of something Deno cannot do is kept, marked `ignore`, with the finding named in a printed
// reason ("ignored: ported more5: …: finding P8-<n>: …"); PORTED_RUN_IGNORED=1 runs it anyway.

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

const ROOT = new URL("./ported5/", import.meta.url).pathname;

// ---- single programs ---------------------------------------------------------------------------------------

const SINGLES: SingleSpec[] = [
  {
    name: "Foundations' tcp_deadlock: a client that sends everything before it reads, 16- and 1024-byte " +
      "chunks, shutdown(SHUT_WR), the upper-cased echo counted back",
    prog: "tcp_deadlock",
  },
  {
    name: "Foundations' udp_remote: a connected UDP client retransmitting with exponential backoff against a " +
      "server that drops datagrams (seeded), settimeout() per try, RuntimeError from TimeoutError, a stranger's " +
      "datagram never seen",
    prog: "udp_backoff",
  },
  {
    name: "Foundations' big_sender on loopback: the largest IPv4 and IPv6 datagrams, EMSGSIZE one byte past, " +
      "a short recv() truncating, MSG_TRUNC's real length, recvfrom_into",
    prog: "big_sender",
  },
  {
    name: "Foundations' big_sender path-MTU part: IP_MTU_DISCOVER = IP_PMTUDISC_DO, then getsockopt(IP_MTU) " +
      "after EMSGSIZE",
    prog: "mtu_discover",
    ignore: "finding P8-1: Deno exposes no IP_MTU_DISCOVER or IP_MTU, so setsockopt/getsockopt raise ENOPROTOOPT " +
      "where CPython sets the option and reads loopback's MTU (documented in docs/limits.md)",
  },
  {
    name: "PyMOTW address packing: inet_aton's short forms, inet_pton/ntop for both families, hton*/ntoh*, " +
      "and the errors of bad input (OSError, ValueError, OverflowError, TypeError)",
    prog: "address_packing",
  },
  {
    name: "PyMOTW binary data: native 'I 2s f' with padding, network-order records with a count prefix read " +
      "by recv_exactly, EOFError on a short stream",
    prog: "binary",
  },
  {
    name: "PyMOTW getaddrinfo: the constants' names from dir(socket), every flag (AI_CANONNAME, AI_PASSIVE, " +
      "AI_NUMERICHOST, AI_NUMERICSERV, AI_V4MAPPED, AI_ADDRCONFIG), bytes arguments and the gaierrors",
    prog: "getaddrinfo_flags",
  },
  {
    name: "PyMOTW socketserver_echo: every TCPServer and handler method logged as the framework calls it " +
      "(serve_forever, handle_request, a request refused by verify_request)",
    prog: "ss_echo_verbose",
  },
  {
    name: "PyMOTW's three echo servers: explicit getaddrinfo bind with create_connection, datagrams with an " +
      "empty one, a Unix stream socket (unbound client's '' name)",
    prog: "motw_echo",
  },
  {
    name: "Foundations' safe_tls/test_tls: version, the cipher tuple (TLS 1.2 named as OpenSSL names it, " +
      "finding P8-2, fixed), compression, the peer certificate's subject, issuer and names; client certificates " +
      "required and optional",
    prog: "tls_info",
    args: async () => [(await ctx()).certs],
  },
  {
    name: "SOCKS5 proxy (RFC 1928) with relay tasks: CONNECT by IPv4, domain name and IPv6, a large payload " +
      "with half-closes passed on, refused, not allowed, unsupported command and address type, no method",
    prog: "socks5",
  },
  {
    name: "Time (RFC 868, struct '!I'), Daytime (RFC 867) and Quote of the Day (RFC 865), each on a " +
      "ThreadingTCPServer and a ThreadingUDPServer (an empty datagram asks), ten UDP requests at once, " +
      "refused after server_close()",
    prog: "time_services",
  },
  {
    name: "UDP heartbeat watchdog: settimeout() waits so silence is noticed, a worker declared dead and one " +
      "back alive, a malformed datagram, a non-blocking drain ending in BlockingIOError, then TimeoutError",
    prog: "heartbeat",
  },
  {
    name: "netcat-like relay with a socketpair for the terminal: select() over both, the user's EOF passed on " +
      "as shutdown(SHUT_WR), binary data, a refused connect's strerror",
    prog: "netcat_relay",
  },
];

single_tests(test, "ported more5", ROOT, SINGLES);

// ---- client/server pairs -----------------------------------------------------------------------------------

const PAIRS: PortPairSpec[] = [
  {
    name: "TFTP (RFC 1350) server and client: RRQ/WRQ, a transfer socket per request, 512-byte blocks, an " +
      "empty final block, a retransmit after a held-back ACK, ERROR 1/4/5/6",
    server: "tftp_server",
    client: "tftp_client",
  },
  {
    name: "POP3 (RFC 1939) on ThreadingTCPServer and a poplib-style client: USER/PASS, STAT, LIST, UIDL, RETR " +
      "and TOP byte-stuffed, DELE/RSET, errors, two sessions",
    server: "pop3_server",
    client: "pop3_client",
  },
  {
    name: "IRC-like chat on one select() loop and a three-user client: NICK registration and collisions, " +
      "broadcast and private messages, partial and joined lines, a client vanishing without QUIT",
    server: "irc_server",
    client: "irc_client",
  },
  {
    name: "Foundations' Zen server (recv_until on b'?', four accept workers on one listener) and client: an " +
      "error mid-question, pieces, two questions in one send, three clients at once",
    server: "zen_server",
    client: "zen_client",
  },
  {
    name: "JSON-RPC 2.0 with 4-byte length prefixes on ThreadingTCPServer (rfile.read(n)): positional and " +
      "named params, notifications, batches, the standard errors, an oversized frame, shutdown by a method",
    server: "jsonrpc_server",
    client: "jsonrpc_client",
  },
  {
    name: "HTTP/1.0 server on TCPServer + StreamRequestHandler (rfile.readline(65537) headers, rfile.read(n) " +
      "body, wfile.write) and a raw-socket client: GET, HEAD, a 200 KB page, a request a byte at a time, " +
      "POST in two pieces, 400/404/405/411/413/431",
    server: "http10_server",
    client: "http10_client",
  },
  {
    name: "Foundations' blocks.py and streamer.py: shutdown(SHUT_RD) and shutdown(SHUT_WR) at once, " +
      "length-prefixed blocks ended by an empty one, a stream to EOF, a send after SHUT_WR, a block cut short",
    server: "blocks_server",
    client: "blocks_client",
  },
  {
    name: "Foundations' srv_legacy1 on select.poll() (new, finding P8-3, fixed) with the Zen client: sockets by " +
      "fileno, modify() between POLLIN and POLLOUT, non-blocking send(), close() then POLLNVAL, ENOENT and " +
      "KeyError for unregistered sockets",
    server: "poll_server",
    client: "zen_client",
  },
];

pair_tests(test, "ported more5", PAIRS, ctx, port_pair_runner(ROOT));

print_ignored("ported more5", [...SINGLES, ...PAIRS]);

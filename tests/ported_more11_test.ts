// An eleventh batch of classic Python socket programs, ported by the README's porting rules and run beside their
// CPython originals (tests/ported11/: *.py the original, *.ts the port): a round-robin load balancer on
// selectors with health checks and retries, an HTTP reverse proxy with a keep-alive upstream pool, a
// length-prefixed protocol on sendmsg()/recvmsg_into() scatter/gather, STARTTLS then unwrap() (FTP's CCC), the
// TLS session details programs print, socketserver handler timeouts, Go-Back-N over a lossy UDP relay, a
// selectors chat with a 1 MB line, per-client heartbeat deadlines, an edge-triggered epoll forwarder, and the
// socket options a server prints (see each spec's name).
//
// Each program holds every side (threads become tasks) and prints no port numbers; python3 and the port must
// print the same and end with the same exit code. A program that shows pysocket differing from CPython is kept,
// marked `ignore`, with the finding (or the docs/limits.md entry) named in a printed reason;
// PORTED_RUN_IGNORED=1 runs it anyway.

import { test_needing } from "./_socket_fixtures.ts";
import { ctx, print_ignored, single_tests, type SingleSpec } from "./_ported.ts";

const test = test_needing("python3", "openssl");

const ROOT = new URL("./ported11/", import.meta.url).pathname;

const certs = async () => [(await ctx()).certs];

// Under three CPU burners, this file's scheduling-sensitive program failed in every full-file run once the
// other programs ran CPython's and the port's runs at once (yet passed run alone): as before, one after the other.
const ALONE = "scheduling-sensitive programs in this file failed under load when runs overlapped";
const SINGLES: SingleSpec[] = [
  {
    name: "a round-robin TCP load balancer on selectors: connect_ex() health checks (a refusing backend dropped), " +
      "non-blocking connects to backends (EINPROGRESS, EVENT_WRITE, SO_ERROR), a backend hanging up mid-reply " +
      "and one whose server went away (ECONNREFUSED at run time) marked down, the request retried on the next",
    prog: "lb_round_robin",
  },
  {
    name: "an HTTP/1.1 reverse proxy with a pool of keep-alive upstream connections: reuse, an upstream that " +
      "closed an idle pooled connection (sendall() succeeds, the read sees EOF), the request retried once on a " +
      "new connection",
    prog: "proxy_pool",
  },
  {
    name: "a length-prefixed protocol on sendmsg() scatter/gather and recvmsg_into() into several buffers " +
      "(TCP frames with a trailer, a socketpair() stream, a SOCK_DGRAM socketpair datagram cut by MSG_TRUNC, " +
      "UDP sendmsg() with an address, recvmsg(), what sendmsg() refuses)",
    prog: "scatter_gather",
  },
  {
    name: "the socket options a server prints: defaults, set and read back (TCP_NODELAY, SO_KEEPALIVE, " +
      "SO_REUSEADDR, SO_TYPE, SO_ERROR, SO_LINGER, SO_BROADCAST), on a fresh, listening, connected and accepted " +
      "socket",
    prog: "sockopts_print",
    args: () => Promise.resolve(["portable"]),
  },
  {
    name: "the same with the keepalive tunables TCP_KEEPIDLE/TCP_KEEPINTVL/TCP_KEEPCNT set and read back",
    prog: "sockopts_print",
    ignore: "documented in docs/limits.md ('Socket options are limited'): setting or reading TCP_KEEPIDLE, " +
      "TCP_KEEPINTVL and TCP_KEEPCNT raises ENOPROTOOPT (CPython: 7200/75/9, then the values set); P14-1",
  },
  {
    name: "what a TLS client and server print about their session: version(), cipher() protocol and bits, " +
      "selected_alpn_protocol() (a match, none offered), getpeercert() fields, DER and PEM, server_hostname, " +
      "server_side, context attributes, a mutual-TLS session's client certificate",
    prog: "tls_session_info",
    args: certs,
  },
  {
    name: "the same, the server also printing whether shared_ciphers() lists anything",
    prog: "tls_session_info",
    args: async () => [...await certs(), "shared"],
    ignore: "documented in docs/limits.md ('TLS is Deno's (rustls)'): a server's shared_ciphers() is None " +
      "(CPython lists the suites both sides offered); P14-2",
  },
  {
    name: "the same with a session whose ALPN lists share nothing",
    prog: "tls_session_info",
    args: async () => [...await certs(), "nooverlap"],
    ignore: "documented in docs/limits.md ('TLS trust is CPython's, its failures quieter'; finding S11): a " +
      "pysocket server with no ALPN protocol in common refuses the handshake (the client sees SSLEOFError), " +
      "CPython's goes on with selected_alpn_protocol() None; P14-3",
  },
  {
    name: "FTP's CCC: a line protocol upgraded by STARTTLS, then unwrap() on both sides back to plaintext on the " +
      "same connection, bytes written right after each unwrap() read in plaintext by the peer",
    prog: "starttls_ccc",
    args: certs,
    ignore: "documented in docs/limits.md ('TLS is Deno's (rustls)'): SSLSocket.unwrap() raises OSError ENOTSUP " +
      "(CPython returns the plain socket after close_notify both ways); P14-4",
  },
  {
    name: "socketserver timeouts: a ThreadingTCPServer whose handler sets `timeout` against a client stalling " +
      "mid-line and a silent one (TimeoutError to handle_error() after finish()), a client trickling a byte " +
      "every 0.05 s served, handle_request() calling handle_timeout() when no client comes",
    prog: "ss_handler_timeout",
  },
  {
    name: "a Go-Back-N file transfer over UDP (window 4, cumulative ACKs, one timer) through a relay dropping " +
      "data packets 3 and 11 and the ACK of 15 once: the counts of sends, resends, duplicate ACKs",
    prog: "udp_gbn",
  },
  {
    name: "a selectors chat with per-client output buffers: a 1 MB line relayed to three clients, one reading " +
      "slowly, EVENT_WRITE switched on and off with modify() as send() falls short, every line in order",
    prog: "chat_big_message",
  },
  {
    name: "a heartbeat server: one select() loop timed by the nearest per-client deadline (time.monotonic()), " +
      "PING/PONG moving it, TIMEOUT to a client that fell silent and to one that never spoke, a client's own " +
      "recv() timing out under settimeout()",
    prog: "heartbeat_deadlines",
  },
  {
    name: "a port forwarder on edge-triggered epoll (EPOLLET): reading and accepting until BlockingIOError, " +
      "writing until BlockingIOError with the rest kept for the next EPOLLOUT edge, half-closes passed on, " +
      "three clients echoing 400 KB each",
    prog: "epoll_et_forward",
    alone: "it prints whether a read drained to BlockingIOError: under three CPU burners, the port's run " +
      "beside CPython's once read to EOF without one",
  },
  {
    name: "the writev() loop of a non-blocking writer: 13 MB in 200 buffers flushed by sendmsg() of up to 64 " +
      "buffers, short counts consumed across buffers (memoryview slices), BlockingIOError then EVENT_WRITE, " +
      "to a late slow reader (TCP and socketpair()); sendmsg(..., MSG_DONTWAIT) on a blocking socketpair",
    prog: "writev_loop",
  },
  {
    name: "UDP beginners' mistakes and their fixes: send()/sendmsg() with no destination (EDESTADDRREQ), a " +
      "sendto() of 70000 bytes (EMSGSIZE), then sendto() with the address or connect() then send(), an echo " +
      "peer answering each",
    prog: "udp_send_first",
    args: () => Promise.resolve(["fixes"]),
  },
  {
    name: "the same, printing what the failed send did to the socket (Linux bound it to an ephemeral port " +
      "first: getsockname() shows it and a later bind() raises EINVAL)",
    // Finding P14-5 (fixed): a failed send left pysocket's socket unbound (port 0, a later bind() succeeded).
    prog: "udp_send_first",
  },
  {
    name: "'why doesn't my first send() fail?': a blocking client keeps sending after the server read one " +
      "request and closed: the first send(), sendall() and sendmsg() succeed, later ones raise BrokenPipeError, " +
      "recv() reads EOF",
    prog: "peer_closed_sends",
    args: () => Promise.resolve(["blocking"]),
    alone: "whether a send sees the peer's reset depends on when the reset came back: in one CI run CPython's own " +
      "blocking sendall() succeeded four times after the peer's close",
  },
  {
    name: "the same with a timed and a non-blocking client socket",
    prog: "peer_closed_sends",
    args: () => Promise.resolve(["timed", "non-blocking"]),
    ignore: "documented in docs/limits.md ('Sends cannot be taken back'): a timed or non-blocking socket's " +
      "send after the peer's reset came back still returns its count, BrokenPipeError comes one call later " +
      "(CPython: the second send raises it); P14-6",
  },
];

single_tests(test, "ported more11", ROOT, SINGLES, ALONE);

print_ignored("ported more11", SINGLES);

// A sixth batch of classic Python socket programs, ported by the README's porting rules and run beside their
// CPython originals (tests/ported6/: *.py the original, *.ts the port): Black Hat Python ch. 2 (TCP/UDP
// clients and the threaded server, the TCP proxy with hexdump, the netcat replacement without its shell),
// Python Network Programming Cookbook ch. 1–2 (timeouts, blocking modes, SO_REUSEADDR, buffer sizes, error
// handling, an SNTP client, ThreadingMixIn echo, the select() chat), Violent Python's banner grabber and
// threaded connect scanner, TLS against `openssl s_server -www` and `curl --cacert`, an FTP active-mode (PORT)
// data connection, a memcached text-protocol client, unicast service discovery, varint-framed messages, an
// HTTP CONNECT proxy carrying TLS, port knocking, and the Cookbook's wait-for-service loop.
//
// A single program holds every side (threads become tasks) and prints no port numbers; python3 and the port
// must print the same and end with the same exit code. A client/server pair runs four ways (python3 server and
// client as the reference, then py+ts, ts+py, ts+ts), stdout compared with the port normalized. A program that
// fails because of something Deno cannot do is kept, marked `ignore`, with the finding named in a printed
// reason ("ignored: ported more6: …: finding P9-<n>: …"); PORTED_RUN_IGNORED=1 runs it anyway.

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

/** curl is on PATH (CI has it; a machine without it prints the curl program as ignored, saying why). */
const HAS_CURL = (() => {
  try {
    return new Deno.Command("curl", { args: ["--version"], stdout: "null", stderr: "null" }).outputSync().success;
  } catch {
    return false;
  }
})();

const ROOT = new URL("./ported6/", import.meta.url).pathname;

// ---- single programs ---------------------------------------------------------------------------------------

const SINGLES: SingleSpec[] = [
  {
    name: "Black Hat Python's TCP client, threaded TCP server (handle_client per thread, ACK) and UDP client",
    prog: "bhp_clients",
  },
  {
    name: "Black Hat Python's TCP proxy: hexdump, receive_from() reading until a settimeout() expires, " +
      "receive_first for a remote that greets, a request_handler rewriting the password",
    prog: "bhp_proxy",
  },
  {
    name: "Black Hat Python's netcat without its shell: execute (subprocess output) and upload (read to EOF " +
      "after a half-close) on a listener's threads, the 4096-byte response loop, a refused connect",
    prog: "bhp_netcat",
  },
  {
    name: "Cookbook 1_8/1_9/1_10: gettimeout/settimeout/setdefaulttimeout, blocking and non-blocking accept " +
      "and recv, SO_REUSEADDR read and set, a port rebound after a server-side close",
    prog: "cb_modes",
  },
  {
    name: "Cookbook 1_10's motivation: a port held by TIME_WAIT refuses a bind without SO_REUSEADDR",
    prog: "cb_reuse_needed",
    ignore: "finding P9-1: Deno sets SO_REUSEADDR on every TCP listener, so a bind without it succeeds where " +
      "Linux raises EADDRINUSE for a port held by a TIME_WAIT connection (documented in docs/limits.md)",
  },
  {
    name: "Cookbook 1_11: SO_SNDBUF read before and after setting SO_SNDBUF/SO_RCVBUF",
    prog: "cb_bufsize",
    ignore: "finding P9-2: Deno exposes no SO_SNDBUF/SO_RCVBUF, so the port stops at its first getsockopt " +
      "with OSError [Errno 92] Protocol not available where CPython prints 16384 then 8192 (documented in " +
      "docs/limits.md)",
  },
  {
    name: "Cookbook 1_7: the four try/except blocks (create, connect, send, receive) against a local HTTP/1.0 " +
      "server: refused, gaierror for an IPv6 host on AF_INET, EPIPE after SHUT_WR, a receive timeout",
    prog: "cb_errors",
  },
  {
    name: "Cookbook 1_13: an SNTP client (struct '!12I') against a local fake time server that drops the " +
      "first request and ignores strays; retry on timeout",
    prog: "sntp_client",
  },
  {
    name: "Cookbook 2_3: ThreadingMixIn echo server with serve_forever in a thread, clients in a row and " +
      "three at once answered last first, shutdown(), refused after close",
    prog: "cb_threading_echo",
  },
  {
    name: "ssl docs' client against `openssl s_server -www`: create_default_context(cafile), an HTTP/1.1 GET " +
      "read through makefile('rb') to EOF, the peer certificate, an untrusting client's verify_code",
    prog: "tls_openssl_www",
    args: async () => [(await ctx()).certs],
  },
  {
    name: "the same against `openssl s_server -www`, the second connection offering the first one's session",
    prog: "tls_openssl_www",
    args: async () => [(await ctx()).certs, "resume"],
    ignore: "finding P9-3: no TLS session resumption on Deno (session is None, session_reused False; s_server " +
      "reports 'New' where CPython's second connection is 'Reused'; documented in docs/limits.md)",
  },
  {
    name: "ssl docs' server (wrap_socket(server_side=True), deal_with_client) probed by curl --cacert: two URLs " +
      "on one keep-alive connection, POST, HEAD, a curl without the CA (TLSV1_ALERT_UNKNOWN_CA on both ends)",
    prog: "tls_curl_server",
    args: async () => [(await ctx()).certs],
    ...(HAS_CURL ? {} : { ignore: "curl is not on PATH" }),
  },
  {
    name: "Violent Python's banner grabber (setdefaulttimeout, checkVulns) over 127.0.0.1-3 and its threaded " +
      "connect scanner (gethostbyaddr, a thread per port: open, mute, silent until timeout, refused)",
    prog: "violent_scan",
  },
  {
    name: "service discovery over loopback unicast UDP: a selectors registry with TTLs and heartbeats, " +
      "round-robin LOOKUP, expiry, ERROR replies, clients retrying on timeout, TCP echo services found by name",
    prog: "discovery",
  },
  {
    name: "Cookbook 3_3: NetServiceChecker retrying connect() on one timed socket until a late service " +
      "listens (Linux's ECONNREFUSED then ECONNABORTED on the reused socket), a service that never comes",
    prog: "cb_wait_service",
  },
  {
    name: "an HTTP CONNECT proxy on a selectors loop (non-blocking relay, half-closes passed on, 400/405/502) " +
      "with TLS clients wrapping the tunnelled connection: keep-alive GETs through makefile('rb'), two at once",
    prog: "connect_proxy",
    args: async () => [(await ctx()).certs],
  },
  {
    name: "port knocking: one select() loop over three UDP knock ports, a guarded listener and its connections; " +
      "clients bound to 127.0.0.2/.3 before sendto() and connect(): in order, out of order, too slow, expired",
    prog: "port_knock",
  },
  {
    name: "a TLS server probed by `openssl s_client -brief`: ALPN chosen by the server, SNI seen by " +
      "sni_callback, data both ways, close() without close_notify (s_client: unexpected EOF), an untrusting client",
    prog: "tls_s_client",
    args: async () => [(await ctx()).certs],
  },
  {
    name: "the same, ended by unwrap() (close_notify both ways, the socket left plain)",
    prog: "tls_s_client",
    args: async () => [(await ctx()).certs, "unwrap"],
    ignore: "known limit (docs/limits.md, ssl): unwrap() raises ENOTSUP on Deno, whose TLS may already have " +
      "consumed plain bytes after close_notify",
  },
  {
    name: "the same, s_client offering only an ALPN protocol the server does not know",
    prog: "tls_s_client",
    args: async () => [(await ctx()).certs, "alpn"],
    ignore: "known limit S11 (docs/limits.md): Deno's TLS refuses the handshake with no_application_protocol " +
      "where CPython's server goes on without ALPN; Deno can replace a server's ALPN list per connection, not " +
      "empty it, so pysocket cannot answer as OpenSSL does",
  },
];

single_tests(test, "ported more6", ROOT, SINGLES);

// ---- client/server pairs -----------------------------------------------------------------------------------

const PAIRS: PortPairSpec[] = [
  {
    name: "Cookbook 2_4: the select() chat server (clients also watched for writability) and three clients " +
      "driven by select(): struct 'L' + htonl framing, joins, broadcasts, a close and a half-close",
    server: "cb_chat_server",
    client: "cb_chat_client",
  },
  {
    name: "FTP in active mode: PORT and EPRT name the client's listener, the server connects back for LIST, " +
      "RETR and STOR (150/226), refuses another host (bounce), 501/522/550/502, a listener gone (425)",
    server: "ftp_active_server",
    client: "ftp_active_client",
  },
  {
    name: "a memcached text-protocol client (makefile('rwb'), flush per command, noreply pipelining, cas " +
      "between two clients, binary and 210 KB values, the server's errors) against a python3 fake memcached",
    server: "memcached_fake",
    client: "memcached_client",
    runs: [["py", "ts"]],
  },
  {
    name: "varint-framed protobuf-like messages (struct '<d' '<q' '<I', zigzag, nested and unknown fields) on " +
      "ThreadingTCPServer + rfile.read(1)/read(n): a pipelined batch, a frame a byte at a time, 100 KB, a bad " +
      "wire type and an oversized frame answered with an error and a close",
    server: "pb_server",
    client: "pb_client",
  },
];

pair_tests(test, "ported more6", PAIRS, ctx, port_pair_runner(ROOT));

print_ignored("ported more6", [...SINGLES, ...PAIRS]);

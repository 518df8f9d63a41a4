// A thirteenth batch of classic Python socket programs, ported by the README's porting rules and run beside their
// CPython originals (tests/ported13/: *.py the original, *.ts the port): a plain TCPServer stopped by a client
// through a shutdown() thread, a one-thread selectors pump with non-blocking connect_ex() and partial sends, an
// upload over makefile("rwb") with a half-close and a lingering close, FTP's passive mode, an HTTP Range server on
// sendfile(), a ring buffer filled by recv_into(), UDP retries through a lossy relay, a line RPC over TLS, a
// pipelined RESP server on poll(), Unix datagram request/response on paths and abstract names, and a loopback port
// scanner (see each spec's name).
//
// Each program holds every side (threads become tasks) and prints no port numbers; python3 and the port must
// print the same and end with the same exit code. A program that shows pysocket differing from CPython is kept,
// marked `ignore`, with the finding (or the docs/limits.md entry) named in a printed reason;
// PORTED_RUN_IGNORED=1 runs it anyway.

import { test_needing } from "./_socket_fixtures.ts";
import { certs, print_ignored, single_tests, type SingleSpec } from "./_ported.ts";

const test = test_needing("python3", "openssl");

const ROOT = new URL("./ported13/", import.meta.url).pathname;

const SINGLES: SingleSpec[] = [
  {
    name: "a plain socketserver.TCPServer stopped by a client: the handler starts a thread that calls shutdown(), " +
      "serve_forever() returns in the main thread; rfile iteration, handle_error() for an exception in handle(), " +
      "verify_request() refusing a create_connection() from source_address 127.0.0.2, refused after server_close()",
    prog: "ss_remote_shutdown",
  },
  {
    name: "one thread, one selector, all non-blocking: connect_ex() EINPROGRESS then EVENT_WRITE and SO_ERROR (0, " +
      "and ECONNREFUSED for a closed port), a send buffer filled to BlockingIOError, 6 MiB pumped through a " +
      "transforming echo server with partial sends queued, EVENT_WRITE only while output waits, a half-close",
    prog: "nb_echo_pump",
  },
  {
    name: "an upload over makefile('rwb') at both ends: writelines(), flush(), shutdown(SHUT_WR); readline(limit) " +
      "cutting a long header, read(n) and readinto() of the body, peek() after it, b'' at EOF, a reply read with " +
      "readline() and read(), and a graceful close (SHUT_WR, a bounded drain)",
    prog: "upload_halfclose",
  },
  {
    name: "FTP's passive mode on 127.0.0.1: PASV's 227 reply from a fresh data listener, RETR/STOR/LIST with 150 " +
      "before and 226 after the data connection, 425 without PASV and when the data connection never comes (a " +
      "timed-out accept()), 550, QUIT",
    prog: "ftp_pasv",
  },
  {
    name: "an HTTP/1.1 Range server on sendfile(file, offset, count) from a temp file: pipelined requests, 200, 206 " +
      "for a-b, a- and -n, 416 past the end, the file position after each sendfile(), offset past the end (0), " +
      "ValueError on a non-blocking socket",
    prog: "range_sendfile",
  },
  {
    name: "a framed reader filling a 64-byte ring with recv_into(memoryview slice, nbytes) across the wrap, 300 " +
      "frames sent in 1..13-byte pieces; recv_into()'s ValueErrors, MSG_PEEK and nbytes=0",
    prog: "ring_recv_into",
  },
  {
    name: "UDP request/retry through a lossy relay (every third request and seventh reply dropped, every fifth " +
      "reply doubled): settimeout(0.15) retries, stale replies discarded by id, a server reply cache",
    prog: "udp_lossy_dedupe",
  },
  {
    name: "a line RPC over TLS with the test CA: pipelined commands read by makefile('rb').readline() on the " +
      "server's SSLSocket, getpeercert()'s subject, a wrong server_hostname (62) and an untrusted CA (20) refused",
    prog: "tls_line_rpc",
    args: certs,
  },
  {
    name: "a Redis-style RESP server on select.poll() with non-blocking sockets: 40 pipelined commands parsed " +
      "incrementally, replies written under POLLOUT, a 200 KB value, simple/error/integer/bulk/nil/array replies " +
      "parsed from 7-byte recv() pieces, EOF after SHUT_WR",
    prog: "resp_poll_pipeline",
  },
  {
    name: "Unix datagram request/response to a path and an abstract name, replies to recvfrom()'s address; a gone " +
      "server's path (FileNotFoundError) and a mute one (TimeoutError); the bound files left behind",
    prog: "unix_dgram_rpc",
  },
  {
    name: "a loopback port scanner: blocking connect_ex() under settimeout(0.5) to closed ports (ECONNREFUSED), an " +
      "open one grabbing its banner and a listener that never accepts (open, its recv() timing out); " +
      "create_connection(all_errors=True) raising an ExceptionGroup, and without it the single error",
    prog: "loopback_scan",
  },
];

single_tests(test, "ported more13", ROOT, SINGLES);

print_ignored("ported more13", SINGLES);

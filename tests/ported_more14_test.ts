// A fourteenth batch of classic Python socket programs, ported by the README's porting rules and run beside their
// CPython originals (tests/ported14/: *.py the original, *.ts the port): a non-blocking client polling connect_ex()
// until 0/EISCONN, sendmsg()/recvmsg() on AF_UNIX without ancillary data, a 4 MiB memoryview sendall() to a slow
// reader, a line server on one makefile('rwb') under a timeout, UDP retries with recvfrom_into(), a table of what
// each call raises in the wrong state, datagram sends after shutdown(), a non-blocking accept() drain, SSLSocket's
// legacy read()/write(), three socketserver servers served by one selector loop, a miniature MQTT broker, and
// zero-length operations (see each spec's name).
//
// Each program holds every side (threads become tasks) and prints no port numbers; python3 and the port must
// print the same and end with the same exit code. A program that shows pysocket differing from CPython is kept,
// marked `ignore`, with the finding named in a printed reason; PORTED_RUN_IGNORED=1 runs it anyway.

import { test_needing } from "./_socket_fixtures.ts";
import { certs, lane_tests, print_ignored, type SingleSpec } from "./_ported.ts";

const test = test_needing("python3", "openssl");

const ROOT = new URL("./ported14/", import.meta.url).pathname;

const SINGLES: SingleSpec[] = [
  {
    name: "a non-blocking client polling connect_ex() until 0 or EISCONN: EINPROGRESS first, pending codes only " +
      "before the end, EISCONN after it (connect() raises it), SO_ERROR 0, a closed port ending on ECONNREFUSED, " +
      "settimeout(0) as the same mode",
    prog: "nb_connect_ex_poll",
  },
  {
    name: "sendmsg()/recvmsg() on AF_UNIX without ancillary data: gathered sends, recvmsg() with an ancillary " +
      "buffer size (an empty list back), MSG_TRUNC, recvmsg_into() scattering, send_fds() with no fds, sendmsg() " +
      "to a path from an unbound socket (address None), an empty datagram, CMSG_LEN/CMSG_SPACE",
    prog: "unix_msg_plain",
  },
  {
    name: "sendall() of a 4 MiB memoryview slice to a slow reader (SHA-256 matches), an array('H') counted in " +
      "bytes; a reader that stops: sendall() under settimeout(0.3) raises TimeoutError, a non-blocking send() " +
      "BlockingIOError, and the stream is the sendall's part then the sends', nothing lost or doubled",
    prog: "sendall_memview_slow",
  },
  {
    name: "a line server on one makefile('rwb') under settimeout(0.8): readline(limit) cutting a long line, " +
      "write()+flush() answers, an idle client's TimeoutError, the 421 still written through the timed-out file, " +
      "'cannot read from timed out object' after it, at both ends",
    prog: "makefile_rwb_idle",
  },
  {
    name: "UDP request/retry under settimeout(0.4) receiving with recvfrom_into() into one buffer: first copies " +
      "dropped and resent, a reply cut at nbytes (the next whole), a stranger's datagram ignored by address, " +
      "nbytes past the buffer (ValueError), recv_into() connected",
    prog: "udp_into_retry",
  },
  {
    name: "what each call raises in the wrong state: TCP before connect, on a listener, twice, after shutdown " +
      "and close; UDP listen/accept/send unconnected, 65508 bytes, a shutdown's EPIPE; AF_UNIX missing, taken, " +
      "plain-file and wrong-type paths, a path too long; bad options and protocols",
    prog: "state_errors",
  },
  {
    name: "datagram sockets after shutdown() in each family (UDP over IPv4 and IPv6, AF_UNIX): EPIPE for a send " +
      "after SHUT_WR but EMSGSIZE for one too large, receiving still, a queued datagram read after SHUT_RD; an " +
      "unbound UDP socket bound by the send that raises EPIPE",
    prog: "dgram_shutdown_sends",
  },
  {
    name: "a non-blocking listener drained after select(): ten queued clients accepted in connect order until " +
      "BlockingIOError, accepted sockets blocking, a timed accept() on an empty queue, clients that sent and " +
      "closed while queued",
    prog: "accept_burst",
  },
  {
    name: "SSLSocket's legacy read()/write(): do_handshake_on_connect=False and do_handshake(), wrap before " +
      "connect (version None until then), read(n) leaving pending() bytes, read(n, buffer), a ragged EOF with " +
      "and without suppress_ragged_eofs",
    prog: "ssl_legacy_rw",
    args: certs,
  },
  {
    name: "TCP, UDP and Unix stream socketserver servers registered as objects in one DefaultSelector, " +
      "handle_request() on the ready one; verify_request() peeking, handle_timeout() of an idle server, a QUIT " +
      "ending the loop",
    prog: "ss_servers_one_loop",
  },
  {
    name: "a miniature MQTT broker on one selectors loop over non-blocking sockets (per-connection buffers, " +
      "packets cut by 1- to 3-byte remaining lengths, output under EVENT_WRITE and modify() back) and blocking " +
      "clients reading packets with recv_into() on a memoryview: SUBSCRIBE with + and # filters, PUBLISH fan-out, " +
      "PINGREQ, DISCONNECT, a malformed length closing its connection",
    prog: "mqtt_mini",
  },
  {
    name: "zero-length operations: send(b'')/sendall(b'')/sendmsg([]) (0, EPIPE after SHUT_WR), recv(0) and " +
      "recv_into() of an empty buffer at once (at EOF, after SHUT_RD, closed), empty datagrams on UDP and " +
      "AF_UNIX, recv(0) leaving a queued datagram in place, an empty send on a Unix stream sending nothing",
    prog: "zero_length_ops",
  },
];

// These programs are independent (each binds port 0 and makes its own temp paths): they run three at a time.
lane_tests(test, "ported more14", ROOT, SINGLES);

print_ignored("ported more14", SINGLES);

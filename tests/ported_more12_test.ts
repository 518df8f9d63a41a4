// A twelfth batch of classic Python socket programs, ported by the README's porting rules and run beside their
// CPython originals (tests/ported12/: *.py the original, *.ts the port): which timeout a socket starts with,
// Wake-on-LAN to loopback's broadcast address, an RFC 1413 identd and a service asking it, telnet option
// negotiation, what connect() on a UDP socket filters, IMAP literals on socketserver, a UDP rendezvous for hole
// punching, BitTorrent's peer wire protocol, a pub/sub broker with selector churn and registration mistakes, a
// Unix datagram server's replies, a UDP forwarder with a session table, flow-controlled channels over one TCP
// connection, UDP over IPv6 with mapped addresses, and broadcast discovery with SO_REUSEADDR listeners sharing
// a port (see each spec's name).
//
// Each program holds every side (threads become tasks) and prints no port numbers; python3 and the port must
// print the same and end with the same exit code. A program that shows pysocket differing from CPython is kept,
// marked `ignore`, with the finding (or the docs/limits.md entry) named in a printed reason;
// PORTED_RUN_IGNORED=1 runs it anyway.

import { test_needing } from "./_socket_fixtures.ts";
import { print_ignored, single_tests, type SingleSpec } from "./_ported.ts";

const test = test_needing("python3");

const ROOT = new URL("./ported12/", import.meta.url).pathname;

const SINGLES: SingleSpec[] = [
  {
    name: "which timeout a socket starts with: new sockets, socketpair(), create_connection() (timeout= and the " +
      "default), create_server(), accept() from a blocking, timed and non-blocking listener, socket(fileno=" +
      "detach()), for setdefaulttimeout(None) and 1.5; socket.timeout is TimeoutError ('timed out'); negative " +
      "timeouts refused",
    prog: "timeout_inherit",
  },
  {
    name: "Wake-on-LAN magic packets to loopback's broadcast address 127.255.255.255: EACCES without " +
      "SO_BROADCAST (sendto and connect), delivered with it to a receiver bound to that address, a bad MAC " +
      "refused, a unicast copy",
    prog: "wol_broadcast",
  },
  {
    name: "an RFC 1413 identd answering from its own table of connections (getsockname()/getpeername() port " +
      "pairs: USERID, HIDDEN-USER, NO-USER, INVALID-PORT) and a service asking it about each client; " +
      "makefile('rb').readline(1000) under a timeout",
    prog: "identd",
  },
  {
    name: "telnet option negotiation: DO/WILL/WONT/DONT, TTYPE and NAWS subnegotiation (IAC IAC inside SB), " +
      "CR NUL, parsed by a state machine on both ends from recv() pieces that split IAC sequences",
    prog: "telnet_iac",
  },
  {
    name: "what connect() on a UDP socket filters: a stranger's later datagram dropped, one queued before " +
      "connect() still delivered, sendto() another address allowed, getpeername() ENOTCONN before, reconnect " +
      "switching peers",
    prog: "udp_connect_filter",
  },
  {
    name: "IMAP literals on a socketserver.StreamRequestHandler: {n} answered by '+ Ready' and read with " +
      "rfile.read(n), LITERAL+ {n+} without it, a literal too big refused unsent, a FETCH reply carrying a " +
      "literal read with makefile('rb').read(n)",
    prog: "imap_literal",
  },
  {
    name: "a UDP rendezvous server for hole punching: REG/WHO/BYE by name with recvfrom()'s address, request ids " +
      "(a stale reply discarded), two peers punching and chatting straight from the same sockets",
    prog: "udp_rendezvous",
  },
  {
    name: "BitTorrent's peer wire protocol: the 68-byte handshake (a wrong info_hash dropped), bitfield, " +
      "interested/unchoke, 5 pipelined 16 KiB requests, piece SHA-1s verified, have, keep-alive, cancel; " +
      "recv_into() of a memoryview loop",
    prog: "bt_wire",
  },
  {
    name: "a pub/sub broker on selectors with EVENT_WRITE switched by modify() for 20 rounds, a kick by " +
      "unregister() then close(), and the registration mistakes: close() before unregister(), get_key() of a " +
      "closed socket, register() of it, twice, events 0, modify()/unregister() of a stranger, a closed selector",
    prog: "selector_churn",
  },
  {
    name: "a Unix datagram server replying to recvfrom()'s address: an anonymous client (None, TypeError), a " +
      "bound one (its file left behind), an autobound abstract name, a connect()ed one, a datagram cut to " +
      "recvfrom()'s size",
    prog: "unix_dgram_reply",
  },
  {
    name: "a UDP port forwarder with a session table: one connect()ed upstream socket per client, replies from " +
      "the front socket, idle sessions expired by a select() loop timed by the nearest deadline, empty and " +
      "2000-byte datagrams",
    prog: "udp_nat",
  },
  {
    name: "the same with the backend gone: the connected upstream's recv() raises ConnectionRefusedError and the " +
      "session is dropped",
    prog: "udp_nat",
    args: () => Promise.resolve(["refused"]),
    ignore: "documented in docs/limits.md ('Corners the adv7 probe left'): a connected UDP socket whose peer's " +
      "port is closed never sees ECONNREFUSED (Deno reports no ICMP errors; CPython's recv() raises it); P15-1",
  },
  {
    name: "four flow-controlled channels over one TCP connection (SSH/HTTP2-style frames: OPEN, DATA, WINDOW, " +
      "EOF, CLOSE, a 4 KiB window): a non-blocking selectors server echoing reversed 1 KiB pieces only with " +
      "credit, EVENT_WRITE only while output is queued",
    prog: "mux_channels",
  },
  {
    name: "UDP over IPv6 on ::1: 4-tuple addresses from recvfrom() and getsockname(), sendto() with 2- and " +
      "4-tuples (flowinfo 5, 2**20 OverflowError, bad tuples TypeError), an IPv4-mapped address reaching an " +
      "IPv4 receiver and its replies, gaierror for the other family's literal, recvfrom_into(), a ::1-bound " +
      "socket refused a mapped destination (ENETUNREACH)",
    prog: "udp6_mapped",
  },
  {
    name: "the same, printing IPV6_V6ONLY of the socket bound to ::1 (Linux sets it on binding a specific IPv6 " +
      "address) and setting it to 0 once a socket has a port (bound, or autobound by sendto(): EINVAL)",
    prog: "udp6_mapped",
    args: () => Promise.resolve(["v6only"]),
  },
  {
    name: "LAN discovery with several listeners on one host: SO_REUSEADDR receivers bound to the same port of " +
      "127.255.255.255 each get every broadcast announcement (a third without it: EADDRINUSE), one leaving stops " +
      "its copies, unicast answers to recvfrom()'s address collected by the announcer",
    prog: "discovery_reuse",
  },
];

single_tests(test, "ported more12", ROOT, SINGLES);

print_ignored("ported more12", SINGLES);

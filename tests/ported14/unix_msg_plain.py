# sendmsg()/recvmsg() on AF_UNIX without ancillary data (no SCM_RIGHTS), as a program moving framed
# records between processes would use them: gathered sends from several buffers, recvmsg() with and without an
# ancillary buffer size (the list comes back empty), MSG_TRUNC on a short datagram buffer, recvmsg_into() scattering
# into two buffers, socket.send_fds() with no descriptors, sendmsg() to a bound path from an unbound datagram
# socket, the sender address recvmsg() reports for a bound and an unbound sender, CMSG_LEN/CMSG_SPACE sizes.
import os
import socket
import tempfile

print("CMSG_LEN(4):", socket.CMSG_LEN(4), "CMSG_SPACE(4):", socket.CMSG_SPACE(4),
      "CMSG_SPACE(12):", socket.CMSG_SPACE(12))

# stream pair
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
with a, b:
    n = a.sendmsg([b"head:", bytearray(b"body"), memoryview(b"--tail--")[2:6]])
    print("stream sendmsg sent", n)
    data, anc, flags, addr = b.recvmsg(1024)
    print("stream recvmsg:", data, anc, flags, repr(addr))
    a.sendmsg([b"x" * 10])
    data, anc, flags, addr = b.recvmsg(4, socket.CMSG_SPACE(4))
    print("stream short recvmsg:", data, anc, flags)
    data, anc, flags, addr = b.recvmsg(100)
    print("stream rest:", data, flags)
    n = socket.send_fds(a, [b"no fds here"], [])
    print("send_fds with []:", n, b.recv(100))
    a.sendmsg([b"abcdefgh"])
    buf1, buf2 = bytearray(3), bytearray(10)
    nbytes, anc, flags, addr = b.recvmsg_into([buf1, memoryview(buf2)[:4]])
    print("stream recvmsg_into:", nbytes, bytes(buf1), bytes(buf2), anc, flags)
    print("left:", b.recv(100))
    a.shutdown(socket.SHUT_WR)
    print("after SHUT_WR:", b.recvmsg(100)[:3])

with tempfile.TemporaryDirectory() as d:
    srv_path = os.path.join(d, "srv.sock")
    cli_path = os.path.join(d, "cli.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    srv.bind(srv_path)
    anon = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    named = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    named.bind(cli_path)
    with srv, anon, named:
        srv.settimeout(5)
        print("dgram sendmsg to path:", anon.sendmsg([b"one ", b"two"], [], 0, srv_path))
        data, anc, flags, addr = srv.recvmsg(100)
        print("from unbound sender:", data, anc, flags, repr(addr))
        named.sendmsg([b"0123456789" * 3], [], 0, srv_path)
        data, anc, flags, addr = srv.recvmsg(8)
        print("short buffer:", data, anc, flags & socket.MSG_TRUNC == socket.MSG_TRUNC,
              os.path.basename(addr))
        srv.sendto(b"reply", addr)
        named.settimeout(5)
        data, anc, flags, addr = named.recvmsg(100, 64)
        print("reply:", data, anc, flags, os.path.basename(addr))
        named.sendmsg([b"A", b"", b"BC"], (), 0, srv_path)
        buf = bytearray(8)
        nbytes, anc, flags, addr = srv.recvmsg_into([buf])
        print("dgram recvmsg_into:", nbytes, bytes(buf[:nbytes]), flags, os.path.basename(addr))
        named.sendmsg([], [], 0, srv_path)
        data, anc, flags, addr = srv.recvmsg(100)
        print("empty datagram:", data, anc, flags, os.path.basename(addr))
        named.connect(srv_path)
        print("connected sendmsg:", named.sendmsg([b"via ", b"connect"]))
        print("recvfrom:", srv.recvfrom(100)[0])

# asyncio's low-level socket API (loop.sock_accept/sock_connect/sock_recv/sock_recv_into/sock_sendall on
# non-blocking sockets), as the asyncio docs and many small servers use it: an upper-casing echo server task
# per connection, twenty clients at once, then asyncio.wait_for() timeouts racing data: a reader whose sock_recv
# is cancelled every 5 ms while a writer sends one byte every 7 ms reads every byte once and in order; an
# accept cancelled by a timeout leaves the connection for the next accept.
import asyncio
import socket


async def main():
    loop = asyncio.get_running_loop()
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(50)
    lsock.setblocking(False)
    addr = lsock.getsockname()
    handlers = []

    async def handle(conn):
        buf = bytearray(4096)
        total = 0
        while True:
            n = await loop.sock_recv_into(conn, buf)
            if not n:
                break
            total += n
            await loop.sock_sendall(conn, bytes(buf[:n]).upper())
        conn.close()
        return total

    async def server(count):
        for _ in range(count):
            conn, _ = await loop.sock_accept(lsock)
            handlers.append(asyncio.create_task(handle(conn)))

    async def client(i):
        s = socket.socket()
        s.setblocking(False)
        await loop.sock_connect(s, addr)
        msg = (b"client %d says hello. " % i) * (200 * (i + 1))
        await loop.sock_sendall(s, msg)
        s.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            data = await loop.sock_recv(s, 65536)
            if not data:
                break
            chunks.append(data)
        s.close()
        return b"".join(chunks) == msg.upper(), len(msg)

    srv = asyncio.create_task(server(20))
    results = await asyncio.gather(*(client(i) for i in range(20)))
    await srv
    totals = await asyncio.gather(*handlers)
    print("clients:", all(ok for ok, _ in results), sum(n for _, n in results), sum(totals))

    # wait_for() cancelling sock_recv while bytes trickle in
    w = socket.socket()
    w.setblocking(False)
    acc = asyncio.create_task(loop.sock_accept(lsock))
    await loop.sock_connect(w, addr)
    r, _ = await acc

    async def writer():
        for i in range(120):
            await loop.sock_sendall(w, bytes([i]))
            await asyncio.sleep(0.007)
        w.shutdown(socket.SHUT_WR)

    wt = asyncio.create_task(writer())
    got = bytearray()
    timeouts = 0
    for _ in range(5000):
        try:
            data = await asyncio.wait_for(loop.sock_recv(r, 1), 0.005)
        except asyncio.TimeoutError:
            timeouts += 1
            continue
        if not data:
            break
        got += data
    await wt
    print("trickle:", len(got), bytes(got) == bytes(range(120)), "timed out sometimes:", timeouts > 0)
    r.close()
    w.close()

    # a cancelled accept loses no connection
    try:
        await asyncio.wait_for(loop.sock_accept(lsock), 0.1)
    except asyncio.TimeoutError:
        print("accept timed out")
    c = socket.socket()
    c.setblocking(False)
    await loop.sock_connect(c, addr)
    await loop.sock_sendall(c, b"late")
    conn, peer = await asyncio.wait_for(loop.sock_accept(lsock), 5)
    print("next accept:", peer == c.getsockname(), await loop.sock_recv(conn, 10))
    conn.close()
    c.close()

    # a cancelled recv_into leaves the buffer alone and the bytes queued
    a, b = socket.socketpair()
    a.setblocking(False)
    b.setblocking(False)
    buf = bytearray(b"........")
    try:
        await asyncio.wait_for(loop.sock_recv_into(a, buf), 0.05)
    except asyncio.TimeoutError:
        print("recv_into timed out, buffer", bytes(buf))
    await loop.sock_sendall(b, b"abc")
    n = await loop.sock_recv_into(a, memoryview(buf)[2:])
    print("then", n, bytes(buf))
    a.close()
    b.close()
    lsock.close()


asyncio.run(main())

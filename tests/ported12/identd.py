# The Identification Protocol (RFC 1413), both ends on loopback: a service that, on each connection, asks the
# client host's identd "<port on the client> , <port on the service>" and greets the user it names; an identd
# that answers from its own table of users' connections (matching getsockname()/getpeername() port pairs):
# USERID, HIDDEN-USER, NO-USER for a connection it does not own, INVALID-PORT for malformed or out-of-range
# ports; queries read with makefile("rb").readline(1000) under a timeout, answers with CRLF. Ports are printed
# as <client>/<service>.
import socket
import threading

identd = socket.create_server(("127.0.0.1", 0))
service = socket.create_server(("127.0.0.1", 0))
IDENT = identd.getsockname()
SPORT = service.getsockname()[1]
users = {}  # socket -> (name, hidden)
lock = threading.Lock()


def identd_loop(n):
    for _ in range(n):
        conn, _ = identd.accept()
        conn.settimeout(5)
        with conn, conn.makefile("rb") as f:
            line = f.readline(1000).decode("ascii", "replace").strip()
            parts = [p.strip() for p in line.split(",")]
            try:
                lport, rport = int(parts[0]), int(parts[1])
                if not (0 < lport < 65536 and 0 < rport < 65536) or len(parts) != 2:
                    raise ValueError
            except (ValueError, IndexError):
                conn.sendall(f"{line} : ERROR : INVALID-PORT\r\n".encode())
                continue
            answer = "ERROR : NO-USER"
            with lock:
                for s, (name, hidden) in users.items():
                    if s.getsockname()[1] == lport and s.getpeername()[1] == rport:
                        answer = "ERROR : HIDDEN-USER" if hidden else "USERID : UNIX : " + name
            conn.sendall(f"{lport} , {rport} : {answer}\r\n".encode())


def ask_identd(query):
    with socket.create_connection(IDENT, timeout=5) as q:
        q.sendall(query.encode() + b"\r\n")
        reply = b""
        while not reply.endswith(b"\r\n"):
            chunk = q.recv(100)
            if not chunk:
                break
            reply += chunk
        return reply.decode()


def service_loop(n):
    for _ in range(n):
        conn, (host, cport) = service.accept()
        with conn:
            reply = ask_identd(f"{cport} , {SPORT}")
            masked = reply.replace(str(cport), "<client>").replace(str(SPORT), "<service>")
            print("service asked, identd said:", repr(masked))
            fields = [x.strip() for x in reply.split(":")]
            who = fields[3] if fields[1] == "USERID" else "stranger (" + fields[2] + ")"
            conn.sendall(f"hello {who}\n".encode())


t1 = threading.Thread(target=identd_loop, args=(9,))
t2 = threading.Thread(target=service_loop, args=(4,))
t1.start()
t2.start()
for name, hidden in (("alice", False), ("bob", True), (None, False), ("carol", False)):
    s = socket.socket()
    s.settimeout(5)
    if name is not None:
        with lock:
            users[s] = (name, hidden)
    s.connect(("127.0.0.1", SPORT))
    print(name, "got", s.recv(100))
    with lock:
        users.pop(s, None)
    s.close()
for bad in ("", "abc , 23", "70000 , 23", "0 , 23", "1, 2, 3"):
    print("query", repr(bad), "->", repr(ask_identd(bad)))
t1.join()
t2.join()
identd.close()
service.close()

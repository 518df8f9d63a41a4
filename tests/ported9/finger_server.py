# An RFC 1288 finger server in the classic single-threaded style: accept, read one query line through
# makefile("rb").readline(limit), answer, close. "" lists users, "user" shows one, "/W user" the long form,
# "user@host" is refused (forwarding denied, as RFC 1288 recommends), an over-long line is answered with an
# error after the rest of it is read. argv[1]: port (0: any), argv[2]: how many queries to serve.
import socket
import sys

USERS = {
    "ada": ("Ada Lovelace", "Analytical Engine", "Plan: notes on the engine"),
    "grace": ("Grace Hopper", "COBOL", "Plan: find the moth"),
}

lsock = socket.create_server(("127.0.0.1", int(sys.argv[1])))
print("finger server on port", lsock.getsockname()[1])
for _ in range(int(sys.argv[2]) if len(sys.argv) > 2 else 6):
    conn, _ = lsock.accept()
    with conn:
        conn.settimeout(10)
        f = conn.makefile("rb")
        line = f.readline(100)
        if not line.endswith(b"\n"):
            while True:  # read the rest of an over-long line before answering
                more = f.readline(4096)
                if not more or more.endswith(b"\n"):
                    break
            reply = "finger: query too long\r\n"
        else:
            q = line.decode("ascii", "replace").strip()
            long_form = q.startswith("/W")
            user = q[2:].strip() if long_form else q
            print("query", repr(q))
            if "@" in user:
                reply = "finger: forwarding service denied\r\n"
            elif not user:
                reply = "".join("%-8s %s\r\n" % (u, USERS[u][0]) for u in sorted(USERS))
            elif user in USERS:
                name, shell, plan = USERS[user]
                reply = "Login: %s\tName: %s\r\n" % (user, name)
                if long_form:
                    reply += "Shell: %s\r\n%s\r\n" % (shell, plan)
            else:
                reply = "finger: %s: no such user\r\n" % user
        f.close()
        conn.sendall(reply.encode())
lsock.close()
print("served")

# socketpair parent/child messaging, the child a thread (threads become tasks when ported).
import socket
import threading

parent, child = socket.socketpair()
print(parent.family == socket.AF_UNIX, parent.type == socket.SOCK_STREAM)


def child_main(sock):
    while True:
        msg = sock.recv(1024)
        if not msg:
            break
        sock.sendall(b"child got " + msg)
    sock.close()


t = threading.Thread(target=child_main, args=(child,))
t.start()
for word in [b"one", b"two", b"three"]:
    parent.sendall(word)
    print(parent.recv(1024))
parent.shutdown(socket.SHUT_WR)
print("after shutdown:", parent.recv(1024))
t.join()
parent.close()

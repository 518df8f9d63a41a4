# A TCP port scanner (networking course), 127.0.0.1 only; ports from argv.
import socket
import sys

target = "127.0.0.1"
print("Scanning", target)
for port in [int(p) for p in sys.argv[1:]]:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    socket.setdefaulttimeout(1)
    result = s.connect_ex((target, port))
    if result == 0:
        print("Port {} is open".format(port))
    else:
        print("Port {} is closed ({})".format(port, result))
    s.close()
try:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.connect((target, int(sys.argv[2])))
except ConnectionRefusedError as e:
    print("connect:", e, e.errno, e.strerror)
except socket.error as e:
    print("socket.error:", e)
finally:
    s.close()

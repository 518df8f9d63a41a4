# Python Network Programming Cookbook ch. 3, 3_3: waiting for a remote network service. NetServiceChecker
# keeps calling connect() on one socket, each time with the time left as its timeout, printing the errors,
# until the service answers or the time is up. The service (a thread) starts listening after a while; the
# book's loop retries at once, this one sleeps 50 ms between tries and prints each distinct error once.
# Then: a service that never comes (timeout, False); a check without a timeout against a listening port.
import socket
import threading
import time

DEFAULT_TIMEOUT = 120


class NetServiceChecker(object):
    """ Wait for a network service to come online"""

    def __init__(self, host, port, timeout=DEFAULT_TIMEOUT):
        self.host = host
        self.port = port
        self.timeout = timeout
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.seen = set()

    def end_wait(self):
        self.sock.close()

    def check(self):
        """ Check the service """
        if self.timeout:
            end_time = time.time() + self.timeout
        while True:
            try:
                if self.timeout:
                    next_timeout = end_time - time.time()
                    if next_timeout < 0:
                        return False
                    else:
                        if 'timeout' not in self.seen:
                            self.seen.add('timeout')
                            print("setting socket next timeout %ss" % round(next_timeout))
                        self.sock.settimeout(next_timeout)
                self.sock.connect((self.host, self.port))
            # handle exceptions
            except socket.timeout as err:
                if self.timeout:
                    return False
            except socket.error as err:
                if str(err) not in self.seen:
                    self.seen.add(str(err))
                    print("Exception: %s" % err)
                time.sleep(0.05)
            else:  # if all goes well
                self.end_wait()
                return True


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def late_service(port, delay, served):
    time.sleep(delay)
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(('127.0.0.1', port))
    srv.listen(1)
    conn, _ = srv.accept()
    served.append(conn.recv(10))
    conn.close()
    srv.close()


port = free_port()
served = []
t = threading.Thread(target=late_service, args=(port, 0.6, served))
t.start()
print("Waiting for %s:%s ..." % ('127.0.0.1', 'the late service'))
checker = NetServiceChecker('127.0.0.1', port, timeout=10)
print("Service is available again!" if checker.check() else "Service gave up")
t.join()
print('service saw', served)

print("Waiting for a service that never comes ...")
checker = NetServiceChecker('127.0.0.1', free_port(), timeout=0.8)
start = time.time()
result = checker.check()
print("check() returned", result, "after about a timeout:", 0.7 < time.time() - start < 5)
checker.end_wait()

listener = socket.socket()
listener.bind(('127.0.0.1', 0))
listener.listen(1)
checker = NetServiceChecker('127.0.0.1', listener.getsockname()[1], timeout=None)
print("no timeout, a listening port:", checker.check(), checker.sock.fileno())
listener.close()

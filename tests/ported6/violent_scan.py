# Violent Python ch. 1-2: the banner grabber (retBanner with setdefaulttimeout(2), checkVulns against a file
# of vulnerable banners, a loop over IP addresses and a port list) and the threaded connect scanner
# (portScan: gethostbyname, gethostbyaddr for the name, setdefaulttimeout(1), a thread per port running
# connScan, a Semaphore around the prints), ported to Python 3 (the scanner's `from socket import *` names
# written socket.X, as the grabber's). The targets are fake services on loopback
# addresses (127.0.0.1 and 127.0.0.2), on free ports named by service rather than printed by number; the
# scanner's threads record their lines under the lock and they are printed in port-list order at the end.
import os
import socket
import tempfile
import threading
from threading import Semaphore, Thread

# ---- fake services ----
BANNERS = {
    ('127.0.0.1', 'ftp'): b'220 FreeFloat Ftp Server (Version 1.00).\r\n',
    ('127.0.0.1', 'ssh'): b'SSH-2.0-OpenSSH_7.4\r\n',
    ('127.0.0.2', 'ftp'): b'220 ProFTPD 1.3.5 Server ready.\r\n',
    ('127.0.0.2', 'smtp'): b'220 mail.example ESMTP Sendmail 8.12.8\r\n',
}
listeners = []
names = {}


def serve(lsock, banner, mode):
    while True:
        try:
            conn, _ = lsock.accept()
        except OSError:
            return
        conn.settimeout(None)  # not the scanner's setdefaulttimeout(1)
        if mode == 'banner':
            conn.sendall(banner)
        elif mode == 'answer':
            conn.recv(100)
            conn.sendall(banner)
        elif mode == 'silent':
            conn.recv(100)
            conn.recv(100)  # waits until the scanner gives up and closes
        elif mode == 'read':
            conn.recv(100)  # reads the probe, answers nothing
        conn.close()


threads = []


def start(ip, name, banner, mode='banner'):
    s = socket.socket()
    s.bind((ip, 0))
    s.listen(5)
    names[s.getsockname()[1]] = '%s/%s' % (ip, name)
    listeners.append(s)
    t = threading.Thread(target=serve, args=(s, banner, mode), daemon=True)
    t.start()
    return s.getsockname()[1]


ports = [start(ip, name, banner) for (ip, name), banner in BANNERS.items()]
closed = socket.socket()
closed.bind(('127.0.0.1', 0))
closed_port = closed.getsockname()[1]
names[closed_port] = 'closed'
closed.close()
ports.append(closed_port)

vuln_file = os.path.join(tempfile.mkdtemp(), 'vuln_banners.txt')
with open(vuln_file, 'w') as f:
    f.write('3Com 3CDaemon FTP Server Version 2.0\n')
    f.write('220 FreeFloat Ftp Server (Version 1.00).\n')
    f.write('Sendmail 8.12.8\n')


# ---- the banner grabber ----
def retBanner(ip, port):
    try:
        socket.setdefaulttimeout(2)
        s = socket.socket()
        s.connect((ip, port))
        banner = s.recv(1024)
        s.close()
        return banner.decode()
    except:
        return


def checkVulns(banner, filename):
    f = open(filename, 'r')
    for line in f.readlines():
        if line.strip('\n') in banner:
            print('[+] Server is vulnerable: ' + banner.strip('\r\n'))
    f.close()


def main():
    filename = vuln_file
    portList = ports
    for x in range(1, 4):
        ip = '127.0.0.' + str(x)
        for port in portList:
            banner = retBanner(ip, port)
            if banner:
                print('[+] ' + ip + ': ' + banner.strip('\r\n') + ' (' + names[port] + ')')
                checkVulns(banner, filename)


main()

# ---- the threaded connect scanner ----
scan_ports = [start('127.0.0.1', 'web', b'HTTP/1.0 400 Bad Request\r\n\r\n', 'answer'),
              start('127.0.0.1', 'mute', b'', 'read'),
              start('127.0.0.1', 'silent', b'', 'silent'),
              closed_port, ports[0]]
screenLock = Semaphore(value=1)
lines = {}


def connScan(tgtHost, tgtPort):
    connSkt = None
    try:
        connSkt = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        connSkt.connect((tgtHost, tgtPort))
        connSkt.send(b'ViolentPython\r\n')
        results = connSkt.recv(100)
        screenLock.acquire()
        lines[tgtPort] = ['[+]%s/tcp open' % names[tgtPort], '[+] ' + str(results)]
    except Exception as e:
        screenLock.acquire()
        lines[tgtPort] = ['[-]%s/tcp closed (%s)' % (names[tgtPort], type(e).__name__)]
    finally:
        screenLock.release()
        if connSkt:
            connSkt.close()


def portScan(tgtHost, tgtPorts):
    try:
        tgtIP = socket.gethostbyname(tgtHost)
    except:
        print("[-] Cannot resolve '%s': Unknown host" % tgtHost)
        return
    try:
        tgtName = socket.gethostbyaddr(tgtIP)
        print('\n[+] Scan Results for: ' + tgtName[0])
    except:
        print('\n[+] Scan Results for: ' + tgtIP)
    socket.setdefaulttimeout(1)
    threads = []
    for tgtPort in tgtPorts:
        t = Thread(target=connScan, args=(tgtHost, int(tgtPort)))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    for tgtPort in tgtPorts:
        for line in lines[int(tgtPort)]:
            print(line)


portScan('localhost', [str(p) for p in scan_ports])
portScan('127.0.0.1', scan_ports[:2])
for s in listeners:
    s.close()

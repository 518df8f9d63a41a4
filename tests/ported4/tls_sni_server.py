# A TLS echo server for virtual hosts (the peer of tls_sni_client): an sni_callback swaps in the context whose
# certificate matches the name the client asked for (wrong.example), keeps the default one (localhost and
# 127.0.0.1) otherwise, and prints each name it is asked for.
import socket
import ssl
import sys

certs = sys.argv[2]
default = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
default.load_cert_chain(certs + '/server.pem', certs + '/server.key')
other = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
other.load_cert_chain(certs + '/wrong.pem', certs + '/wrong.key')
seen = []


def pick(sslsock, server_name, ctx):
    seen.append(server_name)
    if server_name == 'wrong.example':
        sslsock.context = other


default.sni_callback = pick
with socket.create_server(('127.0.0.1', int(sys.argv[1]))) as srv:
    print('listening on', srv.getsockname()[1])
    for n in range(7):
        conn, _ = srv.accept()
        conn.settimeout(10)
        try:
            with default.wrap_socket(conn, server_side=True) as tls:
                data = tls.recv(1024)
                tls.sendall(data.upper())
                print(n, 'asked for', seen[-1] if seen else None, 'echoed', data)
        except (ssl.SSLError, OSError) as e:
            print(n, 'asked for', seen[-1] if seen else None, 'handshake failed')  # the class: see docs/limits.md (no alert)
        seen.clear()
print('server done')

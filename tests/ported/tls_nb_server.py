# A blocking TLS line server for the non-blocking client: answers each line with its length and its first
# bytes, closes after "bye". argv: port, certificate, key.
import socket
import ssl
import sys

ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[2], sys.argv[3])
with socket.create_server(('127.0.0.1', int(sys.argv[1]))) as lsock:
    print('listening on', lsock.getsockname())
    for _ in range(2):
        conn, _ = lsock.accept()
        with ctx.wrap_socket(conn, server_side=True) as tls, tls.makefile('rwb') as f:
            print('handshake', tls.version())
            for line in f:
                f.write(b'%d:%s\n' % (len(line), line[:10].rstrip()))
                f.flush()
                if line == b'bye\n':
                    break
    print('done')

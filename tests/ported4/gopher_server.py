# A Gopher server (RFC 1436) on socketserver.TCPServer + StreamRequestHandler: one selector line per
# connection, menus of tab-separated item lines ending with ".", text documents with dot-stuffing, an error
# item for unknown selectors, a search item (selector TAB query); handle_request() serves a set number.
import socketserver
import sys

DOCS = {
    '/about': 'pysocket gopher test\n.hidden line starts with a dot\nlast line',
    '/news': 'nothing new\n',
}


class GopherHandler(socketserver.StreamRequestHandler):
    def handle(self):
        selector = self.rfile.readline(1024).decode('utf-8').rstrip('\r\n')
        host, port = self.server.server_address
        query = None
        if '\t' in selector:
            selector, query = selector.split('\t', 1)
        print('request', repr(selector), repr(query))
        if selector in ('', '/'):
            lines = ['iWelcome to the test hole\tfake\t(NULL)\t0',
                     '0About this server\t/about\t%s\t%d' % (host, port),
                     '0News\t/news\t%s\t%d' % (host, port),
                     '1Sub menu\t/sub\t%s\t%d' % (host, port),
                     '7Search words\t/search\t%s\t%d' % (host, port)]
        elif selector == '/sub':
            lines = ['0Back to about\t/about\t%s\t%d' % (host, port), '9Binary blob\t/blob\t%s\t%d' % (host, port)]
        elif selector == '/search':
            words = sorted(set((query or '').lower().split()))
            lines = ['iresult: %s\tfake\t(NULL)\t0' % w for w in words] or ['inothing found\tfake\t(NULL)\t0']
        elif selector == '/blob':
            self.wfile.write(bytes(range(256)) * 4)
            return
        elif selector in DOCS:
            text = DOCS[selector]
            for line in text.splitlines():
                self.wfile.write((('.' + line) if line.startswith('.') else line).encode() + b'\r\n')
            self.wfile.write(b'.\r\n')
            return
        else:
            lines = ['3%r not found\terror\terror.host\t1' % selector]
        self.wfile.write(''.join(line + '\r\n' for line in lines).encode() + b'.\r\n')


with socketserver.TCPServer(('127.0.0.1', int(sys.argv[1])), GopherHandler) as server:
    print('listening on', server.server_address[1])
    for _ in range(7):
        server.handle_request()
print('server done')

# A Gopher client: fetch the root menu, parse its item lines (type, display, selector, host, port), follow
# each text and menu item with a new connection, read text documents undoing dot-stuffing, read a binary item
# to EOF, and send a search (selector TAB query).
import socket
import sys

port = int(sys.argv[1])


def fetch(selector, query=None):
    with socket.create_connection(('127.0.0.1', port), timeout=10) as s:
        s.sendall(selector.encode() + (b'\t' + query.encode() if query else b'') + b'\r\n')
        chunks = []
        while True:
            data = s.recv(700)
            if not data:
                break
            chunks.append(data)
    return b''.join(chunks)


def menu(raw):
    items = []
    for line in raw.decode().split('\r\n'):
        if line == '.':
            break
        kind, rest = line[0], line[1:]
        display, selector, host, p = rest.split('\t')
        items.append((kind, display, selector, host == '127.0.0.1', p == str(port)))
    return items


def text(raw):
    out = []
    for line in raw.decode().split('\r\n'):
        if line == '.':
            break
        out.append(line[1:] if line.startswith('..') else line)
    return out


root = menu(fetch(''))
for item in root:
    print(item)
for kind, display, selector, _, _ in root:
    if kind == '0':
        print(display, '->', text(fetch(selector)))
    elif kind == '1':
        sub = menu(fetch(selector))
        print(display, '->', sub)
        blob = fetch(sub[1][2])
        print('blob:', len(blob), blob[:8], blob[-4:])
    elif kind == '7':
        print(display, '->', menu(fetch(selector, 'Gopher sockets gopher')))
print('missing ->', menu(fetch('/nope')))

// Classic Python select/selectors programs, ported by the README's porting
// rules and run beside their CPython originals on the same traffic: the
// selectors documentation's echo server, the Socket Programming HOWTO's
// non-blocking client and server, and a multi-connection client and server
// in the style of realpython's "multiconn" selectors tutorial. Each pair's
// output is compared line by line (socket numbers and ports normalised; how
// TCP splits bytes into recv() chunks is timing, so chunked lines are
// compared by their total). The only change to each original: it stops after
// a given number of clients, so that the test ends.

import assert from "node:assert/strict";
import { BlockingIOError, errorcode, SO_ERROR, type Socket, socket, SOL_SOCKET } from "../mod.ts";
import { DefaultSelector, EVENT_READ, EVENT_WRITE, select } from "../selectors.ts";
import { lone_v4, test_needing, within } from "./_socket_fixtures.ts";

const test = test_needing("python3");

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Python's repr() of bytes (printable ASCII, as these programs send). */
const brepr = (u: Uint8Array) => `b'${dec.decode(u)}'`;
/** Python's str() of an address tuple. */
const addr_str = (a: unknown) => `('${(a as [string, number])[0]}', ${(a as [string, number])[1]})`;

/** Run a python3 program to its end; returns stdout. */
async function py_run(code: string, ...args: string[]): Promise<string> {
  const res = await new Deno.Command("python3", {
    args: ["-u", "-c", code, ...args],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).output();
  assert.equal(res.code, 0, dec.decode(res.stderr));
  return dec.decode(res.stdout);
}

/** Start a python3 server that prints its port on its first line; `output` is the rest of stdout. */
async function py_server(code: string, ...args: string[]): Promise<{ port: number; output: Promise<string> }> {
  const child = new Deno.Command("python3", {
    args: ["-u", "-c", code, ...args],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  const nl = text.indexOf("\n");
  const port = Number(text.slice(0, nl));
  if (!Number.isInteger(port) || port <= 0) {
    throw new Error(`python3 server: ${text} ${await new Response(child.stderr).text()}`);
  }
  const output = (async () => {
    let rest = text.slice(nl + 1);
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      rest += value;
    }
    const [status, err] = await Promise.all([child.status, new Response(child.stderr).text()]);
    assert.equal(status.code, 0, err);
    return rest;
  })();
  return { port, output };
}

/** Normalise socket reprs and addresses: fd numbers and ports vary between runs. */
const norm = (s: string) => s.replace(/fd=\d+/g, "fd=N").replace(/'127\.0\.0\.1', \d+\)/g, "'127.0.0.1', P)");

// ---- 1. the selectors documentation's echo server -------------------------

const PY_DOCS_SERVER = String.raw`
import selectors
import socket
import sys

LIMIT = int(sys.argv[1])
closed = 0
sel = selectors.DefaultSelector()

def accept(sock, mask):
    conn, addr = sock.accept()  # Should be ready
    print('accepted', conn, 'from', addr)
    conn.setblocking(False)
    sel.register(conn, selectors.EVENT_READ, read)

def read(conn, mask):
    global closed
    data = conn.recv(1000)  # Should be ready
    if data:
        print('echoing', repr(data), 'to', conn)
        conn.send(data)  # Hope it won't block
    else:
        print('closing', conn)
        sel.unregister(conn)
        conn.close()
        closed += 1

sock = socket.socket()
sock.bind(('127.0.0.1', 0))
sock.listen(100)
sock.setblocking(False)
sel.register(sock, selectors.EVENT_READ, accept)
print(sock.getsockname()[1])

while closed < LIMIT:
    events = sel.select()
    for key, mask in events:
        callback = key.data
        callback(key.fileobj, mask)
`;

/** The port: only `await`, `new` and `print` are new. */
async function ts_docs_server(limit: number, on_port: (port: number) => void): Promise<string> {
  const out: string[] = [];
  const print = (...a: unknown[]) => out.push(a.map(String).join(" "));
  let closed = 0;
  type Callback = (s: Socket, mask: number) => Promise<void>;
  const sel = new DefaultSelector<Callback>();

  const accept: Callback = async (sock) => {
    const [conn, addr] = await sock.accept(); // Should be ready
    print("accepted", conn, "from", addr_str(addr));
    conn.setblocking(false);
    sel.register(conn, EVENT_READ, read);
  };

  const read: Callback = async (conn) => {
    const data = await conn.recv(1000); // Should be ready
    if (data.length) {
      print("echoing", brepr(data), "to", conn);
      await conn.send(data); // Hope it won't block
    } else {
      print("closing", conn);
      sel.unregister(conn);
      conn.close();
      closed += 1;
    }
  };

  const sock = socket();
  sock.bind(["127.0.0.1", 0]);
  sock.listen(100);
  sock.setblocking(false);
  sel.register(sock, EVENT_READ, accept);
  on_port((sock.getsockname() as [string, number])[1]);

  while (closed < limit) {
    const events = await sel.select();
    for (const [key, mask] of events) {
      const callback = key.data!;
      await callback(key.fileobj as Socket, mask);
    }
  }
  sock.close();
  sel.close();
  return out.join("\n") + "\n";
}

/** The same python3 clients for both servers: each sends its lines one by one and reads each echo. */
const PY_DOCS_CLIENTS = String.raw`
import socket, sys, threading
port, n = int(sys.argv[1]), int(sys.argv[2])
results = [None] * n
def client(i):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        got = []
        for k in range(5):
            msg = b"client %d line %d" % (i, k)
            s.sendall(msg)
            echo = b""
            while len(echo) < len(msg):
                chunk = s.recv(1000)
                if not chunk: break
                echo += chunk
            got.append(echo.decode())
        results[i] = got
ts = [threading.Thread(target=client, args=(i,)) for i in range(n)]
for t in ts: t.start()
for t in ts: t.join()
for r in results: print(r)
`;

/** The server's lines in a comparable form: echo lines by their total bytes. */
function docs_summary(out: string): string[] {
  const lines = norm(out).trim().split("\n");
  const echoed = lines.filter((l) => l.startsWith("echoing ")).map((l) => /^echoing b'(.*)' to /.exec(l)![1]).join("");
  const rest = lines.filter((l) => !l.startsWith("echoing ")).sort();
  return [...rest, `echoed ${echoed.length} bytes`];
}

test("the selectors docs echo server, ported, serves the same python3 clients as its CPython original", async () => {
  const N = 4;
  // CPython original.
  const py = await py_server(PY_DOCS_SERVER, String(N));
  const py_clients = await py_run(PY_DOCS_CLIENTS, String(py.port), String(N));
  const py_out = await within(py.output, 30_000, "CPython docs server");
  // The port.
  let port_set!: (p: number) => void;
  const port = new Promise<number>((r) => port_set = r);
  const ts_out_p = ts_docs_server(N, port_set);
  const ts_clients = await py_run(PY_DOCS_CLIENTS, String(await port), String(N));
  const ts_out = await within(ts_out_p, 30_000, "pysocket docs server");
  assert.equal(ts_clients, py_clients);
  assert.deepEqual(docs_summary(ts_out), docs_summary(py_out));
  assert.equal(docs_summary(py_out).filter((l) => l.startsWith("accepted")).length, N);
});

// ---- 2. the Socket Programming HOWTO: non-blocking client and server --------

const MSGLEN = 32;

const PY_HOWTO = String.raw`
import errno, select, socket, sys, threading
MSGLEN = 32
N = int(sys.argv[1])

def server(srv):
    clients = {}
    served = 0
    while served < N:
        potential_readers = [srv] + list(clients)
        ready_to_read, ready_to_write, in_error = select.select(potential_readers, [], potential_readers, 5)
        for s in ready_to_read:
            if s is srv:
                c, _ = srv.accept()
                c.setblocking(False)
                clients[c] = b""
                continue
            chunk = s.recv(MSGLEN - len(clients[s]))
            if chunk == b"":
                raise RuntimeError("socket connection broken")
            clients[s] += chunk
            if len(clients[s]) == MSGLEN:
                msg = clients.pop(s).upper()
                totalsent = 0
                while totalsent < MSGLEN:
                    select.select([], [s], [], 5)
                    sent = s.send(msg[totalsent:])
                    if sent == 0:
                        raise RuntimeError("socket connection broken")
                    totalsent = totalsent + sent
                s.close()
                served += 1

class MySocket:
    def __init__(self, sock=None):
        self.sock = sock if sock is not None else socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setblocking(False)
    def connect(self, host, port):
        err = self.sock.connect_ex((host, port))
        print("connect_ex:", errno.errorcode.get(err, err))
        _, w, _ = select.select([], [self.sock], [], 5)
        print("writable:", w == [self.sock], "SO_ERROR:", self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
    def mysend(self, msg):
        totalsent = 0
        while totalsent < MSGLEN:
            select.select([], [self.sock], [], 5)
            sent = self.sock.send(msg[totalsent:])
            if sent == 0:
                raise RuntimeError("socket connection broken")
            totalsent = totalsent + sent
    def myreceive(self):
        chunks = []
        bytes_recd = 0
        while bytes_recd < MSGLEN:
            r, _, _ = select.select([self.sock], [], [], 5)
            try:
                chunk = self.sock.recv(min(MSGLEN - bytes_recd, 2048))
            except BlockingIOError:
                print("BlockingIOError after select() said readable")
                continue
            if chunk == b"":
                raise RuntimeError("socket connection broken")
            chunks.append(chunk)
            bytes_recd = bytes_recd + len(chunk)
        return b"".join(chunks)

# A refused connect first: a closed port (loopback; on the test's own address, argv[2]).
probe = socket.socket(); probe.bind((sys.argv[2], 0)); closed_port = probe.getsockname()[1]; probe.close()
MySocket().connect(sys.argv[2], closed_port)

srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(5); srv.setblocking(False)
port = srv.getsockname()[1]
t = threading.Thread(target=server, args=(srv,)); t.start()
for i in range(N):
    s = MySocket()
    s.connect("127.0.0.1", port)
    s.mysend(("client %02d " % i).ljust(MSGLEN, "x").encode())
    print("received:", s.myreceive().decode())
    s.sock.close()
t.join()
srv.close()
`;

// The HOWTO programs' refused connect goes to a port freed on a loopback address of this file's own (127.x.y.z),
// which no other test file (run in parallel) can be given meanwhile; both programs use the same address.
const HOWTO_LONE = lone_v4();

/** The port of PY_HOWTO (the server is a task instead of a thread). */
async function ts_howto(n: number): Promise<string> {
  const out: string[] = [];
  const print = (...a: unknown[]) => out.push(a.map(String).join(" "));

  const server = async (srv: Socket) => {
    const clients = new Map<Socket, Uint8Array>();
    let served = 0;
    while (served < n) {
      const potential_readers = [srv, ...clients.keys()];
      const [ready_to_read] = await select(potential_readers, [], potential_readers, 5);
      for (const s of ready_to_read) {
        if (s === srv) {
          const [c] = await srv.accept();
          c.setblocking(false);
          clients.set(c, new Uint8Array(0));
          continue;
        }
        const have = clients.get(s)!;
        const chunk = await s.recv(MSGLEN - have.length);
        if (chunk.length === 0) throw new Error("socket connection broken");
        const both = new Uint8Array(have.length + chunk.length);
        both.set(have);
        both.set(chunk, have.length);
        clients.set(s, both);
        if (both.length === MSGLEN) {
          clients.delete(s);
          const msg = enc.encode(dec.decode(both).toUpperCase());
          let totalsent = 0;
          while (totalsent < MSGLEN) {
            await select([], [s], [], 5);
            const sent = await s.send(msg.subarray(totalsent));
            if (sent === 0) throw new Error("socket connection broken");
            totalsent = totalsent + sent;
          }
          s.close();
          served += 1;
        }
      }
    }
  };

  class MySocket {
    sock: Socket;
    constructor(sock?: Socket) {
      this.sock = sock ?? socket();
      this.sock.setblocking(false);
    }
    async connect(host: string, port: number) {
      const err = await this.sock.connect_ex([host, port]);
      print("connect_ex:", errorcode[err] ?? err);
      const [, w] = await select([], [this.sock], [], 5);
      print(
        "writable:",
        w.length === 1 && w[0] === this.sock ? "True" : "False",
        "SO_ERROR:",
        this.sock.getsockopt(SOL_SOCKET, SO_ERROR),
      );
    }
    async mysend(msg: Uint8Array) {
      let totalsent = 0;
      while (totalsent < MSGLEN) {
        await select([], [this.sock], [], 5);
        const sent = await this.sock.send(msg.subarray(totalsent));
        if (sent === 0) throw new Error("socket connection broken");
        totalsent = totalsent + sent;
      }
    }
    async myreceive(): Promise<Uint8Array> {
      const chunks: Uint8Array[] = [];
      let bytes_recd = 0;
      while (bytes_recd < MSGLEN) {
        await select([this.sock], [], [], 5);
        let chunk: Uint8Array;
        try {
          chunk = await this.sock.recv(Math.min(MSGLEN - bytes_recd, 2048));
        } catch (e) {
          if (!(e instanceof BlockingIOError)) throw e;
          print("BlockingIOError after select() said readable");
          continue;
        }
        if (chunk.length === 0) throw new Error("socket connection broken");
        chunks.push(chunk);
        bytes_recd = bytes_recd + chunk.length;
      }
      const all = new Uint8Array(bytes_recd);
      let off = 0;
      for (const c of chunks) all.set(c, off), off += c.length;
      return all;
    }
  }

  // A refused connect first: a closed port (loopback; on the test's own address).
  const probe = socket();
  probe.bind([HOWTO_LONE, 0]);
  const closed_port = (probe.getsockname() as [string, number])[1];
  probe.close();
  const refused = new MySocket();
  await refused.connect(HOWTO_LONE, closed_port);
  refused.sock.close();

  const srv = socket();
  srv.bind(["127.0.0.1", 0]);
  srv.listen(5);
  srv.setblocking(false);
  const port = (srv.getsockname() as [string, number])[1];
  const t = server(srv);
  for (let i = 0; i < n; i++) {
    const s = new MySocket();
    await s.connect("127.0.0.1", port);
    await s.mysend(enc.encode(`client ${String(i).padStart(2, "0")} `.padEnd(MSGLEN, "x")));
    print("received:", dec.decode(await s.myreceive()));
    s.sock.close();
  }
  await t;
  srv.close();
  return out.join("\n") + "\n";
}

test("the Socket Programming HOWTO's non-blocking client and server, ported, print what CPython prints", async () => {
  const N = 5;
  const [py, ts] = await within(
    Promise.all([py_run(PY_HOWTO, String(N), HOWTO_LONE), ts_howto(N)]),
    40_000,
    "HOWTO programs",
  );
  assert.equal(ts, py);
  assert.match(py, /connect_ex: EINPROGRESS\nwritable: True SO_ERROR: 111\n/);
});

// ---- 3. a multi-connection client and server (realpython "multiconn") -----

const PY_MULTICONN_SERVER = String.raw`
import selectors
import socket
import sys
import types

sel = selectors.DefaultSelector()
LIMIT = int(sys.argv[1])
closed = 0

def accept_wrapper(sock):
    conn, addr = sock.accept()  # Should be ready to read
    print(f"Accepted connection from {addr}")
    conn.setblocking(False)
    data = types.SimpleNamespace(addr=addr, inb=b"", outb=b"")
    events = selectors.EVENT_READ | selectors.EVENT_WRITE
    sel.register(conn, events, data=data)

def service_connection(key, mask):
    global closed
    sock = key.fileobj
    data = key.data
    if mask & selectors.EVENT_READ:
        recv_data = sock.recv(1024)  # Should be ready to read
        if recv_data:
            data.outb += recv_data
        else:
            print(f"Closing connection to {data.addr}")
            sel.unregister(sock)
            sock.close()
            closed += 1
            return
    if mask & selectors.EVENT_WRITE:
        if data.outb:
            print(f"Echoing {data.outb!r} to {data.addr}")
            sent = sock.send(data.outb)  # Should be ready to write
            data.outb = data.outb[sent:]

lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
lsock.bind(("127.0.0.1", 0))
lsock.listen()
print(lsock.getsockname()[1])
lsock.setblocking(False)
sel.register(lsock, selectors.EVENT_READ, data=None)

while closed < LIMIT:
    events = sel.select(timeout=None)
    for key, mask in events:
        if key.data is None:
            accept_wrapper(key.fileobj)
        else:
            service_connection(key, mask)
sel.close()
`;

const PY_MULTICONN_CLIENT = String.raw`
import selectors
import socket
import sys
import types

sel = selectors.DefaultSelector()
messages = [b"Message 1 from client.", b"Message 2 from client."]

def start_connections(host, port, num_conns):
    server_addr = (host, port)
    for i in range(0, num_conns):
        connid = i + 1
        print(f"Starting connection {connid} to {server_addr}")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.connect_ex(server_addr)
        events = selectors.EVENT_READ | selectors.EVENT_WRITE
        data = types.SimpleNamespace(
            connid=connid,
            msg_total=sum(len(m) for m in messages),
            recv_total=0,
            messages=messages.copy(),
            outb=b"",
        )
        sel.register(sock, events, data=data)

def service_connection(key, mask):
    sock = key.fileobj
    data = key.data
    if mask & selectors.EVENT_READ:
        recv_data = sock.recv(1024)  # Should be ready to read
        if recv_data:
            print(f"Received {recv_data!r} from connection {data.connid}")
            data.recv_total += len(recv_data)
        if not recv_data or data.recv_total == data.msg_total:
            print(f"Closing connection {data.connid}")
            sel.unregister(sock)
            sock.close()
            return
    if mask & selectors.EVENT_WRITE:
        if not data.outb and data.messages:
            data.outb = data.messages.pop(0)
        if data.outb:
            print(f"Sending {data.outb!r} to connection {data.connid}")
            sent = sock.send(data.outb)  # Should be ready to write
            data.outb = data.outb[sent:]

host, port, num_conns = sys.argv[1:4]
start_connections(host, int(port), int(num_conns))
loops = 0
try:
    while True:
        loops += 1
        events = sel.select(timeout=1)
        if events:
            for key, mask in events:
                service_connection(key, mask)
        # Check for a socket being monitored to continue.
        if not sel.get_map():
            break
except KeyboardInterrupt:
    print("Caught keyboard interrupt, exiting")
finally:
    sel.close()
`;

interface ServerData {
  addr: unknown;
  outb: Uint8Array;
}

/** The port of PY_MULTICONN_SERVER. */
async function ts_multiconn_server(limit: number, on_port: (port: number) => void): Promise<string> {
  const out: string[] = [];
  const print = (s: string) => out.push(s);
  const sel = new DefaultSelector<ServerData>();
  let closed = 0;

  const accept_wrapper = async (sock: Socket) => {
    const [conn, addr] = await sock.accept(); // Should be ready to read
    print(`Accepted connection from ${addr_str(addr)}`);
    conn.setblocking(false);
    const data: ServerData = { addr, outb: new Uint8Array(0) };
    const events = EVENT_READ | EVENT_WRITE;
    sel.register(conn, events, data);
  };

  const service_connection = async (sock: Socket, data: ServerData, mask: number) => {
    if (mask & EVENT_READ) {
      const recv_data = await sock.recv(1024); // Should be ready to read
      if (recv_data.length) {
        const both = new Uint8Array(data.outb.length + recv_data.length);
        both.set(data.outb);
        both.set(recv_data, data.outb.length);
        data.outb = both;
      } else {
        print(`Closing connection to ${addr_str(data.addr)}`);
        sel.unregister(sock);
        sock.close();
        closed += 1;
        return;
      }
    }
    if (mask & EVENT_WRITE) {
      if (data.outb.length) {
        print(`Echoing ${brepr(data.outb)} to ${addr_str(data.addr)}`);
        const sent = await sock.send(data.outb); // Should be ready to write
        data.outb = data.outb.subarray(sent);
      }
    }
  };

  const lsock = socket();
  lsock.bind(["127.0.0.1", 0]);
  lsock.listen();
  on_port((lsock.getsockname() as [string, number])[1]);
  lsock.setblocking(false);
  sel.register(lsock, EVENT_READ, null);

  while (closed < limit) {
    const events = await sel.select(null);
    for (const [key, mask] of events) {
      if (key.data === null) await accept_wrapper(key.fileobj as Socket);
      else await service_connection(key.fileobj as Socket, key.data, mask);
    }
  }
  sel.close();
  lsock.close();
  return out.join("\n") + "\n";
}

interface ClientData {
  connid: number;
  msg_total: number;
  recv_total: number;
  messages: Uint8Array[];
  outb: Uint8Array;
}

/** The port of PY_MULTICONN_CLIENT. */
async function ts_multiconn_client(host: string, port: number, num_conns: number): Promise<string> {
  const out: string[] = [];
  const print = (s: string) => out.push(s);
  const sel = new DefaultSelector<ClientData>();
  const messages = [enc.encode("Message 1 from client."), enc.encode("Message 2 from client.")];

  const start_connections = async () => {
    const server_addr: [string, number] = [host, port];
    for (let i = 0; i < num_conns; i++) {
      const connid = i + 1;
      print(`Starting connection ${connid} to ${addr_str(server_addr)}`);
      const sock = socket();
      sock.setblocking(false);
      await sock.connect_ex(server_addr);
      const events = EVENT_READ | EVENT_WRITE;
      const data: ClientData = {
        connid,
        msg_total: messages.reduce((n, m) => n + m.length, 0),
        recv_total: 0,
        messages: [...messages],
        outb: new Uint8Array(0),
      };
      sel.register(sock, events, data);
    }
  };

  const service_connection = async (sock: Socket, data: ClientData, mask: number) => {
    if (mask & EVENT_READ) {
      const recv_data = await sock.recv(1024); // Should be ready to read
      if (recv_data.length) {
        print(`Received ${brepr(recv_data)} from connection ${data.connid}`);
        data.recv_total += recv_data.length;
      }
      if (!recv_data.length || data.recv_total === data.msg_total) {
        print(`Closing connection ${data.connid}`);
        sel.unregister(sock);
        sock.close();
        return;
      }
    }
    if (mask & EVENT_WRITE) {
      if (!data.outb.length && data.messages.length) data.outb = data.messages.shift()!;
      if (data.outb.length) {
        print(`Sending ${brepr(data.outb)} to connection ${data.connid}`);
        const sent = await sock.send(data.outb); // Should be ready to write
        data.outb = data.outb.subarray(sent);
      }
    }
  };

  await start_connections();
  let loops = 0;
  try {
    // Bounded: the original loops until every connection closed.
    while (loops++ < 100_000) {
      const events = await sel.select(1);
      for (const [key, mask] of events) await service_connection(key.fileobj as Socket, key.data!, mask);
      // Check for a socket being monitored to continue.
      if (!sel.get_map()?.size) break;
    }
  } finally {
    sel.close();
  }
  return out.join("\n") + "\n";
}

/** Chunked lines (Received/Echoing) compared by their total per connection; the rest as a sorted list. */
function multiconn_summary(out: string): string[] {
  const lines = norm(out).trim().split("\n");
  const totals = new Map<string, number>();
  const rest: string[] = [];
  for (const l of lines) {
    const m = /^(Received|Echoing) b'(.*)' (from connection \d+|to .*)$/.exec(l);
    if (m) totals.set(`${m[1]} ${m[3]}`, (totals.get(`${m[1]} ${m[3]}`) ?? 0) + m[2]!.length);
    else rest.push(l);
  }
  return [...rest.sort(), ...[...totals].map(([k, n]) => `${k}: ${n} bytes`).sort()];
}

test("the multiconn client and server, ported, print what their CPython originals print (all four pairings)", async () => {
  const N = 3;
  const run_py_server = async () => {
    const s = await py_server(PY_MULTICONN_SERVER, String(N));
    return { port: s.port, output: s.output };
  };
  const run_ts_server = () => {
    let port_set!: (p: number) => void;
    const port = new Promise<number>((r) => port_set = r);
    const output = ts_multiconn_server(N, port_set);
    return port.then((p) => ({ port: p, output }));
  };
  const run_py_client = (port: number) => py_run(PY_MULTICONN_CLIENT, "127.0.0.1", String(port), String(N));
  const run_ts_client = (port: number) => ts_multiconn_client("127.0.0.1", port, N);

  const results: Record<string, [string[], string[]]> = {};
  for (
    const [name, srv, cli] of [
      ["CPython server, CPython client", run_py_server, run_py_client],
      ["pysocket server, pysocket client", run_ts_server, run_ts_client],
      ["pysocket server, CPython client", run_ts_server, run_py_client],
      ["CPython server, pysocket client", run_py_server, run_ts_client],
    ] as const
  ) {
    const s = await srv();
    const client_out = await within(cli(s.port), 30_000, `${name}: client`);
    const server_out = await within(s.output, 30_000, `${name}: server`);
    results[name] = [multiconn_summary(server_out), multiconn_summary(client_out)];
  }
  const [want_server, want_client] = results["CPython server, CPython client"]!;
  assert.equal(want_client.filter((l) => l.startsWith("Closing connection")).length, N);
  for (const [name, [server, client]] of Object.entries(results)) {
    assert.deepEqual(client, want_client, `${name}: client output`);
    assert.deepEqual(server, want_server, `${name}: server output`);
  }
});

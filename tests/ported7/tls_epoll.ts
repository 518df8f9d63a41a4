// Port of tls_epoll.py (threads are tasks; dicts keyed by fileno are Maps; bytes.partition and split are
// small helpers; getattr(e, 'reason', None) is `e.reason`).
import * as socket from "../../mod.ts";
import { ConnectionResetError, OSError } from "../../mod.ts";
import * as select from "../../selectors.ts";
import * as ssl from "../../ssl.ts";
import { b, beq, bjoin, decode, join, print, repr, sleep } from "../ported/_py.ts";

const certs = Deno.args[0]!;
const sctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
sctx.load_cert_chain(`${certs}/server.pem`, `${certs}/server.key`);
const cctx = ssl.create_default_context({ cafile: `${certs}/ca.pem` });

const EOL = b("\r\n\r\n");
const log: string[] = [];

function find(h: Uint8Array, n: Uint8Array): number {
  for (let i = 0; i + n.length <= h.length; i++) if (beq(h.subarray(i, i + n.length), n)) return i;
  return -1;
}
function partition(h: Uint8Array, sep: Uint8Array): [Uint8Array, Uint8Array, Uint8Array] {
  const i = find(h, sep);
  return i < 0 ? [h, b(""), b("")] : [h.subarray(0, i), sep, h.subarray(i + sep.length)];
}
function split(h: Uint8Array, sep: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = find(h, sep); i >= 0; i = find(h, sep)) {
    out.push(h.subarray(0, i));
    h = h.subarray(i + sep.length);
  }
  out.push(h);
  return out;
}

function response_for(request: Uint8Array) {
  const [head, , body] = partition(request, EOL);
  const first = decode(split(head, b("\r\n"))[0]!);
  const text = `${first} (${body.length} body bytes, sum ${body.reduce((a, x) => a + x, 0) % 65536})`;
  const payload = b((text + "\n").repeat(100));
  return bjoin([
    b(`HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${payload.length}\r\n\r\n`),
    payload,
  ]);
}

async function serve(listener: socket.Socket, count: number) {
  const epoll = select.epoll();
  epoll.register(listener.fileno(), select.EPOLLIN);
  const conns = new Map<number, ssl.SSLSocket>();
  const states = new Map<number, string>();
  const requests = new Map<number, Uint8Array>();
  const responses = new Map<number, Uint8Array>();
  const names = new Map<number, string>();
  let done = 0;
  while (done < count) {
    for (const [fileno, event] of await epoll.poll(5)) {
      if (fileno === listener.fileno()) {
        const [conn] = await listener.accept();
        conn.setblocking(false);
        const tls = await sctx.wrap_socket(conn, { server_side: true, do_handshake_on_connect: false });
        conns.set(tls.fileno(), tls);
        states.set(tls.fileno(), "handshake");
        requests.set(tls.fileno(), b(""));
        epoll.register(tls.fileno(), select.EPOLLIN);
        continue;
      }
      const tls = conns.get(fileno)!;
      if (states.get(fileno) === "handshake") {
        try {
          await tls.do_handshake();
        } catch (e) {
          if (e instanceof ssl.SSLWantReadError) {
            epoll.modify(fileno, select.EPOLLIN);
            continue;
          } else if (e instanceof ssl.SSLWantWriteError) {
            epoll.modify(fileno, select.EPOLLOUT);
            continue;
          } else if (e instanceof OSError) {
            log.push(`handshake failed: ${(e instanceof ssl.SSLError ? e.reason : null) || e.name}`);
            epoll.unregister(fileno);
            tls.close();
            conns.delete(fileno);
            done += 1;
            continue;
          }
          throw e;
        }
        states.set(fileno, "read");
        epoll.modify(fileno, select.EPOLLIN);
      }
      if (states.get(fileno) === "read" && event & select.EPOLLIN) {
        try {
          while (true) {
            const data = await tls.recv(1024);
            if (!data.length) {
              break;
            }
            requests.set(fileno, bjoin([requests.get(fileno)!, data]));
          }
        } catch (e) {
          if (!(e instanceof ssl.SSLWantReadError)) throw e;
        }
        const req = requests.get(fileno)!;
        const [head, sep, body] = partition(req, EOL);
        if (sep.length) {
          let length = 0;
          for (const line of split(head, b("\r\n")).slice(1)) {
            const [k, , v] = partition(line, b(":"));
            if (decode(k).trim().toLowerCase() === "content-length") {
              length = parseInt(decode(v));
            }
          }
          if (body.length >= length) {
            names.set(fileno, decode(split(head, b("\r\n"))[0]!));
            log.push(`${names.get(fileno)}: ${body.length} body bytes, ${tls.version()}`);
            responses.set(fileno, response_for(req));
            states.set(fileno, "write");
            epoll.modify(fileno, select.EPOLLOUT);
          }
        }
      } else if (states.get(fileno) === "write" && event & select.EPOLLOUT) {
        try {
          while (responses.get(fileno)!.length) {
            const sent = await tls.send(responses.get(fileno)!);
            responses.set(fileno, responses.get(fileno)!.subarray(sent));
          }
        } catch (e) {
          if (e instanceof ssl.SSLWantWriteError) continue;
          throw e;
        }
        epoll.unregister(fileno);
        tls.close();
        conns.delete(fileno);
        done += 1;
      }
    }
  }
  epoll.close();
  listener.close();
}

async function client(port: number, path: string, pieces: number | null = null, body = b("")) {
  const s = await cctx.wrap_socket(await socket.create_connection(["127.0.0.1", port]), {
    server_hostname: "localhost",
  });
  let request = b(`POST ${path} HTTP/1.0\r\nHost: localhost\r\nContent-Length: ${body.length}\r\n\r\n`);
  request = bjoin([request, body]);
  if (pieces) {
    await s.sendall(request.subarray(0, pieces));
    await sleep(0.2);
    await s.sendall(request.subarray(pieces));
  } else {
    await s.sendall(request);
  }
  const chunks: Uint8Array[] = [];
  while (true) {
    const data = await s.recv(4096);
    if (!data.length) {
      break;
    }
    chunks.push(data);
  }
  s.close();
  const reply = bjoin(chunks);
  const [head, , payload] = partition(reply, EOL);
  const lines = split(payload, b("\n"));
  return `${path}: ${decode(split(head, b("\r\n"))[0]!)} ${lines.length - 1} lines, first ${repr(lines[0])}`;
}

const listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
listener.bind(["127.0.0.1", 0]);
listener.listen(8);
listener.setblocking(false);
const port = listener.getsockname()[1] as number;
const t = serve(listener, 9);
for (let i = 0; i < 3; i++) {
  print(await client(port, `/one/${i}`));
}
print(await client(port, "/pieces", 20));
print(await client(port, "/big", null, new Uint8Array(40960).map((_, i) => i % 256)));
const out = new Map<number, string>();
const threads = [0, 1, 2].map((i) => client(port, `/many/${i}`).then((r) => void out.set(i, r)));
for (const th of threads) {
  await join(th, 30);
}
for (const i of [...out.keys()].sort()) {
  print(out.get(i));
}
const plain = await socket.create_connection(["127.0.0.1", port]);
await plain.sendall(b("GET / HTTP/1.0\r\n\r\n"));
try {
  await plain.recv(1024); // an alert, or a reset (the server closes with the request unread)
} catch (e) {
  if (!(e instanceof ConnectionResetError)) throw e;
}
print("plain client done");
plain.close();
await join(t, 30);
for (const line of log.sort()) {
  print(line);
}

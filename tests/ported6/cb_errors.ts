// Port of cb_errors.py (sys.exit is a thrown SystemExit; the socket CPython closes when main()'s frame goes
// away is a `using` declaration; threads become tasks).
import * as socket from "../../mod.ts";
import { bjoin, kw, print } from "../ported/_py.ts";

class SystemExit extends Error {
  constructor(public code: number) {
    super(String(code));
  }
}

const enc = new TextEncoder();
const FILES: Record<string, string> = { "/hello.txt": "Hello, error handling!\nSecond line: \u00e9t\u00e9\n" };
const ends_with_blank = (b: Uint8Array) => new TextDecoder("latin1").decode(b).endsWith("\r\n\r\n");

async function http_server(srv: socket.Socket, n: number) {
  for (let i = 0; i < n; i++) {
    const [conn] = await srv.accept();
    let req = new Uint8Array();
    while (!ends_with_blank(req)) {
      const data = await conn.recv(1024);
      if (!data.length) break;
      req = bjoin([req, data]);
    }
    const text = new TextDecoder().decode(req);
    if (text.startsWith("GET /silent")) {
      await conn.recv(10); // never answers; the client gives up first
    } else {
      const path = req.length ? text.split(/\s+/)[1]! : "";
      const body = FILES[path];
      if (body === undefined) {
        await conn.sendall(enc.encode("HTTP/1.0 404 Not Found\r\n\r\nno such file\n"));
      } else {
        await conn.sendall(enc.encode("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n" + body));
      }
    }
    conn.close();
  }
}

async function main(
  host: string,
  port: number,
  filename: string,
  { timeout = null as number | null, shut_first = false } = {},
) {
  // First try-except block -- create socket
  let s: socket.Socket;
  try {
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
    s.settimeout(timeout);
  } catch (e) {
    if (!(e instanceof socket.error)) throw e;
    print(`Error creating socket: ${e.message}`);
    throw new SystemExit(1);
  }
  using _s = s;

  // Second try-except block -- connect to given host/port
  try {
    await s.connect([host, port]);
  } catch (e) {
    if (e instanceof socket.gaierror) {
      print(`Address-related error connecting to server: ${e.message}`);
      throw new SystemExit(1);
    }
    if (e instanceof socket.error) {
      print(`Connection error: ${e.message}`);
      throw new SystemExit(1);
    }
    throw e;
  }

  // Third try-except block -- sending data
  try {
    if (shut_first) await s.shutdown(socket.SHUT_WR);
    const msg = `GET ${filename} HTTP/1.0\r\n\r\n`;
    await s.sendall(enc.encode(msg));
  } catch (e) {
    if (!(e instanceof socket.error)) throw e;
    print(`Error sending data: ${e.message}`);
    throw new SystemExit(1);
  }

  while (1) {
    // Fourth tr-except block -- waiting to receive data from remote host
    let buf: Uint8Array;
    try {
      buf = await s.recv(2048);
    } catch (e) {
      if (!(e instanceof socket.error)) throw e;
      print(`Error receiving data: ${e.message}`);
      throw new SystemExit(1);
    }
    if (!buf.length) break;
    // write the received data
    print(new TextDecoder("utf-8", { fatal: true }).decode(buf), kw({ end: "" }));
  }
}

const srv = socket.socket();
srv.bind(["127.0.0.1", 0]);
srv.listen(5);
const port = srv.getsockname()[1];
const server = http_server(srv, 4);
const closed = socket.socket();
closed.bind(["127.0.0.1", 0]);
const closed_port = closed.getsockname()[1];
closed.close();

const runs: [string, [string, number, string], { timeout?: number; shut_first?: boolean }][] = [
  ["a file", ["127.0.0.1", port, "/hello.txt"], {}],
  ["a missing file", ["localhost", port, "/nope.txt"], {}],
  ["a refused port", ["127.0.0.1", closed_port, "/hello.txt"], {}],
  ["an IPv6 host", ["::1", port, "/hello.txt"], {}],
  ["a send after SHUT_WR", ["127.0.0.1", port, "/hello.txt"], { shut_first: true }],
  ["a silent server", ["127.0.0.1", port, "/silent"], { timeout: 0.5 }],
];
for (const [label, args, opts] of runs) {
  print("---", label);
  try {
    await main(...args, opts);
    print("(exit 0)");
  } catch (e) {
    if (!(e instanceof SystemExit)) throw e;
    print(`(exit ${e.code})`);
  }
}
await server;
srv.close();

// Port of pg_sslrequest.py (the server thread is a task; struct's "!i"/"!h"/"!ii" are DataView calls; bytes.split
// is splitb(); type(s).__name__ is the class's Python name, "SSLSocket" or "socket"; dict(zip(...)) of the
// parameters is a list of pairs, sorted as Python sorts bytes keys).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import * as ssl from "../../ssl.ts";
import { b, beq, bjoin, decode, join, list, print, repr } from "../ported/_py.ts";

const d = Deno.args[0];
const SSL_CODE = 80877103;
const TABLE: (Uint8Array | null)[][] = [[b("alice"), b("30")], [b("bob"), b("25")], [b("carol"), null]];
const log: string[] = [];

class EOFError extends Error {}

function i32(...xs: number[]): Uint8Array {
  const out = new Uint8Array(4 * xs.length);
  xs.forEach((x, i) => new DataView(out.buffer).setInt32(4 * i, x));
  return out;
}
function i16(x: number): Uint8Array {
  const out = new Uint8Array(2);
  new DataView(out.buffer).setInt16(0, x);
  return out;
}
const get32 = (x: Uint8Array, off = 0) => new DataView(x.buffer, x.byteOffset, x.byteLength).getInt32(off);
const get16 = (x: Uint8Array, off = 0) => new DataView(x.buffer, x.byteOffset, x.byteLength).getInt16(off);

/** bytes.split(b"\0"). */
function splitb(x: Uint8Array, sep = 0): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < x.length; i++) {
    if (x[i] === sep) {
      out.push(x.subarray(start, i));
      start = i + 1;
    }
  }
  out.push(x.subarray(start));
  return out;
}

async function recv_exact(s: Socket, n: number): Promise<Uint8Array> {
  let buf = new Uint8Array(0);
  while (buf.length < n) {
    const chunk = await s.recv(n - buf.length);
    if (!chunk.length) throw new EOFError(`closed after ${buf.length} of ${n} bytes`);
    buf = bjoin([buf, chunk]);
  }
  return buf;
}

const msg = (t: string, body: Uint8Array) => bjoin([b(t), i32(body.length + 4), body]);

async function read_msg(s: Socket): Promise<[Uint8Array, Uint8Array]> {
  const t = await recv_exact(s, 1);
  const n = get32(await recv_exact(s, 4));
  return [t, await recv_exact(s, n - 4)];
}

const cstr = (x: Uint8Array) => bjoin([x, new Uint8Array([0])]);

const error = (severity: string, code: string, text: Uint8Array) =>
  msg("E", bjoin([b("S"), cstr(b(severity)), b("C"), cstr(b(code)), b("M"), cstr(text), b("\0")]));

async function serve_one(conn: Socket, n: number, tls_ok: boolean, sctx: ssl.SSLContext): Promise<Socket> {
  let length = get32(await recv_exact(conn, 4));
  let body = await recv_exact(conn, length - 4);
  let code = get32(body);
  if (code === SSL_CODE) {
    if (tls_ok) {
      await conn.sendall(b("S"));
      const tconn = await sctx.wrap_socket(conn, { server_side: true });
      conn = tconn;
      log.push(`conn ${n}: TLS ${tconn.version()}`);
    } else {
      await conn.sendall(b("N"));
      log.push(`conn ${n}: SSL refused`);
    }
    length = get32(await recv_exact(conn, 4));
    body = await recv_exact(conn, length - 4);
    code = get32(body);
  }
  const parts = splitb(body.subarray(4));
  const params: [Uint8Array, Uint8Array][] = [];
  for (let i = 0; i + 1 < parts.length - 2; i += 2) params.push([parts[i]!, parts[i + 1]!]);
  const user = params.find(([k]) => decode(k) === "user")![1];
  params.sort(([x], [y]) => (decode(x) < decode(y) ? -1 : decode(x) > decode(y) ? 1 : 0));
  log.push(`conn ${n}: protocol ${code >> 16}.${code & 0xFFFF}, params ${repr(list(params))}`);
  await conn.sendall(msg("R", i32(3)));
  let [t, pbody] = await read_msg(conn);
  if (decode(t) !== "p" || !beq(pbody, b("secret\0"))) {
    await conn.sendall(error("FATAL", "28P01", b(`password authentication failed for user "${decode(user)}"`)));
    log.push(`conn ${n}: bad password`);
    return conn;
  }
  await conn.sendall(bjoin([msg("R", i32(0)), msg("S", b("server_version\x0014.0\0")), msg("Z", b("I"))]));
  while (true) {
    [t, pbody] = await read_msg(conn);
    if (decode(t) === "X") {
      log.push(`conn ${n}: terminate`);
      return conn;
    }
    let end = pbody.length;
    while (end > 0 && pbody[end - 1] === 0) end--;
    const q = pbody.subarray(0, end);
    log.push(`conn ${n}: query ${repr(q)}`);
    let out: Uint8Array;
    if (decode(q) === "SELECT name, age FROM people") {
      const fields = ["name", "age"].map((name) =>
        bjoin([cstr(b(name)), i32(0), i16(0), i32(25), i16(-1), i32(-1), i16(0)])
      );
      const parts_out = [msg("T", bjoin([i16(2), ...fields]))];
      for (const row of TABLE) {
        const cols = bjoin(row.map((v) => v === null ? i32(-1) : bjoin([i32(v.length), v])));
        parts_out.push(msg("D", bjoin([i16(row.length), cols])));
      }
      parts_out.push(msg("C", b(`SELECT ${TABLE.length}\0`)));
      out = bjoin(parts_out);
    } else {
      const words = decode(q).split(" ");
      out = error("ERROR", "42P01", b(`relation "${words.at(-1)}" does not exist`));
    }
    await conn.sendall(bjoin([out, msg("Z", b("I"))]));
  }
}

async function server(lsock: Socket) {
  const sctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH);
  sctx.load_cert_chain(d + "/server.pem", d + "/server.key");
  for (const [n, tls_ok] of [true, false, true].entries()) {
    let [conn] = await lsock.accept();
    conn.settimeout(5);
    try {
      conn = await serve_one(conn, n, tls_ok, sctx);
    } catch (e) {
      if (!(e instanceof EOFError)) throw e;
      log.push(`conn ${n}: EOFError ${e.message}`);
    }
    conn.close();
  }
}

async function startup(s: Socket, user: Uint8Array) {
  const body = bjoin([i32(196608), b("user\0"), user, b("\0database\0shop\0application_name\0port\0\0")]);
  await s.sendall(bjoin([i32(body.length + 4), body]));
}

const fields_of = (body: Uint8Array) => list(splitb(body).filter((f) => f.length));

async function client(
  addr: [string, number],
  cctx: ssl.SSLContext,
  user: Uint8Array,
  password: Uint8Array,
  queries: Uint8Array[],
) {
  const raw = await socket.create_connection(addr, { timeout: 5 });
  await raw.sendall(i32(8, SSL_CODE));
  const answer = await raw.recv(1);
  print("SSLRequest ->", answer);
  const tls = decode(answer) === "S";
  const s: Socket = tls ? await cctx.wrap_socket(raw, { server_hostname: "localhost" }) : raw;
  print(
    "  transport:",
    s instanceof ssl.SSLSocket ? "SSLSocket" : "socket",
    tls ? (s as ssl.SSLSocket).version() : "plain",
  );
  await startup(s, user);
  let [t, body] = await read_msg(s);
  print("  auth request:", t, get32(body));
  await s.sendall(msg("p", cstr(password)));
  while (true) {
    [t, body] = await read_msg(s);
    const tt = decode(t);
    if (tt === "E") {
      print("  error:", fields_of(body));
      s.close();
      return;
    }
    if (tt === "R") print("  auth:", get32(body));
    else if (tt === "S") print("  parameter:", list(splitb(body).slice(0, 2)));
    else if (tt === "Z") {
      print("  ready:", body);
      break;
    }
  }
  for (const q of queries) {
    await s.sendall(msg("Q", cstr(q)));
    while (true) {
      [t, body] = await read_msg(s);
      const tt = decode(t);
      if (tt === "T") {
        const nf = get16(body);
        let rest = body.subarray(2);
        const names = list<Uint8Array>([]);
        for (let i = 0; i < nf; i++) {
          const k = rest.indexOf(0);
          names.push(rest.subarray(0, k));
          rest = rest.subarray(k + 1 + 18);
        }
        print("  columns:", names);
      } else if (tt === "D") {
        const nc = get16(body);
        let off = 2;
        const row = list<Uint8Array | null>([]);
        for (let i = 0; i < nc; i++) {
          const ln = get32(body, off);
          off += 4;
          if (ln < 0) {
            row.push(null);
          } else {
            row.push(body.subarray(off, off + ln));
            off += ln;
          }
        }
        print("  row:", row);
      } else if (tt === "C") {
        print("  complete:", body);
      } else if (tt === "E") {
        print("  error:", fields_of(body));
      } else if (tt === "Z") {
        print("  ready:", body);
        break;
      }
    }
  }
  await s.sendall(msg("X", new Uint8Array(0)));
  s.close();
}

{
  using lsock = socket.create_server(["127.0.0.1", 0]);
  const addr = lsock.getsockname() as [string, number];
  const t = server(lsock);
  const cctx = ssl.create_default_context({ cafile: d + "/ca.pem" });
  await client(addr, cctx, b("alice"), b("secret"), [b("SELECT name, age FROM people")]);
  await client(addr, cctx, b("mallory"), b("guess"), []);
  await client(addr, cctx, b("bob"), b("secret"), [b("SELECT * FROM orders"), b("SELECT name, age FROM people")]);
  await join(t, 10);
}

for (const line of log) print(line);

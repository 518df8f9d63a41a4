// Port of fastcgi_unix.py (the responder thread is a task; struct's "!BBHHBx", "!HB5x", "!IB3x" and "!I" are
// DataView calls; tempfile.mkdtemp()/shutil.rmtree() are Deno.makeTempDirSync()/Deno.removeSync(); the dict keyed
// by (request id, stream name) is a Map sorted by both).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { b, bjoin, decode, join, list, print, repr } from "../ported/_py.ts";

const [BEGIN, END, PARAMS, STDIN, STDOUT, STDERR, GET_VALUES, GET_VALUES_RESULT, UNKNOWN_TYPE] = [
  1,
  3,
  4,
  5,
  6,
  7,
  9,
  10,
  11,
];
const [RESPONDER, KEEP_CONN] = [1, 1];
const NAMES: Record<number, string> = {
  1: "BEGIN",
  2: "ABORT",
  3: "END",
  4: "PARAMS",
  5: "STDIN",
  6: "STDOUT",
  7: "STDERR",
  10: "GET_VALUES_RESULT",
  11: "UNKNOWN_TYPE",
};
const log: string[] = [];

const view = (x: Uint8Array) => new DataView(x.buffer, x.byteOffset, x.byteLength);

function record(rtype: number, rid: number, content: Uint8Array = new Uint8Array(0), padding = 0): Uint8Array {
  const head = new Uint8Array(8);
  const dv = view(head);
  dv.setUint8(0, 1);
  dv.setUint8(1, rtype);
  dv.setUint16(2, rid);
  dv.setUint16(4, content.length);
  dv.setUint8(6, padding);
  return bjoin([head, content, new Uint8Array(padding)]);
}

/** struct.pack("!HB5x") / ("!IB3x"): a 2- or 4-byte number, a byte, zero bytes to 8. */
function num_byte(size: 2 | 4, x: number, y: number): Uint8Array {
  const out = new Uint8Array(8);
  if (size === 2) view(out).setUint16(0, x);
  else view(out).setUint32(0, x);
  out[size] = y;
  return out;
}

async function recv_exact(s: Socket, n: number): Promise<Uint8Array | null> {
  let buf = new Uint8Array(0);
  while (buf.length < n) {
    const chunk = await s.recv(n - buf.length);
    if (!chunk.length) return !buf.length ? null : buf;
    buf = bjoin([buf, chunk]);
  }
  return buf;
}

async function read_record(s: Socket): Promise<[number, number, Uint8Array] | null> {
  const head = await recv_exact(s, 8);
  if (head === null) return null;
  const dv = view(head);
  const [rtype, rid, length, padding] = [dv.getUint8(1), dv.getUint16(2), dv.getUint16(4), dv.getUint8(6)];
  const content = length ? (await recv_exact(s, length))! : new Uint8Array(0);
  if (padding) await recv_exact(s, padding);
  return [rtype, rid, content];
}

function pairs(data: Uint8Array): [string, string][] {
  const out = list<[string, string]>([]);
  let i = 0;
  while (i < data.length) {
    const lens: number[] = [];
    for (let k = 0; k < 2; k++) {
      if (data[i]! >> 7) {
        lens.push(view(data.subarray(i, i + 4)).getUint32(0) & 0x7FFFFFFF);
        i += 4;
      } else {
        lens.push(data[i]!);
        i += 1;
      }
    }
    out.push([decode(data.subarray(i, i + lens[0]!)), decode(data.subarray(i + lens[0]!, i + lens[0]! + lens[1]!))]);
    i += lens[0]! + lens[1]!;
  }
  return out;
}

function encode_pairs(items: Iterable<[string, string]>): Uint8Array {
  const out: Uint8Array[] = [];
  for (const [k, v] of items) {
    for (const x of [k, v]) {
      const n = b(x).length;
      if (n < 128) {
        out.push(new Uint8Array([n]));
      } else {
        const l = new Uint8Array(4);
        view(l).setUint32(0, (n | 0x80000000) >>> 0);
        out.push(l);
      }
    }
    out.push(b(k), b(v));
  }
  return bjoin(out);
}

function app(params: Map<string, string>, body: Uint8Array): [Uint8Array, Uint8Array, number] {
  if (params.get("SCRIPT_NAME") === "/fail") {
    return [b("Status: 500 Internal Server Error\r\n\r\n"), b("app: something broke\n"), 1];
  }
  let text = `${params.get("REQUEST_METHOD")} ${params.get("SCRIPT_NAME")} len=${
    params.get("CONTENT_LENGTH") ?? "0"
  } ua=${(params.get("HTTP_USER_AGENT") ?? "").length} bytes\n`;
  text += `body: ${repr(body.subarray(0, 40))}\n`;
  return [b("Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n" + text), new Uint8Array(0), 0];
}

type Req = { keep: number; params: Uint8Array; stdin: Uint8Array };

async function responder(lsock: Socket, nconns: number) {
  for (let c = 0; c < nconns; c++) {
    const [conn] = await lsock.accept();
    conn.settimeout(5);
    const reqs = new Map<number, Req>();
    while (true) {
      const rec = await read_record(conn);
      if (rec === null) {
        log.push(`app conn ${c}: EOF`);
        break;
      }
      const [rtype, rid, content] = rec;
      if (rtype === GET_VALUES) {
        const asked = pairs(content).map(([k]) => k);
        const known: Record<string, string> = { FCGI_MAX_CONNS: "1", FCGI_MAX_REQS: "4", FCGI_MPXS_CONNS: "1" };
        const result = asked.filter((k) => k in known).map((k) => [k, known[k]!] as [string, string]);
        await conn.sendall(record(GET_VALUES_RESULT, 0, encode_pairs(result)));
      } else if (rtype === BEGIN) {
        const [role, flags] = [view(content).getUint16(0), content[2]!];
        if (role !== RESPONDER) {
          await conn.sendall(record(END, rid, num_byte(4, 0, 3))); // FCGI_UNKNOWN_ROLE
          continue;
        }
        reqs.set(rid, { keep: flags & KEEP_CONN, params: new Uint8Array(0), stdin: new Uint8Array(0) });
      } else if (rtype === PARAMS) {
        const r = reqs.get(rid)!;
        r.params = bjoin([r.params, content]);
      } else if (rtype === STDIN && content.length) {
        const r = reqs.get(rid)!;
        r.stdin = bjoin([r.stdin, content]);
      } else if (rtype === STDIN) {
        const req = reqs.get(rid)!;
        reqs.delete(rid);
        const params = new Map(pairs(req.params));
        const [out, err, status] = app(params, req.stdin);
        for (let i = 0; i < out.length; i += 50) {
          const piece = out.subarray(i, i + 50);
          await conn.sendall(record(STDOUT, rid, piece, (8 - piece.length % 8) % 8));
        }
        await conn.sendall(record(STDOUT, rid));
        if (err.length) await conn.sendall(bjoin([record(STDERR, rid, err), record(STDERR, rid)]));
        await conn.sendall(record(END, rid, num_byte(4, status, 0)));
        log.push(`app conn ${c}: request ${rid} ${params.get("SCRIPT_NAME")} done, keep ${req.keep}`);
        if (!req.keep) break;
      } else {
        const body = new Uint8Array(8);
        body[0] = rtype;
        await conn.sendall(record(UNKNOWN_TYPE, 0, body));
      }
    }
    conn.close();
  }
}

const begin = (rid: number, keep = true, role = RESPONDER) =>
  record(BEGIN, rid, num_byte(2, role, keep ? KEEP_CONN : 0));

function request(
  rid: number,
  method: string,
  script: string,
  body: Uint8Array = new Uint8Array(0),
  keep = true,
  ua = "curl/8",
): Uint8Array[] {
  const params = encode_pairs([
    ["REQUEST_METHOD", method],
    ["SCRIPT_NAME", script],
    ["CONTENT_LENGTH", String(body.length)],
    ["HTTP_USER_AGENT", ua],
  ]);
  const recs = [
    begin(rid, keep),
    record(PARAMS, rid, params.subarray(0, 30)),
    record(PARAMS, rid, params.subarray(30)),
    record(PARAMS, rid),
  ];
  for (let i = 0; i < body.length; i += 16) recs.push(record(STDIN, rid, body.subarray(i, i + 16), 3));
  return [...recs, record(STDIN, rid)];
}

async function collect(s: Socket, until_ends: number) {
  const got = new Map<string, [number, string, Uint8Array[]]>();
  let ends = 0;
  while (ends < until_ends) {
    const rec = await read_record(s);
    if (rec === null) {
      print("  EOF from the app");
      break;
    }
    const [rtype, rid, content] = rec;
    if (rtype === END) {
      print(`  END request ${rid}: app status ${view(content).getUint32(0)}, protocol status ${content[4]}`);
      ends += 1;
    } else if (rtype === STDOUT || rtype === STDERR) {
      const key = `${rid} ${NAMES[rtype]}`;
      if (!got.has(key)) got.set(key, [rid, NAMES[rtype]!, []]);
      got.get(key)![2].push(content);
    } else {
      print(`  ${NAMES[rtype]}: ${rtype === GET_VALUES_RESULT ? repr(pairs(content)) : repr(content)}`);
      ends += 1;
    }
  }
  const rows = [...got.values()].sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0));
  for (const [rid, name, chunks] of rows) {
    print(`  request ${rid} ${name}: ${chunks.length} records, ${repr(bjoin(chunks))}`);
  }
}

const tmp = Deno.makeTempDirSync();
const path = `${tmp}/app.sock`;
try {
  const lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
  lsock.bind(path);
  lsock.listen();
  const t = responder(lsock, 2);

  let s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
  s.settimeout(5);
  await s.connect(path);
  print("GET_VALUES:");
  await s.sendall(
    record(GET_VALUES, 0, encode_pairs([["FCGI_MPXS_CONNS", ""], ["FCGI_MAX_CONNS", ""], ["NO_SUCH", ""]])),
  );
  await collect(s, 1);
  print("two requests interleaved:");
  const a = request(1, "POST", "/upload", b("name=value&".repeat(5)));
  const b_ = request(2, "GET", "/index", undefined, undefined, "M".repeat(300));
  const mixed: Uint8Array[] = [];
  for (let i = 0; i < Math.min(a.length, b_.length); i++) mixed.push(a[i]!, b_[i]!);
  mixed.push(...a.slice(b_.length), ...b_.slice(a.length));
  await s.sendall(bjoin(mixed));
  await collect(s, 2);
  print("unknown type, unknown role, a failing app:");
  await s.sendall(bjoin([record(42, 0, b("?")), begin(3, undefined, 2), ...request(4, "GET", "/fail")]));
  await collect(s, 3);
  s.close();

  s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
  s.settimeout(5);
  await s.connect(path);
  print("without the keep flag:");
  await s.sendall(bjoin(request(1, "GET", "/once", undefined, false)));
  await collect(s, 2);
  s.close();
  await join(t, 5);
  lsock.close();
} finally {
  Deno.removeSync(tmp, { recursive: true });
}

for (const line of log) print(line);

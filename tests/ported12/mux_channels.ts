// Port of mux_channels.py (the server thread is a task; struct's ">HBI" header and ">I" credit are DataView
// calls; hashlib.sha256 is node:crypto's; a channel's state dict is an object; `global inb` is a module variable).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import * as selectors from "../../selectors.ts";
import { createHash } from "node:crypto";
import { bjoin, print } from "../ported/_py.ts";

const HDR_SIZE = 7;
const [OPEN, DATA, WINDOW, EOF, CLOSE] = [0, 1, 2, 3, 4];
const WIN = 4096;
const TNAMES = ["OPEN", "DATA", "WINDOW", "EOF", "CLOSE"];

function frame(ch: number, ty: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(HDR_SIZE + payload.length);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, ch);
  dv.setUint8(2, ty);
  dv.setUint32(3, payload.length);
  out.set(payload, HDR_SIZE);
  return out;
}
function unpack_hdr(x: Uint8Array): [number, number, number] {
  const dv = new DataView(x.buffer, x.byteOffset, x.byteLength);
  return [dv.getUint16(0), dv.getUint8(2), dv.getUint32(3)];
}
function u32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
}
const get32 = (x: Uint8Array) => new DataView(x.buffer, x.byteOffset, x.byteLength).getUint32(0);
const reversed = (x: Uint8Array) => x.slice().reverse();

type Stats = Record<string, number | boolean>;
type Chan = { credit: number; pending: Uint8Array; eof: boolean | null };

async function serve(lsock: Socket, stats: Stats) {
  const sel = new selectors.DefaultSelector();
  const [conn] = await lsock.accept();
  conn.setblocking(false);
  sel.register(conn, selectors.EVENT_READ);
  let inb = new Uint8Array(0);
  let outb = new Uint8Array(0);
  const chans = new Map<number, Chan>();
  let done = false;
  const bump = (k: string) => stats[k] = ((stats[k] as number | undefined) ?? 0) + 1;
  while (!done) {
    for (const [, mask] of await sel.select(5)) {
      if (mask & selectors.EVENT_READ) {
        const data = await conn.recv(65536);
        if (!data.length) {
          done = true;
          break;
        }
        inb = bjoin([inb, data]);
        while (inb.length >= HDR_SIZE) {
          const [ch, ty, n] = unpack_hdr(inb);
          if (inb.length < HDR_SIZE + n) break;
          const payload = inb.subarray(HDR_SIZE, HDR_SIZE + n);
          inb = inb.subarray(HDR_SIZE + n);
          bump("in " + TNAMES[ty]);
          if (ty === OPEN) {
            chans.set(ch, { credit: WIN, pending: new Uint8Array(0), eof: false });
            outb = bjoin([outb, frame(ch, WINDOW, u32(WIN))]);
          } else if (ty === DATA) {
            const c = chans.get(ch)!;
            c.pending = bjoin([c.pending, reversed(payload)]);
            outb = bjoin([outb, frame(ch, WINDOW, u32(n))]);
          } else if (ty === WINDOW) {
            const c = chans.get(ch)!;
            c.credit += get32(payload);
            stats["max credit"] = Math.max((stats["max credit"] as number | undefined) ?? 0, c.credit);
          } else if (ty === EOF) {
            chans.get(ch)!.eof = true;
          }
        }
      }
      for (const [ch, c] of [...chans].sort((a, b) => a[0] - b[0])) {
        while (c.pending.length && c.credit >= Math.min(1024, c.pending.length)) {
          const piece = c.pending.subarray(0, 1024);
          c.pending = c.pending.subarray(piece.length);
          c.credit -= piece.length;
          outb = bjoin([outb, frame(ch, DATA, piece)]);
          bump("out DATA");
        }
        if (c.eof && !c.pending.length) {
          outb = bjoin([outb, frame(ch, CLOSE)]);
          c.eof = null;
        }
      }
      if (outb.length) {
        try {
          const sent = await conn.send(outb);
          outb = outb.subarray(sent);
        } catch (e) {
          if (!(e instanceof socket.BlockingIOError)) throw e;
          stats["server blocked"] = true;
        }
      }
      const want = selectors.EVENT_READ | (outb.length ? selectors.EVENT_WRITE : 0);
      if (sel.get_key(conn).events !== want) sel.modify(conn, want);
    }
  }
  sel.close();
  conn.close();
}

const lsock = socket.create_server(["127.0.0.1", 0]);
const stats: Stats = {};
const t = serve(lsock, stats);
const c = await socket.create_connection(lsock.getsockname(), { timeout: 5 });
const payloads = new Map<number, Uint8Array>(
  ([[1, 20000], [2, 3000], [3, 1], [4, 50000]] as const).map((
    [ch, size],
  ) => [ch, Uint8Array.from({ length: size }, (_, i) => (ch * 31 + i * 7) % 251)]),
);
const credit = new Map<number, number>();
const got = new Map<number, Uint8Array>([...payloads.keys()].map((ch) => [ch, new Uint8Array(0)]));
const closed = new Set<number>();
let inb = new Uint8Array(0);

async function pump_in() {
  inb = bjoin([inb, await c.recv(65536)]);
  while (inb.length >= HDR_SIZE) {
    const [ch, ty, n] = unpack_hdr(inb);
    if (inb.length < HDR_SIZE + n) break;
    const payload = inb.subarray(HDR_SIZE, HDR_SIZE + n);
    inb = inb.subarray(HDR_SIZE + n);
    if (ty === WINDOW) credit.set(ch, (credit.get(ch) ?? 0) + get32(payload));
    else if (ty === DATA) {
      got.set(ch, bjoin([got.get(ch)!, payload]));
      await c.sendall(frame(ch, WINDOW, u32(n)));
    } else if (ty === CLOSE) closed.add(ch);
  }
}

for (const ch of payloads.keys()) await c.sendall(frame(ch, OPEN));
const offsets = new Map([...payloads.keys()].map((ch) => [ch, 0]));
while ([...payloads].some(([ch, p]) => offsets.get(ch)! < p.length)) {
  let progressed = false;
  for (const [ch, p] of payloads) {
    const off = offsets.get(ch)!;
    const n = Math.min(1024, p.length - off);
    if (n > 0 && (credit.get(ch) ?? 0) >= n) {
      await c.sendall(frame(ch, DATA, p.subarray(off, off + n)));
      offsets.set(ch, off + n);
      credit.set(ch, credit.get(ch)! - n);
      progressed = true;
      if (off + n === p.length) await c.sendall(frame(ch, EOF));
    }
  }
  if (!progressed) await pump_in();
}
while (closed.size < payloads.size) await pump_in();
c.close();
await t;
lsock.close();
for (const [ch, p] of payloads) {
  const g = got.get(ch)!;
  print(
    `channel ${ch}: sent ${p.length}, got ${g.length}, reversed-chunks check:`,
    createHash("sha256").update(g).digest("hex").slice(0, 16),
    "credit left",
    credit.get(ch),
  );
}
const ins = Object.keys(stats).filter((k) => k.startsWith("in ")).sort();
print("server frames in:", `{${ins.map((k) => `'${k}': ${stats[k]}`).join(", ")}}`);
print("server DATA frames out:", stats["out DATA"], "max credit held:", (stats["max credit"] as number) <= WIN);

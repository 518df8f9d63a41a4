// Port of unix_dgram_reply.py (the server thread is a task; tempfile/os are Deno's file calls; Python's
// TypeError is JavaScript's; an abstract name may be bytes or a string with a leading NUL, as show() accepts both).
import * as socket from "../../mod.ts";
import type { Address, Socket } from "../../mod.ts";
import { b, bupper, print, repr } from "../ported/_py.ts";

const d = Deno.makeTempDirSync();
const join = (name: string) => `${d}/${name}`;
const exists = (p: string) => {
  try {
    Deno.lstatSync(p);
    return true;
  } catch {
    return false;
  }
};
const SPATH = join("server.sock");
const srv = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
srv.bind(SPATH);
srv.settimeout(5);
const slog: string[] = [];

function show(addr: Address | Uint8Array | null | undefined): string {
  if (addr === null || addr === undefined || addr === "") return repr(addr ?? null);
  if (addr instanceof Uint8Array || (typeof addr === "string" && addr.startsWith("\0"))) {
    const raw = addr instanceof Uint8Array ? addr : b(addr as string);
    const hexname = [...raw.subarray(1)].every((c) => "0123456789abcdef".includes(String.fromCharCode(c)));
    return `abstract, ${raw.length} bytes, hex name: ${hexname ? "True" : "False"}`;
  }
  return (addr as string).startsWith(d + "/") ? (addr as string).slice(d.length + 1) : String(addr);
}

async function server(n: number) {
  for (let i = 0; i < n; i++) {
    const [data, addr] = await srv.recvfrom(16);
    let line = `got ${repr(data)} from ${show(addr)}`;
    try {
      await srv.sendto(bupper(data), addr as Address);
      line += ", replied";
    } catch (e) {
      if (e instanceof socket.OSError) {
        line += `, reply failed: ${e.constructor.name} ${socket.errorcode[e.errno!]}`;
      } else if (e instanceof TypeError) line += ", reply failed: TypeError";
      else throw e;
    }
    slog.push(line);
  }
}

const t = server(5);

async function client(label: string, setup: (c: Socket) => void) {
  const c = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
  c.settimeout(0.5);
  setup(c);
  print(label, "bound to:", show(c.getsockname()));
  await c.sendto(b(label), SPATH);
  try {
    print("  reply:", (await c.recvfrom(100))[0]);
  } catch (e) {
    if (!(e instanceof socket.TimeoutError)) throw e;
    print("  no reply (timed out)");
  }
  c.close();
}

await client("anonymous", () => {});
const CPATH = join("client.sock");
await client("bound", (c) => c.bind(CPATH));
print("client file left behind:", exists(CPATH));
Deno.removeSync(CPATH);
await client("autobind", (c) => c.bind(""));
const c = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
c.settimeout(0.5);
await c.connect(SPATH);
print("connected, bound to:", show(c.getsockname()), "peer:", show(c.getpeername()));
await c.send(b("connected"));
try {
  print("  reply:", await c.recv(100));
} catch (e) {
  if (!(e instanceof socket.TimeoutError)) throw e;
  print("  no reply (timed out)");
}
const c2 = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
c2.bind(join("big.sock"));
c2.settimeout(5);
await c2.sendto(b("a long datagram of forty bytes exactly!!"), SPATH);
print("  big reply:", await c2.recv(100));
await t;
for (const x of slog) print("server:", x);
srv.close();
print("server file after close:", exists(SPATH));
for (const x of [c, c2]) x.close();
for (const e of Deno.readDirSync(d)) Deno.removeSync(join(e.name));
Deno.removeSync(d);

// Port of tls_ragged_alert.py (the server and relay threads are tasks; the selector's data is the other socket;
// int.from_bytes(x, "big") is a DataView read; ValueError is RangeError, README rule 10, printed by Python's name).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import * as ssl from "../../ssl.ts";
import { DefaultSelector, EVENT_READ } from "../../selectors.ts";
import { b, bjoin, join, list, print, repr } from "../ported/_py.ts";

const d = Deno.args[0];
const log: string[] = [];

async function server(lsock: Socket, n: number) {
  const ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH);
  ctx.load_cert_chain(d + "/server.pem", d + "/server.key");
  for (let i = 0; i < n; i++) {
    const [raw] = await lsock.accept();
    raw.settimeout(5);
    const conn = await ctx.wrap_socket(raw, { server_side: true });
    await conn.recv(100);
    await conn.sendall(b("reply and close"));
    conn.close(); // no close_notify
  }
}

function records(data: Uint8Array): [number, number][] {
  const out = list<[number, number]>([]);
  let i = 0;
  while (i + 5 <= data.length) {
    out.push([data[i]!, new DataView(data.buffer, data.byteOffset + i + 3, 2).getUint16(0)]);
    i += 5 + out.at(-1)![1];
  }
  return out;
}

async function relay(lsock: Socket, up_addr: [string, number], n: number) {
  for (let k = 0; k < n; k++) {
    const [c] = await lsock.accept();
    const up = await socket.create_connection(up_addr, { timeout: 5 });
    const sel = new DefaultSelector<Socket>();
    sel.register(c, EVENT_READ, { data: up });
    sel.register(up, EVENT_READ, { data: c });
    let after = new Uint8Array(0);
    let server_eof = false;
    while (sel.get_map()!.size) {
      for (const [key] of await sel.select(5)) {
        const [src, dst] = [key.fileobj as Socket, key.data!];
        const data = await src.recv(65536);
        if (data.length && src === c && server_eof) {
          after = bjoin([after, data]);
        } else if (data.length) {
          await dst.sendall(data);
        } else {
          sel.unregister(src);
          if (src === up) {
            server_eof = true;
            await c.shutdown(socket.SHUT_WR);
          }
        }
      }
    }
    sel.close();
    log.push(`run ${k}: after the server's EOF the client sent ${after.length} bytes, records ${repr(records(after))}`);
    c.close();
    up.close();
  }
}

{
  using slsock = socket.create_server(["127.0.0.1", 0]);
  using rlsock = socket.create_server(["127.0.0.1", 0]);
  const runs: [number, boolean][] = [
    [ssl.TLSVersion.TLSv1_3, true],
    [ssl.TLSVersion.TLSv1_3, false],
    [ssl.TLSVersion.TLSv1_2, true],
  ];
  const st = server(slsock, runs.length);
  const rt = relay(rlsock, slsock.getsockname() as [string, number], runs.length);
  for (const [version, suppress] of runs) {
    const ctx = ssl.create_default_context({ cafile: d + "/ca.pem" });
    ctx.maximum_version = version;
    const s = await ctx.wrap_socket(await socket.create_connection(rlsock.getsockname(), { timeout: 5 }), {
      server_hostname: "localhost",
      suppress_ragged_eofs: suppress,
    });
    await s.sendall(b("hello"));
    const before = s.version();
    let got = new Uint8Array(0);
    const S = suppress ? "True" : "False";
    try {
      while (true) {
        const chunk = await s.recv(100);
        if (!chunk.length) {
          print(`${before} suppress=${S}: ${repr(got)} then b'', version() now ${s.version() ?? "None"}`);
          break;
        }
        got = bjoin([got, chunk]);
      }
    } catch (e) {
      if (!(e instanceof ssl.SSLEOFError)) throw e;
      print(`${before} suppress=${S}: ${repr(got)} then ${e.constructor.name}, version() now ${s.version() ?? "None"}`);
    }
    try {
      print("  getpeercert() now has a subject:", "subject" in (s.getpeercert() ?? {}));
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      print("  getpeercert() now raises", "ValueError", e.message);
    }
    s.close();
  }
  await join(st, 5);
  await join(rt, 5);
}

for (const line of log) print(line);

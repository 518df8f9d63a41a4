// Port of dns_client.py (random.Random(7) becomes a small seeded generator: the ids are never printed).
import * as socket from "../../mod.ts";
import { TimeoutError } from "../../mod.ts";
import { b, bjoin, list, print, repr } from "../ported/_py.ts";

const server: [string, number] = ["127.0.0.1", parseInt(Deno.args[0]!)];
let seed = 7;
const randrange = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;

function pack16(...xs: number[]): Uint8Array {
  const out = new Uint8Array(2 * xs.length);
  const dv = new DataView(out.buffer);
  xs.forEach((x, i) => dv.setUint16(2 * i, x));
  return out;
}

function build_query(name: string, ident: number): Uint8Array {
  const parts = [pack16(ident, 0x0100, 1, 0, 0, 0)];
  for (const label of name.split(".")) parts.push(new Uint8Array([label.length]), b(label));
  return bjoin([...parts, new Uint8Array([0]), pack16(1, 1)]);
}

function parse_reply(data: Uint8Array): [number, number, [string, number][]] {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const [ident, flags, an] = [dv.getUint16(0), dv.getUint16(2), dv.getUint16(6)];
  let i = 12;
  while (data[i]) i += 1 + data[i]!;
  i += 5;
  const addrs: [string, number][] = [];
  for (let k = 0; k < an; k++) {
    const [ttl, rdlen] = [dv.getUint32(i + 6), dv.getUint16(i + 10)];
    addrs.push([socket.inet_ntoa(data.subarray(i + 12, i + 12 + rdlen)), ttl]);
    i += 12 + rdlen;
  }
  return [ident, flags, addrs];
}

async function resolve(name: string): Promise<string | string[]> {
  const ident = randrange(65536);
  const query = build_query(name, ident);
  let data: Uint8Array | null = null;
  let addr: socket.Address | null = null;
  {
    using s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    s.settimeout(0.5);
    for (let attempt = 1; attempt < 4; attempt++) {
      await s.sendto(query, server);
      try {
        [data, addr] = await s.recvfrom(512);
      } catch (e) {
        if (!(e instanceof TimeoutError)) throw e;
        print(`  ${name}: attempt ${attempt} timed out`);
        continue;
      }
      break;
    }
    if (data === null) return "no answer";
  }
  let [reply_id, flags, addrs] = parse_reply(data);
  const same = Array.isArray(addr) && addr[0] === server[0] && addr[1] === server[1];
  print(`  ${name}: id matches: ${reply_id === ident ? "True" : "False"}, from server: ${same ? "True" : "False"}`);
  if (flags & 0x0200) {
    print(`  ${name}: truncated, retrying over TCP`);
    using c = await socket.create_connection(server, { timeout: 5 });
    await c.sendall(bjoin([pack16(query.length), query]));
    const n = new DataView((await c.recv(2, socket.MSG_WAITALL)).slice().buffer).getUint16(0);
    [reply_id, flags, addrs] = parse_reply(await c.recv(n, socket.MSG_WAITALL));
  }
  if ((flags & 0x000f) === 3) return "NXDOMAIN";
  return list(addrs.map(([a]) => a));
}

for (const name of ["www.example.test", "mail.example.test", "nosuch.example.test", "lossy.test", "BIG.test"]) {
  const result = await resolve(name);
  print(
    name,
    "->",
    typeof result === "string" || result.length < 5
      ? result
      : `[${[...result.slice(0, 3).map((x) => repr(x)), "'...'", result.length].join(", ")}]`,
  );
}
{
  using s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  await s.sendto(b("STOP"), server);
}

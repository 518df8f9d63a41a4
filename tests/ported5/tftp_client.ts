// Port of tftp_client.py (struct is DataView-free byte math; hashlib.sha256 is crypto.subtle).
import * as socket from "../../mod.ts";
import { b, beq, bjoin, decode, print, repr } from "../ported/_py.ts";

const [RRQ, WRQ, DATA, ACK, ERROR] = [1, 2, 3, 4, 5];
const server: [string, number] = ["127.0.0.1", parseInt(Deno.args[0]!)];

const pack_hh = (x: number, y: number) => new Uint8Array([x >> 8, x & 255, y >> 8, y & 255]);
const u16 = (p: Uint8Array, at: number) => (p[at]! << 8) | p[at + 1]!;
const sha256 = async (x: Uint8Array) =>
  [...new Uint8Array(await crypto.subtle.digest("SHA-256", x as Uint8Array<ArrayBuffer>))]
    .map((c) => c.toString(16).padStart(2, "0")).join("");

const request = (op: number, filename: string) =>
  bjoin([new Uint8Array([op >> 8, op & 255]), b(filename), b("\0octet\0")]);

function show_error(packet: Uint8Array) {
  const code = u16(packet, 2);
  print("  ERROR", code, repr(decode(packet.subarray(4, -1))));
}

async function get(filename: string, hold_back: number | null = null, stray = false): Promise<Uint8Array | null> {
  const sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  sock.settimeout(5);
  await sock.sendto(request(RRQ, filename), server);
  const pieces: Uint8Array[] = [];
  let expected = 1;
  let held = false;
  while (true) {
    const [packet, addr] = await sock.recvfrom(516);
    const op = u16(packet, 0);
    if (op === ERROR) {
      show_error(packet);
      sock.close();
      return null;
    }
    const block = u16(packet, 2);
    if (expected === 1 && block === 1) {
      print("  transfer port differs from the server port:", (addr as [string, number])[1] !== server[1]);
    }
    if (block === expected) {
      pieces.push(packet.subarray(4));
      expected += 1;
    } else if (block < expected) {
      print("  block", block, "again (retransmitted)");
    }
    if (block === hold_back && !held) {
      held = true;
      print("  holding back the ACK of block", block);
      continue;
    }
    if (stray && block === 1) {
      const other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
      other.settimeout(5);
      await other.sendto(pack_hh(ACK, 1), addr);
      print("  a stray ACK from another port gets:");
      show_error((await other.recvfrom(516))[0]);
      other.close();
    }
    await sock.sendto(pack_hh(ACK, block), addr);
    if (packet.length - 4 < 512) break;
  }
  sock.close();
  const data = bjoin(pieces);
  print("  got", data.length, "bytes in", expected - 1, "blocks, sha256", (await sha256(data)).slice(0, 16));
  return data;
}

async function put(filename: string, data: Uint8Array) {
  const sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  sock.settimeout(5);
  await sock.sendto(request(WRQ, filename), server);
  let [packet, addr] = await sock.recvfrom(516);
  const op = u16(packet, 0);
  if (op === ERROR) {
    show_error(packet);
    sock.close();
    return;
  }
  let block = 1;
  while (true) {
    const chunk = data.subarray((block - 1) * 512, block * 512);
    await sock.sendto(bjoin([pack_hh(DATA, block), chunk]), addr);
    [packet] = await sock.recvfrom(516);
    print("  ack", [u16(packet, 0), u16(packet, 2)]);
    if (chunk.length < 512) break;
    block += 1;
  }
  sock.close();
}

print("RRQ small.txt");
await get("small.txt");
print("RRQ exact.bin (1024 bytes: two full blocks, then an empty one)");
await get("exact.bin");
print("RRQ big.bin, a stray ACK, the ACK of block 2 held back once");
await get("big.bin", 2, true);
print("RRQ missing.txt");
await get("missing.txt");
const upload = b(Array.from({ length: 30 }, (_, i) => `line ${String(i).padStart(3, "0")} of the upload\n`).join(""));
print("WRQ upload.txt,", upload.length, "bytes");
await put("upload.txt", upload);
print("RRQ upload.txt");
const back = await get("upload.txt");
print("  same as sent:", back !== null && beq(back, upload));
print("WRQ small.txt");
await put("small.txt", b("overwrite?"));
print("opcode 9");
const sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
sock.settimeout(5);
await sock.sendto(bjoin([new Uint8Array([0, 9]), b("junk")]), server);
const [packet] = await sock.recvfrom(516);
show_error(packet);
sock.close();

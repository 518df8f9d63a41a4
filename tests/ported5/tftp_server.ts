// Port of tftp_server.py (struct.pack('!HH') and unpack are DataView calls; bytes.split(b'\0') is spelled out).
import * as socket from "../../mod.ts";
import { TimeoutError } from "../../mod.ts";
import { b, bjoin, decode, print, repr } from "../ported/_py.ts";

const [RRQ, WRQ, DATA, ACK, ERROR] = [1, 2, 3, 4, 5];
const BLOCK = 512;
const files = new Map<string, Uint8Array>([
  ["small.txt", b("A small file.\n".repeat(7))],
  ["exact.bin", bjoin(Array(4).fill(new Uint8Array(256).map((_, i) => i)))],
  ["big.bin", new Uint8Array(1500).map((_, i) => (i * 7) % 251)],
]);

const pack_hh = (x: number, y: number) => new Uint8Array([x >> 8, x & 255, y >> 8, y & 255]);
const u16 = (p: Uint8Array, at: number) => (p[at]! << 8) | p[at + 1]!;
const same_addr = (x: socket.Address, y: socket.Address) =>
  Array.isArray(x) && Array.isArray(y) && x[0] === y[0] && x[1] === y[1];

async function error(sock: socket.Socket, addr: socket.Address, code: number, msg: string) {
  await sock.sendto(bjoin([pack_hh(ERROR, code), b(msg), new Uint8Array([0])]), addr);
}

async function send_file(sock: socket.Socket, addr: socket.Address, data: Uint8Array): Promise<boolean> {
  let block = 1;
  while (true) {
    const chunk = data.subarray((block - 1) * BLOCK, block * BLOCK);
    const packet = bjoin([pack_hh(DATA, block), chunk]);
    let acked = false;
    for (let attempt = 0; attempt < 5; attempt++) {
      await sock.sendto(packet, addr);
      let reply: Uint8Array;
      try {
        while (true) {
          const [r, raddr] = await sock.recvfrom(516) as [Uint8Array, socket.Address];
          if (!same_addr(raddr, addr)) {
            await error(sock, raddr, 5, "Unknown transfer ID");
            continue;
          }
          reply = r;
          break;
        }
      } catch (e) {
        if (!(e instanceof TimeoutError)) throw e;
        print(`  timeout waiting for ACK ${block}, retransmitting (try ${attempt + 1})`);
        continue;
      }
      const [op, n] = [u16(reply, 0), u16(reply, 2)];
      if (op === ACK && n === block) {
        acked = true;
        break;
      }
      print("  unexpected packet", op, n);
    }
    if (!acked) {
      print("  giving up on block", block);
      return false;
    }
    if (chunk.length < BLOCK) return true;
    block += 1;
  }
}

async function receive_file(sock: socket.Socket, addr: socket.Address): Promise<Uint8Array | null> {
  const pieces: Uint8Array[] = [];
  let expected = 1;
  await sock.sendto(pack_hh(ACK, 0), addr);
  while (true) {
    const [packet, raddr] = await sock.recvfrom(516) as [Uint8Array, socket.Address];
    const [op, n] = [u16(packet, 0), u16(packet, 2)];
    if (op !== DATA) {
      await error(sock, raddr, 4, "Illegal TFTP operation");
      return null;
    }
    if (n === expected) {
      pieces.push(packet.subarray(4));
      expected += 1;
    }
    await sock.sendto(pack_hh(ACK, n), addr);
    if (packet.length - 4 < BLOCK) return bjoin(pieces);
  }
}

const main = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
main.bind(["127.0.0.1", parseInt(Deno.args[0]!)]);
print("TFTP server on port", (main.getsockname() as [string, number])[1]);
for (let i = 0; i < 8; i++) {
  const [packet, addr] = await main.recvfrom(516) as [Uint8Array, socket.Address];
  const op = u16(packet, 0);
  const tid = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  tid.bind(["127.0.0.1", 0]);
  tid.settimeout(0.5);
  if (op === RRQ || op === WRQ) {
    const [filename, mode] = decode(packet.subarray(2)).split("\0");
    print(`${op === RRQ ? "RRQ" : "WRQ"} ${repr(filename)} mode ${repr(mode)}`);
    if (op === RRQ) {
      if (!files.has(filename!)) {
        await error(tid, addr, 1, "File not found");
        print("  error 1: File not found");
      } else if (await send_file(tid, addr, files.get(filename!)!)) {
        print("  sent", files.get(filename!)!.length, "bytes");
      }
    } else {
      if (files.has(filename!)) {
        await error(tid, addr, 6, "File already exists");
        print("  error 6: File already exists");
      } else {
        tid.settimeout(5);
        const data = await receive_file(tid, addr);
        if (data !== null) {
          files.set(filename!, data);
          print("  received", data.length, "bytes");
        }
      }
    }
  } else {
    print("illegal opcode", op);
    await error(tid, addr, 4, "Illegal TFTP operation");
  }
  tid.close();
}
main.close();
print("server done");

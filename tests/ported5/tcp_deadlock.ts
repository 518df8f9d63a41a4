// Port of tcp_deadlock.py (the server thread becomes a task; % formatting spelled out).
import * as socket from "../../mod.ts";
import { b, beq, bjoin, bupper, decode, print, repr } from "../ported/_py.ts";

const log: string[] = []; // the server task's lines, printed at the end

async function server(listener: socket.Socket) {
  for (let i = 0; i < 2; i++) {
    const [sc, sockname] = await listener.accept();
    log.push("Processing up to 1024 bytes at a time from " + (sockname as [string, number])[0]);
    let n = 0;
    while (true) {
      const data = await sc.recv(1024);
      if (!data.length) break;
      const output = b(decode(data).toUpperCase());
      await sc.sendall(output); // send it back uppercase
      n += data.length;
    }
    sc.close();
    log.push(`  Socket closed after ${n} bytes`);
  }
}

async function client(port: number, bytecount: number, chunk: number) {
  bytecount = Math.floor((bytecount + 15) / 16) * 16; // round up to a multiple of 16
  const message = b("capitalize this!"); // 16-byte message to repeat over and over
  print("Sending", bytecount, "bytes of data, in chunks of", chunk, "bytes");
  const sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  await sock.connect(["127.0.0.1", port]);
  let sent = 0;
  const piece = bjoin(Array(chunk / 16).fill(message));
  while (sent < bytecount) {
    await sock.sendall(piece);
    sent += chunk;
  }
  print(`  ${sent} bytes sent`);
  await sock.shutdown(socket.SHUT_WR);
  print("Receiving all the data the server sends back");
  let received = 0;
  const pieces: Uint8Array[] = [];
  while (true) {
    const data = await sock.recv(42);
    if (!received) print("  The first data received says", repr(data.subarray(0, 16)));
    if (!data.length) break;
    received += data.length;
    pieces.push(data);
  }
  print(`  ${received} bytes received`);
  const whole = bjoin(pieces);
  print("  all upper-case:", beq(whole, bjoin(Array(sent / 16).fill(bupper(message)))));
  sock.close();
}

const listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
listener.bind(["127.0.0.1", 0]);
listener.listen(1);
print("Listening at", (listener.getsockname() as [string, number])[0]);
const t = server(listener);
await client((listener.getsockname() as [string, number])[1], 32000, 16);
await client((listener.getsockname() as [string, number])[1], 100003, 1024);
await t;
for (const line of log) print(line);
listener.close();

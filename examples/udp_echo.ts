/**
 * A UDP echo server and client, as Python programs write them with
 * `SOCK_DGRAM`, `bind`, `recvfrom` and `sendto`. The server upper-cases each
 * datagram and sends it back to whoever sent it.
 *
 * Datagram sockets need Deno's `--unstable-net` flag (for
 * `Deno.listenDatagram`); without it, `socket(AF_INET, SOCK_DGRAM)` raises an
 * `OSError` that names the flag, and this example says so and exits 1.
 *
 * ```sh
 * deno run --allow-net --unstable-net examples/udp_echo.ts                    # server + client, one process
 * deno run --allow-net --unstable-net examples/udp_echo.ts serve 9999         # server only
 * deno run --allow-net --unstable-net examples/udp_echo.ts send 127.0.0.1 9999 hello
 * ```
 *
 * The Python equivalent:
 *
 * ```python
 * import socket
 * with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as srv:
 *     srv.bind(("127.0.0.1", 9999))
 *     while True:
 *         data, addr = srv.recvfrom(65535)
 *         srv.sendto(data.upper(), addr)
 * ```
 * @module
 */

import { type Address, AF_INET, OSError, SOCK_DGRAM, type Socket, socket } from "@pysocket/socket";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Python's repr() of bytes, for the transcript: b'HELLO'. */
function repr(data: Uint8Array): string {
  return `b'${dec.decode(data)}'`;
}

/** Python's repr() of an address: ('127.0.0.1', 9999). */
function fmt(addr: Address | null): string {
  if (addr === null) return "None";
  if (typeof addr === "string") return `'${addr}'`;
  return `(${addr.map((v) => typeof v === "string" ? `'${v}'` : String(v)).join(", ")})`;
}

/** A bound UDP server socket. */
function listen(host: string, port: number): Socket {
  const srv = socket(AF_INET, SOCK_DGRAM);
  srv.bind([host, port]);
  console.log(`server listening on ${fmt(srv.getsockname())}`);
  return srv;
}

/** Echo `count` datagrams (forever when null), upper-cased, to their senders. */
async function serve(srv: Socket, count: number | null): Promise<void> {
  for (let i = 0; count === null || i < count; i++) {
    const [data, addr] = await srv.recvfrom(65535);
    console.log(`server got ${repr(data)} from ${fmt(addr)}`);
    await srv.sendto(data.map((c) => (c >= 97 && c <= 122 ? c - 32 : c)), addr!);
  }
}

/** Send each message to the server and print the echo (2 s timeout each). */
async function send(server: Address, messages: string[]): Promise<number> {
  using cli = socket(AF_INET, SOCK_DGRAM);
  cli.settimeout(2);
  let echoed = 0;
  for (const msg of messages) {
    await cli.sendto(enc.encode(msg), server);
    const [data, addr] = await cli.recvfrom(65535);
    console.log(`client got ${repr(data)} from ${fmt(addr)}`);
    echoed++;
  }
  return echoed;
}

async function main(args: string[]): Promise<number> {
  try {
    if (args[0] === "serve") {
      using srv = listen(args[2] ?? "127.0.0.1", Number(args[1] ?? 9999));
      await serve(srv, null);
      return 0;
    }
    if (args[0] === "send") {
      const messages = args.length > 3 ? args.slice(3) : ["hello"];
      await send([args[1] ?? "127.0.0.1", Number(args[2] ?? 9999)], messages);
      return 0;
    }
    // No arguments: both ends in this process, on an ephemeral loopback port.
    const messages = ["hello", "datagram", "world"];
    using srv = listen("127.0.0.1", 0);
    const server = serve(srv, messages.length);
    const n = await send(srv.getsockname(), messages);
    await server;
    console.log(`${n} datagrams echoed`);
    return 0;
  } catch (e) {
    if (e instanceof OSError) {
      console.error(`udp_echo: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));

/**
 * A small netcat on pysocket: connect to a server or listen for one client,
 * over TCP, UDP or a Unix socket, IPv4 or IPv6; stdin goes to the socket and
 * the socket goes to stdout.
 *
 * ```sh
 * deno run --allow-net examples/netcat.ts -l 127.0.0.1 9000 > copy.bin   # receive
 * deno run --allow-net examples/netcat.ts 127.0.0.1 9000 < file.bin      # send
 * deno run --allow-net --allow-read --allow-write examples/netcat.ts -U /tmp/app.sock
 * deno run --allow-net --unstable-net examples/netcat.ts -u 127.0.0.1 9000
 * deno run --allow-net examples/netcat.ts --help
 * ```
 *
 * Install it as a command (any directory, only the permissions granted here):
 *
 * ```sh
 * deno install --global --allow-net -n pync examples/netcat.ts
 * ```
 *
 * When stdin runs out the socket is half-closed (`shutdown(SHUT_WR)`, like
 * `nc -N`), so the peer reads EOF and can still answer; netcat exits once
 * the peer has closed and stdin is sent (at once when stdin is a terminal). A final byte count and rate go to stderr; a progress line too
 * while sending, when stderr is a terminal.
 * @module
 */

import { fstatSync } from "node:fs";
import { parseArgs } from "node:util";
import {
  type Address,
  AF_INET,
  AF_INET6,
  AF_UNIX,
  OSError,
  SHUT_WR,
  SOCK_DGRAM,
  SOCK_STREAM,
  type Socket,
  socket,
  TimeoutError,
} from "@pysocket/socket";

const HELP = `usage: netcat.ts [options] host port        connect
       netcat.ts -l [options] [host] port   listen for one client
       netcat.ts -U [-l] path               Unix socket

  -l, --listen       listen (TCP: accept one connection; UDP: answer the first sender)
  -u, --udp          UDP datagrams (needs deno run --unstable-net)
  -U, --unix         Unix domain socket: the address is a path
  -4                 IPv4 (the default)
  -6, --ipv6         IPv6
  -w, --wait SECS    timeout for connect/accept, and quit after SECS idle
  -v, --verbose      say what happens on stderr
  -h, --help         show this help

stdin is sent to the socket, what arrives is written to stdout. At the end
the byte counts and the rate go to stderr.

Permissions: --allow-net (or --allow-net=HOST); Unix sockets also need
--allow-read and --allow-write; UDP needs --unstable-net.`;

/** Exit with a message on stderr. */
function die(msg: string, code = 1): never {
  console.error(`netcat: ${msg}`);
  Deno.exit(code);
}

let args;
try {
  args = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    strict: true,
    options: {
      listen: { type: "boolean", short: "l" },
      udp: { type: "boolean", short: "u" },
      unix: { type: "boolean", short: "U" },
      ipv4: { type: "boolean", short: "4" },
      ipv6: { type: "boolean", short: "6" },
      wait: { type: "string", short: "w" },
      verbose: { type: "boolean", short: "v" },
      help: { type: "boolean", short: "h" },
    },
  });
} catch (e) {
  die(`${(e as Error).message}\n${HELP}`, 2);
}
const opt = args.values;
const pos = args.positionals;
if (opt.help) {
  console.log(HELP);
  Deno.exit(0);
}
const verbose = opt.verbose === true;
const log = (msg: string) => {
  if (verbose) console.error(`netcat: ${msg}`);
};

const family = opt.unix ? AF_UNIX : opt.ipv6 ? AF_INET6 : AF_INET;
const type = opt.udp ? SOCK_DGRAM : SOCK_STREAM;
let wait: number | null = null;
if (opt.wait !== undefined) {
  wait = Number(opt.wait);
  if (!(wait > 0)) die(`-w needs a positive number of seconds, not ${JSON.stringify(opt.wait)}`, 2);
}

/** The address from the positional arguments. */
function address(): string | [string, number] {
  if (family === AF_UNIX) {
    if (pos.length !== 1) die(`-U needs exactly one path\n${HELP}`, 2);
    return pos[0]!;
  }
  let host: string, port: string;
  if (opt.listen && pos.length === 1) {
    host = family === AF_INET6 ? "::" : "0.0.0.0";
    port = pos[0]!;
  } else if (pos.length === 2) {
    [host, port] = pos as [string, string];
  } else {
    die(`${opt.listen ? "[host] port" : "host and port"} expected\n${HELP}`, 2);
  }
  const n = Number(port);
  if (!/^\d+$/.test(port) || n > 65535) die(`invalid port: ${port}`, 2);
  return [host.replace(/^\[(.*)\]$/, "$1"), n];
}

const show = (a: Address | null) => (typeof a === "string" ? a || "(unnamed)" : JSON.stringify(a));

// ---- counting and progress ---------------------------------------------

const fmt = (n: number) => {
  const units = ["B", "KiB", "MiB", "GiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) (n /= 1024), i++;
  return `${i === 0 ? Math.round(n) : n.toFixed(1)} ${units[i]}`;
};
let sent = 0, received = 0, t0 = performance.now(), last_activity = performance.now();
const progress_on = Deno.stderr.isTerminal() && !Deno.stdin.isTerminal();
let progress_shown = false, last_progress = 0;
const stdin_size = (() => {
  // The size of a file redirected to stdin (fstat of fd 0 needs no permission).
  try {
    const st = fstatSync(0);
    return st.isFile() ? st.size : null;
  } catch {
    return null;
  }
})();
const enc = new TextEncoder();

function progress(force = false): void {
  if (!progress_on) return;
  const now = performance.now();
  if (!force && now - last_progress < 100) return;
  last_progress = now;
  const secs = (now - t0) / 1000;
  const pct = stdin_size ? ` / ${fmt(stdin_size)} (${Math.floor((sent / stdin_size) * 100)}%)` : "";
  const rate = secs > 0 ? ` ${fmt(sent / secs)}/s` : "";
  Deno.stderr.writeSync(enc.encode(`\r\x1b[Ksent ${fmt(sent)}${pct}${rate}`));
  progress_shown = true;
}

function summary(): void {
  if (progress_shown) {
    progress(true);
    Deno.stderr.writeSync(enc.encode("\n"));
  }
  const secs = Math.max((performance.now() - t0) / 1000, 1e-6);
  console.error(
    `netcat: sent ${sent} bytes, received ${received} bytes in ${secs.toFixed(3)} s (${
      fmt((sent + received) / secs)
    }/s)`,
  );
}

// ---- the two directions ------------------------------------------------

async function write_stdout(data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) off += await Deno.stdout.write(data.subarray(off));
}

/** stdin -> socket; half-close at EOF (streams). */
async function pump_stdin(s: Socket, max_datagram: number): Promise<void> {
  const buf = new Uint8Array(type === SOCK_DGRAM ? max_datagram : 65536);
  while (true) {
    const n = await Deno.stdin.read(buf);
    if (n === null) break;
    if (type === SOCK_DGRAM) await s.send(buf.subarray(0, n));
    else await s.sendall(buf.subarray(0, n));
    sent += n;
    last_activity = performance.now();
    progress();
  }
  log("stdin closed");
  if (type === SOCK_STREAM) await s.shutdown(SHUT_WR);
}

/** socket -> stdout until EOF (streams) or the idle timeout (returns true). */
async function pump_socket(s: Socket): Promise<boolean> {
  while (true) {
    let data: Uint8Array;
    try {
      data = await s.recv(65536);
    } catch (e) {
      if (!(e instanceof TimeoutError)) throw e;
      if (wait !== null && performance.now() - last_activity >= wait * 1000) {
        log(`idle for ${wait} s`);
        return true;
      }
      continue; // stdin was busy: not idle yet
    }
    if (data.length === 0 && type === SOCK_STREAM) return false;
    received += data.length;
    last_activity = performance.now();
    await write_stdout(data);
  }
}

// ---- main --------------------------------------------------------------

async function main(): Promise<void> {
  const addr = address();
  const s = socket(family, type); // -u without --unstable-net: OSError naming the flag
  s.settimeout(wait);
  let conn: Socket = s;
  try {
    if (opt.listen) {
      s.bind(addr);
      if (type === SOCK_STREAM) {
        s.listen(1);
        console.error(`netcat: listening on ${show(s.getsockname())}`);
        const [c, peer] = await s.accept();
        conn = c;
        conn.settimeout(wait);
        s.close();
        log(`connection from ${show(peer)}`);
      } else {
        console.error(`netcat: listening on ${show(s.getsockname())}`);
        const [data, peer] = await s.recvfrom(65536);
        log(`datagram from ${show(peer)}`);
        await s.connect(peer as string | [string, number]);
        received += data.length;
        await write_stdout(data);
      }
    } else {
      await s.connect(addr);
      log(`connected to ${show(s.getpeername())}`);
    }
    t0 = last_activity = performance.now();
    const max_datagram = family === AF_INET6 ? 65527 : 65507;
    // Both directions at once; an error in either ends netcat. We are done
    // when the peer has closed and stdin is sent (or stdin is a terminal:
    // an interactive session ends when the peer closes), or after -w idle.
    const receiving = pump_socket(conn);
    const sending = pump_stdin(conn, max_datagram);
    await Promise.race([
      receiving.then((idle) => (idle || Deno.stdin.isTerminal() ? undefined : sending)),
      sending.then(() => receiving),
    ]);
  } finally {
    conn.close();
    s.close();
    if (opt.listen && family === AF_UNIX && typeof addr === "string" && !addr.startsWith("\0")) {
      try {
        Deno.removeSync(addr);
      } catch { /* gone already */ }
    }
  }
}

try {
  await main();
  summary();
  Deno.exit(0);
} catch (e) {
  if (sent || received) summary();
  die(e instanceof OSError || e instanceof Error ? e.message : String(e));
}

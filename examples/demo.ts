/**
 * What `deno task demo` runs: an echo round trip over every transport
 * pysocket has, printing a short transcript of each.
 *
 * - TCP over IPv4 on 127.0.0.1
 * - TCP over IPv6 on ::1 (skipped when the host has no IPv6)
 * - a Unix stream socket in a temporary directory (skipped, saying why, where Deno has none: Windows)
 * - UDP on 127.0.0.1 (sendto/recvfrom; needs `--unstable-net`, skipped with a note without it)
 *
 * ```sh
 * deno run -A --unstable-net examples/demo.ts
 * ```
 *
 * The Python it mirrors, for one family:
 *
 * ```python
 * import socket
 * with socket.create_server(("127.0.0.1", 0)) as srv:
 *     with socket.create_connection(srv.getsockname()) as cli:
 *         conn, addr = srv.accept()
 *         with conn:
 *             cli.sendall(b"hello")
 *             conn.sendall(conn.recv(1024))
 *             print(cli.recv(1024))
 * ```
 * @module
 */

import {
  type AddressInput,
  AF_INET,
  AF_INET6,
  AF_UNIX,
  OSError,
  SHUT_WR,
  SOCK_DGRAM,
  type Socket,
  socket,
} from "@pysocket/socket";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Python's repr() of an address, for the transcript. */
function show(addr: unknown): string {
  if (typeof addr === "string") return `'${addr}'`;
  return "(" + (addr as unknown[]).map((v) => typeof v === "string" ? `'${v}'` : String(v)).join(", ") + ")";
}

/** One echo round trip: listen, connect, send a line, echo it back, half-close, close. */
async function echo(title: string, family: number, bind_to: AddressInput): Promise<void> {
  console.log(`\n== ${title}`);
  using srv = socket(family);
  srv.bind(bind_to);
  srv.listen();
  srv.settimeout(5);
  console.log(`server  listening on ${show(srv.getsockname())}`);
  using cli = socket(family);
  cli.settimeout(5);
  await cli.connect(srv.getsockname() as AddressInput);
  const [conn, addr] = await srv.accept();
  using _conn = conn;
  conn.settimeout(5);
  console.log(`server  accepted a connection from ${show(addr)}`);
  console.log(`client  ${cli}`);

  const message = `hello over ${title}`;
  const t0 = performance.now();
  await cli.sendall(enc.encode(message));
  await cli.shutdown(SHUT_WR); // half-close: the server reads EOF, and can still answer
  console.log(`client  sent ${JSON.stringify(message)} and shut down its sending side`);

  let echoed = 0;
  for (let i = 0; i < 1000; i++) {
    const data = await conn.recv(1024);
    if (data.length === 0) break; // EOF is an empty Uint8Array, as b'' in Python
    await conn.sendall(data);
    echoed += data.length;
  }
  conn.close();
  console.log(`server  echoed ${echoed} bytes, saw EOF, closed`);

  const parts: Uint8Array[] = [];
  for (let i = 0; i < 1000; i++) {
    const data = await cli.recv(1024);
    if (data.length === 0) break;
    parts.push(data);
  }
  const reply = dec.decode(new Uint8Array(parts.flatMap((p) => [...p])));
  const ms = (performance.now() - t0).toFixed(1);
  console.log(`client  got ${JSON.stringify(reply)} back in ${ms} ms, then EOF`);
  if (reply !== message) throw new Error(`echo mismatch: ${reply}`);
}

/** True when ::1 can be bound here. */
function has_ipv6_loopback(): boolean {
  try {
    Deno.listen({ hostname: "::1", port: 0 }).close();
    return true;
  } catch {
    return false;
  }
}

console.log("pysocket demo: Python's socket API on Deno");
await echo("TCP/IPv4 (AF_INET, 127.0.0.1)", AF_INET, ["127.0.0.1", 0]);
if (has_ipv6_loopback()) {
  await echo("TCP/IPv6 (AF_INET6, ::1)", AF_INET6, ["::1", 0]);
} else {
  console.log("\n== TCP/IPv6 (AF_INET6, ::1): skipped, this host has no IPv6 loopback");
}
/** Null when this platform has Unix sockets, else why not (Deno has none on Windows). */
function no_unix_sockets(): string | null {
  try {
    socket(AF_UNIX).close();
    return null;
  } catch (e) {
    if (!(e instanceof OSError)) throw e;
    return e.message;
  }
}

const no_unix = no_unix_sockets();
if (no_unix === null) {
  const dir = Deno.makeTempDirSync({ prefix: "pysocket-demo-" });
  try {
    await echo("Unix stream socket (AF_UNIX)", AF_UNIX, `${dir}/demo.sock`);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
} else {
  console.log(`\n== Unix stream socket (AF_UNIX): skipped, ${no_unix}`);
}

// ---- UDP round trip ---------------------------------------------------
// A SOCK_DGRAM echo over 127.0.0.1 with sendto/recvfrom. Datagram sockets need
// Deno's --unstable-net (the demo task passes it); without it socket() raises
// an OSError naming the flag, and the demo says so and goes on.
// ------------------------------------------------------------------------

/** One UDP round trip: bind a server, sendto it from an unbound client, echo to the sender. */
async function udp_echo(title: string): Promise<void> {
  console.log(`\n== ${title}`);
  let srv: Socket;
  try {
    srv = socket(AF_INET, SOCK_DGRAM);
  } catch (e) {
    if (!(e instanceof OSError)) throw e;
    console.log(`skipped: ${e.message}`);
    return;
  }
  using _srv = srv;
  srv.bind(["127.0.0.1", 0]);
  srv.settimeout(5);
  console.log(`server  bound to ${show(srv.getsockname())}`);
  using cli = socket(AF_INET, SOCK_DGRAM);
  cli.settimeout(5);

  const message = `hello over ${title}`;
  const t0 = performance.now();
  await cli.sendto(enc.encode(message), srv.getsockname());
  // The first sendto bound the client to an ephemeral port, as the kernel does.
  console.log(`client  sent ${JSON.stringify(message)} from ${show(cli.getsockname())}`);
  const [data, addr] = await srv.recvfrom(1024);
  await srv.sendto(data, addr!);
  console.log(`server  got ${data.length} bytes from ${show(addr)}, sent them back`);
  const [reply_bytes, from] = await cli.recvfrom(1024);
  const reply = dec.decode(reply_bytes);
  const ms = (performance.now() - t0).toFixed(1);
  console.log(`client  got ${JSON.stringify(reply)} back from ${show(from)} in ${ms} ms`);
  if (reply !== message) throw new Error(`echo mismatch: ${reply}`);
}

await udp_echo("UDP (AF_INET, SOCK_DGRAM, 127.0.0.1)");

console.log("\nall round trips done");

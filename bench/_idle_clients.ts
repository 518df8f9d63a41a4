// The client ends of the idle-connection rows, in a process of their own so
// the measured process holds only the server ends (the variant's).
//
// usage: deno run -A bench/_idle_clients.ts PORT N tcp|tls BURST CA_FILE
//   Opens N connections one after another (TLS: Deno.startTls, handshake),
//   sends BURST bytes on each, prints "ready" once all are open and their
//   bursts written, then holds them until stdin closes.

const [port_s, n_s, kind, burst_s, ca_file] = Deno.args;
const port = Number(port_s);
const n = Number(n_s);
const burst = new Uint8Array(Number(burst_s)).fill(0x62);
const ca = kind === "tls" ? Deno.readTextFileSync(ca_file!) : "";

async function write_all(c: Deno.Conn, b: Uint8Array): Promise<void> {
  let off = 0;
  while (off < b.length) off += await c.write(off === 0 ? b : b.subarray(off));
}

const conns: Deno.Conn[] = [];
const writes: Promise<void>[] = [];
for (let i = 0; i < n; i++) {
  const tcp = await Deno.connect({ hostname: "127.0.0.1", port });
  tcp.setNoDelay(true);
  let c: Deno.Conn = tcp;
  if (kind === "tls") {
    const t = await Deno.startTls(tcp, { hostname: "localhost", caCerts: [ca] });
    await t.handshake();
    c = t;
  }
  conns.push(c);
  if (burst.length > 0) writes.push(write_all(c, burst));
}
await Promise.all(writes);
await Deno.stdout.write(new TextEncoder().encode("ready\n"));
const b = new Uint8Array(16);
while ((await Deno.stdin.read(b)) !== null) { /* hold until the parent closes stdin */ }
for (const c of conns) {
  try {
    c.close();
  } catch { /* closed */ }
}

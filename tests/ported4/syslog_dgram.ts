// Port of syslog_dgram.py (the daemon thread becomes a task; tempfile.mkdtemp is Deno.makeTempDirSync,
// os.path.basename a split, os.path.exists a stat).
import * as socket from "../../mod.ts";
import * as selectors from "../../selectors.ts";
import { b, bjoin, decode, join, print, repr } from "../ported/_py.ts";

const SEVERITY = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"];
const d = Deno.makeTempDirSync();
const log_path = `${d}/log`;
const server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
server.bind(log_path);
const sel = new selectors.DefaultSelector();
sel.register(server, selectors.EVENT_READ);
const lines: string[] = [];
const basename = (p: string) => p.split("/").pop()!;

async function daemon() {
  while (true) {
    const events = await sel.select(5);
    if (!events.length) {
      lines.push("idle, stopping");
      return;
    }
    for (const [key] of events) {
      const sock = key.fileobj as socket.Socket;
      const [data, addr] = await sock.recvfrom(256);
      if (decode(data) === "STOP") return;
      const sender = !addr ? "unnamed" : basename(addr as string);
      const gt = data.subarray(0, 5).indexOf(0x3e);
      if (data[0] === 0x3c && gt >= 0) {
        const pri = parseInt(decode(data.subarray(1, gt)));
        const msg = data.subarray(gt + 1);
        lines.push(
          `${pri >> 3}.${SEVERITY[pri & 7]} from ${sender}: ${repr(msg.subarray(0, 40))} (${data.length} bytes)`,
        );
      } else {
        lines.push(`malformed from ${sender}: ${repr(data.subarray(0, 20))}`);
      }
      if (addr) await sock.sendto(b(`ack ${lines.length}`), addr);
    }
  }
}

const t = daemon();
for (
  const msg of [
    b("<13>user notice"),
    b("<3>daemon error: disk full"),
    b("no priority"),
    bjoin([b("<191>"), b("x".repeat(400))]),
  ]
) {
  using c = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
  await c.sendto(msg, log_path);
}
const named_path = `${d}/client`;
{
  using c = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
  c.bind(named_path);
  c.settimeout(5);
  await c.sendto(b("<86>authpriv info"), log_path);
  const [reply, frm] = await c.recvfrom(100);
  print("named client got", reply, "from the log socket:", frm === log_path);
}
{
  using c = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
  await c.connect(log_path);
  await c.send(b("<0>kernel panic"));
  await c.send(b("STOP"));
}
await join(t, 10);
for (const line of lines) print(line);
sel.close();
server.close();
let exists = true;
try {
  Deno.statSync(log_path);
} catch {
  exists = false;
}
print("socket file left:", exists);
Deno.removeSync(log_path);
Deno.removeSync(named_path);
Deno.removeSync(d);

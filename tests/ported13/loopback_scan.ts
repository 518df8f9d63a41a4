// Port of loopback_scan.py (the banner thread is a task; ExceptionGroup is JavaScript's AggregateError, whose
// `errors` are Python's `exceptions`, and its name is printed as Python's; `except socket.timeout` is
// `instanceof TimeoutError`).
import * as socket from "../../mod.ts";
import { b, list, print } from "../ported/_py.ts";

const closed: number[] = [];
for (let i = 0; i < 3; i++) {
  const s = socket.socket();
  s.bind(["127.0.0.1", 0]);
  closed.push((s.getsockname() as [string, number])[1]);
  s.close();
}
const banner = socket.create_server(["127.0.0.1", 0]);
const silent = socket.create_server(["127.0.0.1", 0], { backlog: 5 });

async function serve_banner() {
  const [conn] = await banner.accept();
  await conn.sendall(b("SSH-2.0-FakeSSH_1.0\r\n"));
  await conn.recv(10);
  conn.close();
}

const t = serve_banner();
const port_of = (s: socket.Socket) => (s.getsockname() as [string, number])[1];
const targets: [string, number][] = [
  ...closed.map((p) => ["closed", p] as [string, number]),
  ["banner", port_of(banner)],
  ["silent", port_of(silent)],
];
for (const [label, port] of targets) {
  const s = socket.socket();
  s.settimeout(0.5);
  const rc = await s.connect_ex(["127.0.0.1", port]);
  const state = rc === 0 ? "open" : socket.errorcode[rc];
  let grabbed: unknown = null;
  if (rc === 0) {
    try {
      grabbed = await s.recv(100);
    } catch (e) {
      if (!(e instanceof socket.TimeoutError)) throw e;
      grabbed = `no banner (${e.message})`;
    }
  }
  print(label, state, grabbed);
  s.close();
}
await t;
try {
  await socket.create_connection(["127.0.0.1", closed[0]!], { timeout: 0.5, all_errors: true });
} catch (eg) {
  if (!(eg instanceof AggregateError)) throw eg;
  print("all_errors:", "ExceptionGroup", list(eg.errors.map((e: Error) => e.constructor.name)));
}
try {
  await socket.create_connection(["127.0.0.1", closed[1]!], { timeout: 0.5 });
} catch (e) {
  if (!(e instanceof socket.OSError)) throw e;
  print("single error:", e.constructor.name, e.message);
}
banner.close();
silent.close();

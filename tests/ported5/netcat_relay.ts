// Port of netcat_relay.py (threads become tasks; `family.name`/`type.name` are the enum keys; a lambda storing
// its result in a dict becomes the task's own result).
import * as socket from "../../mod.ts";
import { OSError } from "../../mod.ts";
import { select } from "../../selectors.ts";
import { b, beq, bjoin, bupper, print, str } from "../ported/_py.ts";

const name_in = (table: Record<string, unknown>, v: unknown) => Object.entries(table).find(([, x]) => x === v)![0];

async function server(listener: socket.Socket, sessions: number) {
  for (let i = 0; i < sessions; i++) {
    const [conn] = await listener.accept();
    using _ = conn;
    await conn.sendall(b("220 upper-case service\n"));
    const f = conn.makefile("rb");
    for await (const line of f) await conn.sendall(bupper(line as Uint8Array));
    await conn.sendall(b("221 bye\n"));
    await f.close();
  }
}

async function netcat(address: [string, number], local: socket.Socket): Promise<string> {
  let sock: socket.Socket;
  try {
    sock = await socket.create_connection(address, 5);
  } catch (e) {
    if (!(e instanceof OSError)) throw e;
    return `nc: connect to ${address[0]} port PORT failed: ${e.strerror}`;
  }
  sock.settimeout(null);
  const inputs = [sock, local];
  let local_open = true;
  let sent = 0;
  let received = 0;
  for (let i = 0; i < 10000; i++) {
    const [readable] = await select(inputs, [], [], 5);
    if (!readable.length) return "nc: idle";
    if (readable.includes(local)) {
      const data = await local.recv(4096);
      if (data.length) {
        await sock.sendall(data);
        sent += data.length;
      } else {
        await sock.shutdown(socket.SHUT_WR);
        inputs.splice(inputs.indexOf(local), 1);
        local_open = false;
      }
    }
    if (readable.includes(sock)) {
      const data = await sock.recv(4096);
      if (!data.length) break;
      await local.sendall(data);
      received += data.length;
    }
  }
  sock.close();
  await local.shutdown(socket.SHUT_WR);
  return `nc: sent ${sent}, received ${received}, local still open: ${str(local_open)}`;
}

const listener = socket.create_server(["127.0.0.1", 0]);
const address = listener.getsockname() as [string, number];
const t = server(listener, 2);

for (
  const [label, lines] of [
    ["text", [b("hello\n"), b("netcat over a socketpair\n"), b("last line\n")]],
    ["binary", [bjoin([...Array(20).fill(new Uint8Array(256).map((_, i) => i)), b("\n")]), b("\u00e9t\u00e9\n")]],
  ] as const
) {
  print("-- session:", label);
  const [user, terminal] = await socket.socketpair();
  print(
    "socketpair families:",
    name_in(socket.AddressFamily, user.family),
    name_in(socket.AddressFamily, terminal.family),
    "type",
    name_in(socket.SocketKind, user.type),
  );
  const relay = netcat(address, terminal);
  for (const line of lines) await user.sendall(line);
  await user.shutdown(socket.SHUT_WR);
  const parts: Uint8Array[] = [];
  while (true) {
    const data = await user.recv(65536);
    if (!data.length) break;
    parts.push(data);
  }
  const result = await relay;
  const got = bjoin(parts);
  const split: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < got.length; i++) {
    if (got[i] === 0x0a) {
      split.push(got.subarray(start, i));
      start = i + 1;
    }
  }
  for (const line of split) {
    print("  |", line.length < 60 ? line : `${line.length} bytes, upper-cased: ${str(beq(line, bupper(line)))}`);
  }
  print(result);
  user.close();
  terminal.close();
}
await t;
listener.close();
print("-- session: refused");
const [user, terminal] = await socket.socketpair();
print(await netcat(address, terminal));
user.close();
terminal.close();

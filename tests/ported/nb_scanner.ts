// Port of nb_scanner.py (errno.errorcode is a lookup over the errno table).
import * as socket from "../../mod.ts";
import { select } from "../../selectors.ts";
import { list, print } from "./_py.ts";

const errorcode = (n: number) => Object.entries(socket.errno).find(([k, v]) => v === n && k.startsWith("E"))?.[0] ?? n;

const open_ones = Array.from({ length: 5 }, () => socket.create_server(["127.0.0.1", 0]));
const freed: number[] = [];
for (let i = 0; i < 5; i++) {
  const s = socket.socket();
  s.bind(["127.0.0.1", 0]);
  freed.push(s.getsockname()[1]);
  s.close();
}
const targets: [string, number][] = [
  ...open_ones.map((l) => ["open", l.getsockname()[1]] as [string, number]),
  ...freed.map((p) => ["closed", p] as [string, number]),
];

const pending = new Map<socket.Socket, [string, number]>();
const codes: (string | number)[] = [];
for (const [label, port] of targets) {
  const s = socket.socket();
  s.setblocking(false);
  const rc = await s.connect_ex(["127.0.0.1", port]);
  codes.push(errorcode(rc));
  pending.set(s, [label, port]);
}
print("connect_ex returned", list([...new Set(codes)].sort()));

const verdicts = new Map<number, unknown[]>();
const deadline = performance.now() + 10_000;
while (pending.size && performance.now() < deadline) {
  const [, writable] = await select([], [...pending.keys()], [], 1);
  for (const s of writable) {
    const [label, port] = pending.get(s)!;
    pending.delete(s);
    const err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR);
    verdicts.set(port, [label, err ? errorcode(err) : "open"]);
    if (!err) {
      print("peer of an open port", s.getpeername()[1] === port);
    } else {
      try {
        s.getpeername();
      } catch (e) {
        if (!(e instanceof socket.OSError)) throw e;
        verdicts.get(port)!.push(e.errno);
      }
    }
    s.close();
  }
}
for (const [label, port] of targets) {
  print(label, verdicts.get(port));
}
print("still pending", pending.size);
for (const l of open_ones) {
  l.close();
}

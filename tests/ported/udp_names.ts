// Port of udp_names.py (the server thread is a task; tuples compare by content).
import * as socket from "../../mod.ts";
import { b, join, list, print } from "./_py.ts";

const eq = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);

const server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
server.bind(["127.0.0.1", 0]);
const seen: socket.Address[] = [];

async function serve(n: number) {
  for (let i = 0; i < n; i++) {
    const [data, address] = await server.recvfrom(1024);
    seen.push(address!);
    await server.sendto(b(`Your data was ${data.length} bytes long`), address!);
  }
}

const t = serve(5);
const [host, port] = server.getsockname() as [string, number];

function port_free(name: socket.Address) {
  const [h, p] = name as [string, number];
  return [h, p > 0];
}

const a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
a.settimeout(5);
print("a before", a.getsockname());
await a.sendto(b("unbound client"), [host, port]);
print("a after sendto", port_free(a.getsockname()));
const [data, address] = await a.recvfrom(1024);
print("a got", data, "from server", eq(address, [host, port]));
print(
  "server saw a as",
  (seen.at(-1) as [string, number])[0],
  "same port",
  (seen.at(-1) as [string, number])[1] === (a.getsockname() as [string, number])[1],
);

const bs = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
bs.settimeout(5);
await bs.connect([host, port]);
print("Client socket name is", port_free(bs.getsockname()));
await bs.send(b("connected client"));
print("b got", await bs.recv(1024));
print("server saw b", eq(seen.at(-1), bs.getsockname()));

const c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
c.settimeout(5);
c.bind(["", 0]);
print("c bound", port_free(c.getsockname()));
await c.connect([host, port]);
print("c connected", port_free(c.getsockname()), "peer", eq(c.getpeername(), [host, port]));
await c.send(b("bound then connected"));
print("c got", await c.recv(1024), "server saw c", eq(seen.at(-1), c.getsockname()));

const d = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
d.settimeout(5);
d.bind(["0.0.0.0", 0]);
await d.connect(["localhost", port]);
print("d connected", port_free(d.getsockname()));
print("d sendmsg", await d.sendmsg([b("scatter "), b("gather")]));
const [msg, anc, flags, addr] = await d.recvmsg(1024);
print("d recvmsg", msg, list(anc), flags, eq(addr, [host, port]), "server saw d", eq(seen.at(-1), d.getsockname()));

const e = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
e.settimeout(5);
await e.connect(["127.0.0.2", port < 65535 ? port + 1 : port - 1]);
print("e to 127.0.0.2", port_free(e.getsockname()));
await e.connect([host, port]);
await e.send(b("moved"));
print("e got", await e.recv(1024), "server saw e", eq(seen.at(-1), e.getsockname()));
await join(t, 5);
for (const s of [a, bs, c, d, e, server]) {
  s.close();
}

const s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM);
s6.bind(["::1", 0]);
const c6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM);
c6.bind(["::", 0]);
await c6.connect(s6.getsockname().slice(0, 2) as [string, number]);
print("c6", port_free(c6.getsockname()), c6.getsockname().length);
await c6.send(b("v6"));
const [data6, address6] = await s6.recvfrom(100);
print("s6 saw c6", data6, eq(address6, c6.getsockname()));
const m6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM);
await m6.connect(["::ffff:127.0.0.1", 9]);
print("m6", port_free(m6.getsockname()));
for (const s of [s6, c6, m6]) {
  s.close();
}

// Port of www_ping.py (socket(*info[0:3]) spreads the first three fields; e.args[1] is the error's text;
// sys.exit(1) is Deno.exit(1)).
import * as socket from "../../mod.ts";
import { AddressFamily, gaierror, OSError, SocketKind } from "../../mod.ts";
import { print, repr } from "../ported/_py.ts";

async function connect_to(hostname_or_ip: string, service: string) {
  let infolist;
  try {
    infolist = await socket.getaddrinfo(
      hostname_or_ip,
      service,
      0,
      socket.SOCK_STREAM,
      0,
      socket.AI_ADDRCONFIG | socket.AI_V4MAPPED | socket.AI_CANONNAME,
    );
  } catch (e) {
    if (!(e instanceof gaierror)) throw e;
    print("Name service failure:", e.args[1]);
    Deno.exit(1);
  }

  const info = infolist[0]!; // per standard recommendation, try the first one
  const socket_args = info.slice(0, 3) as [number, number, number];
  const address = info[4];
  const s = socket.socket(...socket_args);
  try {
    await s.connect(address);
    print("Success: host", info[3], "is listening on port", service === String(port) ? "PORT" : service);
  } catch (e) {
    if (!(e instanceof OSError)) throw e;
    print("Network failure:", e.args[1]);
  }
  s.close();
}

async function show(hostname_or_ip: string, service: string) {
  const infolist = await socket.getaddrinfo(
    hostname_or_ip,
    service,
    0,
    socket.SOCK_STREAM,
    0,
    socket.AI_ADDRCONFIG | socket.AI_V4MAPPED | socket.AI_CANONNAME,
  );
  for (const [family, type_, proto, canonname, address] of infolist) {
    print(
      " ",
      AddressFamily[family],
      SocketKind[type_],
      proto,
      repr(canonname),
      address[0],
      service === "www" ? address[1] : "PORT",
    );
  }
}

const l4 = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
l4.bind(["127.0.0.1", 0]);
l4.listen(5);
const port = l4.getsockname()[1] as number;
const l6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM);
l6.bind(["::1", port]);
l6.listen(5);

for (const host of ["127.0.0.1", "::1", "localhost"]) {
  print(host);
  await show(host, "www");
  await show(host, String(port));
  await connect_to(host, String(port));
}
l4.close();
l6.close();
for (const host of ["127.0.0.1", "::1"]) {
  await connect_to(host, String(port));
}
await connect_to("127.0.0.1", "no-such-service");
print("not reached");

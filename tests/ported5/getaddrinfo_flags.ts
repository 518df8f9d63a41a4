// Port of getaddrinfo_flags.py (dir(socket) is the module's sorted keys; keyword arguments go in the trailing
// object; Python's bytes host and port are Uint8Array).
import * as socket from "../../mod.ts";
import { gaierror, OSError } from "../../mod.ts";
import { b, print, repr, str } from "../ported/_py.ts";

function get_constants(prefix: string): Map<unknown, string> {
  // Create a dictionary mapping socket module constants to their names.
  const out = new Map<unknown, string>();
  for (const n of Object.keys(socket).sort()) {
    if (n.startsWith(prefix)) out.set((socket as Record<string, unknown>)[n], n);
  }
  return out;
}

const families = get_constants("AF_");
const types = get_constants("SOCK_");
const protocols = get_constants("IPPROTO_");

type Args = Parameters<typeof socket.getaddrinfo>;

async function show(desc: string, host: unknown, port: unknown, ...args: unknown[]) {
  print(`getaddrinfo(${repr(host)}, ${repr(port)}${desc})`);
  let responses;
  try {
    responses = await socket.getaddrinfo(...([host, port, ...args] as unknown as Args));
  } catch (e) {
    if (e instanceof gaierror) {
      print("  gaierror", e.errno, e.message);
      return;
    }
    if (e instanceof OSError || e instanceof TypeError) {
      print(" ", e.name, e.message);
      return;
    }
    throw e;
  }
  for (const response of responses) {
    // Unpack the response tuple
    const [family, socktype, proto, canonname, sockaddr] = response;
    print("  Family        :", families.get(family));
    print("  Type          :", types.get(socktype));
    print("  Protocol      :", protocols.get(proto));
    print("  Canonical name:", repr(canonname));
    print("  Socket address:", str(sockaddr));
    print();
  }
}

await show(", family=AF_INET, type=SOCK_STREAM, proto=IPPROTO_TCP, flags=AI_CANONNAME", "localhost", "http", {
  family: socket.AF_INET,
  type: socket.SOCK_STREAM,
  proto: socket.IPPROTO_TCP,
  flags: socket.AI_CANONNAME,
});
await show("", "localhost", 80);
await show(", AF_INET", "127.0.0.1", "echo", socket.AF_INET);
await show(
  ", AF_INET, SOCK_STREAM, 0, AI_PASSIVE",
  null,
  8080,
  socket.AF_INET,
  socket.SOCK_STREAM,
  0,
  socket.AI_PASSIVE,
);
await show(
  ", AF_INET6, SOCK_DGRAM, 0, AI_PASSIVE",
  null,
  8080,
  socket.AF_INET6,
  socket.SOCK_DGRAM,
  0,
  socket.AI_PASSIVE,
);
await show(", AF_INET, SOCK_STREAM", null, 8080, socket.AF_INET, socket.SOCK_STREAM);
await show(", AF_INET6, SOCK_DGRAM", "::1", "domain", socket.AF_INET6, socket.SOCK_DGRAM);
await show(
  ", AF_INET6, SOCK_STREAM, 0, AI_V4MAPPED",
  "127.0.0.1",
  7,
  socket.AF_INET6,
  socket.SOCK_STREAM,
  0,
  socket.AI_V4MAPPED,
);
await show(
  ", 0, SOCK_STREAM, 0, AI_NUMERICHOST | AI_NUMERICSERV",
  "127.0.0.1",
  "80",
  0,
  socket.SOCK_STREAM,
  0,
  socket.AI_NUMERICHOST | socket.AI_NUMERICSERV,
);
await show(", 0, SOCK_STREAM, 0, AI_NUMERICHOST", "localhost", 80, 0, socket.SOCK_STREAM, 0, socket.AI_NUMERICHOST);
await show(", 0, SOCK_STREAM, 0, AI_NUMERICSERV", "127.0.0.1", "http", 0, socket.SOCK_STREAM, 0, socket.AI_NUMERICSERV);
await show(", AF_INET", "127.0.0.1", "no-such-service", socket.AF_INET);
await show(", AF_INET, SOCK_RAW", "127.0.0.1", 80, socket.AF_INET, socket.SOCK_RAW);
await show(
  ", AF_INET, SOCK_STREAM, IPPROTO_UDP",
  "127.0.0.1",
  80,
  socket.AF_INET,
  socket.SOCK_STREAM,
  socket.IPPROTO_UDP,
);
await show(", AF_INET, 0, IPPROTO_UDP", "127.0.0.1", 80, socket.AF_INET, 0, socket.IPPROTO_UDP);
await show(", AF_INET", "::1", 80, socket.AF_INET);
await show(", AF_UNIX", "127.0.0.1", 80, socket.AF_UNIX);
await show("", "127.0.0.1", null);
await show("", null, null);
await show("", "127.0.0.1", 65536);
await show("", "127.0.0.1", -1);
await show(", flags=AI_CANONNAME | AI_ADDRCONFIG, type=SOCK_STREAM", "localhost", 22, {
  flags: socket.AI_CANONNAME | socket.AI_ADDRCONFIG,
  type: socket.SOCK_STREAM,
});
await show(", type=SOCK_STREAM", b("127.0.0.1"), b("25"), { type: socket.SOCK_STREAM });
await show("", "127.0.0.1", 25.5);

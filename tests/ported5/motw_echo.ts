// Port of motw_echo.py (server threads become tasks; os.unlink/os.path/tempfile are Deno's file calls).
import * as socket from "../../mod.ts";
import { OSError } from "../../mod.ts";
import { b, print, repr } from "../ported/_py.ts";

const log: string[] = [];

const who = (address: socket.Address) => (Array.isArray(address) ? String(address[0]) : repr(address));

async function explicit_server(sock: socket.Socket) {
  while (true) {
    // Wait for a connection
    log.push("waiting for a connection");
    const [connection, client_address] = await sock.accept();
    try {
      log.push(`connection from ${who(client_address)}`);
      // Receive the data in small chunks and retransmit it
      while (true) {
        const data = await connection.recv(16);
        log.push(`received ${repr(data)}`);
        if (data.length) {
          log.push("sending data back to the client");
          await connection.sendall(data);
        } else {
          log.push(`no data from ${who(client_address)}`);
          break;
        }
      }
    } finally {
      // Clean up the connection
      connection.close();
    }
    return;
  }
}

function flush(title: string) {
  print("--", title);
  for (const line of log) print("   ", line);
  log.length = 0;
}

const exists = (p: string) => {
  try {
    Deno.lstatSync(p);
    return true;
  } catch {
    return false;
  }
};

// socket_echo_server_explicit.py: bind to the first address getaddrinfo gives, family and all
let sock: socket.Socket | null = null;
for (
  const res of await socket.getaddrinfo("localhost", 0, socket.AF_UNSPEC, socket.SOCK_STREAM, 0, socket.AI_PASSIVE)
) {
  const [af, socktype, proto, _canonname, sa] = res;
  sock = socket.socket(af, socktype, proto);
  sock.bind(sa);
  break;
}
// Listen for incoming connections (before the client thread may connect)
sock!.listen(1);
print(`starting up on ${(sock!.getsockname() as [string, number])[0]} port PORT`);
let t = explicit_server(sock!);
// socket_echo_client_easy.py
const sock2 = await socket.create_connection(["localhost", (sock!.getsockname() as [string, number])[1]]);
try {
  const message = b("This is the message.  It will be repeated.");
  print(`sending ${repr(message)}`);
  await sock2.sendall(message);
  let amount_received = 0;
  const amount_expected = message.length;
  while (amount_received < amount_expected) {
    const data = await sock2.recv(16);
    amount_received += data.length;
    print(`received ${repr(data)}`);
  }
} finally {
  print("closing socket");
  sock2.close();
}
await t;
sock!.close();
flush("explicit server");

// socket_echo_server_dgram.py

async function dgram_server(sock: socket.Socket, count: number) {
  for (let i = 0; i < count; i++) {
    log.push("waiting to receive message");
    const [data, address] = await sock.recvfrom(4096);
    log.push(`received ${data.length} bytes from the client`);
    log.push(repr(data));
    if (data.length) {
      const sent = await sock.sendto(data, address);
      log.push(`sent ${sent} bytes back to the client`);
    }
  }
}

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
let server_address: socket.Address = ["localhost", 0];
sock.bind(server_address);
print(`starting up on ${(sock.getsockname() as [string, number])[0]}`);
t = dgram_server(sock, 2);
let client: socket.Socket<number> = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
let message = b("This is the message.  It will be repeated.");
try {
  // Send data
  print(`sending ${repr(message)}`);
  await client.sendto(message, sock.getsockname());
  // Receive response
  print("waiting to receive");
  const [data, server] = await client.recvfrom(4096);
  const own = sock.getsockname() as [string, number];
  const same = Array.isArray(server) && server[0] === own[0] && server[1] === own[1];
  print(`received ${repr(data)}`, same ? "True" : "False");
  await client.sendto(new Uint8Array(0), sock.getsockname());
} finally {
  print("closing socket");
  client.close();
}
await t;
sock.close();
flush("datagram server");

// socket_echo_server_uds.py
server_address = Deno.makeTempDirSync() + "/uds_socket";
// Make sure the socket does not already exist
try {
  Deno.removeSync(server_address);
} catch {
  if (exists(server_address)) throw new Error("cannot remove " + server_address);
}
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
print("starting up on", server_address.split("/").at(-1));
sock.bind(server_address);
print("bound:", sock.getsockname() === server_address ? "True" : "False", exists(server_address) ? "True" : "False");
sock.listen(1);
t = explicit_server(sock);
client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
print("connecting to", server_address.split("/").at(-1));
try {
  await client.connect(server_address);
} catch (msg) {
  if (!(msg instanceof OSError)) throw msg;
  print(msg.message);
  Deno.exit(1);
}
try {
  message = b("This is the message.  It will be repeated.");
  print(`sending ${repr(message)}`);
  await client.sendall(message);
  let amount_received = 0;
  const amount_expected = message.length;
  while (amount_received < amount_expected) {
    const data = await client.recv(16);
    amount_received += data.length;
    print(`received ${repr(data)}`);
  }
  print(
    "peer name:",
    (client.getpeername() as unknown) === server_address ? "True" : "False",
    "own name:",
    repr(client.getsockname()),
  );
} finally {
  print("closing socket");
  client.close();
}
await t;
sock.close();
try {
  Deno.removeSync(server_address);
} catch { /* Deno removed it at close (docs/limits.md) */ }
Deno.removeSync(server_address.slice(0, server_address.lastIndexOf("/")));
flush("unix server");

// Port of cb_hmac_auth.py (hmac.new(key, msg, 'md5').digest() is node:crypto's createHmac — Web Crypto has
// no HMAC-MD5 —, os.urandom is crypto.getRandomValues, hmac.compare_digest is timingSafeEqual after a length
// check, as compare_digest returns False for different lengths; the server thread is a task).
import { createHmac, timingSafeEqual } from "node:crypto";
import * as socket from "../../mod.ts";
import { AF_INET, AF_UNIX, OSError, SOCK_STREAM } from "../../mod.ts";
import { b, print } from "../ported/_py.ts";

/** Authenticate client to a remote service. */
async function client_authenticate(connection: socket.Socket, secret_key: Uint8Array) {
  const message = await connection.recv(32);
  const digest = createHmac("md5", secret_key).update(message).digest();
  await connection.send(digest);
}

/** Request client authentication. */
async function server_authenticate(connection: socket.Socket, secret_key: Uint8Array) {
  const message = crypto.getRandomValues(new Uint8Array(32));
  await connection.send(message);
  const digest = createHmac("md5", secret_key).update(message).digest();
  const response = await connection.recv(digest.length);
  return response.length === digest.length && timingSafeEqual(digest, response);
}

const secret_key = b("peekaboo");
const log: string[] = []; // the server's lines, printed after the clients'

async function echo_handler(client_sock: socket.Socket) {
  if (!await server_authenticate(client_sock, secret_key)) {
    log.push("server: authentication failed");
    client_sock.close();
    return;
  }
  log.push("server: authenticated");
  while (true) {
    const msg = await client_sock.recv(8192);
    if (!msg.length) break;
    await client_sock.sendall(msg);
  }
  client_sock.close();
}

async function echo_server(s: socket.Socket, count: number) {
  for (let i = 0; i < count; i++) {
    const [c] = await s.accept();
    try {
      await echo_handler(c);
    } catch (e) {
      if (!(e instanceof OSError)) throw e;
      log.push(`server: ${e.name} ${e.message}`);
      c.close();
    }
  }
}

async function run(family: number, address: socket.Address) {
  const s = socket.socket(family, SOCK_STREAM);
  s.bind(address);
  s.listen(5);
  const t = echo_server(s, family === AF_UNIX ? 4 : 3);
  const where = s.getsockname();

  let c = socket.socket(family, SOCK_STREAM);
  await c.connect(where);
  await client_authenticate(c, secret_key);
  await c.send(b("Hello World"));
  print("good key:", await c.recv(1024));
  c.close();

  c = socket.socket(family, SOCK_STREAM);
  await c.connect(where);
  await client_authenticate(c, b("guessing"));
  print("wrong key:", await c.recv(1024));
  c.close();

  c = socket.socket(family, SOCK_STREAM);
  await c.connect(where);
  print("challenge length:", (await c.recv(32)).length);
  if (family === AF_UNIX) {
    // while the server waits for this client's digest, another connects and hangs up
    const c4 = socket.socket(family, SOCK_STREAM);
    await c4.connect(where);
    c4.close();
  }
  await c.send(b("short"));
  await c.shutdown(socket.SHUT_WR);
  print("short digest:", await c.recv(1024));
  c.close();

  await t;
  s.close();
  for (const line of log) print(line);
  log.length = 0;
}

await run(AF_INET, ["127.0.0.1", 0]);
await run(AF_UNIX, `${Deno.makeTempDirSync()}/auth.sock`);

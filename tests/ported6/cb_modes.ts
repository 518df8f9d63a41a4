// Port of cb_modes.py (a float prints as Python prints it: fl()).
import * as socket from "../../mod.ts";
import { BlockingIOError, OSError, TimeoutError } from "../../mod.ts";
import { b, print, sleep } from "../ported/_py.ts";

/** str() of a Python float (or None). */
const fl = (x: number | null) => x === null ? "None" : Number.isInteger(x) ? x.toFixed(1) : String(x);

function test_socket_timeout() {
  const s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  print(`Default socket timeout: ${fl(s.gettimeout())}`);
  s.settimeout(100);
  print(`Current socket timeout: ${fl(s.gettimeout())}`);
  s.settimeout(null);
  print(`After settimeout(None): ${fl(s.gettimeout())}`);
  socket.setdefaulttimeout(2.5);
  const t = socket.socket();
  print(`With setdefaulttimeout(2.5): ${fl(t.gettimeout())} ${fl(socket.getdefaulttimeout())}`);
  socket.setdefaulttimeout(null);
  t.close();
  s.close();
}

async function test_blocking_modes() {
  const s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  // Set socket to blocking mode
  s.setblocking(1);
  print("blocking:", s.getblocking(), fl(s.gettimeout()));
  s.settimeout(0.5);
  print("after settimeout(0.5):", s.getblocking(), fl(s.gettimeout()));
  s.bind(["127.0.0.1", 0]);
  const socket_address = s.getsockname();
  print(`Trivial Server launched on socket: ${socket_address[0]}`);
  s.listen(1);
  try {
    await s.accept();
  } catch (e) {
    if (!(e instanceof TimeoutError)) throw e;
    print("accept with timeout 0.5:", e.name, e.message);
  }
  s.setblocking(0);
  print("non-blocking:", s.getblocking(), fl(s.gettimeout()));
  try {
    await s.accept();
  } catch (e) {
    if (!(e instanceof BlockingIOError)) throw e;
    print("accept non-blocking:", e.name, e.errno, e.message);
  }
  const c = await socket.create_connection(socket_address);
  c.setblocking(false);
  try {
    await c.recv(10);
  } catch (e) {
    if (!(e instanceof BlockingIOError)) throw e;
    print("recv non-blocking:", e.message);
  }
  let conn: socket.Socket | undefined;
  for (let i = 0; i < 200; i++) {
    try {
      [conn] = await s.accept();
      break;
    } catch (e) {
      if (!(e instanceof BlockingIOError)) throw e;
      await sleep(0.01);
    }
  }
  print("accepted socket of a non-blocking listener:", conn!.getblocking(), fl(conn!.gettimeout()));
  s.setblocking(true);
  print("blocking again:", s.getblocking(), fl(s.gettimeout()));
  s.settimeout(0.0);
  print("settimeout(0.0):", s.getblocking(), fl(s.gettimeout()));
  conn!.close();
  c.close();
  s.close();
}

async function reuse_socket_addr(clients: number) {
  const sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  // Get the old state of the SO_REUSEADDR option
  const old_state = sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR);
  print(`Old sock state: ${old_state}`);
  // Enable the SO_REUSEADDR option
  sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
  const new_state = sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR);
  print(`New sock state: ${new_state}`);
  sock.close();

  let port = 0;
  for (let round = 0; round < 2; round++) {
    const srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
    srv.bind(["127.0.0.1", port]);
    port = srv.getsockname()[1];
    srv.listen(1);
    print(`Listening (round ${round})`);
    for (let i = 0; i < clients; i++) {
      const c = await socket.create_connection(["127.0.0.1", port]);
      try {
        const [connection, addr] = await srv.accept();
        print(`Connected by ${addr[0]}`);
        await connection.sendall(b(`bye ${i}\n`));
        connection.close(); // the server closes first: its side waits in TIME_WAIT
        print("client read", await c.recv(100), await c.recv(100));
      } catch (msg) {
        if (!(msg instanceof OSError)) throw msg;
        print(`${msg.message}`);
      }
      c.close();
    }
    srv.close();
  }
}

test_socket_timeout();
await test_blocking_modes();
await reuse_socket_addr(2);

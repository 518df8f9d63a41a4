// Port of poll_server.py (a generator of poll events becomes an async generator; dicts keyed by socket are
// Maps; select.poll() is pysocket's poll()).
import * as socket from "../../mod.ts";
import * as select from "../../selectors.ts";
import { beq, bjoin, print, PyList, repr as repr_b } from "../ported/_py.ts";

const enc = new TextEncoder();
const aphorisms: [Uint8Array, Uint8Array][] = [
  [enc.encode("Beautiful is better than?"), enc.encode("Ugly.")],
  [enc.encode("Explicit is better than?"), enc.encode("Implicit.")],
  [enc.encode("Simple is better than?"), enc.encode("Complex.")],
];
const CONVERSATIONS = 8;

const get_answer = (aphorism: Uint8Array) =>
  aphorisms.find(([q]) => beq(q, aphorism))?.[1] ?? enc.encode("Error: unknown aphorism.");

async function* all_events_forever(poll_object: select.Poll) {
  while (true) {
    for (const [fd, event] of await poll_object.poll()) yield [fd, event] as const;
  }
}

async function serve(listener: socket.Socket) {
  const sockets = new Map<number, socket.Socket>([[listener.fileno(), listener]]);
  const addresses = new Map<socket.Socket, socket.Address>();
  const bytes_received = new Map<socket.Socket, Uint8Array>();
  const bytes_to_send = new Map<socket.Socket, Uint8Array>();
  let done = 0;

  const poll_object = select.poll();
  poll_object.register(listener, select.POLLIN);

  for await (const [fd, event] of all_events_forever(poll_object)) {
    let sock = sockets.get(fd)!;

    // Socket closed: remove it from our data structures.

    if (event & (select.POLLHUP | select.POLLERR | select.POLLNVAL)) {
      const address = addresses.get(sock) as [string, number];
      addresses.delete(sock);
      const rb = bytes_received.get(sock) ?? new Uint8Array(0);
      bytes_received.delete(sock);
      const sb = bytes_to_send.get(sock) ?? new Uint8Array(0);
      bytes_to_send.delete(sock);
      if (rb.length) print(`Client ${address[0]} sent ${repr_b(rb)} but then closed`);
      else if (sb.length) print(`Client ${address[0]} closed before we sent ${repr_b(sb)}`);
      else print(`Client ${address[0]} closed socket normally`);
      poll_object.unregister(fd);
      sockets.delete(fd);
      done += 1;
      if (done === CONVERSATIONS) return;
    } // New socket: add it to our data structures.
    else if (sock === listener) {
      let address: socket.Address;
      [sock, address] = await sock.accept();
      print(`Accepted connection from ${(address as [string, number])[0]}`);
      sock.setblocking(false); // force socket.timeout if we blunder
      sockets.set(sock.fileno(), sock);
      addresses.set(sock, address);
      poll_object.register(sock, select.POLLIN);
    } // Incoming data: keep receiving until we see the suffix.
    else if (event & select.POLLIN) {
      const more_data = await sock.recv(4096);
      if (!more_data.length) { // end-of-file
        sock.close(); // next poll() will POLLNVAL, and thus clean up
        continue;
      }
      const data = bjoin([bytes_received.get(sock) ?? new Uint8Array(0), more_data]);
      bytes_received.delete(sock);
      if (data[data.length - 1] === 0x3f) {
        bytes_to_send.set(sock, get_answer(data));
        poll_object.modify(sock, select.POLLOUT);
      } else {
        bytes_received.set(sock, data);
      }
    } // Socket ready to send: keep sending until all bytes are delivered.
    else if (event & select.POLLOUT) {
      const data = bytes_to_send.get(sock)!;
      bytes_to_send.delete(sock);
      const n = await sock.send(data);
      if (n < data.length) bytes_to_send.set(sock, data.subarray(n));
      else poll_object.modify(sock, select.POLLIN);
    }
  }
}

const listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
listener.bind(["127.0.0.1", parseInt(Deno.args[0]!)]);
listener.listen(64);
print(`Listening at ${(listener.getsockname() as [string, number])[1]}`);
await serve(listener);
const p = select.poll();
try {
  p.modify(listener, select.POLLIN);
} catch (e) {
  if (!(e instanceof socket.OSError)) throw e;
  print("modify() of an unregistered socket:", e.name, e.message);
}
try {
  p.unregister(listener);
} catch (e) {
  if (!(e instanceof select.KeyError)) throw e;
  print("unregister() of an unregistered socket: KeyError");
}
p.register(listener);
print("a listener with nobody waiting:", PyList.from(await p.poll(0)));
listener.close();
print("after close():", PyList.from((await p.poll(0)).map(([, event]) => event === select.POLLNVAL)));

// Port of select_echo_server.py (queue.Queue is an array).
import * as socket from "../../mod.ts";
import * as select from "../../selectors.ts";
import { print, repr } from "./_py.ts";

const server = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
server.setblocking(false);
const server_address: [string, number] = ["localhost", Number(Deno.args[0])];
print(`starting up on ${server_address[0]} port ${server_address[1]}`);
server.bind(server_address);
server.listen(5);
const inputs: socket.Socket[] = [server];
const outputs: socket.Socket[] = [];
const message_queues = new Map<socket.Socket, Uint8Array[]>();
let served = 0;
const remove = (list: socket.Socket[], x: socket.Socket) => list.splice(list.indexOf(x), 1);
while (inputs.length && served < 2) {
  const [readable, writable, exceptional] = await select.select(inputs, outputs, inputs);
  for (const s of readable) {
    if (s === server) {
      const [connection, client_address] = await s.accept();
      print("  connection from", client_address[0]);
      connection.setblocking(false);
      inputs.push(connection);
      message_queues.set(connection, []);
    } else {
      const data = await s.recv(1024);
      if (data.length) {
        print(`  received ${repr(data)}`);
        message_queues.get(s)!.push(data);
        if (!outputs.includes(s)) {
          outputs.push(s);
        }
      } else {
        print("  closing", s.getpeername()[0]);
        if (outputs.includes(s)) {
          remove(outputs, s);
        }
        remove(inputs, s);
        s.close();
        message_queues.delete(s);
        served += 1;
      }
    }
  }
  for (const s of writable) {
    if (!message_queues.has(s)) { // closed above
      continue;
    }
    const q = message_queues.get(s)!;
    if (!q.length) {
      remove(outputs, s);
    } else {
      const next_msg = q.shift()!;
      print(`  sending ${repr(next_msg)}`);
      await s.send(next_msg);
    }
  }
  for (const s of exceptional) {
    remove(inputs, s);
    if (outputs.includes(s)) {
      remove(outputs, s);
    }
    s.close();
    message_queues.delete(s);
  }
}
server.close();
print("served", served);

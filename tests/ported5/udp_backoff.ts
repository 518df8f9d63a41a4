// Port of udp_backoff.py (the server thread becomes a task; `raise … from exc` keeps the cause in `cause`).
import * as socket from "../../mod.ts";
import { TimeoutError } from "../../mod.ts";
import { b, decode, join, print, repr } from "../ported/_py.ts";

const MAX_BYTES = 65535;
let seed = 25;

function rand() {
  seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff; // exact: the product passes 2 ** 53
  return ((seed >> 16) & 0x7fff) / 32768;
}

const log: string[] = [];

async function server(sock: socket.Socket, count: number) {
  for (let i = 0; i < count; i++) {
    const [data, address] = await sock.recvfrom(MAX_BYTES);
    if (rand() < 0.5) {
      log.push("Pretending to drop packet from the client");
      continue;
    }
    const text = decode(data);
    log.push(`The client says ${repr(text)}`);
    const message = `Your data was ${data.length} bytes long`;
    await sock.sendto(b(message), address);
  }
}

class RuntimeError extends Error {}

async function client(port: number, text: string, delay: number, limit: number) {
  const sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  await sock.connect(["127.0.0.1", port]);
  print("Client socket name is", (sock.getsockname() as [string, number])[0]);
  const stranger = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  await stranger.sendto(b("noise"), sock.getsockname());
  stranger.close();
  let data = b(text);
  try {
    while (true) {
      await sock.send(data);
      print(`Waiting up to ${delay} seconds for a reply`);
      sock.settimeout(delay);
      try {
        data = await sock.recv(MAX_BYTES);
      } catch (exc) {
        if (!(exc instanceof TimeoutError)) throw exc;
        print("  timeout:", exc.name, exc.message);
        delay *= 2; // wait even longer for the next request
        if (delay > limit) throw new RuntimeError("I think the server is down", { cause: exc });
        continue;
      }
      break; // we are done, and can stop looping
    }
    print(`The server says ${repr(decode(data))}`);
  } catch (e) {
    if (!(e instanceof RuntimeError)) throw e;
    print("RuntimeError:", e.message, "/ cause:", (e.cause as Error).name);
  } finally {
    sock.close();
  }
}

const ssock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
ssock.bind(["127.0.0.1", 0]);
const port = (ssock.getsockname() as [string, number])[1];
print("Listening at", (ssock.getsockname() as [string, number])[0]);
// The seeded drops (r = reply, D = drop): r r DDDr r DDr, so requests meet drops and replies alike.
let alive = true;
const t = server(ssock, 10).finally(() => alive = false);
for (const text of ["This is another message", "second", "third one", "fourth", "the last"]) {
  await client(port, text, 0.3, 2.4);
}
await join(t, 10);
print("server thread alive:", alive ? "True" : "False");
for (const line of log) print(line);
ssock.close();
// Nobody answers here: the delays 0.1, 0.2, 0.4 run out.
const dead = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
dead.bind(["127.0.0.1", 0]);
await client((dead.getsockname() as [string, number])[1], "anyone?", 0.1, 0.4);
dead.close();

// Port of tls_nb_client.py.
import * as socket from "../../mod.ts";
import * as ssl from "../../ssl.ts";
import * as selectors from "../../selectors.ts";
import { select } from "../../selectors.ts";
import { bjoin, list, print } from "./_py.ts";

const ctx = ssl.create_default_context({ cafile: Deno.args[1]! });
const sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
sock.setblocking(false);
print("connect_ex", [0, 115].includes(await sock.connect_ex(["127.0.0.1", Number(Deno.args[0])])));
await select([], [sock], [], 5);
const tls = await ctx.wrap_socket(sock, { server_hostname: "localhost", do_handshake_on_connect: false });
print("before handshake: version", tls.version(), "cipher", tls.cipher());
let timeouts = 0;
for (let _ = 0; _ < 1000; _++) {
  try {
    await tls.do_handshake();
    break;
  } catch (e) {
    if (e instanceof ssl.SSLWantReadError) {
      const [r, _w, _x] = await select([tls], [], [], 2);
      timeouts += r.length ? 0 : 1;
    } else if (e instanceof ssl.SSLWantWriteError) {
      const [_r, w, _x] = await select([], [tls], [], 2);
      timeouts += w.length ? 0 : 1;
    } else throw e;
  }
}
print("handshake done", tls.version(), "select() timed out", timeouts, "times");
const subject = Object.fromEntries(tls.getpeercert()!["subject"].map((x) => x[0]!));
print("peer", subject["commonName"]);

async function recv_some(n: number) {
  for (let _ = 0; _ < 1000; _++) {
    try {
      return await tls.recv(n);
    } catch (e) {
      if (e instanceof ssl.SSLWantReadError) {
        const [r, _w, _x] = await select([tls], [], [], 2);
        timeouts += r.length ? 0 : 1;
      } else if (e instanceof ssl.SSLWantWriteError) {
        const [_r, w, _x] = await select([], [tls], [], 2);
        timeouts += w.length ? 0 : 1;
      } else throw e;
    }
  }
  throw new Error("no data");
}

try {
  await tls.recv(10);
} catch (e) {
  if (!(e instanceof ssl.SSLWantReadError)) throw e;
  print("nothing yet:", e.name, e.errno, e instanceof ssl.SSLError, e instanceof socket.OSError);
}
const enc = new TextEncoder();
for (const msg of [enc.encode("hello\n"), enc.encode("x".repeat(100000) + "\n"), enc.encode("bye\n")]) {
  let view = msg.subarray(0);
  while (view.length) {
    try {
      const sent = await tls.send(view);
      view = view.subarray(sent);
    } catch (e) {
      if (!(e instanceof ssl.SSLWantWriteError || e instanceof ssl.SSLWantReadError)) throw e;
      await select([], [tls], [], 5);
    }
  }
  let reply = new Uint8Array(0);
  while (reply.at(-1) !== 0x0a) {
    const chunk = await recv_some(65536);
    if (!chunk.length) break;
    reply = bjoin([reply, chunk]);
  }
  print("reply", reply.length, reply.slice(0, 20));
}
while (true) {
  const data = await recv_some(100);
  if (!data.length) break;
  print("extra", data);
}
print("pending at EOF", tls.pending(), "select() timeouts in all", timeouts);
tls.close();

// The same with a selector: registered for the connect, modified after wrapping.
{
  const sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  sock.setblocking(false);
  await sock.connect_ex(["127.0.0.1", Number(Deno.args[0])]);
  const sel = new selectors.DefaultSelector();
  sel.register(sock, selectors.EVENT_WRITE);
  print("connected", list((await sel.select(5)).map(([_key, mask]) => mask)));
  const tls = await ctx.wrap_socket(sock, { server_hostname: "localhost", do_handshake_on_connect: false });
  sel.modify(tls, selectors.EVENT_READ);
  timeouts = 0;
  for (let _ = 0; _ < 1000; _++) {
    try {
      await tls.do_handshake();
      break;
    } catch (e) {
      if (!(e instanceof ssl.SSLWantReadError)) throw e;
      timeouts += (await sel.select(2)).length ? 0 : 1;
    }
  }
  print("selector: handshake done", tls.version(), "select() timed out", timeouts, "times");
  await tls.send(enc.encode("bye\n"));
  for (let _ = 0; _ < 1000; _++) {
    try {
      print("selector: reply", await tls.recv(100));
      break;
    } catch (e) {
      if (!(e instanceof ssl.SSLWantReadError)) throw e;
      timeouts += (await sel.select(2)).length ? 0 : 1;
    }
  }
  print("selector: timeouts in all", timeouts);
  sel.close();
  tls.close();
}

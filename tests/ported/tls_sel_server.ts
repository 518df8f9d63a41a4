// Port of tls_sel_server.py (the per-connection dict is an object; bytes.split(b'\n', 1) is indexOf).
import * as socket from "../../mod.ts";
import * as ssl from "../../ssl.ts";
import * as selectors from "../../selectors.ts";
import { b, bjoin, bstrip, decode, print } from "./_py.ts";

interface State {
  handshake: boolean;
  buf: Uint8Array;
  lines: number;
}

const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
ctx.load_cert_chain(Deno.args[1]!, Deno.args[2]!);
const sel = new selectors.DefaultSelector<State>();
const lsock = socket.create_server(["127.0.0.1", Number(Deno.args[0])]);
print("listening on", lsock.getsockname());
lsock.setblocking(false);
sel.register(lsock, selectors.EVENT_READ, null);
let served = 0;

function close(tls: ssl.SSLSocket) {
  sel.unregister(tls);
  tls.close();
  served += 1;
}

async function service(tls: ssl.SSLSocket, st: State) {
  if (!st.handshake) {
    try {
      await tls.do_handshake();
    } catch (e) {
      if (e instanceof ssl.SSLWantReadError) {
        sel.modify(tls, selectors.EVENT_READ, st);
        return;
      }
      if (e instanceof ssl.SSLWantWriteError) {
        sel.modify(tls, selectors.EVENT_WRITE, st);
        return;
      }
      throw e;
    }
    st.handshake = true;
    sel.modify(tls, selectors.EVENT_READ, st);
    print("handshake", tls.version());
  }
  while (true) {
    let data: Uint8Array;
    try {
      data = await tls.recv(65536);
    } catch (e) {
      if (e instanceof ssl.SSLWantReadError) return;
      throw e;
    }
    if (!data.length) {
      print("client closed");
      close(tls);
      return;
    }
    st.buf = bjoin([st.buf, data]);
    while (st.buf.includes(0x0a)) {
      const nl = st.buf.indexOf(0x0a);
      const line = st.buf.subarray(0, nl);
      st.buf = st.buf.subarray(nl + 1);
      tls.setblocking(true); // replies are small: send them whole
      await tls.sendall(bjoin([b(`${line.length + 1}:`), bstrip(line.subarray(0, 10)), b("\n")]));
      tls.setblocking(false);
      if (decode(line) === "bye") {
        print("bye after", st.lines, "lines");
        close(tls);
        return;
      }
      st.lines += 1;
    }
  }
}

for (let _ = 0; _ < 100000; _++) {
  if (served === 2) break;
  const events = await sel.select(10);
  if (!events.length) {
    print("idle: giving up");
    break;
  }
  for (const [key, _mask] of events) {
    if (key.data === null) {
      const [conn, _addr] = await lsock.accept();
      conn.setblocking(false);
      const tls = await ctx.wrap_socket(conn, { server_side: true, do_handshake_on_connect: false });
      sel.register(tls, selectors.EVENT_READ, { handshake: false, buf: new Uint8Array(0), lines: 0 });
    } else {
      await service(key.fileobj as ssl.SSLSocket, key.data);
    }
  }
}
sel.close();
lsock.close();
print("done");

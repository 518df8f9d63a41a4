// Port of ssl_server.py.
import * as socket from "../../mod.ts";
import * as ssl from "../../ssl.ts";
import { b, bjoin, list, print } from "./_py.ts";

const PORT = Number(Deno.args[0]);
const context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH);
context.load_cert_chain({ certfile: Deno.args[1]!, keyfile: Deno.args[2]! });

const bindsocket = socket.socket();
bindsocket.bind(["127.0.0.1", PORT]);
bindsocket.listen(5);

/** bytes.split(sep): a list */
function bsplit(x: Uint8Array, sep: string): Uint8Array[] {
  return list(new TextDecoder("latin1").decode(x).split(sep).map((p) => Uint8Array.from(p, (c) => c.charCodeAt(0))));
}

async function do_something(connstream: ssl.SSLSocket, data: Uint8Array) {
  print("request line:", bsplit(data, "\r\n")[0]);
  await connstream.sendall(bjoin([b("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n"), bsplit(data, " ")[1]!]));
  return false;
}

async function deal_with_client(connstream: ssl.SSLSocket) {
  let data = await connstream.recv(1024);
  // empty data means the client is finished with us
  while (data.length) {
    if (!await do_something(connstream, data)) {
      // we'll assume do_something returns False
      // when we're finished with client
      break;
    }
    data = await connstream.recv(1024);
  }
  // finished with client
}

for (let i = 0; i < 1; i++) {
  const [newsocket, _fromaddr] = await bindsocket.accept();
  const connstream = await context.wrap_socket(newsocket, { server_side: true });
  print("version", connstream.version());
  try {
    await deal_with_client(connstream);
  } finally {
    await connstream.shutdown(socket.SHUT_RDWR);
    connstream.close();
  }
}
bindsocket.close();

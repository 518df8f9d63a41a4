// Port of ssl2_server.py.
import * as socket from "../../mod.ts";
import * as ssl from "../../ssl.ts";
import { b, bjoin, bstrip, decode, print } from "./_py.ts";

const context = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
context.load_cert_chain(Deno.args[1]!, Deno.args[2]!);
context.set_alpn_protocols(["echo/1", "http/1.1"]);
{
  using sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0);
  sock.bind(["127.0.0.1", Number(Deno.args[0])]);
  sock.listen(5);
  {
    using ssock = await context.wrap_socket(sock, { server_side: true });
    print("listening", ssock.constructor.name);
    const [conn, _addr] = await ssock.accept();
    print(
      "accepted",
      conn.constructor.name,
      (conn as ssl.SSLSocket).version(),
      (conn as ssl.SSLSocket).selected_alpn_protocol(),
    );
    const f = conn.makefile("rwb");
    for await (const line of f) {
      if (decode(bstrip(line as Uint8Array)) === "bye") { // cast: SocketFile is not typed by mode (finding T2)
        break;
      }
      await f.write(bjoin([b("echo: "), line as Uint8Array]));
      await f.flush();
    }
    await f.close();
    conn.close();
    print("closed");
  }
}

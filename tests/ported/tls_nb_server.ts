// Port of tls_nb_server.py.
import * as socket from "../../mod.ts";
import * as ssl from "../../ssl.ts";
import { b, bjoin, bstrip, print } from "./_py.ts";

const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
ctx.load_cert_chain(Deno.args[1]!, Deno.args[2]!);
{
  using lsock = socket.create_server(["127.0.0.1", Number(Deno.args[0])]);
  print("listening on", lsock.getsockname());
  for (let _ = 0; _ < 2; _++) {
    const [conn] = await lsock.accept();
    {
      using tls = await ctx.wrap_socket(conn, { server_side: true });
      await using f = tls.makefile("rwb");
      print("handshake", tls.version());
      for await (const line of f as AsyncIterable<Uint8Array>) { // cast: SocketFile is not typed by mode (finding T2)
        await f.write(bjoin([b(`${line.length}:`), bstrip(line.subarray(0, 10)), b("\n")]));
        await f.flush();
        if (new TextDecoder().decode(line) === "bye\n") break;
      }
    }
  }
  print("done");
}

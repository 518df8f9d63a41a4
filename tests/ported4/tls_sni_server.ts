// Port of tls_sni_server.py (a TLS echo server for virtual hosts: an sni_callback swaps in the context whose
// certificate matches the name the client asked for). `except (ssl.SSLError, OSError)` is one instanceof test:
// SSLError is an OSError.
import * as socket from "../../mod.ts";
import * as ssl from "../../ssl.ts";
import { print } from "../ported/_py.ts";

const certs = Deno.args[1]!;
const dflt = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
dflt.load_cert_chain(certs + "/server.pem", certs + "/server.key");
const other = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
other.load_cert_chain(certs + "/wrong.pem", certs + "/wrong.key");
const seen: (string | null)[] = [];

function pick(sslsock: ssl.SSLSocket, server_name: string | null, _ctx: ssl.SSLContext) {
  seen.push(server_name);
  if (server_name === "wrong.example") sslsock.context = other;
}

dflt.sni_callback = pick;
{
  using srv = socket.create_server(["127.0.0.1", Number(Deno.args[0])]);
  print("listening on", srv.getsockname()[1]);
  for (let n = 0; n < 7; n++) {
    const [conn] = await srv.accept();
    conn.settimeout(10);
    try {
      using tls = await dflt.wrap_socket(conn, { server_side: true });
      const data = await tls.recv(1024);
      await tls.sendall(new TextEncoder().encode(new TextDecoder().decode(data).toUpperCase()));
      print(n, "asked for", seen.length ? seen.at(-1) : null, "echoed", data);
    } catch (e) {
      if (!(e instanceof socket.OSError)) throw e;
      print(n, "asked for", seen.length ? seen.at(-1) : null, "handshake failed"); // the class: see docs/limits.md (no alert)
    } finally {
      conn.close();
    }
    seen.length = 0;
  }
}
print("server done");

// Port of ssl2_client.py.
import * as socket from "../../mod.ts";
import * as ssl from "../../ssl.ts";
import { b, list, print } from "./_py.ts";

const context = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
context.load_verify_locations({ cafile: Deno.args[1]! });
context.set_alpn_protocols(["echo/1"]);
{
  using sock = await socket.create_connection(["127.0.0.1", Number(Deno.args[0])]);
  {
    using ssock = await context.wrap_socket(sock, { server_hostname: "localhost" });
    print(ssock.version(), ssock.selected_alpn_protocol(), ssock.cipher()![1], ssock.server_hostname);
    const cert = ssock.getpeercert()!;
    print(cert["subjectAltName"], cert["issuer"]);
    print(list(Object.keys(cert).sort()));
    const f = ssock.makefile("rwb");
    for (const msg of [b("one\n"), b("two\n")]) {
      await f.write(msg);
      await f.flush();
      print(await f.readline());
    }
    await f.write(b("bye\n"));
    await f.flush();
    print("after bye", await f.read());
    await f.close();
  }
}

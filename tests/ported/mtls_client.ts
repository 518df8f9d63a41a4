// Port of mtls_client.py (cert['subject'] == cert['issuer'] compares the nested tuples by content).
import * as socket from "../../mod.ts";
import * as ssl from "../../ssl.ts";
import { b, print } from "./_py.ts";

const PORT = Number(Deno.args[0]);
for (const maximum of [null, ssl.TLSVersion.TLSv1_2]) {
  const context = ssl.create_default_context({ cafile: Deno.args[1]! });
  context.load_cert_chain(Deno.args[2]!, Deno.args[3]!);
  if (maximum !== null) {
    context.maximum_version = maximum;
  }
  {
    using sock = await socket.create_connection(["127.0.0.1", PORT]);
    {
      using ssock = await context.wrap_socket(sock, { server_hostname: "localhost" });
      print(ssock.version(), ssock.cipher()![1], ssock.server_hostname, ssock.server_side);
      const cert = ssock.getpeercert()!;
      for (const key of Object.keys(cert).sort() as (keyof ssl.PeerCertificate)[]) {
        if (!["notAfter", "notBefore", "serialNumber"].includes(key)) {
          print(" ", key, cert[key]);
        }
      }
      print("  self-signed", JSON.stringify(cert["subject"]) === JSON.stringify(cert["issuer"]));
      const f = ssock.makefile("rwb");
      for (const line of [b("hello\n"), b("x".repeat(70000) + "\n"), b("\n"), b("last line\n")]) {
        await f.write(line);
      }
      await f.write(b("QUIT\n"));
      await f.flush();
      for await (const line of f) {
        print(" ", line);
      }
      await f.close();
    }
  }
}

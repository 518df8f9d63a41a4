// Port of ssl_hostname_client.py.
import * as socket from "../../mod.ts";
import * as ssl from "../../ssl.ts";
import { print } from "./_py.ts";

const ctx = ssl.create_default_context({ cafile: Deno.args[1]! });
{
  using s = await socket.create_connection(["127.0.0.1", Number(Deno.args[0])]);
  try {
    await ctx.wrap_socket(s, { server_hostname: "localhost" });
    print("verified?");
  } catch (e) {
    if (!(e instanceof ssl.SSLCertVerificationError)) throw e;
    print(e.name, e.verify_code, e.verify_message);
    print(e);
  }
}

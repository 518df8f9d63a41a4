// Port of ssl_badca_client.py.
import * as socket from "../../mod.ts";
import * as ssl from "../../ssl.ts";
import { print } from "./_py.ts";

const PORT = Number(Deno.args[0]);
const context = ssl.create_default_context();
{
  using sock = await socket.create_connection(["localhost", PORT]);
  try {
    {
      using ssock = await context.wrap_socket(sock, { server_hostname: "localhost" });
      print(ssock.version());
    }
  } catch (e) {
    if (e instanceof ssl.SSLCertVerificationError) {
      print("verify failed:", e.verify_code, e.verify_message);
    } else if (e instanceof ssl.SSLError) {
      print("ssl error", e.name);
    } else throw e;
  }
}

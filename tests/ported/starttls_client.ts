// Port of starttls_client.py.
import * as socket from "../../mod.ts";
import * as ssl from "../../ssl.ts";
import { b, print } from "./_py.ts";

const ctx = ssl.create_default_context({ cafile: Deno.args[1]! });
const s = await socket.create_connection(["127.0.0.1", Number(Deno.args[0])]);
print(await s.recv(100));
await s.sendall(b("STARTTLS\r\n"));
print(await s.recv(100));
const t = await ctx.wrap_socket(s, { server_hostname: "localhost" });
print("upgraded:", t.version(), t.getpeercert()!["subject"][0]);
await t.sendall(b("secret stuff"));
print(await t.recv(100));
print("eof", await t.recv(100));
t.close();

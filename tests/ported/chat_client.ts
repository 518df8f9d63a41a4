// Port of chat_client.py.
import * as socket from "../../mod.ts";
import { b, decode, print } from "./_py.ts";

const PORT = Number(Deno.args[0]);
const a = await socket.create_connection(["127.0.0.1", PORT], { timeout: 10 });
const b_ = await socket.create_connection(["127.0.0.1", PORT], { timeout: 10 });
print("a got:", decode(await a.recv(4096)).split("]")[1]);
await b_.sendall(b("hello from b\n"));
print("a got:", decode(await a.recv(4096)).split("] ")[1]);
await a.sendall(b("hi b\n"));
print("b got:", decode(await b_.recv(4096)).split("] ")[1]);
b_.close();
print("a got:", decode(await a.recv(4096)).startsWith("Client ("));
a.close();

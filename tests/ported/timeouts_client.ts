// Port of timeouts_client.py.
import * as socket from "../../mod.ts";
import { b, print, sleep } from "./_py.ts";

await sleep(0.7);
const s = await socket.create_connection(["127.0.0.1", Number(Deno.args[0])]);
await sleep(0.7);
await s.sendall(b("late data"));
await sleep(0.2);
await s.sendall(b("rest"));
await sleep(0.2);
s.close();
print("client done");

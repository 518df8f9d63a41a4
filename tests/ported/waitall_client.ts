// Port of waitall_client.py.
import * as socket from "../../mod.ts";
import { print } from "./_py.ts";

const s = await socket.create_connection(["127.0.0.1", Number(Deno.args[0])]);
print("peek", await s.recv(5, socket.MSG_PEEK));
const data = await s.recv(1000, socket.MSG_WAITALL);
print("waitall", data.length, data.subarray(0, 12), data.subarray(-3));
print("rest", await s.recv(1000, socket.MSG_WAITALL));
s.close();

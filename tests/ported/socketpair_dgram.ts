// Port of socketpair_dgram.py.
import * as socket from "../../mod.ts";
import { b, print } from "./_py.ts";

const [a, b_] = await socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM);
await a.send(b("dgram 1"));
await a.send(b("dgram 2"));
print(await b_.recv(3), await b_.recv(100));
a.close();
b_.close();

// Port of filesend_client.py (hashlib.md5 is node:crypto's createHash("md5")).
import { createHash } from "node:crypto";
import * as socket from "../../mod.ts";
import { decode, print } from "./_py.ts";

const s = await socket.create_connection(["127.0.0.1", Number(Deno.args[0])]);
const f = s.makefile("rb");
const size = parseInt(decode(await f.readline() as Uint8Array)); // cast: finding T2
const data = await f.read(size) as Uint8Array;
print("size", size, "got", data.length, createHash("md5").update(data).digest("hex"));
const rest = await f.read() as Uint8Array;
print("rest", rest.length, rest.subarray(0, 10));
await f.close();
s.close();

// Ad-hoc: N idle TLS server ends (pysocket), then a heap snapshot summarized by constructor.
import v8 from "node:v8";
import { make_certs } from "./_certs.ts";
import { open_idle } from "./_tls_rows.ts";
const n = Number(Deno.args[0] ?? 300);
const tls = (Deno.args[1] ?? "tls") === "tls";
const certs = await make_certs();
const close = await open_idle({ variant: "pysocket", tls, pairs: n, burst: Number(Deno.args[2] ?? 0) }, tls ? certs : null);
await new Promise((r) => setTimeout(r, 500));
const file = v8.writeHeapSnapshot("/tmp/idle.heapsnapshot");
console.log(file);
await close();
certs.cleanup();

// One cold start, for the `startup` row: a fresh `deno run` that opens a
// listener, connects to it, accepts and closes, with pysocket (its import
// included) or with raw Deno. The parent times the whole process.
// usage: deno run -A --no-check bench/_startup.ts pysocket|raw

const variant = Deno.args[0];
if (variant === "pysocket") {
  const { create_connection, create_server } = await import("../mod.ts");
  const srv = create_server(["127.0.0.1", 0]);
  const c = await create_connection(srv.getsockname() as [string, number]);
  const [a] = await srv.accept();
  a.close();
  c.close();
  srv.close();
} else if (variant === "raw") {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const c = await Deno.connect({ hostname: "127.0.0.1", port: (l.addr as Deno.NetAddr).port });
  const a = await l.accept();
  a.close();
  c.close();
  l.close();
} else {
  throw new Error(`unknown variant ${variant}`);
}

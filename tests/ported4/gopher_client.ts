// Port of gopher_client.py (menu items are arrays, printed as Python prints tuples).
import * as socket from "../../mod.ts";
import { b, bjoin, decode, list, print } from "../ported/_py.ts";

const port = parseInt(Deno.args[0]!);

async function fetch(selector: string, query: string | null = null): Promise<Uint8Array> {
  using s = await socket.create_connection(["127.0.0.1", port], { timeout: 10 });
  await s.sendall(bjoin([b(selector), query ? b("\t" + query) : b(""), b("\r\n")]));
  const chunks: Uint8Array[] = [];
  while (true) {
    const data = await s.recv(700);
    if (!data.length) break;
    chunks.push(data);
  }
  return bjoin(chunks);
}

type Item = [string, string, string, boolean, boolean];

function menu(raw: Uint8Array): Item[] {
  const items = list<Item>([]);
  for (const line of decode(raw).split("\r\n")) {
    if (line === ".") break;
    const [kind, rest] = [line[0]!, line.slice(1)];
    const [display, selector, host, p] = rest.split("\t") as [string, string, string, string];
    items.push([kind, display, selector, host === "127.0.0.1", p === String(port)]);
  }
  return items;
}

function text(raw: Uint8Array): string[] {
  const out = list<string>([]);
  for (const line of decode(raw).split("\r\n")) {
    if (line === ".") break;
    out.push(line.startsWith("..") ? line.slice(1) : line);
  }
  return out;
}

const root = menu(await fetch(""));
for (const item of root) print(item);
for (const [kind, display, selector] of root) {
  if (kind === "0") {
    print(display, "->", text(await fetch(selector)));
  } else if (kind === "1") {
    const sub = menu(await fetch(selector));
    print(display, "->", sub);
    const blob = await fetch(sub[1]![2]);
    print("blob:", blob.length, blob.subarray(0, 8), blob.subarray(-4));
  } else if (kind === "7") {
    print(display, "->", menu(await fetch(selector, "Gopher sockets gopher")));
  }
}
print("missing ->", menu(await fetch("/nope")));

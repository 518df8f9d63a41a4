// Port of gopher_server.py (% formatting spelled out; str.splitlines() is split(/\r?\n/) on these texts).
import * as socketserver from "../../socketserver.ts";
import { b, bjoin, decode, print, repr } from "../ported/_py.ts";

const DOCS = new Map<string, string>([
  ["/about", "pysocket gopher test\n.hidden line starts with a dot\nlast line"],
  ["/news", "nothing new\n"],
]);

class GopherHandler extends socketserver.StreamRequestHandler {
  override async handle() {
    let selector = decode(await this.rfile.readline(1024) as Uint8Array).replace(/[\r\n]+$/, "");
    const [host, port] = this.server.server_address as [string, number];
    let query: string | null = null;
    if (selector.includes("\t")) {
      const i = selector.indexOf("\t");
      [selector, query] = [selector.slice(0, i), selector.slice(i + 1)];
    }
    print("request", repr(selector), repr(query));
    let lines: string[];
    if (selector === "" || selector === "/") {
      lines = [
        "iWelcome to the test hole\tfake\t(NULL)\t0",
        `0About this server\t/about\t${host}\t${port}`,
        `0News\t/news\t${host}\t${port}`,
        `1Sub menu\t/sub\t${host}\t${port}`,
        `7Search words\t/search\t${host}\t${port}`,
      ];
    } else if (selector === "/sub") {
      lines = [`0Back to about\t/about\t${host}\t${port}`, `9Binary blob\t/blob\t${host}\t${port}`];
    } else if (selector === "/search") {
      const words = [...new Set((query ?? "").toLowerCase().split(/\s+/).filter((w) => w))].sort();
      lines = words.length ? words.map((w) => `iresult: ${w}\tfake\t(NULL)\t0`) : ["inothing found\tfake\t(NULL)\t0"];
    } else if (selector === "/blob") {
      await this.wfile.write(bjoin(Array(4).fill(new Uint8Array(256).map((_, i) => i))));
      return;
    } else if (DOCS.has(selector)) {
      const text = DOCS.get(selector)!;
      for (const line of text.split("\n").filter((l, i, all) => i < all.length - 1 || l !== "")) {
        await this.wfile.write(bjoin([b(line.startsWith(".") ? "." + line : line), b("\r\n")]));
      }
      await this.wfile.write(b(".\r\n"));
      return;
    } else {
      lines = [`3${repr(selector)} not found\terror\terror.host\t1`];
    }
    await this.wfile.write(bjoin([b(lines.map((line) => line + "\r\n").join("")), b(".\r\n")]));
  }
}

{
  await using server = new socketserver.TCPServer(["127.0.0.1", parseInt(Deno.args[0]!)], GopherHandler);
  print("listening on", server.server_address[1]);
  for (let i = 0; i < 7; i++) await server.handle_request();
}
print("server done");

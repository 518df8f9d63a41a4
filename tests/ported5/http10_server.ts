// Port of http10_server.py (% formatting spelled out; a dict of headers is a Map; `return self.respond(…)`
// is `return await this.respond(…)`).
import * as socketserver from "../../socketserver.ts";
import { b, bjoin, bupper, print, PyList, repr } from "../ported/_py.ts";

const PAGES = new Map<string, Uint8Array>([
  ["/", b("<html><body><h1>It works</h1></body></html>\n")],
  ["/robots.txt", b("User-agent: *\nDisallow: /\n")],
  [
    "/big",
    b(Array.from({ length: 2000 }, (_, i) => String(i).padStart(5, "0") + " " + "x".repeat(94) + "\n").join("")),
  ],
]);
const REASONS: Record<number, string> = {
  200: "OK",
  400: "Bad Request",
  404: "Not Found",
  405: "Method Not Allowed",
  411: "Length Required",
  413: "Content Too Large",
  431: "Request Header Fields Too Large",
};
const latin1 = new TextDecoder("latin1");
const latin1_encode = (s: string) => new Uint8Array([...s].map((c) => c.charCodeAt(0)));

class Handler extends socketserver.StreamRequestHandler {
  async respond(
    code: number,
    body: Uint8Array = new Uint8Array(0),
    ctype = "text/plain",
    head = false,
    extra: string[] = [],
  ) {
    const lines = [
      `HTTP/1.0 ${code} ${REASONS[code]}`,
      "Server: tiny/0.1",
      "Content-Type: " + ctype,
      `Content-Length: ${body.length}`,
      ...extra,
    ];
    await this.wfile.write(latin1_encode(lines.join("\r\n") + "\r\n\r\n"));
    if (!head) await this.wfile.write(body);
    print(" ->", code, body.length, "bytes" + (head ? " (HEAD)" : ""));
  }

  override async handle() {
    const requestline = latin1.decode(await this.rfile.readline(65537) as Uint8Array).replace(/[\r\n]+$/, "");
    const words = requestline.split(/\s+/).filter((w) => w);
    print("request:", repr(requestline.slice(0, 60)));
    if (words.length !== 3 || !words[2]!.startsWith("HTTP/")) return await this.respond(400, b("bad request line\n"));
    const [method, path] = words as [string, string, string];
    const headers = new Map<string, string>();
    while (true) {
      const line = await this.rfile.readline(65537) as Uint8Array;
      if (line.length > 65536) return await this.respond(431);
      const text = latin1.decode(line);
      if (text === "\r\n" || text === "\n" || text === "") break;
      const colon = text.indexOf(":");
      const [name, value] = colon < 0 ? [text, ""] : [text.slice(0, colon), text.slice(colon + 1)];
      headers.set(name.trim().toLowerCase(), value.trim());
    }
    print("  headers:", PyList.from([...headers.keys()].sort()));
    if (method === "POST") {
      if (!headers.has("content-length")) return await this.respond(411);
      const n = parseInt(headers.get("content-length")!);
      if (n > 100000) return await this.respond(413);
      const body = await this.rfile.read(n) as Uint8Array;
      return await this.respond(
        200,
        bjoin([b(`you sent ${body.length} bytes: `), bupper(body.subarray(0, 40))]),
        undefined,
        undefined,
        ["X-Echo-Type: " + (headers.get("content-type") ?? "-")],
      );
    }
    if (method !== "GET" && method !== "HEAD") {
      return await this.respond(405, undefined, undefined, undefined, ["Allow: GET, HEAD, POST"]);
    }
    if (!PAGES.has(path)) return await this.respond(404, bjoin([b("no such page: "), b(path), b("\n")]));
    const ctype = path === "/" ? "text/html" : "text/plain";
    await this.respond(200, PAGES.get(path)!, ctype, method === "HEAD");
  }
}

{
  await using server = new socketserver.TCPServer(["127.0.0.1", parseInt(Deno.args[0]!)], Handler);
  print("serving HTTP/1.0 on port", server.server_address[1]);
  for (let i = 0; i < 11; i++) await server.handle_request();
}
print("done");

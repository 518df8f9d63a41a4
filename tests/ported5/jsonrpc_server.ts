// Port of jsonrpc_server.py (Python's f(*params)/f(**params) and its TypeError become bind(), which matches
// params against each method's parameter names as Python would; json.dumps with compact separators is
// JSON.stringify; struct '!I' is a DataView).
import * as socketserver from "../../socketserver.ts";
import { b, bjoin, decode, print } from "../ported/_py.ts";

const MAX = 65536;
const state = { counter: 0 };

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
interface Method {
  names: string[];
  defaults: Json[];
  star?: boolean; // *args, **kwargs
  fn: (...args: Json[]) => Json;
}

const METHODS: Record<string, Method> = {
  add: { names: ["a", "b"], defaults: [], fn: (a, b) => (a as number) + (b as number) },
  subtract: {
    names: ["minuend", "subtrahend"],
    defaults: [],
    fn: (minuend, subtrahend) => (minuend as number) - (subtrahend as number),
  },
  echo: { names: [], defaults: [], star: true, fn: (args, kwargs) => ({ args, kwargs }) },
  incr: { names: ["by"], defaults: [1], fn: (by) => (state.counter += by as number) },
};

class TypeError_ extends Error {}

function bind(m: Method, params: Json): Json[] {
  if (m.star) return Array.isArray(params) ? [params, {}] : [[], params];
  const args: (Json | undefined)[] = [];
  if (Array.isArray(params)) {
    if (params.length > m.names.length) throw new TypeError_();
    args.push(...params);
  } else {
    for (const k of Object.keys(params as object)) if (!m.names.includes(k)) throw new TypeError_();
    for (const n of m.names) args.push((params as Record<string, Json>)[n]);
  }
  const first_default = m.names.length - m.defaults.length;
  return m.names.map((_, i) => {
    if (args[i] !== undefined) return args[i]!;
    if (i >= first_default) return m.defaults[i - first_default]!;
    throw new TypeError_();
  });
}

const error = (code: number, message: string, ident: Json = null): Json => ({
  jsonrpc: "2.0",
  error: { code, message },
  id: ident,
});

function call(req: Json): Json | undefined {
  if (
    typeof req !== "object" || req === null || Array.isArray(req) || req.jsonrpc !== "2.0" ||
    typeof req.method !== "string"
  ) {
    return error(-32600, "Invalid Request");
  }
  const ident = req.id ?? null;
  const method = req.method;
  const params = req.params ?? [];
  let result: Json;
  if (method === "shutdown") {
    void server.shutdown();
    result = "bye";
  } else if (!(method in METHODS)) {
    return "id" in req ? error(-32601, "Method not found", ident) : undefined;
  } else {
    try {
      result = METHODS[method]!.fn(...bind(METHODS[method]!, params));
    } catch (e) {
      if (!(e instanceof TypeError_)) throw e;
      return "id" in req ? error(-32602, "Invalid params", ident) : undefined;
    }
  }
  if (!("id" in req)) {
    print("notification", method, "done");
    return undefined;
  }
  return { jsonrpc: "2.0", result, id: ident };
}

class Handler extends socketserver.StreamRequestHandler {
  override async handle() {
    print("connection");
    while (true) {
      const header = await this.rfile.read(4) as Uint8Array;
      if (header.length < 4) {
        print(!header.length ? "end of stream" : "truncated header");
        return;
      }
      const n = new DataView(header.buffer, header.byteOffset, 4).getUint32(0);
      if (n > MAX) {
        print("frame of", n, "bytes refused");
        return;
      }
      const body = await this.rfile.read(n) as Uint8Array;
      let reply: Json | undefined;
      let req: Json;
      try {
        req = JSON.parse(decode(body));
      } catch {
        req = undefined as unknown as Json;
        reply = error(-32700, "Parse error");
      }
      if (reply === undefined) {
        if (Array.isArray(req)) {
          reply = req.length
            ? req.map(call).filter((r): r is Json => r !== undefined)
            : error(-32600, "Invalid Request");
          if (Array.isArray(reply) && !reply.length) reply = undefined;
        } else {
          reply = call(req);
        }
      }
      if (reply !== undefined) {
        const data = b(JSON.stringify(reply));
        const head = new Uint8Array(4);
        new DataView(head.buffer).setUint32(0, data.length);
        await this.wfile.write(bjoin([head, data]));
      }
    }
  }
}

const server = new socketserver.ThreadingTCPServer(["127.0.0.1", parseInt(Deno.args[0]!)], Handler);
{
  await using _ = server;
  print("JSON-RPC on port", server.server_address[1]);
  await server.serve_forever();
}
print("counter", state.counter);

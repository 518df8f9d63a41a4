// Port of http_keepalive.py (threads are tasks; the header dict is a Map).
import * as socket from "../../mod.ts";
import * as socketserver from "../../socketserver.ts";
import { b, bjoin, join, print, repr, sleep } from "./_py.ts";

const latin1 = new TextDecoder("latin1");
const utf8 = new TextDecoder();

class Handler extends socketserver.StreamRequestHandler {
  override async handle() {
    let served = 0;
    while (true) {
      let line = await this.rfile.readline(65537) as Uint8Array;
      if (!line.length) {
        break;
      }
      if (line.length > 65536) {
        while (line.at(-1) !== 10 && line.length) { // drain the rest before closing
          line = await this.rfile.readline(65537) as Uint8Array;
        }
        await this.reply(414, b("URI Too Long"), true);
        break;
      }
      const [method, path] = latin1.decode(line).replace(/[\r\n]+$/, "").split(" ");
      const headers = new Map<string, string>();
      while (true) {
        const h = latin1.decode(await this.rfile.readline(65537) as Uint8Array);
        if (h === "\r\n" || h === "\n" || h === "") {
          break;
        }
        const i = h.indexOf(":");
        headers.set(h.slice(0, i).trim().toLowerCase(), h.slice(i + 1).trim());
      }
      const body = await this.rfile.read(Number(headers.get("content-length") ?? "0")) as Uint8Array;
      served += 1;
      const close = (headers.get("connection") ?? "").toLowerCase() === "close";
      const text = `${method} ${path} #${served} body=${body.length} ${repr(body.subarray(0, 12))}`;
      await this.reply(200, b(text), close);
      if (close) {
        break;
      }
    }
  }

  async reply(code: number, text: Uint8Array, close = false) {
    let head = `HTTP/1.1 ${code} ${code === 200 ? "OK" : "Error"}\r\nContent-Length: ${text.length}\r\n`;
    if (close) {
      head += "Connection: close\r\n";
    }
    await this.wfile.write(bjoin([b(head), b("\r\n"), text]));
  }
}

async function read_response(f: socket.SocketFile) {
  const status = await f.readline() as Uint8Array;
  if (!status.length) {
    return null;
  }
  let length = 0;
  let closing = false;
  while (true) {
    const h = utf8.decode(await f.readline() as Uint8Array);
    if (h === "\r\n") {
      break;
    }
    const i = h.indexOf(":");
    const k = h.slice(0, i);
    if (k.toLowerCase() === "content-length") {
      length = Number(h.slice(i + 1));
    }
    if (k.toLowerCase() === "connection") {
      closing = true;
    }
  }
  return [utf8.decode(status).trim(), utf8.decode(await f.read(length) as Uint8Array), closing];
}

{
  await using server = new socketserver.ThreadingTCPServer(["127.0.0.1", 0], Handler);
  const t = server.serve_forever(0.05);
  const addr = server.server_address as [string, number];

  {
    using c = await socket.create_connection(addr, 10);
    await c.sendall(b(
      "GET /a HTTP/1.1\r\nHost: x\r\n\r\n" +
        "GET /b HTTP/1.1\r\nHost: x\r\n\r\n" +
        "GET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    ));
    const f = c.makefile("rb");
    while (true) {
      const r = await read_response(f);
      if (r === null) {
        break;
      }
      print("pipelined", r);
    }
    await f.close();
  }

  {
    using c = await socket.create_connection(addr, 10);
    const body = b("name=value&".repeat(300));
    await c.sendall(b(`POST /form HTTP/1.1\r\nContent-Length: ${body.length}\r\n`));
    await sleep(0.05);
    await c.sendall(bjoin([b("\r\n"), body.subarray(0, 100)]));
    await sleep(0.05);
    await c.sendall(body.subarray(100));
    const f = c.makefile("rb");
    print("post", await read_response(f));
    await c.sendall(b("GET /after HTTP/1.1\r\n\r\n"));
    print("keep-alive", await read_response(f));
    await c.shutdown(socket.SHUT_WR);
    print("after SHUT_WR", await read_response(f));
    await f.close();
  }

  {
    using c = await socket.create_connection(addr, 10);
    await c.sendall(b("GET /" + "x".repeat(70000) + " HTTP/1.1\r\n\r\n"));
    const f = c.makefile("rb");
    print("long", await read_response(f));
    print("then", await read_response(f));
    await f.close();
  }

  {
    using c = await socket.create_connection(addr, 10);
    await c.sendall(b("GET /half HTTP/1.1\r\nHost: x\r\n"));
    await c.shutdown(socket.SHUT_WR);
    const f = c.makefile("rb");
    print("half", await read_response(f));
    await f.close();
  }

  await server.shutdown();
  await join(t, 5);
}
print("done");

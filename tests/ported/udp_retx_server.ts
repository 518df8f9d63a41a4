// Port of udp_retx_server.py (b'%d %s' % (...) is bjoin of the parts).
import * as socketserver from "../../socketserver.ts";
import { b, bjoin, bstrip, bupper, print } from "./_py.ts";

const seen = new Set<number>();

class Handler extends socketserver.DatagramRequestHandler<Server> {
  dropped = false;

  override async finish() {
    // DatagramRequestHandler.finish() sends wfile's bytes, even none: a dropped request gets nothing.
    if (!this.dropped) {
      await super.finish();
    }
  }

  override handle() {
    const line = bstrip(this.rfile.readline());
    const sp = line.indexOf(0x20);
    const [num, text] = sp < 0 ? [line, b("")] : [line.subarray(0, sp), line.subarray(sp + 1)];
    const n = Number(new TextDecoder().decode(num));
    if (n % 2 === 1 && !seen.has(n)) {
      seen.add(n);
      print("dropping first copy of request", n);
      this.dropped = true;
      return;
    }
    print("request", n, text, "rest", this.rfile.read());
    this.wfile.write(bjoin([b(`${n} `), bupper(text), b("\n")]));
    this.wfile.write(b(`length ${text.length}`));
    if (n === 5) {
      this.server.done = true;
    }
  }
}

class Server extends socketserver.UDPServer {
  done = false;
}

{
  using server = new Server(["127.0.0.1", Number(Deno.args[0])], Handler);
  print("listening on", server.server_address);
  server.timeout = 10;
  for (let _ = 0; _ < 20; _++) {
    if (server.done) break;
    await server.handle_request();
  }
}
print("server done");

// Port of cb_ssl.py (ssl.wrap_socket's keywords go in a trailing object and it is awaited; the server thread
// is a task; the SSLMixin is a function of the server class whose get_request() wraps each connection;
// getpeercert()['subject'] is .subject; a dict() of the subject's pairs is a Map).
import * as socket from "../../mod.ts";
import { AF_INET, SOCK_STREAM } from "../../mod.ts";
import * as ssl from "../../ssl.ts";
import { type Request, StreamRequestHandler, TCPServer } from "../../socketserver.ts";
import { b, bupper, print } from "../ported/_py.ts";

const d = Deno.args[0]!;
const NOCERT = Deno.args.length === 2 && Deno.args[1] === "nocert";
const KEYFILE = d + "/self.key"; // Private key of the server
const CERTFILE = d + "/self.pem"; // Server certificate (given to client)
const log: string[] = []; // the server task's lines, printed after the clients'

const subject_repr = (subject: ssl.PeerCertificate["subject"]) =>
  "(" + subject.map((rdn) => "(" + rdn.map(([k, v]) => `('${k}', '${v}'),`).join(" ") + "),").join(" ") + ")";

async function echo_client(s: ssl.SSLSocket) {
  while (true) {
    const data = await s.recv(8192);
    if (!data.length) break;
    await s.send(data);
  }
  s.close();
  log.push("Connection closed");
}

async function echo_server(s_ssl: ssl.SSLSocket, count: number) {
  // Wait for connections
  for (let i = 0; i < count; i++) {
    try {
      const [c, a] = await s_ssl.accept();
      log.push(`Got connection ${c.constructor.name} ${a[0]}`);
      await echo_client(c as ssl.SSLSocket);
    } catch (e) {
      if (!(e instanceof Error)) throw e;
      log.push(`${e.name}: ${e.message}`);
    }
  }
}

const s = socket.socket(AF_INET, SOCK_STREAM);
s.bind(["127.0.0.1", 0]);
s.listen(1);
// Wrap with an SSL layer
const s_ssl = await ssl.wrap_socket(s, { keyfile: KEYFILE, certfile: CERTFILE, server_side: true });
let t = echo_server(s_ssl, 2);
const addr = s_ssl.getsockname();

let c = socket.socket(AF_INET, SOCK_STREAM);
const c_ssl = await ssl.wrap_socket(c, { cert_reqs: ssl.CERT_REQUIRED, ca_certs: CERTFILE });
await c_ssl.connect(addr);
print(await c_ssl.send(b("Hello World?")));
print(await c_ssl.recv(8192));
print("version:", c_ssl.version(), "subject:", subject_repr(c_ssl.getpeercert()!.subject));
c_ssl.close();

c = await socket.create_connection(addr as [string, number]);
await c.sendall(b("Hello World?")); // no TLS
print("plain client done");
await t;
c.close();
s_ssl.close();
for (const line of log) print(line);
log.length = 0;

interface SSLOptions {
  keyfile?: string | null;
  certfile?: string | null;
  ca_certs?: string | null;
  cert_reqs?: number;
}

/** Mixin class that adds support for SSL to existing servers based on the socketserver module. */
function SSLMixin<T extends typeof TCPServer>(Base: T) {
  return class extends (Base as typeof TCPServer) {
    _keyfile: string | null;
    _certfile: string | null;
    _ca_certs: string | null;
    _cert_reqs: number;

    constructor(
      address: socket.Address,
      handler: ConstructorParameters<typeof TCPServer>[1],
      { keyfile = null, certfile = null, ca_certs = null, cert_reqs = ssl.CERT_NONE }: SSLOptions = {},
    ) {
      super(address, handler);
      this._keyfile = keyfile;
      this._certfile = certfile;
      this._ca_certs = ca_certs;
      this._cert_reqs = cert_reqs;
    }

    override async get_request(): Promise<[Request, socket.Address]> {
      const [client, addr] = await super.get_request();
      const client_ssl = await ssl.wrap_socket(client as socket.Socket, {
        keyfile: this._keyfile,
        certfile: this._certfile,
        ca_certs: this._ca_certs,
        cert_reqs: this._cert_reqs,
        server_side: true,
      });
      return [client_ssl, addr];
    }
  };
}

const SSLTCPServer = SSLMixin(TCPServer);

class EchoHandler extends StreamRequestHandler {
  override async handle() {
    const cert = (this.request as ssl.SSLSocket).getpeercert()!;
    const cn = new Map(cert.subject.map((x) => x[0]!)).get("commonName");
    log.push(`handler: client ${cn}`);
    for await (const line of this.rfile) await this.wfile.write(bupper(line as Uint8Array));
  }
}

const serv = new SSLTCPServer(["127.0.0.1", 0], EchoHandler, {
  keyfile: d + "/server.key",
  certfile: d + "/server.pem",
  ca_certs: d + "/ca.pem",
  cert_reqs: ssl.CERT_REQUIRED,
});
t = serv.serve_forever();
let ctx = ssl.create_default_context({ cafile: d + "/ca.pem" });
ctx.load_cert_chain(d + "/client.pem", d + "/client.key");
{
  using c = await ctx.wrap_socket(await socket.create_connection(serv.server_address as [string, number]), {
    server_hostname: "localhost",
  });
  const f = c.makefile("rwb");
  await f.write(b("with a certificate\n"));
  await f.flush();
  print(await f.readline());
  await f.close();
}
if (NOCERT) {
  ctx = ssl.create_default_context({ cafile: d + "/ca.pem" });
  using c = await ctx.wrap_socket(await socket.create_connection(serv.server_address as [string, number]), {
    server_hostname: "localhost",
  });
  print("handshake done:", c.version());
  try {
    await c.sendall(b("without a certificate\n"));
    print(await c.recv(100));
  } catch (e) {
    if (!(e instanceof ssl.SSLError)) throw e;
    print(`${e.name}: ${e.message}`);
  }
}
await serv.shutdown();
await t;
serv.server_close();
for (const line of log) print(line);

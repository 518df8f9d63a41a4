// Port of ss_unix_threading.py (serve_forever() in a thread is a task; `with server:` is `await using`; the
// client threads are tasks; os.path.basename is the text after the last "/"; AddressFamily's name is
// written out; the datagram handler's rfile/wfile are synchronous, as in the README's example).
import * as socket from "../../mod.ts";
import * as socketserver from "../../socketserver.ts";
import { b, bjoin, bupper, print, repr } from "../ported/_py.ts";

const tmp = Deno.makeTempDirSync();
const basename = (p: string) => p.slice(p.lastIndexOf("/") + 1);

class LineHandler extends socketserver.StreamRequestHandler {
  override async handle() {
    let n = 0;
    for await (const line of this.rfile) {
      n += 1;
      await this.wfile.write(bjoin([b(`${n}:`), bupper(line as Uint8Array)]));
    }
    await this.wfile.write(b(`bye after ${n} lines, client_address ${repr(this.client_address)}\n`));
  }
}

class DgramHandler extends socketserver.DatagramRequestHandler {
  override handle() {
    const data = this.rfile.read();
    this.wfile.write(bjoin([b(`got ${data.length} bytes: `), data.slice().reverse()]));
  }
}

const path = `${tmp}/stream.sock`;
{
  await using server = new socketserver.ThreadingUnixStreamServer(path, LineHandler);
  const t = server.serve_forever();
  print("stream server at", basename(server.server_address as string), "family", "AF_UNIX");
  const results = new Map<number, Uint8Array>();

  const client = async (i: number) => {
    using s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
    s.settimeout(10);
    await s.connect(path);
    const f = s.makefile("rwb");
    for (let k = 0; k < i + 1; k++) await f.write(b(`line ${k} of client ${i}\n`));
    await f.flush();
    await s.shutdown(socket.SHUT_WR);
    results.set(i, await f.read() as Uint8Array);
    await f.close();
  };

  await Promise.all([0, 1, 2, 3].map(client));
  for (let i = 0; i < 4; i++) print(i, results.get(i));
  await server.shutdown();
  await t;
}

const dpath = `${tmp}/dgram.sock`;
{
  await using server = new socketserver.ThreadingUnixDatagramServer(dpath, DgramHandler);
  const t = server.serve_forever();
  for (let i = 0; i < 2; i++) {
    using s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
    s.bind(`${tmp}/client${i}.sock`);
    s.settimeout(10);
    await s.sendto(b(`datagram number ${i}`), dpath);
    const [data, addr] = await s.recvfrom(1024);
    print("dgram reply", data, "from", basename(addr as string));
  }
  {
    using s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
    s.settimeout(0.5);
    await s.sendto(b("from an unbound client"), dpath);
    try {
      print("unbound client got", await s.recv(1024));
    } catch (e) {
      if (!(e instanceof socket.TimeoutError)) throw e;
      print("unbound client: no reply (timed out)");
    }
  }
  await server.shutdown();
  await t;
}
Deno.removeSync(tmp, { recursive: true });
print("done");

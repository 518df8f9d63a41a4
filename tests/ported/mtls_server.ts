// Port of mtls_server.py (dict(x[0] for x in …) is Object.fromEntries; b'%d …' % (…) a template).
import * as socket from "../../mod.ts";
import * as ssl from "../../ssl.ts";
import { b, beq, bjoin, print } from "./_py.ts";

const context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH);
context.load_cert_chain({ certfile: Deno.args[1]!, keyfile: Deno.args[2]! });
context.verify_mode = ssl.CERT_REQUIRED;
context.load_verify_locations({ cafile: Deno.args[3]! });

{
  using lsock = socket.create_server(["127.0.0.1", Number(Deno.args[0])]);
  print("listening on", lsock.getsockname());
  print("verify_mode", context.verify_mode, "check_hostname", context.check_hostname);
  for (let _ = 0; _ < 2; _++) {
    const [newsock, _addr] = await lsock.accept();
    {
      using conn = await context.wrap_socket(newsock, { server_side: true });
      const cert = conn.getpeercert()!;
      const subject = Object.fromEntries(cert["subject"]!.map((x) => x[0]!));
      const issuer = Object.fromEntries(cert["issuer"]!.map((x) => x[0]!));
      print("client", subject["commonName"], "issued by", issuer["commonName"]);
      print("version", conn.version(), "protocol", conn.cipher()![1], "server_side", conn.server_side);
      const der = conn.getpeercert(true)!;
      print("DER bytes", der.length > 100, ssl.DER_cert_to_PEM_cert(der).split(/\r?\n/)[0]);
      const rfile = conn.makefile("rb");
      const wfile = conn.makefile("wb");
      let count = 0;
      while (true) {
        const line = await rfile.readline() as Uint8Array; // cast: SocketFile is not typed by mode (finding T2)
        if (!line.length || beq(line, b("QUIT\n"))) break;
        count += 1;
        let head = line.subarray(0, 10);
        while (head.length && [0x20, 0x09, 0x0a, 0x0d, 0x0b, 0x0c].includes(head.at(-1)!)) head = head.subarray(0, -1);
        await wfile.write(bjoin([b(`${count} ${line.length} `), head, b("\n")]));
        await wfile.flush();
      }
      await wfile.write(b(`BYE ${count}\n`));
      await wfile.close();
      await rfile.close();
      print("served", count, "lines");
    }
  }
}

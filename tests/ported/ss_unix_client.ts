// Port of ss_unix_client.py.
import * as socket from "../../mod.ts";
import { AddressFamily } from "../../mod.ts";
import { b, print, repr } from "./_py.ts";

const server_address = Deno.args[0]!;
for (const lines of [[b("hello\n"), b("unix sockets\n")], [b("again\n"), b("quit\n")]]) {
  const sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
  print("connecting to", AddressFamily[sock.family]);
  try {
    await sock.connect(server_address);
  } catch (msg) {
    if (!(msg instanceof socket.OSError)) throw msg;
    print(msg);
    Deno.exit(1);
  }
  print("local", repr(sock.getsockname()), "peer is server", sock.getpeername() === server_address);
  const f = sock.makefile("rb");
  for (const line of lines) {
    await sock.sendall(line);
    print("received", await f.readline());
  }
  await f.close();
  sock.close();
}

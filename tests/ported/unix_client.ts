// Port of unix_client.py.
import * as socket from "../../mod.ts";
import { b, print, repr } from "./_py.ts";

{
  using s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
  await s.connect(Deno.args[0]!);
  print("peer", s.getpeername() === Deno.args[0], "local", repr(s.getsockname()));
  await s.sendall(b("hello over unix"));
  print(await s.recv(1024));
}

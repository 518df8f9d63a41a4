// Port of unix_dgram_server.py (os.unlink is Deno.removeSync).
import * as socket from "../../mod.ts";
import { bupper, decode, print } from "./_py.ts";

const path = Deno.args[0]!;
const s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
s.bind(path);
while (true) {
  const [data, addr] = await s.recvfrom(1024);
  print("got", data, "from a bound client:", addr !== null && (addr as string).endsWith(".client"));
  if (decode(data) === "quit") {
    break;
  }
  await s.sendto(bupper(data), addr!);
}
s.close();
Deno.removeSync(path);
print("server done");

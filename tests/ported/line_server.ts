// Port of line_server.py.
import * as socket from "../../mod.ts";
import { print, repr } from "./_py.ts";

const srv = socket.socket();
srv.bind(["127.0.0.1", Number(Deno.args[0])]);
srv.listen();
const [conn, _addr] = await srv.accept();
const rf = conn.makefile("r", { encoding: "utf-8", newline: "" });
const wf = conn.makefile("w", { encoding: "utf-8", newline: "" });
await wf.write("READY calc 1.0\r\n");
await wf.flush();
for await (const line of rf) {
  print("line", repr(line));
  const words = (line as string).split(/\s+/).filter((w) => w); // cast: SocketFile is not typed by mode (finding T2)
  if (!words.length) {
    continue;
  }
  if (words[0] === "QUIT") {
    await wf.write("BYE\r\n");
    await wf.flush();
    break;
  }
  if (words[0] === "ADD") {
    await wf.write(`= ${words.slice(1).reduce((n, w) => n + parseInt(w), 0)}\r\n`);
  } else {
    await wf.write(`ERR unknown ${words[0]}\r\n`);
  }
  await wf.flush();
}
await rf.close();
await wf.close();
conn.close();
srv.close();

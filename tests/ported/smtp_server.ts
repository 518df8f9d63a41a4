// Port of smtp_server.py.
import * as socket from "../../mod.ts";
import { list, print, repr } from "./_py.ts";

const lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
lsock.bind(["127.0.0.1", Number(Deno.args[0])]);
lsock.listen(1);
print("listening on", lsock.getsockname());
const [conn, _addr] = await lsock.accept();
conn.settimeout(10);
const f = conn.makefile("rw", { encoding: "ascii", errors: "replace", newline: "\r\n" });
await f.write("220 localhost ESMTP ready\n");
await f.flush();
let rcpts: string[] = [];
while (true) {
  const line = await f.readline(1000) as string; // cast: SocketFile is not typed by mode (finding T2)
  if (!line) {
    print("client went away");
    break;
  }
  const cmd = line.replace(/[\r\n]+$/, "");
  print("C:", repr(line));
  const verb = cmd.slice(0, 4).toUpperCase();
  if (["HELO", "EHLO"].includes(verb)) {
    await f.write(`250-localhost greets ${cmd.slice(5)}\n250-SIZE 1000000\n250-8BITMIME\n250 HELP\n`);
  } else if (verb === "MAIL") {
    rcpts = [];
    await f.write("250 2.1.0 Ok\n");
  } else if (verb === "RCPT") {
    rcpts.push(cmd.slice(8).replace(/^[<>]+|[<>]+$/g, ""));
    await f.write("250 2.1.5 Ok\n");
  } else if (verb === "DATA") {
    if (!rcpts.length) {
      await f.write("503 5.5.1 Error: need RCPT command\n");
      await f.flush();
      continue;
    }
    await f.write("354 End data with <CR><LF>.<CR><LF>\n");
    await f.flush();
    const body: string[] = [];
    while (true) {
      let data_line = await f.readline() as string;
      if (!data_line || data_line === ".\r\n") break;
      if (data_line.startsWith("..")) {
        data_line = data_line.slice(1);
      }
      body.push(data_line);
    }
    const text = body.join("");
    print("message for", list(rcpts), repr(text));
    await f.write(`250 2.0.0 Ok: ${body.length} lines, ${text.length} chars\n`);
  } else if (verb === "QUIT") {
    await f.write("221 2.0.0 Bye\n");
    await f.flush();
    break;
  } else {
    await f.write("502 5.5.2 Error: command not recognized\n");
  }
  await f.flush();
}
await f.close();
conn.close();
lsock.close();
print("done");

// Port of lutz_unbuff.py (the server thread is a task; print(x, file=file) is `await file.write(x + "\n")`;
// makefile's buffering is its second argument).
import * as socket from "../../mod.ts";
import { b, print, repr, sleep } from "../ported/_py.ts";

const received: Uint8Array[] = [];

async function server(sock: socket.Socket, log: string[]) {
  log.push("accepting...");
  const [conn] = await sock.accept();
  while (true) {
    log.push("receiving...");
    const msg = await conn.recv(1024);
    log.push(repr(msg));
    if (!msg.length) break;
    received.push(msg);
  }
  conn.close();
}

async function wait_more(n: number) {
  const deadline = Date.now() + 500;
  while (received.length < n && Date.now() < deadline) await sleep(0.01);
  print("received so far:", received.length);
}

async function run(title: string, mode: "w" | "wb", buffering: number, finish: string) {
  received.length = 0;
  const log: string[] = [];
  print(title);
  const sock = socket.socket();
  sock.bind(["127.0.0.1", 0]);
  sock.listen(5);
  const t = server(sock, log);
  const c = socket.socket();
  await c.connect(sock.getsockname());
  const file = c.makefile(mode, buffering);
  print("sending data1");
  await file.write(mode === "wb" ? b("spam\n") : "spam\n");
  await wait_more(received.length + 1);
  print("sending data2");
  await file.write(mode === "wb" ? b("eggs\n") : "eggs\n");
  await wait_more(received.length + 1);
  print("sending data3");
  await c.send(b("ham\n"));
  await wait_more(received.length + 1);
  if (finish === "flush") {
    await file.flush();
    await wait_more(received.length + 1);
    await file.close();
  } else {
    await file.close();
    await wait_more(received.length + 1);
  }
  c.close();
  await t;
  sock.close();
  for (const line of log) print(line);
}

await run("buffering=1", "w", 1, "flush");
await run("default buffering", "w", -1, "flush");
await run("unbuffered binary", "wb", 0, "flush");
await run("buffering=1, closed", "w", 1, "close");

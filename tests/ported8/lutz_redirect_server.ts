// Port of lutz_redirect_server.py. Python's sys.stdout/sys.stdin reassignment has no JavaScript counterpart:
// the redirected print() is a write to the socket file kept in `stdout` (print() itself is the real stdout,
// as sys.__stdout__), and input() reads a line from the file in `stdin` — after flushing `stdout`, as
// Python's input() flushes sys.stdout before it reads.
import * as socket from "../../mod.ts";
import type { SocketFile } from "../../mod.ts";
import { b, print } from "../ported/_py.ts";

const port = Number(Deno.args[0]);
const test = Number(Deno.args[1]);
const host = "127.0.0.1";
const mypid = "pid";
let stdout: SocketFile | null = null;
let stdin: SocketFile | null = null;

/** print() while sys.stdout is a socket file. */
async function rprint(text: string) {
  if (stdout) await stdout.write(text + "\n");
  else print(text);
}

/** input(): flush sys.stdout, read a line, drop its newline. */
async function input() {
  await stdout?.flush();
  const line = await stdin!.readline() as string;
  if (line === "") throw new Error("EOF when reading a line");
  return line.endsWith("\n") ? line.slice(0, -1) : line;
}

async function initListenerSocket(p = port) {
  const sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  sock.bind([host, p]);
  sock.listen(5);
  print("listening on port", sock.getsockname()[1]);
  const [conn] = await sock.accept();
  return conn;
}

async function redirectBothAsServer(p = port, h = host) {
  const sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  sock.bind([h, p]);
  sock.listen(5);
  print("listening on port", sock.getsockname()[1]);
  const [conn] = await sock.accept();
  const ofile = conn.makefile("w");
  const ifile = conn.makefile("r");
  stdout = ofile;
  stdin = ifile;
  return conn;
}

async function server1() {
  const conn = await initListenerSocket();
  const file = conn.makefile("r");
  for (let i = 0; i < 3; i++) {
    const data = (await file.readline() as string).trimEnd();
    await rprint(`server ${mypid} got [${data}]`);
  }
}

async function server2() {
  const conn = await initListenerSocket();
  for (let i = 0; i < 3; i++) await conn.send(b(`server ${mypid}: ${i}\n`));
}

async function server3() {
  const conn = await initListenerSocket();
  const file = conn.makefile("r");
  for (let i = 0; i < 3; i++) {
    const data = (await file.readline() as string).trimEnd();
    await conn.send(b(`server ${mypid} got [${data}]\n`));
  }
}

async function server4() {
  const conn = await initListenerSocket();
  const file = conn.makefile("r");
  for (let i = 0; i < 3; i++) {
    await conn.send(b(`server ${mypid}: ${i}\n`));
    const data = (await file.readline() as string).trimEnd();
    await rprint(`server ${mypid} got [${data}]`);
  }
}

async function client5() {
  await redirectBothAsServer(); // I'm actually the socket server in this mode
  for (let i = 0; i < 3; i++) {
    await rprint(`client ${mypid}: ${i}`);
    await stdout!.flush();
    const data = await input();
    print(`client ${mypid} got [${data}]`);
  }
}

await [server1, server2, server3, server4, client5][test - 1]!();
print("done");

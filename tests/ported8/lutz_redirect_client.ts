// Port of lutz_redirect_client.py (sys.stdout/sys.stdin as in lutz_redirect_server.ts).
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

async function redirectOut(p = port, h = host) {
  const sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  await sock.connect([h, p]);
  stdout = sock.makefile("w");
  return sock;
}

async function redirectIn(p = port, h = host) {
  const sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  await sock.connect([h, p]);
  stdin = sock.makefile("r");
  return sock;
}

async function redirectBothAsClient(p = port, h = host) {
  const sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  await sock.connect([h, p]);
  const ofile = sock.makefile("w");
  const ifile = sock.makefile("r");
  stdout = ofile;
  stdin = ifile;
  return sock;
}

async function client1() {
  await redirectOut();
  for (let i = 0; i < 3; i++) {
    await rprint(`client ${mypid}: ${i}`);
    await stdout!.flush();
  }
}

async function client2() {
  await redirectIn();
  for (let i = 0; i < 3; i++) {
    const data = await input();
    await rprint(`client ${mypid} got [${data}]`);
  }
}

async function client3() {
  await redirectBothAsClient();
  for (let i = 0; i < 3; i++) {
    await rprint(`client ${mypid}: ${i}`);
    const data = await input();
    print(`client ${mypid} got [${data}]`);
  }
}

async function client4() {
  await redirectBothAsClient();
  for (let i = 0; i < 3; i++) {
    const data = await input();
    await rprint(`client ${mypid} got [${data}]`);
    await stdout!.flush();
  }
}

async function server5() {
  const sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  await sock.connect([host, port]);
  const file = sock.makefile("r");
  for (let i = 0; i < 3; i++) {
    const data = (await file.readline() as string).trimEnd();
    await sock.send(b(`server ${mypid} got [${data}]\n`));
  }
}

await [client1, client2, client3, client4, server5][test - 1]!();
print("done");

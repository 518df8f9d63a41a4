// Port of bhp_proxy.py (threads become tasks; `except Exception: pass` catches everything; str.translate with
// HEX_FILTER is a map over code points).
import * as socket from "../../mod.ts";
import { b, bjoin, print, PyList, repr } from "../ported/_py.ts";

// Python's repr(chr(i)) has length 3 exactly when chr(i) is printable as itself
const shows_as_itself = (i: number) => (i >= 0x20 && i < 0x7f && i !== 0x5c) || (i >= 0xa1 && i !== 0xad);
const HEX_FILTER = Array.from({ length: 256 }, (_, i) => shows_as_itself(i) ? String.fromCharCode(i) : ".").join("");

function hexdump(src: Uint8Array | string, length = 16, show = true): string[] | undefined {
  const text = typeof src === "string" ? src : new TextDecoder("utf-8", { fatal: true }).decode(src);
  const chars = Array.from(text);
  const results: string[] = [];
  for (let i = 0; i < chars.length; i += length) {
    const word = chars.slice(i, i + length);
    const printable = word.map((c) => c.codePointAt(0)! < 256 ? HEX_FILTER[c.codePointAt(0)!] : c).join("");
    const hexa = word.map((c) => c.codePointAt(0)!.toString(16).toUpperCase().padStart(2, "0")).join(" ");
    const hexwidth = length * 3;
    results.push(`${i.toString(16).padStart(4, "0")}  ${hexa.padEnd(hexwidth)}  ${printable}`);
  }
  if (show) {
    for (const line of results) print(line);
  } else {
    return results;
  }
}

async function receive_from(connection: socket.Socket): Promise<Uint8Array> {
  const buffer: Uint8Array[] = [];
  connection.settimeout(1);
  try {
    while (true) {
      const data = await connection.recv(4096);
      if (!data.length) break;
      buffer.push(data);
    }
  } catch (_e) {
    // pass
  }
  return bjoin(buffer);
}

function replace(buf: Uint8Array, from: Uint8Array, to: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < buf.length;) {
    if (from.every((x, j) => buf[i + j] === x)) {
      out.push(...to);
      i += from.length;
    } else out.push(buf[i++]!);
  }
  return new Uint8Array(out);
}

function request_handler(buffer: Uint8Array): Uint8Array {
  // perform packet modifications
  return replace(buffer, b("hunter2"), b("*******"));
}

function response_handler(buffer: Uint8Array): Uint8Array {
  // perform packet modifications
  return buffer;
}

async function proxy_handler(
  client_socket: socket.Socket,
  remote_host: string,
  remote_port: number,
  receive_first: boolean,
) {
  const remote_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  await remote_socket.connect([remote_host, remote_port]);

  let remote_buffer: Uint8Array = new Uint8Array();
  if (receive_first) {
    remote_buffer = await receive_from(remote_socket);
    hexdump(remote_buffer);
  }

  remote_buffer = response_handler(remote_buffer);
  if (remote_buffer.length) {
    print(`[<==] Sending ${remote_buffer.length} bytes to localhost.`);
    await client_socket.send(remote_buffer);
  }

  while (true) {
    let local_buffer = await receive_from(client_socket);
    if (local_buffer.length) {
      const line = `[==>]Received ${local_buffer.length} bytes from localhost.`;
      print(line);
      hexdump(local_buffer);

      local_buffer = request_handler(local_buffer);
      await remote_socket.send(local_buffer);
      print("[==>] Sent to remote.");
    }

    remote_buffer = await receive_from(remote_socket);
    if (remote_buffer.length) {
      print(`[<==] Received ${remote_buffer.length} bytes from remote.`);
      hexdump(remote_buffer);

      remote_buffer = response_handler(remote_buffer);
      await client_socket.send(remote_buffer);
      print("[<==] Sent to localhost.");
    }

    if (!local_buffer.length || !remote_buffer.length) {
      client_socket.close();
      remote_socket.close();
      print("[*] No more data. Closing connections.");
      break;
    }
  }
}

async function server_loop(
  server: socket.Socket,
  remote_host: string,
  remote_port: number,
  receive_first: boolean,
  connections: number,
) {
  print(`[*] Listening on ${server.getsockname()[0]}`);
  const threads = [];
  for (let i = 0; i < connections; i++) {
    const [client_socket, addr] = await server.accept();
    // print out the local connection information
    const line = `> Received incoming connection from ${addr[0]}`;
    print(line);
    // start a thread to talk to the remote host
    threads.push(proxy_handler(client_socket, remote_host, remote_port, receive_first));
  }
  await Promise.all(threads);
  server.close();
}

// ---- the remote: an FTP-like server that greets first ----
const remote = socket.socket();
remote.bind(["127.0.0.1", 0]);
remote.listen(1);
const remote_seen = new PyList<Uint8Array>();

const split = (line: Uint8Array) => new TextDecoder("latin1").decode(line).split(/[ \t\n\r\v\f]+/).filter((w) => w);

async function ftp_like() {
  const [conn] = await remote.accept();
  await conn.sendall(b("220 ProFTPD 1.3.5 Server (Debian) ready.\r\n"));
  const f = conn.makefile("rb");
  for await (const item of f) {
    const line = item as Uint8Array;
    remote_seen.push(line);
    const words = split(line);
    const cmd = words.length ? words[0]!.toUpperCase() : "";
    if (cmd === "USER") {
      await conn.sendall(b(`331 Password required for ${words[1]}\r\n`));
    } else if (cmd === "PASS") {
      await conn.sendall(b("230 User logged in.\r\n"));
    } else if (cmd === "QUIT") {
      await conn.sendall(b("221 Goodbye.\r\n"));
      break;
    } else {
      const stripped = new TextDecoder("latin1").decode(line).trim();
      await conn.sendall(
        bjoin([b("500 '"), Uint8Array.from(stripped, (c) => c.charCodeAt(0)), b("' not understood\r\n")]),
      );
    }
  }
  await f.close();
  conn.close();
}

const remote_thread = ftp_like();

// ---- the proxy ----
const server = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
try {
  server.bind(["127.0.0.1", 0]);
} catch (e) {
  print(`problem on bind: ${repr(e)}`);
  Deno.exit(0);
}
server.listen(5);
const proxy_thread = server_loop(server, "127.0.0.1", remote.getsockname()[1], true, 1);

// ---- the client (an FTP user) ----
const client_seen = new PyList<Uint8Array>();
const c = await socket.create_connection(server.getsockname());
const cf = c.makefile("rb");
client_seen.push(await cf.readline() as Uint8Array);
for (const cmd of [b("USER justin\r\n"), b("PASS hunter2\r\n"), b("SITE \\x\t~\x7f\r\n"), b("QUIT\r\n")]) {
  await c.sendall(cmd);
  client_seen.push(await cf.readline() as Uint8Array);
}
await cf.close();
c.close();
await proxy_thread;
await remote_thread;
remote.close();
print("client saw:", client_seen);
print("remote saw:", remote_seen);

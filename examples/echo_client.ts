/**
 * The echo client of Python's socket tutorial
 * (https://docs.python.org/3/library/socket.html#example), line for line.
 * Start `echo_server.ts` first.
 *
 * ```sh
 * deno run --allow-net examples/echo_client.ts                  # localhost 50007
 * deno run --allow-net examples/echo_client.ts 127.0.0.1 50007
 * ```
 *
 * The Python original:
 *
 * ```python
 * # Echo client program
 * import socket
 *
 * HOST = 'daring.cs.uiuc.edu'    # The remote host
 * PORT = 50007              # The same port as used by the server
 * with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
 *     s.connect((HOST, PORT))
 *     s.sendall(b'Hello, world')
 *     data = s.recv(1024)
 * print('Received', repr(data))
 * ```
 * @module
 */

// Echo client program
import * as socket from "@pysocket/socket";

const HOST = Deno.args[0] ?? "localhost"; // The remote host
const PORT = Number(Deno.args[1] ?? 50007); // The same port as used by the server
let data: Uint8Array;
{
  using s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  await s.connect([HOST, PORT]);
  await s.sendall(new TextEncoder().encode("Hello, world"));
  data = await s.recv(1024);
}
console.log("Received", repr(data));

/** Python's repr() of bytes, e.g. `b'Hello, world'`. */
function repr(b: Uint8Array): string {
  let out = "";
  for (const c of b) {
    if (c === 0x27 || c === 0x5c) out += "\\" + String.fromCharCode(c);
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x09) out += "\\t";
    else if (c >= 0x20 && c < 0x7f) out += String.fromCharCode(c);
    else out += "\\x" + c.toString(16).padStart(2, "0");
  }
  return `b'${out}'`;
}

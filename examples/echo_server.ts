/**
 * The echo server of Python's socket tutorial
 * (https://docs.python.org/3/library/socket.html#example), line for line.
 * It serves one client, echoes everything it sends, and exits when the
 * client closes. Pair it with `echo_client.ts`.
 *
 * ```sh
 * deno run --allow-net examples/echo_server.ts          # port 50007
 * deno run --allow-net examples/echo_server.ts 0        # any free port
 * deno run --allow-net=127.0.0.1 examples/echo_server.ts 0 127.0.0.1   # loopback only
 * ```
 *
 * The Python original:
 *
 * ```python
 * # Echo server program
 * import socket
 *
 * HOST = ''                 # Symbolic name meaning all available interfaces
 * PORT = 50007              # Arbitrary non-privileged port
 * with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
 *     s.bind((HOST, PORT))
 *     s.listen(1)
 *     conn, addr = s.accept()
 *     with conn:
 *         print('Connected by', addr)
 *         while True:
 *             data = conn.recv(1024)
 *             if not data: break
 *             conn.sendall(data)
 * ```
 * @module
 */

// Echo server program
import * as socket from "@pysocket/socket";

const HOST = Deno.args[1] ?? ""; // Symbolic name meaning all available interfaces
const PORT = Number(Deno.args[0] ?? 50007); // Arbitrary non-privileged port
{
  using s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  s.bind([HOST, PORT]);
  s.listen(1);
  // Not in the Python original: say where we listen (useful with port 0).
  console.log("Listening on", s.getsockname());
  const [conn, addr] = await s.accept();
  {
    using _conn = conn;
    console.log("Connected by", addr);
    while (true) {
      const data = await conn.recv(1024);
      if (!data.length) break;
      await conn.sendall(data);
    }
  }
}

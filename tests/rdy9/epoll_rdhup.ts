// The port of epoll_rdhup.py (a tutorial-style epoll echo server on a Unix socket: EPOLLRDHUP, a one-shot listener
// re-armed by modify()) by the README's rules: `await` where Python waits, `using` for `with`.
import * as socket from "../../mod.ts";
import * as select from "../../selectors.ts";

export async function serve(PATH: string, SERVE: number, ready: () => void): Promise<number[]> {
  const counts: number[] = []; // (test)

  const server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
  server.bind(PATH);
  server.listen(8);
  server.setblocking(false);
  ready(); // (test)

  const conns = new Map<number, socket.Socket>(), echoed = new Map<number, number>();
  let closed = 0;
  {
    using ep = select.epoll();
    ep.register(server.fileno(), select.EPOLLIN | select.EPOLLONESHOT);
    while (closed < SERVE) {
      for (const [fd, event] of await ep.poll(1)) {
        if (fd === server.fileno()) {
          const [conn] = await server.accept();
          conn.setblocking(false);
          ep.register(conn, select.EPOLLIN | select.EPOLLRDHUP);
          conns.set(conn.fileno(), conn);
          echoed.set(conn.fileno(), 0);
          ep.modify(server, select.EPOLLIN | select.EPOLLONESHOT);
        } else if (event & (select.EPOLLRDHUP | select.EPOLLHUP)) {
          ep.unregister(fd);
          conns.get(fd)!.close();
          conns.delete(fd);
          counts.push(echoed.get(fd)!); // (test)
          echoed.delete(fd);
          closed += 1;
        } else if (event & select.EPOLLIN) {
          const data = await conns.get(fd)!.recv(4096);
          await conns.get(fd)!.sendall(data);
          echoed.set(fd, echoed.get(fd)! + data.length);
        }
      }
    }
  }
  server.close();
  Deno.removeSync(PATH);
  return counts.sort((a, b) => a - b); // (test)
}

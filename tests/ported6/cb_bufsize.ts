// Port of cb_bufsize.py.
import * as socket from "../../mod.ts";
import { print } from "../ported/_py.ts";

const SEND_BUF_SIZE = 4096;
const RECV_BUF_SIZE = 4096;

function modify_buff_size() {
  const sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);

  // Get the size of the socket's send buffer
  let bufsize = sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF);
  print(`Buffer size [Before]:${bufsize}`);

  sock.setsockopt(socket.SOL_TCP, socket.TCP_NODELAY, 1);
  sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUF_SIZE);
  sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECV_BUF_SIZE);
  bufsize = sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF);
  print(`Buffer size [After]:${bufsize}`);
}

modify_buff_size();

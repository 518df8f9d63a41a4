// deno-lint-ignore-file require-await -- handlers keep asyncore's async shape; the loop awaits each one
// CPython 3.11's asyncore and asynchat (Lib/asyncore.py, Lib/asynchat.py), ported by the README's porting rules
// onto pysocket: the ported programs of this folder import it where the originals `import asyncore, asynchat`.
// Only what they use: dispatcher, dispatcher_with_send, async_chat, loop() with poll() (select) and poll2()
// (select.poll), readwrite(). Every handler that does I/O is async (the I/O is awaited). log_info() prints as
// Python's does ('warning' ignored).
import * as socket from "../../mod.ts";
import { poll as new_poll, POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI, select } from "../../selectors.ts";
import { bjoin, print, sleep } from "../ported/_py.ts";

const {
  EALREADY,
  EINPROGRESS,
  EWOULDBLOCK,
  ECONNRESET,
  ENOTCONN,
  ESHUTDOWN,
  ECONNABORTED,
  EPIPE,
  EBADF,
  EISCONN,
  EINVAL,
  EAGAIN,
} = socket.errno;
const _DISCONNECTED = new Set([ECONNRESET, ENOTCONN, ESHUTDOWN, ECONNABORTED, EPIPE, EBADF]);

export type SocketMap = Map<number, dispatcher>;
export const socket_map: SocketMap = new Map();

const errno_of = (e: unknown) => e instanceof socket.OSError ? e.errno : undefined;

async function read(obj: dispatcher) {
  try {
    await obj.handle_read_event();
  } catch (e) {
    await obj.handle_error(e);
  }
}
async function write(obj: dispatcher) {
  try {
    await obj.handle_write_event();
  } catch (e) {
    await obj.handle_error(e);
  }
}
async function _exception(obj: dispatcher) {
  try {
    await obj.handle_expt_event();
  } catch (e) {
    await obj.handle_error(e);
  }
}

export async function readwrite(obj: dispatcher, flags: number) {
  try {
    if (flags & POLLIN) await obj.handle_read_event();
    if (flags & POLLOUT) await obj.handle_write_event();
    if (flags & POLLPRI) await obj.handle_expt_event();
    if (flags & (POLLHUP | POLLERR | POLLNVAL)) await obj.handle_close();
  } catch (e) {
    if (e instanceof socket.OSError && !_DISCONNECTED.has(e.errno!)) await obj.handle_error(e);
    else if (e instanceof socket.OSError) await obj.handle_close();
    else await obj.handle_error(e);
  }
}

export async function poll(timeout = 0.0, map: SocketMap = socket_map) {
  if (map.size) {
    const r: number[] = [], w: number[] = [], e: number[] = [];
    for (const [fd, obj] of [...map]) {
      const is_r = obj.readable();
      const is_w = obj.writable();
      if (is_r) r.push(fd);
      if (is_w && !obj.accepting) w.push(fd);
      if (is_r || is_w) e.push(fd);
    }
    if (!r.length && !w.length && !e.length) {
      await sleep(timeout);
      return;
    }
    const [rr, ww, ee] = await select(r, w, e, timeout);
    for (const fd of rr) {
      const obj = map.get(fd);
      if (obj === undefined) continue;
      await read(obj);
    }
    for (const fd of ww) {
      const obj = map.get(fd);
      if (obj === undefined) continue;
      await write(obj);
    }
    for (const fd of ee) {
      const obj = map.get(fd);
      if (obj === undefined) continue;
      await _exception(obj);
    }
  }
}

export async function poll2(timeout: number | null = 0.0, map: SocketMap = socket_map) {
  if (timeout !== null) timeout = Math.trunc(timeout * 1000);
  const pollster = new_poll();
  if (map.size) {
    for (const [fd, obj] of [...map]) {
      let flags = 0;
      if (obj.readable()) flags |= POLLIN | POLLPRI;
      if (obj.writable() && !obj.accepting) flags |= POLLOUT;
      if (flags) pollster.register(fd, flags);
    }
    const r = await pollster.poll(timeout);
    for (const [fd, flags] of r) {
      const obj = map.get(fd);
      if (obj === undefined) continue;
      await readwrite(obj, flags);
    }
  }
}

export async function loop(
  timeout = 30.0,
  use_poll = false,
  map: SocketMap = socket_map,
  count: number | null = null,
) {
  const poll_fun = use_poll ? poll2 : poll;
  if (count === null) {
    while (map.size) await poll_fun(timeout, map);
  } else {
    while (map.size && count > 0) {
      await poll_fun(timeout, map);
      count -= 1;
    }
  }
}

export class dispatcher {
  connected = false;
  accepting = false;
  connecting = false;
  closing = false;
  addr: unknown = null;
  ignore_log_types = new Set(["warning"]);
  socket: socket.Socket | null = null;
  _map: SocketMap;
  _fileno: number | null = null;

  constructor(sock: socket.Socket | null = null, map: SocketMap | null = null) {
    this._map = map ?? socket_map;
    if (sock) {
      sock.setblocking(false);
      this.set_socket(sock, map);
      this.connected = true;
      try {
        this.addr = sock.getpeername();
      } catch (err) {
        if (errno_of(err) === ENOTCONN || errno_of(err) === EINVAL) this.connected = false;
        else {
          this.del_channel(map);
          throw err;
        }
      }
    }
  }

  add_channel(map: SocketMap | null = null) {
    (map ?? this._map).set(this._fileno!, this);
  }

  del_channel(map: SocketMap | null = null) {
    const m = map ?? this._map;
    const fd = this._fileno;
    if (fd !== null && m.has(fd)) m.delete(fd);
    this._fileno = null;
  }

  create_socket(family: number = socket.AF_INET, type: number = socket.SOCK_STREAM) {
    const sock = socket.socket(family, type);
    sock.setblocking(false);
    this.set_socket(sock);
  }

  set_socket(sock: socket.Socket, map: SocketMap | null = null) {
    this.socket = sock;
    this._fileno = sock.fileno();
    this.add_channel(map);
  }

  set_reuse_addr() {
    try {
      this.socket!.setsockopt(
        socket.SOL_SOCKET,
        socket.SO_REUSEADDR,
        (this.socket!.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR) as number) | 1,
      );
    } catch { /* as asyncore: OSError ignored */ }
  }

  readable(): boolean {
    return true;
  }
  writable(): boolean {
    return true;
  }

  listen(num: number) {
    this.accepting = true;
    return this.socket!.listen(num);
  }

  bind(addr: [string, number] | string) {
    this.addr = addr;
    return this.socket!.bind(addr);
  }

  async connect(address: [string, number]) {
    this.connected = false;
    this.connecting = true;
    const err = await this.socket!.connect_ex(address);
    if (err === EINPROGRESS || err === EALREADY || err === EWOULDBLOCK) {
      this.addr = address;
      return;
    }
    if (err === 0 || err === EISCONN) {
      this.addr = address;
      await this.handle_connect_event();
    } else throw new socket.OSError(err, socket.errorcode[err]!);
  }

  async accept(): Promise<[socket.Socket, unknown] | null> {
    try {
      return await this.socket!.accept();
    } catch (why) {
      const n = errno_of(why);
      if (n === EWOULDBLOCK || n === ECONNABORTED || n === EAGAIN) return null;
      throw why;
    }
  }

  async send(data: Uint8Array): Promise<number> {
    try {
      return await this.socket!.send(data);
    } catch (why) {
      const n = errno_of(why);
      if (n === EWOULDBLOCK) return 0;
      if (typeof n === "number" && _DISCONNECTED.has(n)) {
        await this.handle_close();
        return 0;
      }
      throw why;
    }
  }

  async recv(buffer_size: number): Promise<Uint8Array> {
    try {
      const data = await this.socket!.recv(buffer_size);
      if (!data.length) {
        await this.handle_close();
        return new Uint8Array();
      }
      return data;
    } catch (why) {
      const n = errno_of(why);
      if (typeof n === "number" && _DISCONNECTED.has(n)) {
        await this.handle_close();
        return new Uint8Array();
      }
      throw why;
    }
  }

  close() {
    this.connected = false;
    this.accepting = false;
    this.connecting = false;
    this.del_channel();
    if (this.socket !== null) {
      try {
        this.socket.close();
      } catch (why) {
        const n = errno_of(why);
        if (n !== ENOTCONN && n !== EBADF) throw why;
      }
    }
  }

  log_info(message: string, type = "info") {
    if (!this.ignore_log_types.has(type)) print(`${type}: ${message}`);
  }

  async handle_read_event() {
    if (this.accepting) await this.handle_accept();
    else if (!this.connected) {
      if (this.connecting) await this.handle_connect_event();
      await this.handle_read();
    } else await this.handle_read();
  }

  async handle_connect_event() {
    const err = this.socket!.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) as number;
    if (err !== 0) throw new socket.OSError(err, socket.strerror(err));
    await this.handle_connect();
    this.connected = true;
    this.connecting = false;
  }

  async handle_write_event() {
    if (this.accepting) return;
    if (!this.connected) {
      if (this.connecting) await this.handle_connect_event();
    }
    await this.handle_write();
  }

  async handle_expt_event() {
    const err = this.socket!.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) as number;
    if (err !== 0) await this.handle_close();
    else await this.handle_expt();
  }

  async handle_error(e: unknown) {
    this.log_info(`uncaptured python exception, closing channel (${String(e)})`, "error");
    await this.handle_close();
  }

  async handle_expt() {
    this.log_info("unhandled incoming priority event", "warning");
  }
  async handle_read() {
    this.log_info("unhandled read event", "warning");
  }
  async handle_write() {
    this.log_info("unhandled write event", "warning");
  }
  async handle_connect() {
    this.log_info("unhandled connect event", "warning");
  }
  async handle_accept() {
    const pair = await this.accept();
    if (pair !== null) await this.handle_accepted(pair[0], pair[1]);
  }
  async handle_accepted(sock: socket.Socket, _addr: unknown) {
    sock.close();
    this.log_info("unhandled accepted event", "warning");
  }
  async handle_close() {
    this.log_info("unhandled close event", "warning");
    this.close();
  }
}

export class dispatcher_with_send extends dispatcher {
  out_buffer: Uint8Array = new Uint8Array();

  async initiate_send() {
    const num_sent = await super.send(this.out_buffer.subarray(0, 65536));
    this.out_buffer = this.out_buffer.subarray(num_sent);
  }
  override async handle_write() {
    await this.initiate_send();
  }
  override writable(): boolean {
    return !this.connected || this.out_buffer.length > 0;
  }
  override async send(data: Uint8Array): Promise<number> {
    this.out_buffer = bjoin([this.out_buffer, data]);
    await this.initiate_send();
    return data.length;
  }
}

function find(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** asynchat.find_prefix_at_end. */
function find_prefix_at_end(haystack: Uint8Array, needle: Uint8Array): number {
  let l = needle.length - 1;
  const ends = (n: number) => {
    for (let k = 0; k < n; k++) if (haystack[haystack.length - n + k] !== needle[k]) return false;
    return haystack.length >= n;
  };
  while (l && !ends(l)) l -= 1;
  return l;
}

export type Terminator = Uint8Array | number | null;

export class async_chat extends dispatcher {
  ac_in_buffer_size = 65536;
  ac_out_buffer_size = 65536;
  ac_in_buffer: Uint8Array = new Uint8Array();
  incoming: Uint8Array[] = [];
  producer_fifo: (Uint8Array | null)[] = [];
  terminator: Terminator = null;

  collect_incoming_data(_data: Uint8Array) {
    throw new Error("must be implemented in subclass");
  }
  _collect_incoming_data(data: Uint8Array) {
    this.incoming.push(data);
  }
  _get_data(): Uint8Array {
    const d = bjoin(this.incoming);
    this.incoming = [];
    return d;
  }
  async found_terminator() {
    throw new Error("must be implemented in subclass");
  }
  set_terminator(term: Terminator) {
    if (typeof term === "number" && term < 0) throw new RangeError("the number of received bytes must be positive");
    this.terminator = term;
  }
  get_terminator(): Terminator {
    return this.terminator;
  }

  override async handle_read() {
    let data: Uint8Array;
    try {
      data = await this.recv(this.ac_in_buffer_size);
    } catch (e) {
      if (e instanceof socket.BlockingIOError) return;
      if (e instanceof socket.OSError) {
        await this.handle_error(e);
        return;
      }
      throw e;
    }
    this.ac_in_buffer = bjoin([this.ac_in_buffer, data]);
    while (this.ac_in_buffer.length) {
      const lb = this.ac_in_buffer.length;
      const terminator = this.get_terminator();
      if (!terminator) {
        this.collect_incoming_data(this.ac_in_buffer);
        this.ac_in_buffer = new Uint8Array();
      } else if (typeof terminator === "number") {
        const n = terminator;
        if (lb < n) {
          this.collect_incoming_data(this.ac_in_buffer);
          this.ac_in_buffer = new Uint8Array();
          this.terminator = (this.terminator as number) - lb;
        } else {
          this.collect_incoming_data(this.ac_in_buffer.subarray(0, n));
          this.ac_in_buffer = this.ac_in_buffer.subarray(n);
          this.terminator = 0;
          await this.found_terminator();
        }
      } else {
        const terminator_len = terminator.length;
        let index = find(this.ac_in_buffer, terminator);
        if (index !== -1) {
          if (index > 0) this.collect_incoming_data(this.ac_in_buffer.subarray(0, index));
          this.ac_in_buffer = this.ac_in_buffer.subarray(index + terminator_len);
          await this.found_terminator();
        } else {
          index = find_prefix_at_end(this.ac_in_buffer, terminator);
          if (index) {
            if (index !== lb) {
              this.collect_incoming_data(this.ac_in_buffer.subarray(0, lb - index));
              this.ac_in_buffer = this.ac_in_buffer.subarray(lb - index);
            }
            break;
          } else {
            this.collect_incoming_data(this.ac_in_buffer);
            this.ac_in_buffer = new Uint8Array();
          }
        }
      }
    }
  }

  override async handle_write() {
    await this.initiate_send();
  }
  override async handle_close() {
    this.close();
  }

  async push(data: Uint8Array) {
    const sabs = this.ac_out_buffer_size;
    if (data.length > sabs) {
      for (let i = 0; i < data.length; i += sabs) this.producer_fifo.push(data.subarray(i, i + sabs));
    } else this.producer_fifo.push(data);
    await this.initiate_send();
  }

  override readable(): boolean {
    return true;
  }
  override writable(): boolean {
    return this.producer_fifo.length > 0 || !this.connected;
  }
  close_when_done() {
    this.producer_fifo.push(null);
  }

  async initiate_send() {
    while (this.producer_fifo.length && this.connected) {
      const first = this.producer_fifo[0]!;
      if (first === null || !first.length) {
        this.producer_fifo.shift();
        if (first === null) {
          await this.handle_close();
          return;
        }
        return; // as Python: an empty entry is dropped (its send of b'' sends nothing)
      }
      const obs = this.ac_out_buffer_size;
      const data = first.subarray(0, obs);
      let num_sent: number;
      try {
        num_sent = await this.send(data);
      } catch (e) {
        if (e instanceof socket.OSError) {
          await this.handle_error(e);
          return;
        }
        throw e;
      }
      if (num_sent) {
        if (num_sent < data.length || obs < first.length) this.producer_fifo[0] = first.subarray(num_sent);
        else this.producer_fifo.shift();
      }
      return;
    }
  }
}

// Port of rp_app_client.py (selector data is the Message; json, dict repr and struct are ./_rp.ts; the
// selector's data= is { data }; a KeyboardInterrupt cannot come).
import * as socket from "../../mod.ts";
import { DefaultSelector, EVENT_READ, EVENT_WRITE } from "../../selectors.ts";
import { b, bjoin, print, repr } from "../ported/_py.ts";
import { dumps, exc_repr, type Json, loads, pack_H, pyrepr, RuntimeError, unpack_H } from "./_rp.ts";

const sel = new DefaultSelector<Message>();

interface Content {
  content_bytes: Uint8Array;
  content_type: string;
  content_encoding: string;
}
interface Request {
  type: string;
  encoding: string;
  content: Json | Uint8Array;
}
type JsonHeader = Record<string, Json>;

class Message {
  _recv_buffer: Uint8Array = new Uint8Array();
  _send_buffer: Uint8Array = new Uint8Array();
  _request_queued = false;
  _jsonheader_len: number | null = null;
  jsonheader: JsonHeader | null = null;
  response: Json | Uint8Array | null = null;
  sock: socket.Socket | null;

  constructor(
    public selector: DefaultSelector<Message>,
    sock: socket.Socket,
    public addr: [string, number],
    public request: Request,
  ) {
    this.sock = sock;
  }

  _set_selector_events_mask(mode: string) {
    let events: number;
    if (mode === "r") events = EVENT_READ;
    else if (mode === "w") events = EVENT_WRITE;
    else if (mode === "rw") events = EVENT_READ | EVENT_WRITE;
    else throw new RangeError(`Invalid events mask mode ${repr(mode)}.`);
    this.selector.modify(this.sock!, events, { data: this });
  }

  async _read() {
    let data: Uint8Array;
    try {
      data = await this.sock!.recv(4096);
    } catch (e) {
      if (e instanceof socket.BlockingIOError) return;
      throw e;
    }
    if (data.length) this._recv_buffer = bjoin([this._recv_buffer, data]);
    else throw new RuntimeError("Peer closed.");
  }

  async _write() {
    if (this._send_buffer.length) {
      print(`Sending ${repr(this._send_buffer)} to ${repr(this.addr)}`);
      let sent: number;
      try {
        sent = await this.sock!.send(this._send_buffer);
      } catch (e) {
        if (e instanceof socket.BlockingIOError) return;
        throw e;
      }
      this._send_buffer = this._send_buffer.subarray(sent);
    }
  }

  _json_encode(obj: Json, _encoding: string): Uint8Array {
    return b(dumps(obj));
  }

  _json_decode(json_bytes: Uint8Array, encoding: string): Json {
    return loads(json_bytes, encoding);
  }

  _create_message({ content_bytes, content_type, content_encoding }: Content): Uint8Array {
    const jsonheader: Record<string, Json> = {
      "byteorder": "little",
      "content-type": content_type,
      "content-encoding": content_encoding,
      "content-length": content_bytes.length,
    };
    if (content_type === "text/x-broken") delete jsonheader["content-type"];
    const jsonheader_bytes = this._json_encode(jsonheader, "utf-8");
    const message_hdr = pack_H(jsonheader_bytes.length);
    return bjoin([message_hdr, jsonheader_bytes, content_bytes]);
  }

  _process_response_json_content() {
    const content = this.response as Record<string, Json>;
    const result = content["result"];
    print(`Got result: ${result}`);
  }

  _process_response_binary_content() {
    const content = this.response as Uint8Array;
    print(`Got response: ${repr(content)}`);
  }

  async process_events(mask: number) {
    if (mask & EVENT_READ) await this.read();
    if (mask & EVENT_WRITE) await this.write();
  }

  async read() {
    await this._read();
    if (this._jsonheader_len === null) this.process_protoheader();
    if (this._jsonheader_len !== null) {
      if (this.jsonheader === null) this.process_jsonheader();
    }
    if (this.jsonheader) {
      if (this.response === null) this.process_response();
    }
  }

  async write() {
    if (!this._request_queued) this.queue_request();
    await this._write();
    if (this._request_queued) {
      if (!this._send_buffer.length) this._set_selector_events_mask("r");
    }
  }

  close() {
    print(`Closing connection to ${repr(this.addr)}`);
    try {
      this.selector.unregister(this.sock!);
    } catch (e) {
      print(`Error: selector.unregister() exception for ${repr(this.addr)}: ${exc_repr(e)}`);
    }
    try {
      this.sock!.close();
    } catch (e) {
      if (!(e instanceof socket.OSError)) throw e;
      print(`Error: socket.close() exception for ${repr(this.addr)}: ${exc_repr(e)}`);
    } finally {
      this.sock = null;
    }
  }

  queue_request() {
    const content = this.request.content;
    const content_type = this.request.type;
    const content_encoding = this.request.encoding;
    const req: Content = content_type === "text/json"
      ? { content_bytes: this._json_encode(content as Json, content_encoding), content_type, content_encoding }
      : { content_bytes: content as Uint8Array, content_type, content_encoding };
    const message = this._create_message(req);
    this._send_buffer = bjoin([this._send_buffer, message]);
    this._request_queued = true;
  }

  process_protoheader() {
    const hdrlen = 2;
    if (this._recv_buffer.length >= hdrlen) {
      this._jsonheader_len = unpack_H(this._recv_buffer);
      this._recv_buffer = this._recv_buffer.subarray(hdrlen);
    }
  }

  process_jsonheader() {
    const hdrlen = this._jsonheader_len!;
    if (this._recv_buffer.length >= hdrlen) {
      this.jsonheader = this._json_decode(this._recv_buffer.subarray(0, hdrlen), "utf-8") as JsonHeader;
      this._recv_buffer = this._recv_buffer.subarray(hdrlen);
      for (const reqhdr of ["byteorder", "content-length", "content-type", "content-encoding"]) {
        if (!(reqhdr in this.jsonheader)) throw new RangeError(`Missing required header '${reqhdr}'.`);
      }
    }
  }

  process_response() {
    const content_len = this.jsonheader!["content-length"] as number;
    if (!(this._recv_buffer.length >= content_len)) return;
    const data = this._recv_buffer.subarray(0, content_len);
    this._recv_buffer = this._recv_buffer.subarray(content_len);
    if (this.jsonheader!["content-type"] === "text/json") {
      const encoding = this.jsonheader!["content-encoding"] as string;
      this.response = this._json_decode(data, encoding);
      print(`Received response ${pyrepr(this.response)} from ${repr(this.addr)}`);
      this._process_response_json_content();
    } else {
      this.response = data;
      print(`Received ${this.jsonheader!["content-type"]} response from ${repr(this.addr)}`);
      this._process_response_binary_content();
    }
    this.close();
  }
}

function create_request(action: string, value: string): Request {
  if (action === "search") return { type: "text/json", encoding: "utf-8", content: { action, value } };
  if (action === "json") return { type: "text/json", encoding: "utf-8", content: { action: value, value: "" } };
  if (action === "broken") return { type: "text/x-broken", encoding: "binary", content: b(value) };
  return { type: "binary/custom-client-binary-type", encoding: "binary", content: b(action + value) };
}

async function start_connection(host: string, port: number, request: Request) {
  const addr: [string, number] = [host, port];
  print(`Starting connection to ${repr(addr)}`);
  const sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  sock.setblocking(false);
  const err = await sock.connect_ex(addr);
  print("connect_ex:", err === 0 || err === 115);
  const events = EVENT_READ | EVENT_WRITE;
  const message = new Message(sel, sock, addr, request);
  sel.register(sock, events, { data: message });
}

async function hangup(host: string, port: number) {
  using s = await socket.create_connection([host, port], { timeout: 20 });
  await s.sendall(new Uint8Array([0]));
  await s.shutdown(socket.SHUT_WR);
  print("hangup: sent 1 byte, read", await s.recv(1024), "after shutdown(SHUT_WR)");
}

const host = "127.0.0.1", port = Number(Deno.args[0]);
for (
  const [action, value] of [
    ["search", "morpheus"],
    ["search", "ring"],
    ["search", "\u{1f436}"],
    ["search", "neo"],
    ["double", "hello world"],
    ["json", "dance"],
    ["broken", "abc"],
    ["hangup", ""],
  ] as [string, string][]
) {
  if (action === "hangup") {
    await hangup(host, port);
    continue;
  }
  await start_connection(host, port, create_request(action, value));
  let i = 0;
  for (; i < 100; i++) {
    const events = await sel.select(5);
    for (const [key, mask] of events) {
      const message = key.data!;
      try {
        await message.process_events(mask);
      } catch (e) {
        print(`Main: Error: Exception for ${repr(message.addr)}: ${exc_repr(e)}`);
        message.close();
      }
    }
    if (!sel.get_map()!.size) break;
  }
  if (i === 100) print("loop limit reached");
}
sel.close();

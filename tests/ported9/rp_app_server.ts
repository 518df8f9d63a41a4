// Port of rp_app_server.py (selector data is the Message; Python's dicts are objects; json.dumps/load, dict
// repr and struct are ./_rp.ts; a KeyboardInterrupt cannot come, so only the finally stays).
import * as socket from "../../mod.ts";
import { DefaultSelector, EVENT_READ, EVENT_WRITE } from "../../selectors.ts";
import { b, bjoin, print, repr } from "../ported/_py.ts";
import { dumps, exc_repr, type Json, loads, pack_H, pyrepr, RuntimeError, unpack_H } from "./_rp.ts";

const request_search: Record<string, string> = {
  "morpheus": "Follow the white rabbit. \u{1f430}",
  "ring": "In the caves beneath the Misty Mountains. \u{1f48d}",
  "\u{1f436}": "\u{1f43e} Playing ball! \u{1f3d0}",
};

interface Content {
  content_bytes: Uint8Array;
  content_type: string;
  content_encoding: string;
}

type JsonHeader = Record<string, Json>;

class Message {
  _recv_buffer: Uint8Array = new Uint8Array();
  _send_buffer: Uint8Array = new Uint8Array();
  _jsonheader_len: number | null = null;
  jsonheader: JsonHeader | null = null;
  request: Record<string, Json> | Uint8Array | null = null;
  response_created = false;
  sock: socket.Socket | null;

  constructor(public selector: DefaultSelector<Message | null>, sock: socket.Socket, public addr: string) {
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
      print(`Sending ${repr(this._send_buffer)} to ${this.addr}`);
      let sent: number;
      try {
        sent = await this.sock!.send(this._send_buffer);
      } catch (e) {
        if (e instanceof socket.BlockingIOError) return;
        throw e;
      }
      this._send_buffer = this._send_buffer.subarray(sent);
      if (sent && !this._send_buffer.length) this.close();
    }
  }

  _json_encode(obj: Json, _encoding: string): Uint8Array {
    return b(dumps(obj));
  }

  _json_decode(json_bytes: Uint8Array, encoding: string): Json {
    return loads(json_bytes, encoding);
  }

  _create_message({ content_bytes, content_type, content_encoding }: Content): Uint8Array {
    const jsonheader = {
      "byteorder": "little",
      "content-type": content_type,
      "content-encoding": content_encoding,
      "content-length": content_bytes.length,
    };
    const jsonheader_bytes = this._json_encode(jsonheader, "utf-8");
    const message_hdr = pack_H(jsonheader_bytes.length);
    return bjoin([message_hdr, jsonheader_bytes, content_bytes]);
  }

  _create_response_json_content(): Content {
    const request = this.request as Record<string, Json>;
    const action = request["action"];
    let content: Json;
    if (action === "search") {
      const query = request["value"] as string;
      const answer = request_search[query] || `No match for '${query}'.`;
      content = { "result": answer };
    } else content = { "result": `Error: invalid action '${action}'.` };
    const content_encoding = "utf-8";
    return {
      content_bytes: this._json_encode(content, content_encoding),
      content_type: "text/json",
      content_encoding,
    };
  }

  _create_response_binary_content(): Content {
    return {
      content_bytes: bjoin([b("First 10 bytes of request: "), (this.request as Uint8Array).subarray(0, 10)]),
      content_type: "binary/custom-server-binary-type",
      content_encoding: "binary",
    };
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
      if (this.request === null) this.process_request();
    }
  }

  async write() {
    if (this.request) {
      if (!this.response_created) this.create_response();
    }
    await this._write();
  }

  close() {
    closed += 1;
    print(`Closing connection to ${this.addr}`);
    try {
      this.selector.unregister(this.sock!);
    } catch (e) {
      print(`Error: selector.unregister() exception for ${this.addr}: ${exc_repr(e)}`);
    }
    try {
      this.sock!.close();
    } catch (e) {
      if (!(e instanceof socket.OSError)) throw e;
      print(`Error: socket.close() exception for ${this.addr}: ${exc_repr(e)}`);
    } finally {
      this.sock = null;
    }
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

  process_request() {
    const content_len = this.jsonheader!["content-length"] as number;
    if (!(this._recv_buffer.length >= content_len)) return;
    const data = this._recv_buffer.subarray(0, content_len);
    this._recv_buffer = this._recv_buffer.subarray(content_len);
    if (this.jsonheader!["content-type"] === "text/json") {
      const encoding = this.jsonheader!["content-encoding"] as string;
      this.request = this._json_decode(data, encoding) as Record<string, Json>;
      print(`Received request ${pyrepr(this.request)} from ${this.addr}`);
    } else {
      this.request = data;
      print(`Received ${this.jsonheader!["content-type"]} request from ${this.addr}`);
    }
    this._set_selector_events_mask("w");
  }

  create_response() {
    const response = this.jsonheader!["content-type"] === "text/json"
      ? this._create_response_json_content()
      : this._create_response_binary_content();
    const message = this._create_message(response);
    this.response_created = true;
    this._send_buffer = bjoin([this._send_buffer, message]);
  }
}

const sel = new DefaultSelector<Message | null>();
let accepted = 0;
let closed = 0;

async function accept_wrapper(sock: socket.Socket) {
  const [conn] = await sock.accept();
  accepted += 1;
  print(`Accepted connection from conn#${accepted}`);
  conn.setblocking(false);
  const message = new Message(sel, conn, `conn#${accepted}`);
  sel.register(conn, EVENT_READ, { data: message });
}

const host = "127.0.0.1", port = Number(Deno.args[0]), count = Deno.args.length > 1 ? Number(Deno.args[1]) : 8;
const lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
lsock.bind([host, port]);
lsock.listen();
print(`Listening on ${host} ${(lsock.getsockname() as [string, number])[1]}`);
lsock.setblocking(false);
sel.register(lsock, EVENT_READ, { data: null });

try {
  for (let i = 0; i < 10000; i++) {
    if (closed >= count) break;
    const events = await sel.select(30);
    if (!events.length) {
      print("idle for 30 s");
      break;
    }
    for (const [key, mask] of events) {
      if (key.data === null) await accept_wrapper(key.fileobj as socket.Socket);
      else {
        const message = key.data;
        try {
          await message.process_events(mask);
        } catch (e) {
          print(`Main: Error: Exception for ${message.addr}: ${exc_repr(e)}`);
          message.close();
        }
      }
    }
  }
} finally {
  sel.close();
  lsock.close();
}
print("served", accepted, "connections");

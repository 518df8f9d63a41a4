// Port of cb_mp_client.py. multiprocessing.connection has no port: its Client is written here on pysocket with
// the same wire format (send_bytes: a '!i' length then the bytes; recv_bytes raises EOFError at the end) and
// handshake (answer_challenge, then deliver_challenge: '#CHALLENGE#' + 20 random bytes, an hmac-md5 digest,
// '#WELCOME#' or '#FAILURE#'), so it talks to CPython's Listener. tempfile.gettempdir() is $TMPDIR or /tmp.
import { createHmac } from "node:crypto";
import * as socket from "../../mod.ts";
import { b, beq, bjoin, print } from "../ported/_py.ts";

class EOFError extends Error {}
class AuthenticationError extends Error {
  override name = "AuthenticationError";
}

const CHALLENGE = b("#CHALLENGE#");
const WELCOME = b("#WELCOME#");
const FAILURE = b("#FAILURE#");

class Connection {
  constructor(private sock: socket.Socket) {}

  async #recvall(n: number) {
    const chunks: Uint8Array[] = [];
    let got = 0;
    while (got < n) {
      const more = await this.sock.recv(Math.min(n - got, 1 << 20));
      if (!more.length) throw new EOFError();
      chunks.push(more);
      got += more.length;
    }
    return bjoin(chunks);
  }

  async send_bytes(data: Uint8Array) {
    const head = new Uint8Array(4);
    new DataView(head.buffer).setInt32(0, data.length);
    await this.sock.sendall(data.length < 16384 ? bjoin([head, data]) : head);
    if (data.length >= 16384) await this.sock.sendall(data);
  }

  async recv_bytes(maxlength = -1) {
    const head = await this.#recvall(4);
    const size = new DataView(head.buffer, head.byteOffset, 4).getInt32(0);
    if (maxlength >= 0 && size > maxlength) throw new Error("bad message length");
    return await this.#recvall(size);
  }

  close() {
    this.sock.close();
  }
}

const hmac_md5 = (key: Uint8Array, msg: Uint8Array) => new Uint8Array(createHmac("md5", key).update(msg).digest());

async function deliver_challenge(connection: Connection, authkey: Uint8Array) {
  const message = crypto.getRandomValues(new Uint8Array(20));
  await connection.send_bytes(bjoin([CHALLENGE, message]));
  const digest = hmac_md5(authkey, message);
  const response = await connection.recv_bytes(256); // reject large message
  if (beq(response, digest)) {
    await connection.send_bytes(WELCOME);
  } else {
    await connection.send_bytes(FAILURE);
    throw new AuthenticationError("digest received was wrong");
  }
}

async function answer_challenge(connection: Connection, authkey: Uint8Array) {
  let message = await connection.recv_bytes(256); // reject large message
  if (!beq(message.subarray(0, CHALLENGE.length), CHALLENGE)) throw new Error("AssertionError");
  message = message.subarray(CHALLENGE.length);
  await connection.send_bytes(hmac_md5(authkey, message));
  const response = await connection.recv_bytes(256); // reject large message
  if (!beq(response, WELCOME)) throw new AuthenticationError("digest sent was rejected");
}

async function Client(address: socket.Address, { authkey }: { authkey: Uint8Array }) {
  const family = typeof address === "string" ? socket.AF_UNIX : socket.AF_INET;
  const s = socket.socket(family, socket.SOCK_STREAM);
  await s.connect(address);
  const c = new Connection(s);
  try {
    await answer_challenge(c, authkey);
    await deliver_challenge(c, authkey);
  } catch (e) {
    c.close(); // CPython: the connection's last reference goes with the exception (README rule 6)
    throw e;
  }
  return c;
}

const port = Number(Deno.args[0]);
const path = `${Deno.env.get("TMPDIR") ?? "/tmp"}/cb_mp_${port}.sock`;
const big = bjoin(Array.from({ length: 4096 }, () => Uint8Array.from({ length: 256 }, (_, i) => i)));
for (const [name, address] of [["tcp", ["127.0.0.1", port]], ["unix", path]] as [string, socket.Address][]) {
  let c = await Client(address, { authkey: b("peekaboo") });
  for (const msg of [b("hello"), b(""), big]) {
    await c.send_bytes(msg);
    const back = await c.recv_bytes();
    print(name, back.length, beq(back, msg), back.subarray(0, 8));
  }
  c.close();
  try {
    c = await Client(address, { authkey: b("guess") });
    print(name, "wrong key accepted");
    c.close();
  } catch (e) {
    if (!(e instanceof AuthenticationError)) throw e;
    print(name, "AuthenticationError:", e.message);
  }
}

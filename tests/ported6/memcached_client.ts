// Port of memcached_client.py (Python ints that pass 2**53 are bigint; a dict prints through pydict()).
import * as socket from "../../mod.ts";
import type { SocketFile } from "../../mod.ts";
import { beq, bjoin, print, PyList, repr } from "../ported/_py.ts";

class MemcacheError extends Error {
  override name = "MemcacheError";
}
class MemcacheClientError extends MemcacheError {
  override name = "MemcacheClientError";
}
class MemcacheServerError extends MemcacheError {
  override name = "MemcacheServerError";
}
class MemcacheUnknownCommandError extends MemcacheClientError {
  override name = "MemcacheUnknownCommandError";
}

const enc = new TextEncoder();
const dec = new TextDecoder("latin1");
const B = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const S = (b: Uint8Array) => dec.decode(b);

type Value = [Uint8Array, number] | [Uint8Array, number, number];

/** repr() of a dict of str keys. */
const pydict = (d: Map<string, unknown>) => `{${[...d].map(([k, v]) => `${repr(k)}: ${repr(v)}`).join(", ")}}`;

class Client {
  sock!: socket.Socket;
  file!: SocketFile;

  static async make(server: [string, number], timeout = 10): Promise<Client> {
    const c = new Client();
    c.sock = await socket.create_connection(server, { timeout });
    c.file = c.sock.makefile("rwb");
    return c;
  }

  _check_key(key: string | Uint8Array): Uint8Array {
    const k = typeof key === "string" ? B(key) : key;
    if (k.length > 250) throw new MemcacheClientError(`Key is too long: ${repr(k.slice(0, 10))}...`);
    if (k.some((c) => c <= 32 || c === 127)) {
      throw new MemcacheClientError(`Key contains whitespace or control characters: ${repr(k)}`);
    }
    return k;
  }

  async _readline(): Promise<Uint8Array> {
    let line = await this.file.readline() as Uint8Array;
    if (!S(line).endsWith("\r\n")) {
      throw new MemcacheError(`connection closed in the middle of a line: ${repr(line)}`);
    }
    line = line.slice(0, -2);
    const t = S(line);
    if (t === "ERROR") throw new MemcacheUnknownCommandError(repr(line));
    if (t.startsWith("CLIENT_ERROR")) throw new MemcacheClientError(new TextDecoder().decode(line.slice(13)));
    if (t.startsWith("SERVER_ERROR")) throw new MemcacheServerError(new TextDecoder().decode(line.slice(13)));
    return line;
  }

  async _send(data: Uint8Array) {
    await this.file.write(data);
    await this.file.flush();
  }

  async _store(
    cmd: string,
    key: string,
    value: string | Uint8Array,
    { flags = 0, expire = 0, noreply = false, cas = null as number | null } = {},
  ): Promise<Uint8Array | true> {
    const k = this._check_key(key);
    const v = typeof value === "string" ? enc.encode(value) : value;
    let extra = cas !== null ? ` ${cas}` : "";
    extra += noreply ? " noreply" : "";
    await this._send(bjoin([B(`${cmd} ${S(k)} ${flags} ${expire} ${v.length}${extra}\r\n`), v, B("\r\n")]));
    if (noreply) return true;
    return await this._readline();
  }

  set(key: string, value: string | Uint8Array, kw = {}) {
    return this._store("set", key, value, kw);
  }
  add(key: string, value: string | Uint8Array, kw = {}) {
    return this._store("add", key, value, kw);
  }
  replace(key: string, value: string | Uint8Array, kw = {}) {
    return this._store("replace", key, value, kw);
  }
  append(key: string, value: string | Uint8Array, kw = {}) {
    return this._store("append", key, value, kw);
  }
  prepend(key: string, value: string | Uint8Array, kw = {}) {
    return this._store("prepend", key, value, kw);
  }
  cas(key: string, value: string | Uint8Array, cas: number, kw = {}) {
    return this._store("cas", key, value, { ...kw, cas });
  }

  async _fetch(cmd: string, keys: string[]): Promise<Map<string, Value>> {
    const ks = keys.map((k) => this._check_key(k));
    await this._send(B(cmd + " " + ks.map(S).join(" ") + "\r\n"));
    const out = new Map<string, Value>();
    while (true) {
      const line = await this._readline();
      if (S(line) === "END") return out;
      const parts = S(line).split(/\s+/);
      const [key, flags, size] = [parts[1]!, Number(parts[2]), Number(parts[3])];
      const value = (await this.file.read(size + 2) as Uint8Array).slice(0, -2);
      out.set(key, cmd === "gets" ? [value, flags, Number(parts[4])] : [value, flags]);
    }
  }

  async get(key: string) {
    return (await this._fetch("get", [key])).get(key) ?? null;
  }
  get_many(keys: string[]) {
    return this._fetch("get", keys);
  }
  async gets(key: string) {
    return (await this._fetch("gets", [key])).get(key) ?? null;
  }

  async delete(key: string, noreply = false) {
    await this._send(B(`delete ${S(this._check_key(key))}${noreply ? " noreply" : ""}\r\n`));
    return noreply ? true : await this._readline();
  }

  async incr(key: string, delta: number | bigint) {
    await this._send(B(`incr ${S(this._check_key(key))} ${delta}\r\n`));
    const line = await this._readline();
    return S(line) === "NOT_FOUND" ? null : BigInt(S(line));
  }

  async decr(key: string, delta: number | bigint) {
    await this._send(B(`decr ${S(this._check_key(key))} ${delta}\r\n`));
    const line = await this._readline();
    return S(line) === "NOT_FOUND" ? null : BigInt(S(line));
  }

  async touch(key: string, expire = 0) {
    await this._send(B(`touch ${S(this._check_key(key))} ${expire}\r\n`));
    return await this._readline();
  }

  async stats(): Promise<Map<string, number>> {
    await this._send(B("stats\r\n"));
    const out = new Map<string, number>();
    while (true) {
      const line = await this._readline();
      if (S(line) === "END") return out;
      const [, name, value] = S(line).split(/\s+/);
      out.set(name!, Number(value));
    }
  }

  async version() {
    await this._send(B("version\r\n"));
    return B(S(await this._readline()).split(/\s+/)[1]!);
  }

  async flush_all() {
    await this._send(B("flush_all\r\n"));
    return await this._readline();
  }

  async raw(data: Uint8Array) {
    await this._send(data);
    return await this._readline();
  }

  async close() {
    await this._send(B("quit\r\n"));
    const rest = await this.file.read() as Uint8Array;
    await this.file.close();
    this.sock.close();
    return rest;
  }
}

async function show(label: string, call: () => Promise<unknown>) {
  try {
    const r = await call();
    print(label, "->", r instanceof Map ? pydict(r) : repr(r));
  } catch (e) {
    if (!(e instanceof MemcacheError)) throw e;
    print(label, "->", e.name, e.message);
  }
}

const sorted_items = <V>(m: Map<string, V>) =>
  PyList.from([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) as PyList<[string, V]>;

const server: [string, number] = ["127.0.0.1", Number(Deno.args[0])];
const mc = await Client.make(server);
print("version", await mc.version());
await show("set greeting", () => mc.set("greeting", "hello world", { flags: 5 }));
await show("get greeting", () => mc.get("greeting"));
await show("get missing", () => mc.get("missing"));
await show("add greeting", () => mc.add("greeting", "again"));
await show("add fresh", () => mc.add("fresh", B("new")));
await show("replace nothing", () => mc.replace("nothing", "x"));
await show("replace fresh", () => mc.replace("fresh", "newer"));
await show("append", () => mc.append("greeting", "!!"));
await show("prepend", () => mc.prepend("greeting", ">> "));
await show("get_many", () => mc.get_many(["greeting", "fresh", "missing"]));
const binary = bjoin([Uint8Array.from({ length: 256 }, (_, i) => i), B("\r\nEND\r\n")]);
await show("set binary", () => mc.set("bin", binary));
await show("binary back", async () => beq((await mc.get("bin"))![0], binary));
const big = B(Array.from({ length: 30000 }, (_, i) => String(i).padStart(6, "0") + ",").join(""));
await show("set 210 KB", () => mc.set("big", big));
await show("big back", async () => [(await mc.get("big"))![0].length, beq((await mc.get("big"))![0], big)]);
await show("too large", () => mc.set("huge", new Uint8Array(1024 * 1024 + 1).fill(0x78)));
await show("expired at once", () => mc.set("gone", "x", { expire: -1 }));
await show("get gone", () => mc.get("gone"));
await show("counter", () => mc.set("n", "10"));
await show("incr 5", () => mc.incr("n", 5));
await show("decr 100", () => mc.decr("n", 100));
await show("incr wraps", () => mc.incr("n", 2n ** 64n - 1n));
await show("incr missing", () => mc.incr("nope", 1));
await show("incr text", () => mc.incr("greeting", 1));
const [, , unique] = (await mc.gets("fresh"))! as [Uint8Array, number, number];
const other = await Client.make(server);
await show("cas by the other client", () => other.cas("fresh", "theirs", unique));
await show("cas with a stale id", () => mc.cas("fresh", "mine", unique));
await show("gets again", async () => (await mc.gets("fresh"))!.slice(0, 2));
await show("cas missing", () => mc.cas("absent", "x", 1));
for (let i = 0; i < 50; i++) await mc.set(`k${String(i).padStart(2, "0")}`, `v${i}`, { noreply: true });
await mc.delete("k07", true);
await show("after 50 noreply sets", async () => sorted_items(await mc.get_many(["k00", "k07", "k49"])));
await show("delete", () => mc.delete("k00"));
await show("delete again", () => mc.delete("k00"));
await show("touch", () => mc.touch("k01", 100));
await show("touch missing", () => mc.touch("k00"));
await show("long key", () => mc.set("k".repeat(251), "x"));
await show("key with a space", () => mc.get("two words"));
await show("unknown command", () => mc.raw(B("frobnicate\r\n")));
await show("bad format", () => mc.raw(B("set k abc 0 1\r\nx\r\n")));
await show("stats", async () => sorted_items(await mc.stats()));
await show("flush_all", () => mc.flush_all());
await show("greeting after flush", () => mc.get("greeting"));
print("other quits:", await other.close());
await show("bad chunk", () => mc.raw(B("set k 0 0 3\r\nabcdef\r\n")));
print("after bad chunk:", await mc.file.read());
await mc.file.close();
mc.sock.close();
const last = await Client.make(server);
await show("shutdown", () => last.raw(B("shutdown\r\n")));
print("after shutdown:", await last.file.read());
await last.file.close();
last.sock.close();

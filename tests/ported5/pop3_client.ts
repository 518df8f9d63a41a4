// Port of pop3_client.py (poplib's methods as written; error_proto carries the response bytes, and its str()
// is their repr, as Python's str() of an exception with one bytes argument).
import * as socket from "../../mod.ts";
import { b, beq, decode, kw, print, repr, str } from "../ported/_py.ts";

const CRLF = b("\r\n");

class error_proto extends Error {
  constructor(public arg: Uint8Array | string) {
    super(typeof arg === "string" ? arg : repr(arg));
  }
}

const split = (x: Uint8Array) => decode(x).split(/\s+/).filter((w) => w);

class POP3 {
  sock!: socket.Socket;
  file!: socket.SocketFile;
  welcome!: Uint8Array;

  static async open(host: string, port: number) {
    const self = new POP3();
    self.sock = await socket.create_connection([host, port], 10);
    self.file = self.sock.makefile("rb");
    self.welcome = await self._getresp();
    return self;
  }

  async _putcmd(line: string) {
    await this.sock.sendall(new Uint8Array([...b(line), ...CRLF]));
  }

  async _getline(): Promise<[Uint8Array, number]> {
    const line = await this.file.readline(2048 + 1) as Uint8Array;
    if (!line.length) throw new error_proto("-ERR EOF");
    const octets = line.length;
    if (beq(line.subarray(-2), CRLF)) return [line.subarray(0, -2), octets];
    return [line.subarray(0, -1), octets];
  }

  async _getresp() {
    const [resp] = await this._getline();
    if (resp[0] !== 0x2b) throw new error_proto(resp);
    return resp;
  }

  async _getlongresp(): Promise<[Uint8Array, Uint8Array[], number]> {
    const resp = await this._getresp();
    const lines: Uint8Array[] = [];
    let octets = 0;
    let [line, o] = await this._getline();
    while (!beq(line, b("."))) {
      if (line[0] === 0x2e && line[1] === 0x2e) {
        o = o - 1;
        line = line.subarray(1);
      }
      octets = octets + o;
      lines.push(line);
      [line, o] = await this._getline();
    }
    return [resp, lines, octets];
  }

  async _shortcmd(line: string) {
    await this._putcmd(line);
    return await this._getresp();
  }

  async _longcmd(line: string) {
    await this._putcmd(line);
    return await this._getlongresp();
  }

  user(user: string) {
    return this._shortcmd(`USER ${user}`);
  }

  pass_(pswd: string) {
    return this._shortcmd(`PASS ${pswd}`);
  }

  async stat(): Promise<[number, number]> {
    const rets = split(await this._shortcmd("STAT"));
    return [parseInt(rets[1]!), parseInt(rets[2]!)];
  }

  list(which: unknown = null) {
    if (which !== null) return this._shortcmd(`LIST ${which}`);
    return this._longcmd("LIST");
  }

  retr(which: unknown) {
    return this._longcmd(`RETR ${which}`);
  }

  top(which: unknown, howmuch: unknown) {
    return this._longcmd(`TOP ${which} ${howmuch}`);
  }

  uidl() {
    return this._longcmd("UIDL");
  }

  dele(which: unknown) {
    return this._shortcmd(`DELE ${which}`);
  }

  rset() {
    return this._shortcmd("RSET");
  }

  noop() {
    return this._shortcmd("NOOP");
  }

  async quit() {
    const resp = await this._shortcmd("QUIT");
    await this.file.close();
    this.sock.close();
    return resp;
  }
}

/** Python's str() of a response: a tuple (resp, [lines], octets) or the bytes. */
const show = (x: unknown): string =>
  Array.isArray(x) && x.length === 3 && Array.isArray(x[1])
    ? `(${repr(x[0])}, [${(x[1] as Uint8Array[]).map((l) => repr(l)).join(", ")}], ${x[2]})`
    : str(x);

async function attempt(label: string, fn: (...args: never[]) => Promise<unknown>, ...args: unknown[]) {
  try {
    print(label, show(await (fn as (...a: unknown[]) => Promise<unknown>)(...args)));
  } catch (e) {
    if (!(e instanceof error_proto)) throw e;
    print(label, "error_proto:", e.message);
  }
}

const port = parseInt(Deno.args[0]!);
let M = await POP3.open("127.0.0.1", port);
print("welcome", M.welcome);
await attempt("stat before login", () => M.stat());
await attempt("user", (u: string) => M.user(u), "bob");
await attempt("pass", (p: string) => M.pass_(p), "wrong");
await attempt("user", (u: string) => M.user(u), "bob");
await attempt("pass", (p: string) => M.pass_(p), "secret");
await attempt("stat", () => M.stat());
await attempt("list", () => M.list());
await attempt("list 2", (n: number) => M.list(n), 2);
await attempt("list 9", (n: number) => M.list(n), 9);
await attempt("uidl", () => M.uidl());
let [resp, lines, octets] = await M.retr(2);
print("retr 2", resp, octets);
for (const line of lines) print("   ", line);
await attempt("top 3 2", (n: number, h: number) => M.top(n, h), 3, 2);
await attempt("retr x", (n: string) => M.retr(n), "x");
await attempt("dele 1", (n: number) => M.dele(n), 1);
await attempt("retr 1", (n: number) => M.retr(n), 1);
await attempt("stat", () => M.stat());
await attempt("rset", () => M.rset());
await attempt("stat", () => M.stat());
await attempt("bogus", (c: string) => M._shortcmd(c), "XYZZY");
await attempt("noop", () => M.noop());
print("quit", await M.quit());

M = await POP3.open("127.0.0.1", port);
await M.user("bob");
await M.pass_("secret");
print("dele 3", await M.dele(3));
print("dele 3 again", kw({ end: " " }));
await attempt("", (n: number) => M.dele(n), 3);
[resp, lines, octets] = await M.retr(1);
print("retr 1:", lines.length, "lines,", octets, "octets");
print("quit", await M.quit());

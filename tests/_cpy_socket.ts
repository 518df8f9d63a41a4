// Shared by the tests/cpy_socket_*_test.ts files: CPython 3.11's Lib/test/test_socket.py ported onto pysocket.
// CPython's ThreadableTest (a server thread and a client thread) becomes two concurrent tasks; its fixtures
// (SocketTCPTest, SocketUDPTest, SocketConnectedTest, SocketPairTest) are the functions below. Names keep CPython's
// `Class.method` so a failure points at the original test.

import { AF_INET, create_connection, SOCK_DGRAM, SOCK_STREAM, type Socket, socket, socketpair } from "../mod.ts";

/** test_socket.MSG */
export const MSG: Uint8Array = new TextEncoder().encode("Michael Gilfix was here\u1234\r\n");
/** test_socket.HOST (socket_helper.HOST) */
export const HOST = "127.0.0.1";

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
export const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
export const cat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, at), at += p.length;
  return out;
};

/** Ignored tests that document a finding run when CPY2_FINDINGS=1 (to check that they still fail). */
const RUN_FINDINGS = Deno.env.get("CPY2_FINDINGS") === "1";

/** A ported test that shows a finding: ignored, its finding printed. */
export function finding(name: string, id: string, what: string, fn: () => Promise<void> | void): void {
  if (!RUN_FINDINGS) console.log(`ignored ${name}: finding ${id}: ${what}`);
  Deno.test({ name: `${name} (finding ${id})`, ignore: !RUN_FINDINGS, fn });
}

/** A CPython test that does not apply to pysocket on Deno: registered ignored, its reason printed. */
export function not_applicable(name: string, why: string): void {
  console.log(`ignored ${name}: not applicable: ${why}`);
  Deno.test({ name: `${name} (not applicable: ${why})`, ignore: true, fn() {} });
}

/** A CPython test whose difference docs/limits.md documents: registered ignored, the reference printed. */
export function documented(name: string, why: string): void {
  console.log(`ignored ${name}: documented difference: ${why}`);
  Deno.test({ name: `${name} (documented difference)`, ignore: true, fn() {} });
}

/** ThreadableTest: the server side and the client side run as concurrent tasks; either's failure fails the test. */
export async function threaded(
  server: () => Promise<void>,
  client: () => Promise<void>,
  limit_ms = 20_000,
): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new Error(`threaded test still running after ${limit_ms} ms`)), limit_ms);
  });
  try {
    await Promise.race([Promise.all([server(), client()]), limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** SocketTCPTest: a listening TCP socket on HOST (serv) and its port. */
export function tcp_serv(): { serv: Socket; port: number } & Disposable {
  const serv = socket(AF_INET, SOCK_STREAM);
  serv.bind([HOST, 0]);
  serv.listen();
  return { serv, port: serv.getsockname()[1] as number, [Symbol.dispose]: () => serv.close() };
}

/** ThreadedTCPSocketTest: tcp_serv() plus an unconnected client (cli). */
export function tcp_threaded(): { serv: Socket; port: number; cli: Socket } & Disposable {
  const t = tcp_serv();
  const cli = socket(AF_INET, SOCK_STREAM);
  return {
    ...t,
    cli,
    [Symbol.dispose]: () => {
      cli.close();
      t.serv.close();
    },
  };
}

/** SocketUDPTest plus ThreadedUDPSocketTest's client. */
export function udp_threaded(): { serv: Socket; port: number; cli: Socket } & Disposable {
  const serv = socket(AF_INET, SOCK_DGRAM);
  serv.bind([HOST, 0]);
  const cli = socket(AF_INET, SOCK_DGRAM);
  return {
    serv,
    cli,
    port: serv.getsockname()[1] as number,
    [Symbol.dispose]: () => {
      cli.close();
      serv.close();
    },
  };
}

/**
 * SocketConnectedTest: `cli_conn` is the server's accepted connection, `serv_conn` the client socket connected to it
 * (CPython's names).
 */
export async function connected(via_create_connection = false): Promise<
  { serv: Socket; port: number; cli_conn: Socket; serv_conn: Socket } & Disposable
> {
  const t = tcp_threaded();
  let serv_conn = t.cli, cli_conn: Socket;
  if (via_create_connection) {
    // NetworkConnectionTest.clientSetUp: the client is socket.create_connection((HOST, port)).
    t.cli.close();
    [[cli_conn], serv_conn] = await Promise.all([t.serv.accept(), create_connection([HOST, t.port])]);
  } else [[cli_conn]] = await Promise.all([t.serv.accept(), t.cli.connect([HOST, t.port])]);
  return {
    serv: t.serv,
    port: t.port,
    cli_conn,
    serv_conn,
    [Symbol.dispose]: () => {
      cli_conn.close();
      serv_conn.close();
      t[Symbol.dispose]();
    },
  };
}

/** SocketPairTest: serv, cli = socketpair(). */
export async function pair_test(): Promise<{ serv: Socket; cli: Socket } & Disposable> {
  const [serv, cli] = await socketpair();
  return {
    serv,
    cli,
    [Symbol.dispose]: () => {
      serv.close();
      cli.close();
    },
  };
}

/** socket_setdefaulttimeout(t): run `fn` with the default timeout set, restoring it after. */
export async function with_default_timeout(
  set: (t: number | null) => void,
  get: () => number | null,
  t: number | null,
  fn: () => Promise<void>,
): Promise<void> {
  const old = get();
  set(t);
  try {
    await fn();
  } finally {
    set(old);
  }
}

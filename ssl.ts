/**
 * Python's `ssl` module for pysocket: wrap a pysocket socket in TLS, as a
 * client or a server, and keep using it as a socket (`recv`, `sendall`,
 * `makefile`, timeouts, `select`, `using`).
 *
 * TLS runs in Deno's built-in `node:tls` (rustls underneath) over the
 * socket's own byte stream, so a connection can be upgraded after a
 * plain-text exchange (STARTTLS, as SMTP and IMAP need) and a read already
 * in flight is handed to TLS instead of being lost. Servers wrap accepted
 * connections (`ctx.wrap_socket(conn, { server_side: true })`) or the
 * listening socket. Deno's TLS speaks only TLS 1.2 and 1.3 and takes no
 * OpenSSL cipher strings. `wrap_socket` is async: `await` it.
 *
 * Trust is as CPython's: a client verifies the server's chain, dates and
 * host name before it sends anything but its ClientHello (no client
 * certificate, no application byte reaches a server that fails); a server
 * with `CERT_REQUIRED` or `CERT_OPTIONAL` verifies a client certificate
 * against its context's CAs (key usage and extended key usage included).
 * Host names are checked as CPython 3.11 checks them: case-insensitive,
 * wildcards only as a whole left-most label, IDNA, the common name only
 * when there are no DNS names; IP addresses get no SNI. A context that
 * trusts nothing refuses every certificate. pysocket never renegotiates.
 *
 * Limits: a handshake ends within the socket's timeout (for connections a
 * TLS listener accepts, the listener's), else within 60 seconds. A TLS
 * listener shakes hands with at most 512 connections at a time; beyond
 * that a new connection waits in the backlog until a handshake ends or one
 * has been in flight 1 s, which then gives way (one whose peer already
 * closed first, else the oldest: accept() raises `ConnectionAbortedError`
 * for it), so connections that never speak cannot keep clients out and a
 * burst cannot push out a handshake in progress; a pending handshake costs about 18 KB of
 * heap, 100 KB of memory in all (measured on Deno 2.9.6). Up to 64 failed
 * handshakes wait to be raised by `accept()`; beyond that they are dropped
 * with their connections closed. A peer that does not read makes a sender
 * block (and time out) after a few MiB, as with CPython; a single very
 * large `send()` or `sendall()` on a blocking socket is encrypted and
 * written 256 KiB at a time: memory grows by about one such slice.
 * With `do_handshake_on_connect=False`, a write before the handshake
 * completes it first, as CPython's: it raises the handshake's error,
 * `SSLWantReadError` on a non-blocking socket, or `The write operation
 * timed out`.
 *
 * Permissions: `--allow-net`, plus `--allow-read` for certificate and key
 * files. A client context with the default roots (`create_default_context()`,
 * `load_default_certs()`) uses Deno's own store and adds the CAs it was
 * given to it, so `DENO_TLS_CA_STORE` and `DENO_CERT` apply and no extra
 * permission is needed. Only `cert_store_stats()` of such a context reads
 * Deno's root certificates: that needs `--allow-sys` (without it,
 * `PermissionError` naming the flag).
 *
 * Where pysocket differs from CPython 3.11:
 *
 * - a client that refuses the server's certificate closes the connection
 *   without sending a TLS alert (the server reads EOF, not `unknown ca`);
 *   a server that refuses a client certificate closes right after the
 *   handshake (a TLS 1.3 client has finished its handshake and reads EOF).
 * - CPython bounds no handshake of a blocking socket; pysocket bounds each
 *   (see Limits), and a listener's handshakes go on in the background while
 *   `accept()` waits.
 * - `close()` while another task waits in `do_handshake()` makes it raise
 *   `OSError` EBADF (CPython's thread stays blocked).
 * - after `shutdown()` raised ENOTCONN (the peer reset), CPython's socket is
 *   no longer TLS and `recv()` returns raw ciphertext; pysocket's raises.
 * - only `recv`, `recv_into`, `send` and `sendall` say `The read (write)
 *   operation timed out`; `makefile()` reads say `timed out`.
 * - with `VERIFY_X509_PARTIAL_CHAIN` set in `verify_flags` (it is not by
 *   default, as in CPython 3.11: a path must end at a self-signed trusted
 *   certificate), a pysocket client still refuses a server whose own
 *   certificate is its only trusted one (CPython accepts it); in a
 *   context that also trusts Deno's roots, `verify_code` may be 20 where OpenSSL gives 26, 79 or 10; a
 *   CA with directoryName name constraints is refused (20) even for the
 *   names it permits.
 * - a pysocket server refuses SNI names that rustls considers invalid.
 * - there is no session resumption: `session_reused` is always false.
 * - a TLS 1.2 server picks its cipher suite in the client's order (CPython: its own); a
 *   server's renegotiation request ends the connection (OpenSSL servers treat the
 *   `no_renegotiation` answer as fatal).
 * - a refusal by a server's `sni_callback` (an alert number returned, or an exception) closes the
 *   connection without that alert.
 * - `CHANNEL_BINDING_TYPES` is empty (Deno's TLS reports no Finished
 *   messages); `verify_client_post_handshake()` always raises (no
 *   post-handshake authentication); `set_ecdh_curve()` cannot restrict the
 *   curves offered; `load_dh_params()` is checked but unused (no DHE);
 *   `num_tickets` and `OP_NO_TICKET` are not honoured.
 * - `shutdown(SHUT_WR)` sends close_notify (CPython does a plain TCP
 *   shutdown); `select()` sees decrypted bytes already received, so
 *   `pending()` is not needed.
 * - two tasks' concurrent `sendall()`s interleave at 256 KiB slices.
 * - a non-blocking TLS listener's `accept()` raises `SSLWantReadError` while a
 *   handshake is in flight (CPython's returns the connection after a blocking
 *   handshake); a `sni_callback` set during a `do_handshake_on_connect=True`
 *   handshake is not called.
 * - a write after the peer reset raises `BrokenPipeError` (CPython:
 *   `SSLEOFError`); a server-side `wrap_socket` on a context without a
 *   certificate fails at wrap time (CPython: at the handshake).
 * - a server verifies client certificates against the CAs it was given
 *   (`load_verify_locations()`, `cafile`) only, not the default roots
 *   (node:tls would name all ~150 in its certificate request, a message
 *   OpenSSL clients refuse): a client certificate from a public CA is
 *   refused unless its CA is loaded.
 *
 * @example Python's client example (`ssl` documentation), line for line
 *
 * ```ts ignore
 * import { create_connection } from "@pysocket/socket";
 * import { create_default_context } from "@pysocket/socket/ssl";
 *
 * const hostname = "www.python.org";
 * const context = create_default_context();
 * {
 *   using sock = await create_connection([hostname, 443]);
 *   using ssock = await context.wrap_socket(sock, { server_hostname: hostname });
 *   console.log(ssock.version()); // TLSv1.3
 * }
 * ```
 *
 * @example A client context checks the certificate and the host name
 *
 * ```ts
 * import { CERT_REQUIRED, create_default_context, Purpose } from "@pysocket/socket/ssl";
 * const context = create_default_context(Purpose.SERVER_AUTH);
 * console.log(context.check_hostname, context.verify_mode === CERT_REQUIRED); // true true
 * ```
 * @module
 */

import tls from "node:tls";
import { isIP } from "node:net";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { _replace_transport, Socket } from "./socket.ts";
import { held } from "./_alive.ts";
import { BlockingIOError, errno as E, OSError, TimeoutError } from "./errors.ts";
import { map_error } from "./_map_error.ts";
import { as_bytes, bind_args } from "./_args.ts";
import { create_connection } from "./connection.ts";
import {
  eof_error,
  SSLCertVerificationError,
  SSLEOFError,
  SSLError,
  SSLWantReadError,
  SSLWantWriteError,
} from "./_ssl_errors.ts";
import {
  DER_cert_to_PEM_cert,
  type PeerCertificate,
  PEM_CERT_RE,
  pem_lib_error,
  pem_to_der,
  read_text,
  to_python_cert,
} from "./_ssl_cert.ts";
import {
  ascii_host,
  DEFAULT_HANDSHAKE_TIMEOUT,
  HandshakeQueue,
  is_ip,
  peer_x509,
  type Session,
  type SessionSpec,
  start_session as start_tls,
  type Trust,
} from "./_ssl_session.ts";
import { after } from "./_wait.ts";
import { idna_encode } from "./_idna.ts";
import { inet_aton, inet_ntoa, inet_pton } from "./_inet.ts";
import { as_int, py_type } from "./families/_ip.ts";
import { bytes_equal, facts, is_ca, weak_key, weak_signature } from "./_ssl_verify.ts";
import {
  AlertDescription,
  PROTOCOL_TLSv1,
  PROTOCOL_TLSv1_1,
  PROTOCOL_TLSv1_2,
  VERIFY_X509_PARTIAL_CHAIN,
  VERIFY_X509_TRUSTED_FIRST,
} from "./_ssl_constants.ts";
import type { Pollable } from "./_engine.ts";
import type { Address, AddressInput, SignalOptions } from "./types.ts";

// ---- constants ---------------------------------------------------------

/**
 * Negotiate the highest version both sides support (client or server);
 * `SSLContext()`'s default. Value as in CPython.
 *
 * @example
 * ```ts
 * import { PROTOCOL_TLS, SSLContext } from "@pysocket/socket/ssl";
 * console.log(new SSLContext(PROTOCOL_TLS).protocol); // 2
 * ```
 *
 * @category TLS
 */
export const PROTOCOL_TLS = 2;
/**
 * Alias of {@linkcode PROTOCOL_TLS}, as in Python.
 *
 * @example
 * ```ts
 * import { PROTOCOL_SSLv23, PROTOCOL_TLS } from "@pysocket/socket/ssl";
 * console.log(PROTOCOL_SSLv23 === PROTOCOL_TLS); // true
 * ```
 *
 * @category TLS
 */
export const PROTOCOL_SSLv23: number = PROTOCOL_TLS;
/**
 * A client context: `check_hostname` on and `verify_mode` `CERT_REQUIRED`.
 *
 * @example
 * ```ts
 * import { PROTOCOL_TLS_CLIENT, SSLContext } from "@pysocket/socket/ssl";
 * console.log(new SSLContext(PROTOCOL_TLS_CLIENT).check_hostname); // true
 * ```
 *
 * @category TLS
 */
export const PROTOCOL_TLS_CLIENT = 16;
/**
 * A server context: no hostname check, `verify_mode` `CERT_NONE`.
 *
 * @example
 * ```ts
 * import { PROTOCOL_TLS_SERVER, SSLContext } from "@pysocket/socket/ssl";
 * console.log(new SSLContext(PROTOCOL_TLS_SERVER).verify_mode); // 0
 * ```
 *
 * @category TLS
 */
export const PROTOCOL_TLS_SERVER = 17;

/**
 * Do not verify the peer's certificate.
 *
 * @example
 * ```ts
 * import { CERT_NONE } from "@pysocket/socket/ssl";
 * console.log(CERT_NONE); // 0
 * ```
 *
 * @category TLS
 */
export const CERT_NONE = 0;
/**
 * Verify the peer's certificate if it sends one (a server: ask for one, do
 * not require it; a certificate that is sent must verify).
 *
 * @example
 * ```ts
 * import { CERT_OPTIONAL } from "@pysocket/socket/ssl";
 * console.log(CERT_OPTIONAL); // 1
 * ```
 *
 * @category TLS
 */
export const CERT_OPTIONAL = 1;
/**
 * Require and verify the peer's certificate.
 *
 * @example
 * ```ts
 * import { CERT_REQUIRED } from "@pysocket/socket/ssl";
 * console.log(CERT_REQUIRED); // 2
 * ```
 *
 * @category TLS
 */
export const CERT_REQUIRED = 2;

/**
 * Python's `ssl.VerifyMode` values.
 *
 * @example
 * ```ts
 * import { VerifyMode } from "@pysocket/socket/ssl";
 * console.log(VerifyMode.CERT_REQUIRED); // 2
 * ```
 *
 * @category TLS
 */
export const VerifyMode = { CERT_NONE, CERT_OPTIONAL, CERT_REQUIRED } as const;

/**
 * Python's `ssl.TLSVersion` (values as in CPython). Deno's TLS speaks only
 * TLS 1.2 and 1.3: a minimum below 1.2 means 1.2; a maximum below 1.2 is
 * refused with a `RangeError`.
 *
 * @example
 * ```ts
 * import { TLSVersion } from "@pysocket/socket/ssl";
 * console.log(TLSVersion.TLSv1_3); // 772
 * ```
 *
 * @category TLS
 */
export const TLSVersion = {
  MINIMUM_SUPPORTED: -2,
  MAXIMUM_SUPPORTED: -1,
  SSLv3: 768,
  TLSv1: 769,
  TLSv1_1: 770,
  TLSv1_2: 771,
  TLSv1_3: 772,
} as const;

/**
 * One of the {@linkcode TLSVersion} values.
 *
 * @category TLS
 */
export type TLSVersionValue = (typeof TLSVersion)[keyof typeof TLSVersion];

/**
 * Disables TLS 1.2 when added to {@linkcode SSLContext.options} (the same as
 * `minimum_version = TLSv1_3`). Value as in CPython.
 *
 * @example
 * ```ts
 * import { OP_NO_TLSv1_2 } from "@pysocket/socket/ssl";
 * console.log(OP_NO_TLSv1_2); // 134217728
 * ```
 *
 * @category TLS
 */
export const OP_NO_TLSv1_2 = 0x08000000;
/**
 * Disables TLS 1.3 when added to {@linkcode SSLContext.options}.
 *
 * @example
 * ```ts
 * import { OP_NO_TLSv1_3 } from "@pysocket/socket/ssl";
 * console.log(OP_NO_TLSv1_3); // 536870912
 * ```
 *
 * @category TLS
 */
export const OP_NO_TLSv1_3 = 0x20000000;
/**
 * Accepted in {@linkcode SSLContext.options}; TLS 1.0 is never spoken by Deno.
 *
 * @example
 * ```ts
 * import { OP_NO_TLSv1 } from "@pysocket/socket/ssl";
 * console.log(OP_NO_TLSv1); // 67108864
 * ```
 *
 * @category TLS
 */
export const OP_NO_TLSv1 = 0x04000000;
/**
 * Accepted in {@linkcode SSLContext.options}; TLS 1.1 is never spoken by Deno.
 *
 * @example
 * ```ts
 * import { OP_NO_TLSv1_1 } from "@pysocket/socket/ssl";
 * console.log(OP_NO_TLSv1_1); // 268435456
 * ```
 *
 * @category TLS
 */
export const OP_NO_TLSv1_1 = 0x10000000;

/**
 * ALPN is supported (client and server).
 *
 * @example
 * ```ts
 * import { HAS_ALPN } from "@pysocket/socket/ssl";
 * console.log(HAS_ALPN); // true
 * ```
 *
 * @category TLS
 */
export const HAS_ALPN = true;
/**
 * SNI is sent by clients.
 *
 * @example
 * ```ts
 * import { HAS_SNI } from "@pysocket/socket/ssl";
 * console.log(HAS_SNI); // true
 * ```
 *
 * @category TLS
 */
export const HAS_SNI = true;
/**
 * TLS 1.3 is available (Deno's TLS speaks 1.2 and 1.3).
 *
 * @example
 * ```ts
 * import { HAS_TLSv1_3 } from "@pysocket/socket/ssl";
 * console.log(HAS_TLSv1_3); // true
 * ```
 *
 * @category TLS
 */
export const HAS_TLSv1_3 = true;
/**
 * TLS 1.2 is available.
 *
 * @example
 * ```ts
 * import { HAS_TLSv1_2 } from "@pysocket/socket/ssl";
 * console.log(HAS_TLSv1_2); // true
 * ```
 *
 * @category TLS
 */
export const HAS_TLSv1_2 = true;
/**
 * TLS 1.0 is not available (Deno's TLS starts at 1.2).
 *
 * @example
 * ```ts
 * import { HAS_TLSv1 } from "@pysocket/socket/ssl";
 * console.log(HAS_TLSv1); // false
 * ```
 *
 * @category TLS
 */
export const HAS_TLSv1 = false;
/**
 * TLS 1.1 is not available.
 *
 * @example
 * ```ts
 * import { HAS_TLSv1_1 } from "@pysocket/socket/ssl";
 * console.log(HAS_TLSv1_1); // false
 * ```
 *
 * @category TLS
 */
export const HAS_TLSv1_1 = false;

const CERT_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** CPython 3.11's _strptime pattern for cert_time_to_seconds' format (after the month). */
const STRPTIME_RE =
  /^\s+(3[01]|[12]\d|0[1-9]|[1-9]| [1-9])\s+(2[0-3]|[0-1]\d|\d):([0-5]\d|\d):(6[0-1]|[0-5]\d|\d)\s+(\d\d\d\d)\s+GMT/i;

/**
 * Seconds since the epoch of a certificate date as `getpeercert()` gives it (`"May  9 00:00:00 2007 GMT"`),
 * as Python's `ssl.cert_time_to_seconds`.
 *
 * @param cert_time the date.
 * @returns the seconds since the epoch.
 * @throws {RangeError} Python's ValueError when the date does not match.
 *
 * @example
 * ```ts
 * import { cert_time_to_seconds } from "@pysocket/socket/ssl";
 * console.log(cert_time_to_seconds("Jan  5 09:34:43 2018 GMT")); // 1515144883
 * ```
 *
 * @category TLS
 */
export function cert_time_to_seconds(cert_time: string): number {
  // CPython slices the text first: another type is "not subscriptable".
  if (typeof cert_time !== "string") throw new TypeError(`'${py_type(cert_time)}' object is not subscriptable`);
  const fmt = " %d %H:%M:%S %Y GMT";
  const month = CERT_MONTHS.indexOf(
    cert_time.slice(0, 3).charAt(0).toUpperCase() + cert_time.slice(1, 3).toLowerCase(),
  );
  if (month < 0) throw new RangeError(`time data ${py_str_repr(cert_time)} does not match format "%b${fmt}"`);
  const rest = cert_time.slice(3);
  // CPython's _strptime regex for the format (C3-11): its field ranges, each whitespace run \s+, case-insensitive;
  // what follows a match is "unconverted data".
  const m = STRPTIME_RE.exec(rest);
  if (m === null) throw new RangeError(`time data ${py_str_repr(rest)} does not match format '${fmt}'`);
  if (m[0].length !== rest.length) throw new RangeError(`unconverted data remains: ${rest.slice(m[0].length)}`);
  const [d, H, M, S, Y] = m.slice(1).map(Number) as [number, number, number, number, number];
  return Date.UTC(Y, month, d, H, M, S) / 1000;
}

/** Python's repr() of a str (enough for dates). */
function py_str_repr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  const esc: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };
  return q + s.replaceAll("\\", "\\\\").replaceAll(q, "\\" + q).replace(
    // deno-lint-ignore no-control-regex
    /[\u0000-\u001f\u007f]/g,
    (c) => esc[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  ) + q;
}

/**
 * The PEM certificate of the TLS server at `addr`, as Python's `ssl.get_server_certificate`: verified
 * against `ca_certs` when given (host name not checked), else not verified.
 *
 * @param addr `[host, port]`.
 * @param ssl_version the protocol (PROTOCOL_TLS_CLIENT); or, as every parameter, by name in the trailing object.
 * @param ca_certs a CA file to verify the certificate with.
 * @param timeout seconds for the connection.
 * @returns the certificate, PEM-encoded.
 *
 * @example
 * ```ts ignore
 * import { get_server_certificate } from "@pysocket/socket/ssl";
 * console.log(await get_server_certificate(["127.0.0.1", 8443]));
 * ```
 *
 * @category TLS
 */
export async function get_server_certificate(
  addr: [string, number],
  ssl_version?: number | GetServerCertificateOptions,
  ca_certs?: string | null | GetServerCertificateOptions,
  timeout?: number | null | GetServerCertificateOptions,
  options?: GetServerCertificateOptions,
): Promise<string> {
  const a = bind_args("get_server_certificate", [addr, ssl_version, ca_certs, timeout, options], [
    "addr",
    "ssl_version",
    "ca_certs",
    "timeout",
  ]);
  const [host] = a.addr as [string, number];
  const ctx = new SSLContext((a.ssl_version ?? PROTOCOL_TLS_CLIENT) as number);
  ctx.check_hostname = false;
  if (a.ca_certs !== undefined && a.ca_certs !== null) {
    ctx.verify_mode = CERT_REQUIRED;
    ctx.load_verify_locations(a.ca_certs as string);
  } else ctx.verify_mode = CERT_NONE;
  const sig = a.signal === undefined ? {} : { signal: a.signal as AbortSignal };
  using sock = await create_connection(a.addr as [string, number], {
    ...(a.timeout === undefined ? {} : { timeout: a.timeout as number | null }),
    ...sig,
  });
  using tls = await ctx.wrap_socket(sock, { server_hostname: host, ...sig });
  return DER_cert_to_PEM_cert(tls.getpeercert(true)!);
}

/**
 * Keywords of {@linkcode get_server_certificate}.
 *
 * @category TLS
 */
export interface GetServerCertificateOptions extends SignalOptions {
  /** The protocol (PROTOCOL_TLS_CLIENT). */
  ssl_version?: number;
  /** A CA file to verify the certificate with. */
  ca_certs?: string | null;
  /** Seconds for the connection. */
  timeout?: number | null;
}

/**
 * An ASN.1 object naming a certificate purpose, as Python's `_ASN1Object`.
 *
 * @example
 * ```ts
 * import { Purpose } from "@pysocket/socket/ssl";
 * console.log(Purpose.CLIENT_AUTH.oid); // "1.3.6.1.5.5.7.3.2"
 * ```
 *
 * @category TLS
 */
export class ASN1Object {
  /** OpenSSL's numeric id. */
  readonly nid: number;
  /** The short name, e.g. `serverAuth`. */
  readonly shortname: string;
  /** The long name. */
  readonly longname: string;
  /** The dotted OID. */
  readonly oid: string;

  /**
   * Make the object, with Python\'s arguments.
   *
   * @param nid numeric id.
   * @param shortname short name.
   * @param longname long name.
   * @param oid dotted OID.
   */
  constructor(nid: number, shortname: string, longname: string, oid: string) {
    this.nid = nid;
    this.shortname = shortname;
    this.longname = longname;
    this.oid = oid;
    Object.freeze(this);
  }
}

/**
 * What a context is for, as Python's `ssl.Purpose`: `SERVER_AUTH` makes a
 * client context (it authenticates servers), `CLIENT_AUTH` a server context.
 *
 * @example
 * ```ts
 * import { Purpose } from "@pysocket/socket/ssl";
 * console.log(Purpose.SERVER_AUTH.shortname); // "serverAuth"
 * ```
 *
 * @category TLS
 */
export const Purpose: { readonly SERVER_AUTH: ASN1Object; readonly CLIENT_AUTH: ASN1Object } = Object.freeze({
  SERVER_AUTH: new ASN1Object(129, "serverAuth", "TLS Web Server Authentication", "1.3.6.1.5.5.7.3.1"),
  CLIENT_AUTH: new ASN1Object(130, "clientAuth", "TLS Web Client Authentication", "1.3.6.1.5.5.7.3.2"),
});

/** Python's repr() of a str, as match_hostname's messages show names. */
function py_repr(v: unknown): string {
  return typeof v === "string" ? py_str_repr(v) : String(v);
}

/** CPython 3.11's ssl._dnsname_match. */
function dnsname_match(dn: string, hostname: string): boolean {
  if (!dn) return false;
  const wildcards = dn.split("*").length - 1;
  if (!wildcards) return dn.toLowerCase() === hostname.toLowerCase();
  if (wildcards > 1) throw cert_error(`too many wildcards in certificate DNS name: ${py_repr(dn)}.`);
  const dot = dn.indexOf(".");
  const [left, sep, rest] = dot < 0 ? [dn, "", ""] : [dn.slice(0, dot), ".", dn.slice(dot + 1)];
  if (rest.includes("*")) throw cert_error(`wildcard can only be present in the leftmost label: ${py_repr(dn)}.`);
  if (!sep) throw cert_error(`sole wildcard without additional labels are not support: ${py_repr(dn)}.`);
  if (left !== "*") throw cert_error(`partial wildcards in leftmost label are not supported: ${py_repr(dn)}.`);
  const hdot = hostname.indexOf(".");
  if (hdot <= 0) return false;
  return rest.toLowerCase() === hostname.slice(hdot + 1).toLowerCase();
}

/** CPython 3.11's ssl._inet_paton: an IPv4 address in quad-dotted form or an IPv6 one, packed; else ValueError. */
function inet_paton(ipname: string): string {
  let v4: Uint8Array | null = null;
  try {
    v4 = inet_aton(ipname);
  } catch { /* not an IPv4 address */ }
  if (v4 !== null) {
    if (inet_ntoa(v4) === ipname) return Array.from(v4).join(".");
    throw new RangeError(`${py_repr(ipname)} is not a quad-dotted IPv4 address.`);
  }
  try {
    return Array.from(inet_pton(10, ipname)).join(",");
  } catch {
    throw new RangeError(`${py_repr(ipname)} is neither an IPv4 nor an IP6 address.`);
  }
}

/** CPython 3.11's CertificateError (SSLCertVerificationError) of one message: it prints as a 1-tuple. */
function cert_error(message: string): SSLCertVerificationError {
  // A Python-level exception: no errno, library or reason; str() is its args' repr.
  const e = new SSLCertVerificationError();
  for (
    const [k, v] of [
      ["message", `(${py_str_repr(message)},)`],
      ["errno", null],
      ["strerror", null],
      ["library", null],
      ["reason", null],
      ["args", [message]],
    ]
  ) {
    Object.defineProperty(e, k as string, { value: v, writable: true, configurable: true });
  }
  return e;
}

/**
 * Python 3.11's deprecated `ssl.match_hostname(cert, hostname)` (removed in
 * 3.12): check a certificate dict from `getpeercert()` against a host name
 * or IP address by RFC 2818/6125 as CPython's pure-Python version does
 * (pysocket's handshakes check host names themselves, as OpenSSL does).
 *
 * @param cert a certificate as `getpeercert()` returns it.
 * @param hostname the name or address to match.
 * @throws {SSLCertVerificationError} (Python's CertificateError) when it does not match.
 * @throws {RangeError} for an empty certificate (Python's ValueError).
 *
 * @example
 * ```ts
 * import { match_hostname } from "@pysocket/socket/ssl";
 * match_hostname({ subjectAltName: [["DNS", "*.example.com"]] }, "www.example.com"); // matches: no error
 * ```
 *
 * @category TLS
 */
export function match_hostname(cert: Partial<PeerCertificate> | Record<string, never> | null, hostname: string): void {
  if (!cert || Object.keys(cert).length === 0) {
    throw new RangeError(
      "empty or no certificate, match_hostname needs a SSL socket or SSL context with either CERT_OPTIONAL or CERT_REQUIRED",
    );
  }
  let host_ip: string | null;
  try {
    host_ip = inet_paton(hostname);
  } catch {
    host_ip = null;
  }
  const names: string[] = [];
  const c = cert as Partial<PeerCertificate>;
  for (const [key, value] of c.subjectAltName ?? []) {
    if (typeof value !== "string") continue;
    if (key === "DNS") {
      if (host_ip === null && dnsname_match(value, hostname)) return;
      names.push(value);
    } else if (key === "IP Address") {
      if (host_ip !== null && inet_paton(value.trimEnd()) === host_ip) return;
      names.push(value);
    }
  }
  if (names.length === 0) {
    for (const rdn of c.subject ?? []) {
      for (const [key, value] of rdn) {
        if (key === "commonName") {
          if (dnsname_match(value, hostname)) return;
          names.push(value);
        }
      }
    }
  }
  if (names.length > 1) {
    throw cert_error(`hostname ${py_repr(hostname)} doesn't match either of ${names.map(py_repr).join(", ")}`);
  }
  if (names.length === 1) throw cert_error(`hostname ${py_repr(hostname)} doesn't match ${py_repr(names[0])}`);
  throw cert_error("no appropriate commonName or subjectAltName fields were found");
}

/**
 * Python's keywords of the module-level {@linkcode wrap_socket} (deprecated in 3.7, removed in 3.12).
 *
 * @category TLS
 */
export interface ModuleWrapSocketOptions extends SignalOptions {
  /** A PEM file with the key (default: in `certfile`). */
  keyfile?: string | null;
  /** A PEM file with this side's certificate chain. */
  certfile?: string | null;
  /** Act as the TLS server (default false). */
  server_side?: boolean;
  /** CERT_NONE (default), CERT_OPTIONAL or CERT_REQUIRED. */
  cert_reqs?: number;
  /** The protocol (default PROTOCOL_TLS). */
  ssl_version?: number;
  /** A PEM file of CA certificates to trust. */
  ca_certs?: string | null;
  /** Do the handshake at once (default true). */
  do_handshake_on_connect?: boolean;
  /** As `SSLContext.wrap_socket`'s (default true). */
  suppress_ragged_eofs?: boolean;
  /** An OpenSSL cipher string (pysocket's `set_ciphers` refuses every one). */
  ciphers?: string | null;
}

/**
 * Python 3.11's deprecated module-level `ssl.wrap_socket()` (removed in
 * 3.12), as CPython writes it: a new `SSLContext(ssl_version)` with
 * `verify_mode = cert_reqs` (CERT_NONE by default: nothing is verified, no
 * host name checked), `ca_certs` and `certfile`/`keyfile` loaded, then
 * `context.wrap_socket(sock, server_side, ...)`. Prefer
 * {@linkcode create_default_context}. Like every wrap, it is async.
 *
 * @param sock a pysocket stream socket.
 * @param keyfile the key's PEM file.
 * @param certfile this side's certificate PEM file (required for a server).
 * @param server_side act as the server.
 * @param cert_reqs CERT_NONE, CERT_OPTIONAL or CERT_REQUIRED.
 * @param ssl_version the protocol.
 * @param ca_certs a PEM file of CAs to trust.
 * @param do_handshake_on_connect shake hands at once.
 * @param suppress_ragged_eofs as `SSLContext.wrap_socket`'s.
 * @param ciphers an OpenSSL cipher string.
 * @returns the socket, now an {@linkcode SSLSocket}.
 * @throws {RangeError} a server without `certfile`, or a `keyfile` without one (Python's ValueError).
 *
 * @example
 * ```ts ignore
 * import { create_server } from "@pysocket/socket";
 * import { wrap_socket } from "@pysocket/socket/ssl";
 * const [conn] = await create_server(["127.0.0.1", 8443]).accept();
 * const tls = await wrap_socket(conn, { certfile: "cert.pem", keyfile: "key.pem", server_side: true });
 * ```
 *
 * @category TLS
 */
export async function wrap_socket(
  sock: Socket,
  keyfile?: string | null | ModuleWrapSocketOptions,
  certfile?: string | null | ModuleWrapSocketOptions,
  server_side?: boolean | ModuleWrapSocketOptions,
  cert_reqs?: number | ModuleWrapSocketOptions,
  ssl_version?: number | ModuleWrapSocketOptions,
  ca_certs?: string | null | ModuleWrapSocketOptions,
  do_handshake_on_connect?: boolean | ModuleWrapSocketOptions,
  suppress_ragged_eofs?: boolean | ModuleWrapSocketOptions,
  ciphers?: string | null | ModuleWrapSocketOptions,
  options?: ModuleWrapSocketOptions,
): Promise<SSLSocket> {
  const a = bind_args(
    "wrap_socket",
    [
      sock,
      keyfile,
      certfile,
      server_side,
      cert_reqs,
      ssl_version,
      ca_certs,
      do_handshake_on_connect,
      suppress_ragged_eofs,
      ciphers,
      options,
    ],
    [
      "sock",
      "keyfile",
      "certfile",
      "server_side",
      "cert_reqs",
      "ssl_version",
      "ca_certs",
      "do_handshake_on_connect",
      "suppress_ragged_eofs",
      "ciphers",
    ],
  );
  if (a.server_side && !a.certfile) throw new RangeError("certfile must be specified for server-side operations");
  if (a.keyfile && !a.certfile) throw new RangeError("certfile must be specified");
  const context = new SSLContext((a.ssl_version ?? PROTOCOL_TLS) as number);
  context.verify_mode = (a.cert_reqs ?? CERT_NONE) as number;
  if (a.ca_certs) context.load_verify_locations(a.ca_certs as string);
  if (a.certfile) context.load_cert_chain(a.certfile as string, (a.keyfile ?? null) as string | null);
  if (a.ciphers) context.set_ciphers(a.ciphers as string);
  return await context.wrap_socket(a.sock as Socket, {
    server_side: Boolean(a.server_side ?? false),
    do_handshake_on_connect: Boolean(a.do_handshake_on_connect ?? true),
    suppress_ragged_eofs: Boolean(a.suppress_ragged_eofs ?? true),
    ...(a.signal ? { signal: a.signal as AbortSignal } : {}),
  });
}

// ---- exceptions and certificates ---------------------------------------

export {
  CertificateError,
  SSLCertVerificationError,
  SSLEOFError,
  SSLError,
  type SSLErrorOptions,
  SSLSyscallError,
  SSLWantReadError,
  SSLWantWriteError,
  SSLZeroReturnError,
} from "./_ssl_errors.ts";
export { DER_cert_to_PEM_cert, type PeerCertificate, PEM_cert_to_DER_cert } from "./_ssl_cert.ts";
export * from "./_ssl_constants.ts";
// The types the public surface refers to, so that ssl.ts documents itself
// alone (Python's ssl module has socket and OSError in its namespace too).
export { OSError } from "./errors.ts";
export type { Address, AddressInput, Buffer, Inet6Address, InetAddress, SignalOptions, UnixAddress } from "./types.ts";
export { type MakefileOptions, type RecvOptions, Socket } from "./socket.ts";
export { SocketFile, type SocketFileOptions } from "./_makefile.ts";

// ---- the context -------------------------------------------------------

/**
 * Options of {@linkcode create_default_context}: Python's keywords.
 *
 * @category TLS
 */
export interface DefaultContextOptions {
  /** A PEM file of CA certificates to trust. */
  cafile?: string | null;
  /** A directory of PEM CA certificates to trust. */
  capath?: string | null;
  /** PEM text, or DER bytes, of CA certificates to trust. */
  cadata?: string | Uint8Array | null;
}

/**
 * Options of {@linkcode SSLContext.wrap_socket}: Python's keywords.
 *
 * @category TLS
 */
export interface WrapSocketOptions extends SignalOptions {
  /** Act as the TLS server (default false). */
  server_side?: boolean;
  /** Do the handshake in `wrap_socket`, `connect` or `accept` (default true). */
  do_handshake_on_connect?: boolean;
  /** Accepted for compatibility; EOF always reads as an empty result. */
  suppress_ragged_eofs?: boolean;
  /** The host name to send (SNI) and check the certificate against. */
  server_hostname?: string | null;
  /** Session resumption is not supported: only null is accepted. */
  session?: null;
}

/**
 * Python's keywords of {@linkcode SSLContext.load_cert_chain}.
 *
 * @category TLS
 */
export interface CertChainOptions {
  /** A PEM file with the certificate (and chain, and maybe the key). */
  certfile: string;
  /** A PEM file with the key (default: in `certfile`). */
  keyfile?: string | null;
  /** The key's passphrase (text or bytes), or a function returning it. */
  password?: string | Uint8Array | (() => string | Uint8Array) | null;
}

/**
 * OpenSSL's PEM_X509_INFO_read_bio (a cafile's reader) decodes every PEM block, and the private keys it knows
 * (PKCS#1 RSA, SEC1 EC, DSA, unencrypted PKCS#8): a block that is not base64, or such a key that does not parse,
 * fails the whole file with "[X509] PEM lib" (C3-7). A legacy encrypted key (Proc-Type header) is kept undecoded.
 */
function broken_pem_block(text: string): boolean {
  for (const m of text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g)) {
    const name = m[1]!, body = m[2]!;
    const lines = body.split(/\r?\n/);
    const headers = lines.some((l) => /^[A-Za-z-]+: /.test(l));
    const data = lines.filter((l) => !/^[A-Za-z-]+: /.test(l)).join("");
    if (/[^A-Za-z0-9+/=\s]/.test(data)) return true;
    if (headers || !/^(RSA |EC )?PRIVATE KEY$/.test(name)) continue;
    try {
      createPrivateKey(m[0]);
    } catch {
      return true;
    }
  }
  return false;
}

interface Credentials {
  cert: string;
  key: string;
  passphrase?: string;
  /** The leaf key's type (OpenSSL's slot: "rsa", "ec", "ed25519", ...) and, for EC, its curve. */
  kind?: string;
  curve?: string | undefined;
}

/**
 * Which loaded certificate a server serves when it holds several key types (C3-1): OpenSSL's server preference
 * (its default signature algorithm list: ECDSA, then Ed25519, Ed448, then RSA) among those the client offers.
 * A TLS 1.3 ECDSA scheme names its curve; an ECDSA key of another curve is not usable with it.
 */
const ECDSA_SCHEMES: Record<string, number> = { prime256v1: 0x0403, secp384r1: 0x0503, secp521r1: 0x0603 };
function usable(c: Credentials, offered: readonly number[]): boolean {
  switch (c.kind) {
    case "ec": {
      const scheme = ECDSA_SCHEMES[c.curve ?? ""];
      return scheme !== undefined && offered.includes(scheme);
    }
    case "ed25519":
      return offered.includes(0x0807);
    case "ed448":
      return offered.includes(0x0808);
    case "rsa":
      return offered.some((a) => (a >= 0x0804 && a <= 0x0806) || a === 0x0401 || a === 0x0501 || a === 0x0601);
    case "rsa-pss":
      return offered.some((a) => a >= 0x0809 && a <= 0x080b);
    default:
      return false;
  }
}
const SERVER_PREFERENCE = ["ec", "ed25519", "ed448", "rsa-pss", "rsa"];

/** A filesystem path argument (str or bytes, as CPython's), or TypeError naming it. */
function fs_path(v: unknown, what: string): string {
  if (typeof v === "string") return v;
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  throw new TypeError(`${what} should be a valid filesystem path`);
}

/**
 * Settings and certificates for TLS connections, as Python's
 * `ssl.SSLContext`. Make one with {@linkcode create_default_context} or
 * `new SSLContext(PROTOCOL_TLS_CLIENT)`, then `await ctx.wrap_socket(sock)`.
 *
 * @example
 * ```ts
 * import { CERT_REQUIRED, PROTOCOL_TLS_CLIENT, SSLContext } from "@pysocket/socket/ssl";
 * const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
 * console.log(ctx.verify_mode === CERT_REQUIRED, ctx.check_hostname); // true true
 * ```
 *
 * @category TLS
 */
export class SSLContext {
  #protocol: number;
  #verify_mode: number;
  #check_hostname: boolean;
  #min: number = TLSVersion.TLSv1_2;
  #max: number = TLSVersion.MAXIMUM_SUPPORTED;
  #options = DEFAULT_OPTIONS;
  #verify_flags = VERIFY_X509_TRUSTED_FIRST;
  #sni: SniCallback | null = null;
  #post_handshake_auth = false;
  #num_tickets = 2;
  #cas: string[] = [];
  /** CRLs loaded from a cafile (kept for cert_store_stats(), never used: see verify_flags). */
  #crls = new Set<string>();
  #default_certs = false;
  #creds: Credentials | null = null;
  /** The chains loaded, one per key type (OpenSSL's slots); #creds is the last loaded (C3-1). */
  #slots = new Map<string, Credentials>();
  #alpn: string[] | null = null;
  #secure: tls.SecureContext | null = null;
  /** Server secure contexts with another context's versions (a sni_callback's swap), by "min/max". */
  #versioned = new Map<string, tls.SecureContext>();
  #client_secure: tls.SecureContext | null = null;

  /**
   * Make the object, with Python\'s arguments.
   *
   * @param protocol PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER or PROTOCOL_TLS (default).
   * @throws {RangeError} for another protocol (SSLv2/3, TLSv1 only: Deno cannot).
   */
  constructor(protocol: number | null = PROTOCOL_TLS) {
    // As CPython: None means PROTOCOL_TLS; another type is a TypeError.
    const p = protocol == null ? PROTOCOL_TLS : as_int(protocol);
    if (p === PROTOCOL_TLSv1 || p === PROTOCOL_TLSv1_1) {
      throw new RangeError(
        `invalid or unsupported protocol version ${p}: Deno's TLS offers PROTOCOL_TLS, PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER and PROTOCOL_TLSv1_2`,
      );
    }
    if (![PROTOCOL_TLS, PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER, PROTOCOL_TLSv1_2].includes(p)) {
      throw new RangeError(`invalid or unsupported protocol version ${p}`);
    }
    this.#protocol = p;
    const client = p === PROTOCOL_TLS_CLIENT;
    this.#verify_mode = client ? CERT_REQUIRED : CERT_NONE;
    this.#check_hostname = client;
    // CPython's PROTOCOL_TLSv1_2 context speaks TLS 1.2 only (its versions read MINIMUM/MAXIMUM_SUPPORTED).
    if (p === PROTOCOL_TLSv1_2) {
      this.#only_12 = true;
      this.#min = TLSVersion.MINIMUM_SUPPORTED;
    }
  }

  /** A PROTOCOL_TLSv1_2 context: TLS 1.2 only, whatever the versions say. */
  #only_12 = false;

  #versions_fixed(): void {
    if (this.#only_12) {
      throw new RangeError("The context's protocol doesn't support modification of highest and lowest version.");
    }
  }

  /** Settings changed: the secure contexts are made again at the next use. */
  #changed(): void {
    this.#secure = null;
    this.#versioned.clear();
    this.#client_secure = null;
    this.#anchors = null;
  }

  /** The loaded CAs as DER, for the session's check of the path (made once per change). */
  #anchors: Uint8Array[] | null = null;

  /** The protocol given at creation. */
  get protocol(): number {
    return this.#protocol;
  }

  /**
   * Whether the peer's certificate is verified: CERT_NONE, CERT_OPTIONAL or
   * CERT_REQUIRED.
   *
   * @throws {RangeError} CERT_NONE while `check_hostname` is on, as Python.
   */
  get verify_mode(): number {
    return this.#verify_mode;
  }

  set verify_mode(v: number) {
    v = as_int(v);
    if (v !== CERT_NONE && v !== CERT_OPTIONAL && v !== CERT_REQUIRED) {
      throw new RangeError("invalid value for verify_mode");
    }
    if (v === CERT_NONE && this.#check_hostname) {
      throw new RangeError("Cannot set verify_mode to CERT_NONE when check_hostname is enabled.");
    }
    this.#verify_mode = v;
    this.#changed();
  }

  /** Whether a client checks the certificate against `server_hostname`; turning it on sets CERT_REQUIRED. */
  get check_hostname(): boolean {
    return this.#check_hostname;
  }

  set check_hostname(v: boolean) {
    this.#check_hostname = Boolean(v);
    if (v && this.#verify_mode === CERT_NONE) this.#verify_mode = CERT_REQUIRED;
  }

  #check_cn = true;

  /**
   * Whether the commonName counts when a certificate has no DNS
   * subjectAltName (CPython 3.11's default: true).
   */
  get hostname_checks_common_name(): boolean {
    return this.#check_cn;
  }

  set hostname_checks_common_name(v: boolean) {
    this.#check_cn = Boolean(v);
  }

  /**
   * Python's `verify_flags`: VERIFY_X509_TRUSTED_FIRST (0x8000, the
   * default) is what pysocket always does; VERIFY_X509_PARTIAL_CHAIN
   * (0x80000) lets a path end at a trusted certificate that is not
   * self-signed (an intermediate CA), as in OpenSSL; any other flag (CRL
   * checks, VERIFY_X509_STRICT) cannot be honoured and raises rather than
   * be ignored.
   *
   * @throws {OSError} ENOTSUP for a flag pysocket cannot honour.
   */
  get verify_flags(): number {
    return this.#verify_flags;
  }

  set verify_flags(v: number) {
    if (typeof v !== "number" && typeof v !== "bigint" && typeof v !== "boolean" || !Number.isInteger(Number(v))) {
      // CPython's _PyArg_BadArgument names None so, other values by their type (C3-8).
      throw new TypeError(`argument must be int, not ${v == null ? "None" : py_type(v)}`);
    }
    const n = Number(v);
    if (n < 0 || n & ~(VERIFY_X509_TRUSTED_FIRST | VERIFY_X509_PARTIAL_CHAIN)) {
      throw new OSError(E.ENOTSUP, null, {
        detail: `verify_flags ${v}: Deno's TLS offers no CRL checks or X509 strict mode`,
      });
    }
    this.#verify_flags = n;
  }

  /**
   * Python's `sni_callback(ssl_socket, server_name, ssl_context)` (see
   * {@linkcode SniCallback}): a server calls it with the name the client
   * asked for; it may set `ssl_socket.context` to serve another certificate.
   * Set it before the server socket is wrapped.
   *
   * @throws {RangeError} when set on a `PROTOCOL_TLS_CLIENT` context.
   * @throws {TypeError} when set to something not callable.
   *
   * @example
   * ```ts ignore
   * const other = new SSLContext(PROTOCOL_TLS_SERVER);
   * other.load_cert_chain("other.pem", "other.key");
   * ctx.sni_callback = (sock, name) => {
   *   if (name === "other.example") sock.context = other;
   * };
   * ```
   */
  get sni_callback(): SniCallback | null {
    return this.#sni;
  }

  set sni_callback(v: SniCallback | null) {
    if (this.#protocol === PROTOCOL_TLS_CLIENT) {
      throw new RangeError("sni_callback cannot be set on TLS_CLIENT context");
    }
    if (v != null && typeof v !== "function") throw new TypeError("not a callable object");
    this.#sni = v ?? null;
  }

  /**
   * Python's `set_servername_callback(fn)`: the same as setting
   * {@linkcode SSLContext.sni_callback}.
   *
   * @param server_name_callback the callback, or null.
   *
   * @example
   * ```ts
   * import { PROTOCOL_TLS_SERVER, SSLContext } from "@pysocket/socket/ssl";
   * const ctx = new SSLContext(PROTOCOL_TLS_SERVER);
   * ctx.set_servername_callback((_sock, name) => console.log("SNI", name));
   * ```
   */
  set_servername_callback(server_name_callback: SniCallback | null): void {
    // CPython's set_servername_callback checks callability before the context's side (C3-8); the property the
    // other way round.
    if (server_name_callback != null && typeof server_name_callback !== "function") {
      throw new TypeError("not a callable object");
    }
    this.sni_callback = server_name_callback;
  }

  /**
   * Python's `post_handshake_auth`: stored as given. A pysocket client never
   * offers post-handshake authentication (Deno's TLS cannot), so a server
   * that asks for a certificate after the handshake fails to get one.
   */
  get post_handshake_auth(): boolean {
    return this.#post_handshake_auth;
  }

  set post_handshake_auth(v: boolean) {
    this.#post_handshake_auth = Boolean(v);
  }

  /** OpenSSL's security level, 2 as in CPython 3.11 (keys under 2048-bit RSA or 224-bit EC are refused). */
  get security_level(): number {
    return 2;
  }

  /**
   * TLS 1.3 session tickets a server sends (CPython's default 2). Deno's TLS
   * sends its own number; the value is kept for compatibility.
   *
   * @throws {RangeError} on a client context, or for a negative value.
   */
  get num_tickets(): number {
    return this.#num_tickets;
  }

  set num_tickets(v: number) {
    v = as_int(v);
    if (v < 0) throw new RangeError("value must be non-negative");
    if (this.#protocol !== PROTOCOL_TLS_SERVER) throw new RangeError("SSLContext is not a server context.");
    this.#num_tickets = v;
  }

  /**
   * Python's `keylog_filename`: always null (Deno's TLS cannot log keys).
   *
   * @throws {OSError} ENOTSUP when set to a file name.
   */
  get keylog_filename(): string | null {
    return null;
  }

  set keylog_filename(v: string | null) {
    if (v == null) return;
    if (typeof v !== "string" && !((v as unknown) instanceof Uint8Array)) {
      throw new TypeError(`expected str, bytes or os.PathLike object, not ${py_type(v)}`);
    }
    throw new OSError(E.ENOTSUP, null, { detail: "keylog_filename: Deno's TLS cannot log session keys" });
  }

  /**
   * The lowest TLS version to accept. Deno speaks TLS 1.2 and 1.3, so any
   * minimum up to TLSv1_2 means 1.2.
   */
  get minimum_version(): number {
    return this.#min;
  }

  set minimum_version(v: number) {
    this.#versions_fixed();
    v = check_version(v);
    // As OpenSSL: the highest version as a minimum means TLS 1.3 (and reads back so).
    this.#min = v === TLSVersion.MAXIMUM_SUPPORTED ? TLSVersion.TLSv1_3 : v;
    this.#changed();
  }

  /**
   * The highest TLS version to offer.
   *
   * @throws {RangeError} below TLSv1_2: Deno's TLS cannot speak it.
   */
  get maximum_version(): number {
    return this.#max;
  }

  set maximum_version(v: number) {
    this.#versions_fixed();
    v = check_version(v);
    if (v !== TLSVersion.MAXIMUM_SUPPORTED && v < TLSVersion.TLSv1_2) {
      throw new RangeError(
        `maximum_version ${version_name(v)} cannot be honoured: Deno's TLS speaks only TLS 1.2 and 1.3`,
      );
    }
    this.#max = v;
    this.#changed();
  }

  /** OP_* flags; OP_NO_TLSv1_2 and OP_NO_TLSv1_3 take effect, the others are already true on Deno. */
  get options(): number {
    return this.#options;
  }

  set options(v: number) {
    this.#options = as_int(v) >>> 0;
    this.#changed();
  }

  /**
   * Load this side's certificate chain and private key.
   *
   * @param certfile a PEM file with the certificate (and chain, and maybe the key).
   * @param keyfile a PEM file with the key (default: in `certfile`).
   * @param password the key's passphrase (string or a function returning it).
   * @throws {FileNotFoundError} for a missing file.
   * @throws {SSLError} for a file that is not PEM, or a key that does not match.
   *
   * @example
   * ```ts ignore
   * import { Purpose, create_default_context } from "@pysocket/socket/ssl";
   * const ctx = create_default_context(Purpose.CLIENT_AUTH);
   * ctx.load_cert_chain("server.pem", "server.key");
   * ctx.load_cert_chain({ certfile: "server.pem", keyfile: "server.key" }); // Python's keywords
   * ```
   */
  load_cert_chain(
    certfile: string | CertChainOptions,
    keyfile?: string | null | Omit<CertChainOptions, "certfile">,
    password?: string | Uint8Array | (() => string | Uint8Array) | null,
  ): void {
    const a = bind_args("load_cert_chain", [certfile, keyfile, password], ["certfile", "keyfile", "password"]);
    const cert = read_text(fs_path(a.certfile, "certfile"), "certfile");
    const key = a.keyfile == null ? cert : read_text(fs_path(a.keyfile, "keyfile"), "keyfile");
    // As CPython: str, bytes or bytearray (here a Uint8Array), at most 1024 bytes; a callable's answer is checked
    // so when OpenSSL asks for it.
    const checked = (pw: unknown): string | undefined => {
      if (pw instanceof Uint8Array) pw = new TextDecoder().decode(pw);
      if (pw != null && typeof pw !== "string") throw new TypeError("password should be a string or callable");
      if (typeof pw === "string" && new TextEncoder().encode(pw).length > 1024) {
        throw new RangeError("password cannot be longer than 1024 bytes");
      }
      return (pw ?? undefined) as string | undefined;
    };
    const callback = typeof a.password === "function" ? a.password as () => unknown : null;
    let pass = callback === null ? checked(a.password) : undefined;
    const certs = cert.match(PEM_CERT_RE);
    if (!certs) throw pem_lib_error(3905);
    chain_level_check(certs);
    const keys = key.match(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+?-----END [A-Z ]*PRIVATE KEY-----/);
    if (!keys) throw pem_lib_error(3926);
    // OpenSSL calls the password callback only for an encrypted key (C3-6): PKCS#8's, or a legacy PEM header's.
    if (callback !== null && /^-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: *4, *ENCRYPTED/.test(keys[0])) {
      const pw = callback();
      if (typeof pw !== "string" && !(pw instanceof Uint8Array)) {
        throw new TypeError("password callback must return a string");
      }
      pass = checked(pw);
    }
    try {
      const pk = createPrivateKey(pass === undefined ? keys[0] : { key: keys[0], passphrase: pass });
      const leaf = new X509Certificate(certs[0]!);
      if (leaf.publicKey.asymmetricKeyType !== pk.asymmetricKeyType) {
        // OpenSSL files a key of another type (an EC key for an RSA certificate) under its own slot, which
        // has no certificate: SSL_CTX_use_PrivateKey then fails as CPython reports it.
        throw new SSLError(177, "[SSL: NO_CERTIFICATE_ASSIGNED] no certificate assigned (_ssl.c:3934)", {
          library: "SSL",
          reason: "NO_CERTIFICATE_ASSIGNED",
        });
      }
      if (!leaf.checkPrivateKey(pk)) {
        throw new SSLError(116, "[X509: KEY_VALUES_MISMATCH] key values mismatch (_ssl.c:3926)", {
          library: "X509",
          reason: "KEY_VALUES_MISMATCH",
        });
      }
      // What node:tls would refuse later (a key too small for its security level) is refused here, as CPython does.
      tls.createSecureContext({
        cert: certs.join("\n"),
        key: keys[0],
        ...(pass === undefined ? {} : { passphrase: pass }),
      });
    } catch (e) {
      if (e instanceof SSLError) throw e;
      if (/key too small/i.test(String((e as Error).message))) {
        throw new SSLError(1, "[SSL: EE_KEY_TOO_SMALL] ee key too small (_ssl.c:3905)", {
          library: "SSL",
          reason: "EE_KEY_TOO_SMALL",
          cause: e,
        });
      }
      throw pem_lib_error(3926, e);
    }
    const leaf = new X509Certificate(certs[0]!).publicKey;
    const kind = leaf.asymmetricKeyType ?? "";
    const curve = (leaf.asymmetricKeyDetails as { namedCurve?: string } | undefined)?.namedCurve;
    this.#creds = {
      cert: certs.join("\n"),
      key: keys[0],
      ...(pass === undefined ? {} : { passphrase: pass }),
      kind,
      curve,
    };
    // As OpenSSL: a chain replaces the one of its key type, and stays beside those of other types (C3-1).
    this.#slots.delete(kind);
    this.#slots.set(kind, this.#creds);
    this.#changed();
  }

  /**
   * Trust the CA certificates in a file, a directory, or the given data.
   *
   * @param cafile a PEM file.
   * @param capath a directory of PEM files.
   * @param cadata PEM text, or DER bytes of one certificate.
   * @throws {TypeError} when all three are missing.
   * @throws {SSLError} when the data holds no certificate.
   *
   * @example
   * ```ts ignore
   * import { create_default_context } from "@pysocket/socket/ssl";
   * const ctx = create_default_context();
   * ctx.load_verify_locations("ca.pem");
   * ```
   */
  load_verify_locations(
    cafile?: string | null | DefaultContextOptions,
    capath?: string | null,
    cadata?: string | Uint8Array | null,
  ): void {
    const a = bind_args("load_verify_locations", [cafile, capath, cadata], ["cafile", "capath", "cadata"]);
    if (a.cafile == null && a.capath == null && a.cadata == null) {
      throw new TypeError("cafile, capath and cadata cannot be all omitted");
    }
    const found: string[] = [];
    if (a.cafile != null) {
      const text = read_text(fs_path(a.cafile, "cafile"), "cafile");
      const pems = text.match(PEM_CERT_RE);
      // OpenSSL's X509_load_cert_crl_file: any certificate block it cannot read fails the whole file.
      const unreadable = (pem: string) => {
        if (/[^A-Za-z0-9+/=\s]/.test(pem.slice(27, -25))) return true;
        try {
          new X509Certificate(pem);
          return false;
        } catch {
          return true;
        }
      };
      if (pems && (text.split("-----BEGIN CERTIFICATE-----").length - 1 > pems.length || pems.some(unreadable))) {
        throw new SSLError(524297, "[X509] PEM lib (_ssl.c:4154)", { library: "X509" });
      }
      if (broken_pem_block(text)) throw new SSLError(524297, "[X509] PEM lib (_ssl.c:4154)", { library: "X509" });
      // CRLs load too (OpenSSL's store keeps them, each once); they are never used: CRL checks
      // (VERIFY_CRL_CHECK_*) cannot be switched on (A13a-3).
      const crls = text.match(PEM_CRL_RE) ?? [];
      if (crls.some((c) => /[^A-Za-z0-9+/=\s]/.test(c.slice(24, -22)))) {
        throw new SSLError(524297, "[X509] PEM lib (_ssl.c:4154)", { library: "X509" });
      }
      for (const c of crls) this.#crls.add(c.replace(/\s+/g, ""));
      if (!pems && crls.length > 0) return;
      if (!pems) {
        throw new SSLError(136, "[X509: NO_CERTIFICATE_OR_CRL_FOUND] no certificate or crl found (_ssl.c:4154)", {
          library: "X509",
          reason: "NO_CERTIFICATE_OR_CRL_FOUND",
        });
      }
      found.push(...pems);
    }
    if (a.capath != null) {
      const dir = fs_path(a.capath, "capath");
      let entries: Deno.DirEntry[] = [];
      try {
        entries = [...Deno.readDirSync(dir)];
      } catch {
        // OpenSSL's hashed-directory lookup only records the path: a missing or unreadable capath, or a file,
        // is no error there (CPython: no exception), and yields no certificate.
      }
      for (const ent of entries.sort((x, y) => x.name.localeCompare(y.name))) {
        // OpenSSL looks certificates up by subject hash: only <hash>.N files are ever found.
        if (!ent.isFile && !ent.isSymlink || !/^[0-9a-f]{8}\.\d+$/.test(ent.name)) continue;
        try {
          found.push(...(Deno.readTextFileSync(`${dir}/${ent.name}`).match(PEM_CERT_RE) ?? []));
        } catch { /* not a readable text file: skipped, as OpenSSL does */ }
      }
    }
    if (a.cadata != null) {
      if (typeof a.cadata === "string") {
        // As CPython: an ASCII string (PEM) only.
        if (/[\u0080-\uffff]/.test(a.cadata)) {
          throw new TypeError("cadata should be an ASCII string or a bytes-like object");
        }
        if (a.cadata.length === 0) throw new RangeError("Empty certificate data");
        const pems = a.cadata.match(PEM_CERT_RE);
        if (!pems) throw new SSLError(0, "no start line: cadata does not contain a certificate (_ssl.c:4020)");
        // OpenSSL reads one PEM block after another: a bad block after good ones is its own error (_ssl.c:4035).
        const bad = (errno: number, text: string, reason: string | null) =>
          new SSLError(errno, text, { library: "PEM", reason });
        pems.forEach((pem, i) => {
          const body = pem.slice(27, -25);
          const why = /[^A-Za-z0-9+/=\s]/.test(body)
            ? bad(100, "[PEM: BAD_BASE64_DECODE] bad base64 decode (_ssl.c:4035)", "BAD_BASE64_DECODE")
            : (() => {
              try {
                new X509Certificate(pem);
                return null;
              } catch {
                return bad(524301, "[PEM] ASN1 lib (_ssl.c:4035)", null);
              }
            })();
          if (why && i > 0) throw why;
        });
        const last = a.cadata.lastIndexOf(pems.at(-1)!) + pems.at(-1)!.length;
        if (a.cadata.indexOf("-----BEGIN CERTIFICATE-----", last) >= 0) {
          throw bad(102, "[PEM: BAD_END_LINE] bad end line (_ssl.c:4035)", "BAD_END_LINE");
        }
        found.push(...pems);
      } else if (ArrayBuffer.isView(a.cadata)) {
        const v = a.cadata as ArrayBufferView;
        const b = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
        if (b.length === 0) throw new RangeError("Empty certificate data");
        // As OpenSSL: one DER certificate after another.
        const before = found.length;
        for (let at = 0; at < b.length;) {
          const n = der_length(b, at);
          if (n === null && found.length > before) {
            // Junk after a certificate: CPython's error of a failed read after a good one.
            throw new SSLError(142, "[ASN1: NOT_ENOUGH_DATA] not enough data (_ssl.c:4035)", {
              library: "ASN1",
              reason: "NOT_ENOUGH_DATA",
            });
          }
          if (n === null) {
            throw new SSLError(0, "not enough data: cadata does not contain a certificate (_ssl.c:4020)");
          }
          found.push(DER_cert_to_PEM_cert(b.subarray(at, at + n)));
          at += n;
        }
        if (found.length === 0) {
          throw new SSLError(0, "not enough data: cadata does not contain a certificate (_ssl.c:4020)");
        }
      } else {
        throw new TypeError("cadata should be an ASCII string or a bytes-like object");
      }
    }
    // What OpenSSL cannot parse is refused here, as CPython's load_verify_locations does.
    for (const pem of found) {
      try {
        new X509Certificate(pem);
      } catch (e) {
        throw new SSLError(0, "no start line: cadata does not contain a certificate (_ssl.c:4020)", { cause: e });
      }
    }
    this.#cas.push(...found);
    this.#changed();
  }

  /**
   * Trust Deno's root certificates: its own store (the built-in Mozilla list,
   * as `tls.rootCertificates`, unless `DENO_TLS_CA_STORE` or `DENO_CERT` say
   * otherwise), with any CAs loaded by `load_verify_locations()` added to it.
   * A client verifies servers against them; a server verifies client
   * certificates against its loaded CAs only (see the module doc).
   *
   * @param purpose Purpose.SERVER_AUTH (default) or Purpose.CLIENT_AUTH.
   *
   * @example
   * ```ts
   * import { PROTOCOL_TLS_CLIENT, SSLContext } from "@pysocket/socket/ssl";
   * const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
   * ctx.load_default_certs();
   * console.log(ctx.cert_store_stats().x509_ca > 0); // true
   * ```
   */
  load_default_certs(purpose: ASN1Object = Purpose.SERVER_AUTH): void {
    check_purpose(purpose);
    this.#default_certs = true;
    this.#changed();
  }

  /**
   * Counts of the trusted certificates, as Python's `cert_store_stats()`.
   *
   * @returns `{ x509, crl, x509_ca }`.
   *
   * @example
   * ```ts
   * import { SSLContext } from "@pysocket/socket/ssl";
   * console.log(new SSLContext().cert_store_stats()); // { x509: 0, crl: 0, x509_ca: 0 }
   * ```
   */
  cert_store_stats(): { x509: number; crl: number; x509_ca: number } {
    const store = this.#store();
    const ca = store.reduce((n, der) => n + (is_ca(der) ? 1 : 0), 0);
    return { x509: store.length, crl: this.#crls.size, x509_ca: ca };
  }

  /**
   * The trusted certificates as OpenSSL's store holds them: each once (a
   * certificate loaded twice is kept once), Deno's roots first when loaded.
   */
  #store(): Uint8Array[] {
    const all = [...(this.#default_certs ? root_certificates().map(pem_to_der) : []), ...this._anchors()];
    const seen = new Set<string>();
    return all.filter((der) => {
      const k = DER_cert_to_PEM_cert(der);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  }

  /** The loaded CAs as DER (internal; made once per change). @ignore */
  _anchors(): Uint8Array[] {
    return this.#anchors ??= this.#cas.map(pem_to_der);
  }

  /**
   * The trusted CA certificates, as Python's `get_ca_certs()`: each as
   * `getpeercert()` shows a certificate, or as DER bytes with
   * `binary_form`. Certificates that are no CA (OpenSSL's
   * `X509_check_ca`) are left out, as in CPython. A directory given as
   * `capath` is read whole at once (OpenSSL reads its files when a chain
   * needs them, so CPython lists none of them).
   *
   * @param binary_form DER bytes instead of dicts.
   * @returns the certificates.
   *
   * @example
   * ```ts
   * import { PROTOCOL_TLS_CLIENT, SSLContext } from "@pysocket/socket/ssl";
   * console.log(new SSLContext(PROTOCOL_TLS_CLIENT).get_ca_certs()); // []
   * ```
   */
  get_ca_certs(binary_form?: false): PeerCertificate[];
  /**
   * The trusted CA certificates as DER bytes.
   *
   * @param binary_form true.
   * @returns the certificates.
   *
   * @example
   * ```ts
   * import { PROTOCOL_TLS_CLIENT, SSLContext } from "@pysocket/socket/ssl";
   * console.log(new SSLContext(PROTOCOL_TLS_CLIENT).get_ca_certs(true)); // []
   * ```
   */
  get_ca_certs(binary_form: true): Uint8Array[];
  get_ca_certs(binary_form: boolean = false): PeerCertificate[] | Uint8Array[] {
    const cas = this.#store().filter(is_ca);
    return binary_form ? cas.map((der) => new Uint8Array(der)) : cas.map(to_python_cert);
  }

  /**
   * Python's `set_default_verify_paths()`: trust the system's default CAs,
   * which for pysocket are Deno's root store (see
   * {@linkcode SSLContext.load_default_certs}).
   *
   * @example
   * ```ts
   * import { PROTOCOL_TLS_CLIENT, SSLContext } from "@pysocket/socket/ssl";
   * new SSLContext(PROTOCOL_TLS_CLIENT).set_default_verify_paths();
   * ```
   */
  set_default_verify_paths(): void {
    this.#default_certs = true;
    this.#changed();
  }

  /**
   * Python's `set_ecdh_curve(name)`. Deno's TLS always offers its own key
   * exchange groups (X25519, P-256, P-384), so a curve among them is
   * accepted (the others stay offered); another curve OpenSSL knows
   * raises, since it cannot be used; an unknown name is a ValueError.
   *
   * @param curve_name an OpenSSL curve name, e.g. `"prime256v1"`.
   * @throws {RangeError} for a name OpenSSL does not know (Python's ValueError).
   * @throws {OSError} ENOTSUP for a curve Deno's TLS cannot use.
   *
   * @example
   * ```ts
   * import { PROTOCOL_TLS_SERVER, SSLContext } from "@pysocket/socket/ssl";
   * new SSLContext(PROTOCOL_TLS_SERVER).set_ecdh_curve("prime256v1");
   * ```
   */
  set_ecdh_curve(curve_name: string | Uint8Array): void {
    const name = fs_name(curve_name);
    if (DENO_CURVES.includes(name)) return;
    if (OPENSSL_CURVES.includes(name)) {
      throw new OSError(E.ENOTSUP, null, {
        detail: `set_ecdh_curve(${py_str_repr(name)}): Deno's TLS offers only ${DENO_CURVES.join(", ")}`,
      });
    }
    throw new RangeError(`unknown elliptic curve name ${py_str_repr(name)}`);
  }

  /**
   * Python's `load_dh_params(path)`: the file must hold PEM DH parameters,
   * as in CPython. Deno's TLS has no finite-field (DHE) key exchange, so they
   * are checked and kept but never used: connections use ECDHE.
   *
   * @param path a PEM file of `DH PARAMETERS`.
   * @throws {FileNotFoundError} for a missing file.
   * @throws {SSLError} `[PEM: NO_START_LINE]` when it holds none.
   *
   * @example
   * ```ts ignore
   * ctx.load_dh_params("dhparam.pem");
   * ```
   */
  load_dh_params(path: string | Uint8Array): void {
    const file = fs_name(path);
    let text: string;
    try {
      text = Deno.readTextFileSync(file);
    } catch (e) {
      const err = map_error(e, `load_dh_params ${JSON.stringify(file)}`);
      if (err instanceof OSError && err.errno !== null) {
        throw new OSError(err.errno, null, { detail: py_str_repr(file), cause: e });
      }
      throw err;
    }
    if (!/-----BEGIN (X9\.42 )?DH PARAMETERS-----/.test(text)) {
      throw new SSLError(108, "[PEM: NO_START_LINE] no start line (_ssl.c:4202)", {
        library: "PEM",
        reason: "NO_START_LINE",
      });
    }
  }

  #stats = { connect: 0, connect_good: 0, accept: 0, accept_good: 0 };

  /** Count a handshake that starts, and when it succeeds (internal). @ignore */
  _count(server_side: boolean, handshake: Promise<unknown>, ok: () => boolean): void {
    const st = this.#stats;
    if (server_side) st.accept++;
    else st.connect++;
    handshake.then(() => {
      if (!ok()) return;
      if (server_side) st.accept_good++;
      else st.connect_good++;
    }, () => {});
  }

  /**
   * Python's `session_stats()`: handshakes started and completed as client
   * (`connect`, `connect_good`) and server (`accept`, `accept_good`); there
   * is no session cache, so the other counts are 0.
   *
   * @returns the counts.
   *
   * @example
   * ```ts
   * import { PROTOCOL_TLS_CLIENT, SSLContext } from "@pysocket/socket/ssl";
   * console.log(new SSLContext(PROTOCOL_TLS_CLIENT).session_stats().connect); // 0
   * ```
   */
  session_stats(): Record<string, number> {
    const st = this.#stats;
    return {
      number: 0,
      connect: st.connect,
      connect_good: st.connect_good,
      connect_renegotiate: 0,
      accept: st.accept,
      accept_good: st.accept_good,
      accept_renegotiate: 0,
      hits: 0,
      misses: 0,
      timeouts: 0,
      cache_full: 0,
    };
  }

  /**
   * The cipher suites this context can negotiate, as Python's
   * `get_ciphers()` describes them: Deno's TLS suites (TLS 1.3's three, then
   * TLS 1.2's ECDHE suites with AES-GCM and ChaCha20-Poly1305) that the
   * context's versions allow.
   *
   * @returns one dict per suite.
   *
   * @example
   * ```ts
   * import { PROTOCOL_TLS_CLIENT, SSLContext } from "@pysocket/socket/ssl";
   * console.log(new SSLContext(PROTOCOL_TLS_CLIENT).get_ciphers()[0]?.name); // "TLS_AES_256_GCM_SHA384"
   * ```
   */
  get_ciphers(): CipherInfo[] {
    let v: { minVersion: tls.SecureVersion; maxVersion: tls.SecureVersion };
    try {
      v = this.#version_options();
    } catch {
      return []; // no version left: no suite
    }
    return CIPHERS.filter((c) => c.protocol === "TLSv1.3" ? v.maxVersion === "TLSv1.3" : v.minVersion === "TLSv1.2")
      .map((c) => ({ ...c }));
  }

  /**
   * Offer these ALPN protocols, in order of preference.
   *
   * @param protocols e.g. `["h2", "http/1.1"]`.
   * @throws {RangeError} for an empty or too long name.
   *
   * @example
   * ```ts
   * import { create_default_context } from "@pysocket/socket/ssl";
   * create_default_context().set_alpn_protocols(["http/1.1"]);
   * ```
   */
  set_alpn_protocols(protocols: Iterable<string>): void {
    const list = [...protocols];
    for (const p of list) {
      // As CPython's bytes(protocol, 'ascii'), then its length check.
      if (typeof p !== "string") throw new TypeError("encoding without a string argument");
      const bad = /[\u0080-\u{10ffff}]/u.exec(p);
      if (bad) {
        const c = bad[0].codePointAt(0)!;
        const esc = c <= 0xff
          ? `\\x${c.toString(16).padStart(2, "0")}`
          : c <= 0xffff
          ? `\\u${c.toString(16).padStart(4, "0")}`
          : `\\U${c.toString(16).padStart(8, "0")}`;
        throw new RangeError(
          `'ascii' codec can't encode character '${esc}' in position ${
            [...p.slice(0, bad.index)].length
          }: ordinal not in range(128)`,
        );
      }
      if (p.length === 0 || p.length > 255) {
        throw new SSLError(null, "('ALPN protocols must be 1 to 255 in length',)");
      }
    }
    this.#alpn = list;
    this.#changed();
  }

  /**
   * Choose cipher suites by an OpenSSL cipher string. Deno's TLS (rustls)
   * chooses among its own secure suites and cannot take such a string, so
   * this always raises.
   *
   * @param ciphers an OpenSSL cipher string.
   * @throws {SSLError} always, naming the reason.
   *
   * @example
   * ```ts
   * import { SSLContext, SSLError } from "@pysocket/socket/ssl";
   * try { new SSLContext().set_ciphers("ECDHE+AESGCM"); } catch (e) { console.log(e instanceof SSLError); } // true
   * ```
   */
  set_ciphers(ciphers: string): never {
    // CPython's text first (its SSLError("No cipher can be selected.") prints as a tuple), then why.
    throw new SSLError(
      null,
      `('No cipher can be selected.',): set_ciphers(${
        JSON.stringify(ciphers)
      }): Deno's TLS chooses among its own secure suites and takes no OpenSSL cipher string`,
      { library: "SSL", reason: "NO_CIPHER_MATCH" },
    );
  }

  /**
   * Wrap a socket in TLS. A connected socket is upgraded in place (the
   * handshake happens now unless `do_handshake_on_connect` is false); an
   * unconnected one shakes hands in `connect()`; a listening one makes
   * `accept()` return `SSLSocket`s that have shaken hands. Bytes the socket
   * had already received (or was receiving) go to TLS.
   *
   * @param sock a pysocket stream socket.
   * @param server_side act as the server (default false).
   * @param do_handshake_on_connect shake hands at once (default true).
   * @param suppress_ragged_eofs true (default): an EOF without the peer's close_notify reads as an empty result; false: it raises SSLEOFError.
   * @param server_hostname SNI name and the name to check the certificate against.
   * @param options Python's keywords, and `signal`.
   * @returns the socket itself, now an {@linkcode SSLSocket}.
   * @throws {SSLCertVerificationError} when the peer's certificate fails verification.
   * @throws {SSLError} for other handshake failures.
   * @throws {TimeoutError} when the socket's timeout passes during the handshake.
   *
   * @example
   * ```ts ignore
   * import { create_connection } from "@pysocket/socket";
   * import { create_default_context } from "@pysocket/socket/ssl";
   * using sock = await create_connection(["example.com", 443]);
   * const ssock = await create_default_context().wrap_socket(sock, { server_hostname: "example.com" });
   * console.log(ssock.version());
   * ```
   */
  async wrap_socket(
    sock: Socket,
    server_side?: boolean | WrapSocketOptions,
    do_handshake_on_connect?: boolean | WrapSocketOptions,
    suppress_ragged_eofs?: boolean | WrapSocketOptions,
    server_hostname?: string | null | WrapSocketOptions,
    options?: WrapSocketOptions,
  ): Promise<SSLSocket> {
    const a = bind_args(
      "wrap_socket",
      [sock, server_side, do_handshake_on_connect, suppress_ragged_eofs, server_hostname, options],
      ["sock", "server_side", "do_handshake_on_connect", "suppress_ragged_eofs", "server_hostname"],
      ["session"],
    );
    if (!(a.sock instanceof Socket)) throw new TypeError("wrap_socket() needs a pysocket Socket");
    const s = a.sock;
    if (sessions.has(s)) throw new RangeError("the socket is already wrapped in TLS");
    if (s._closed) throw new OSError(E.EBADF);
    // CPython's SSLSocket._create (SO_TYPE read from the socket): datagram, seqpacket, raw (C3-9).
    if (s.type !== 1) throw not_implemented("only stream sockets are supported");
    if (a.session != null) throw new OSError(E.ENOTSUP, null, { detail: "TLS session resumption is not supported" });
    const server = Boolean(a.server_side ?? false);
    let host = (a.server_hostname ?? null) as string | Uint8Array | null;
    // As CPython's _encode_hostname: bytes are ASCII text.
    if (host instanceof Uint8Array) host = new TextDecoder("latin1").decode(host);
    if (host !== null && typeof host !== "string") throw new TypeError("server_hostname must be a string");
    // CPython's order (SSLSocket._create, then its idna codec, then _ssl.c): truthiness first, so "" is no name
    // for these two checks (A13a-7).
    if (server && host) throw new RangeError("server_hostname can only be specified in client mode");
    if (this.#check_hostname && !host) throw new RangeError("check_hostname requires server_hostname");
    // CPython's _encode_hostname: the name through its idna codec (IDNA 2003: every label 1 to 63 bytes, a final dot
    // aside; a non-ASCII label nameprepped and punycoded), its UnicodeError raised as it is; the name kept encoded.
    if (host !== null && host !== "") host = idna_encode(host);
    // A name the codec passes: only "" is left for _ssl.c's check (a leading dot is an empty label above).
    if (host === "") throw new RangeError("server_hostname cannot be an empty string or start with a leading dot.");
    if (server && this.#protocol === PROTOCOL_TLS_CLIENT) {
      throw new SSLError(1, "Cannot create a server socket with a PROTOCOL_TLS_CLIENT context");
    }
    if (!server && this.#protocol === PROTOCOL_TLS_SERVER) {
      throw new SSLError(1, "Cannot create a client socket with a PROTOCOL_TLS_SERVER context");
    }
    const st: SslState = {
      queue: null,
      context: this,
      server_side: server,
      server_hostname: host as string | null,
      do_handshake_on_connect: Boolean(a.do_handshake_on_connect ?? true),
      suppress_ragged_eofs: Boolean(a.suppress_ragged_eofs ?? true),
      session: null,
      handshake_timeout: null,
    };
    // Whatever can fail (no certificate, no protocol, a file's permission) fails
    // here, while the socket is still exactly as it was.
    this._spec(st, DEFAULT_HANDSHAKE_TIMEOUT);
    return await adopt(s, st, a.signal as AbortSignal | undefined);
  }

  /**
   * The session settings for a socket of this context (internal). Throws
   * when the context cannot make one (no certificate on a server, no
   * protocol left).
   * @ignore
   */
  _spec(st: { server_side: boolean; server_hostname: string | null }, timeout_s: number): SessionSpec {
    const spec: SessionSpec = {
      server_side: st.server_side,
      server_hostname: st.server_hostname,
      verify_mode: this.#verify_mode,
      check_hostname: this.#check_hostname,
      check_cn: this.#check_cn,
      // A server verifies client certificates against its own CAs only (see #server_options).
      empty_store: st.server_side ? this.#cas.length === 0 : this._empty_store,
      timeout_ms: timeout_s * 1000,
      anchors: this._anchors(),
      // A server trusts its loaded CAs only; a client with the default roots trusts more than these.
      anchors_complete: st.server_side || !this.#default_certs,
      partial_chain: (this.#verify_flags & VERIFY_X509_PARTIAL_CHAIN) !== 0,
    };
    if (!st.server_side && this.#default_certs) spec.roots = root_ders;
    if (st.server_side) spec.server = this.#server_options();
    else spec.client = this.#client_options(st.server_hostname);
    return spec;
  }

  /** The last client options made, and what they were made from (tls.connect gets a copy of them). */
  #client_opts: {
    host: string | null;
    secure: tls.SecureContext;
    alpn: string[] | null;
    o: tls.ConnectionOptions;
  } | null = null;

  /** node:tls options for a client session; the secure context is made once per SSLContext. */
  #client_options(host: string | null): tls.ConnectionOptions {
    const secure = this.#client_secure ??= this.#client_context();
    const c = this.#client_opts;
    if (c !== null && c.host === host && c.secure === secure && c.alpn === this.#alpn) return c.o;
    const o: tls.ConnectionOptions = {
      secureContext: this.#client_secure,
      // The session verifies the server itself, before anything but the
      // ClientHello leaves (see _ssl_session.ts).
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
    };
    // As OpenSSL: no SNI for an IP address (with or without a trailing dot) or a name that is not ASCII-encodable.
    const sni = host === null ? null : ascii_host(host)?.replace(/\.$/, "") ?? null;
    if (sni && !is_ip(sni) && !isIP(sni)) o.servername = sni;
    if (this.#alpn) o.ALPNProtocols = this.#alpn;
    this.#client_opts = { host, secure, alpn: this.#alpn, o };
    return o;
  }

  /**
   * The client's secure context. An explicit `ca` REPLACES Deno's root store
   * (node:tls's useDefaultCA=false), so the CAs alone go there. With the
   * default roots, no `ca`: Deno's own store is used as it is (process-wide,
   * never re-parsed), and the extra CAs are added to it with `addCACert()`
   * (only they are parsed per handshake; reading `tls.rootCertificates`, and
   * so `--allow-sys`, is not needed). An empty store passes none either: the
   * session refuses every certificate itself.
   */
  #client_context(): tls.SecureContext {
    const base = { ...this.#version_options(), ...this.#cred_options() };
    if (!this.#default_certs) {
      return tls.createSecureContext(this.#cas.length === 0 ? base : { ...base, ca: [...this.#cas] });
    }
    const sc = tls.createSecureContext(base);
    if (this.#cas.length === 0) return sc;
    const add = (sc.context as { addCACert?: (pem: string) => void } | undefined)?.addCACert;
    if (typeof add !== "function") {
      // A node:tls without addCACert (not Deno 2.9.6): the roots and the CAs as `ca`.
      return tls.createSecureContext({ ...base, ca: this.#trusted() });
    }
    for (const pem of this.#cas) add.call(sc.context, pem);
    return sc;
  }

  #cred_options(): { cert?: string; key?: string; passphrase?: string } {
    if (!this.#creds) return {};
    const o: { cert?: string; key?: string; passphrase?: string } = { cert: this.#creds.cert, key: this.#creds.key };
    if (this.#creds.passphrase !== undefined) o.passphrase = this.#creds.passphrase;
    return o;
  }

  /** node:tls options for a server session. */
  #server_options(): tls.TLSSocketOptions {
    // A context with a sni_callback may leave the certificate to the contexts the callback picks, as with CPython.
    if (!this.#creds && !this.#sni) throw no_certificate();
    // Client certificates are verified against the CAs loaded with
    // load_verify_locations() only, never Deno's default roots: node:tls
    // (Deno 2.9.6) names every `ca` in its CertificateRequest and appends
    // each to the server's own chain, so ~150 roots make a handshake no
    // client completes (OpenSSL: EXCESSIVE_MESSAGE_SIZE). With no CA of its
    // own, a server refuses every client certificate (fail closed).
    this.#secure ??= tls.createSecureContext({
      ...this.#version_options(),
      ...this.#cred_options(),
      ...(this.#verify_mode === CERT_NONE || this.#cas.length === 0 ? {} : { ca: [...this.#cas] }),
    });
    const o: tls.TLSSocketOptions = {
      isServer: true,
      secureContext: this.#secure,
      requestCert: this.#verify_mode !== CERT_NONE,
      // Natively this only refuses a missing certificate (with the alert
      // OpenSSL sends); the session verifies a sent one itself.
      rejectUnauthorized: this.#verify_mode === CERT_REQUIRED,
    };
    if (this.#alpn) o.ALPNProtocols = this.#alpn;
    return o;
  }

  /**
   * The server's secure context (internal: a sni_callback's choice serves with it), with the protocol versions
   * `v` (those of the context the socket was made with, when it was made, as OpenSSL keeps them). `verifies`: the
   * socket asks for client certificates (its verify mode, kept as OpenSSL's SSL_set_SSL_CTX keeps it): they are
   * verified against this context's CAs even when its own verify mode is CERT_NONE (A18b-2). `chosen`: the chain
   * to serve (what _pick gave; typed loosely: Credentials is not public).
   * @ignore
   */
  _server_context(
    v: { minVersion: tls.SecureVersion; maxVersion: tls.SecureVersion },
    verifies: boolean,
    chosen: object | null = this.#creds,
  ): tls.SecureContext {
    const creds = chosen as Credentials | null;
    if (!this.#creds || !creds) throw no_certificate();
    const own = this.#server_options().secureContext!;
    const mine = this.#version_options();
    // The secure context made for this context's own sockets names its CAs when its verify mode is not CERT_NONE.
    const ca = verifies && this.#cas.length > 0;
    const own_ca = this.#verify_mode !== CERT_NONE && this.#cas.length > 0;
    const last = creds === this.#creds;
    if (last && v.minVersion === mine.minVersion && v.maxVersion === mine.maxVersion && ca === own_ca) return own;
    // Another key type's chain (C3-1) has secure contexts of its own.
    const key = `${last ? "" : creds.kind}/${v.minVersion}/${v.maxVersion}/${ca}`;
    let sc = this.#versioned.get(key);
    if (!sc) {
      const o: tls.SecureContextOptions = {
        ...v,
        cert: creds.cert,
        key: creds.key,
        ...(ca ? { ca: [...this.#cas] } : {}),
      };
      if (creds.passphrase !== undefined) o.passphrase = creds.passphrase;
      sc = tls.createSecureContext(o);
      this.#versioned.set(key, sc);
    }
    return sc;
  }

  /** The ALPN protocols set, or null (internal: a server reads them when the ClientHello comes, as CPython). @ignore */
  _alpn(): string[] | null {
    return this.#alpn;
  }

  /** Chains of more than one key type are loaded: a server picks one per handshake (internal, C3-1). @ignore */
  get _multi(): boolean {
    return this.#slots.size > 1;
  }

  /**
   * The chain a server serves to a client offering `offered` signature algorithms (internal, C3-1): OpenSSL's
   * preference among the key types loaded; the last chain loaded when none fits or the client named none.
   * @ignore
   */
  _pick(offered: readonly number[] | null | undefined): object | null {
    if (offered == null || this.#slots.size < 2) return this.#creds;
    for (const kind of SERVER_PREFERENCE) {
      const c = this.#slots.get(kind);
      if (c !== undefined && usable(c, offered)) return c;
    }
    return this.#creds;
  }

  /** Whether a certificate chain is loaded (internal). @ignore */
  get _has_cert(): boolean {
    return this.#creds !== null;
  }

  /**
   * The certificate chain loaded (internal: what a server socket keeps from its wrap).
   * @ignore
   */
  get _creds(): object | null {
    return this.#creds;
  }

  /**
   * A server secure context serving `creds` (the chain a socket was wrapped with) with `v`'s protocol versions and
   * this context's CAs as they are now (internal: OpenSSL reads the CA store live, A18b-3).
   * @ignore
   */
  _server_context_with(
    kept: object,
    v: { minVersion: tls.SecureVersion; maxVersion: tls.SecureVersion },
  ): tls.SecureContext {
    const creds = kept as Credentials; // what _creds gave (typed loosely: Credentials is not public)
    const o: tls.SecureContextOptions = { ...v, cert: creds.cert, key: creds.key };
    if (creds.passphrase !== undefined) o.passphrase = creds.passphrase;
    if (this.#cas.length > 0) o.ca = [...this.#cas];
    return tls.createSecureContext(o);
  }

  /** The protocol versions this context allows, as node:tls options (internal). @ignore */
  _versions(): { minVersion: tls.SecureVersion; maxVersion: tls.SecureVersion } {
    return this.#version_options();
  }

  /**
   * What a client of this context trusts (internal: a client socket given this context, A17a-1).
   * @ignore
   */
  _trust(): Trust {
    const t: Trust = {
      anchors: this._anchors(),
      anchors_complete: !this.#default_certs,
      empty_store: this._empty_store,
    };
    if (this.#default_certs) t.roots = root_ders;
    return t;
  }

  /** True when nothing at all is trusted (internal). */
  get _empty_store(): boolean {
    return this.#cas.length === 0 && !this.#default_certs;
  }

  #trusted(): string[] {
    return this.#default_certs ? [...root_certificates(), ...this.#cas] : [...this.#cas];
  }

  #version_options(): { minVersion: tls.SecureVersion; maxVersion: tls.SecureVersion } {
    let lo: tls.SecureVersion = this.#min === TLSVersion.TLSv1_3 ? "TLSv1.3" : "TLSv1.2";
    let hi: tls.SecureVersion = this.#max === TLSVersion.TLSv1_2 ? "TLSv1.2" : "TLSv1.3";
    if (this.#only_12) hi = "TLSv1.2";
    if (this.#options & OP_NO_TLSv1_2) lo = "TLSv1.3";
    if (this.#options & OP_NO_TLSv1_3) hi = "TLSv1.2";
    if (lo === "TLSv1.3" && hi === "TLSv1.2") {
      throw new SSLError(1, "[SSL: NO_PROTOCOLS_AVAILABLE] no protocols available", {
        library: "SSL",
        reason: "NO_PROTOCOLS_AVAILABLE",
      });
    }
    return { minVersion: lo, maxVersion: hi };
  }
}

/**
 * What Python's `get_ciphers()` says of a suite.
 *
 * @category TLS
 */
export interface CipherInfo {
  /** OpenSSL's id. */
  id: number;
  /** OpenSSL's name. */
  name: string;
  /** The protocol version that introduced it. */
  protocol: string;
  /** OpenSSL's one-line description. */
  description: string;
  /** Secret bits. */
  strength_bits: number;
  /** The cipher's bits. */
  alg_bits: number;
  /** An AEAD suite. */
  aead: boolean;
  /** The symmetric cipher. */
  symmetric: string;
  /** The MAC digest (null for AEAD). */
  digest: string | null;
  /** The key exchange. */
  kea: string;
  /** The authentication. */
  auth: string;
}

/** CPython 3.11's `get_ciphers()` entries (OpenSSL 3.0) of the suites Deno's TLS offers, in OpenSSL's order. */
const CIPHERS: readonly CipherInfo[] = Object.freeze([{
  "id": 50336514,
  "name": "TLS_AES_256_GCM_SHA384",
  "protocol": "TLSv1.3",
  "description": "TLS_AES_256_GCM_SHA384         TLSv1.3 Kx=any      Au=any   Enc=AESGCM(256)            Mac=AEAD",
  "strength_bits": 256,
  "alg_bits": 256,
  "aead": true,
  "symmetric": "aes-256-gcm",
  "digest": null,
  "kea": "kx-any",
  "auth": "auth-any",
}, {
  "id": 50336515,
  "name": "TLS_CHACHA20_POLY1305_SHA256",
  "protocol": "TLSv1.3",
  "description": "TLS_CHACHA20_POLY1305_SHA256   TLSv1.3 Kx=any      Au=any   Enc=CHACHA20/POLY1305(256) Mac=AEAD",
  "strength_bits": 256,
  "alg_bits": 256,
  "aead": true,
  "symmetric": "chacha20-poly1305",
  "digest": null,
  "kea": "kx-any",
  "auth": "auth-any",
}, {
  "id": 50336513,
  "name": "TLS_AES_128_GCM_SHA256",
  "protocol": "TLSv1.3",
  "description": "TLS_AES_128_GCM_SHA256         TLSv1.3 Kx=any      Au=any   Enc=AESGCM(128)            Mac=AEAD",
  "strength_bits": 128,
  "alg_bits": 128,
  "aead": true,
  "symmetric": "aes-128-gcm",
  "digest": null,
  "kea": "kx-any",
  "auth": "auth-any",
}, {
  "id": 50380844,
  "name": "ECDHE-ECDSA-AES256-GCM-SHA384",
  "protocol": "TLSv1.2",
  "description": "ECDHE-ECDSA-AES256-GCM-SHA384  TLSv1.2 Kx=ECDH     Au=ECDSA Enc=AESGCM(256)            Mac=AEAD",
  "strength_bits": 256,
  "alg_bits": 256,
  "aead": true,
  "symmetric": "aes-256-gcm",
  "digest": null,
  "kea": "kx-ecdhe",
  "auth": "auth-ecdsa",
}, {
  "id": 50380848,
  "name": "ECDHE-RSA-AES256-GCM-SHA384",
  "protocol": "TLSv1.2",
  "description": "ECDHE-RSA-AES256-GCM-SHA384    TLSv1.2 Kx=ECDH     Au=RSA   Enc=AESGCM(256)            Mac=AEAD",
  "strength_bits": 256,
  "alg_bits": 256,
  "aead": true,
  "symmetric": "aes-256-gcm",
  "digest": null,
  "kea": "kx-ecdhe",
  "auth": "auth-rsa",
}, {
  "id": 50380843,
  "name": "ECDHE-ECDSA-AES128-GCM-SHA256",
  "protocol": "TLSv1.2",
  "description": "ECDHE-ECDSA-AES128-GCM-SHA256  TLSv1.2 Kx=ECDH     Au=ECDSA Enc=AESGCM(128)            Mac=AEAD",
  "strength_bits": 128,
  "alg_bits": 128,
  "aead": true,
  "symmetric": "aes-128-gcm",
  "digest": null,
  "kea": "kx-ecdhe",
  "auth": "auth-ecdsa",
}, {
  "id": 50380847,
  "name": "ECDHE-RSA-AES128-GCM-SHA256",
  "protocol": "TLSv1.2",
  "description": "ECDHE-RSA-AES128-GCM-SHA256    TLSv1.2 Kx=ECDH     Au=RSA   Enc=AESGCM(128)            Mac=AEAD",
  "strength_bits": 128,
  "alg_bits": 128,
  "aead": true,
  "symmetric": "aes-128-gcm",
  "digest": null,
  "kea": "kx-ecdhe",
  "auth": "auth-rsa",
}, {
  "id": 50384041,
  "name": "ECDHE-ECDSA-CHACHA20-POLY1305",
  "protocol": "TLSv1.2",
  "description": "ECDHE-ECDSA-CHACHA20-POLY1305  TLSv1.2 Kx=ECDH     Au=ECDSA Enc=CHACHA20/POLY1305(256) Mac=AEAD",
  "strength_bits": 256,
  "alg_bits": 256,
  "aead": true,
  "symmetric": "chacha20-poly1305",
  "digest": null,
  "kea": "kx-ecdhe",
  "auth": "auth-ecdsa",
}, {
  "id": 50384040,
  "name": "ECDHE-RSA-CHACHA20-POLY1305",
  "protocol": "TLSv1.2",
  "description": "ECDHE-RSA-CHACHA20-POLY1305    TLSv1.2 Kx=ECDH     Au=RSA   Enc=CHACHA20/POLY1305(256) Mac=AEAD",
  "strength_bits": 256,
  "alg_bits": 256,
  "aead": true,
  "symmetric": "chacha20-poly1305",
  "digest": null,
  "kea": "kx-ecdhe",
  "auth": "auth-rsa",
}]);

/** A suite Deno names (OpenSSL's name, or the IANA name Deno gives TLS 1.2 suites) as `get_ciphers()` knows it. */
function cipher_info(name: string | undefined): CipherInfo | undefined {
  if (!name) return undefined;
  // TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 -> ECDHE-ECDSA-AES128-GCM-SHA256; ..._CHACHA20_POLY1305_SHA256 -> ...-CHACHA20-POLY1305
  const m = /^TLS_ECDHE_(ECDSA|RSA)_WITH_(AES_(128|256)_GCM_(SHA256|SHA384)|CHACHA20_POLY1305_SHA256)$/.exec(name);
  const openssl = m ? `ECDHE-${m[1]}-${m[3] ? `AES${m[3]}-GCM-${m[4]}` : "CHACHA20-POLY1305"}` : name;
  return CIPHERS.find((c) => c.name === openssl);
}

/** Curves Deno's TLS offers for key exchange, by OpenSSL's names. */
const DENO_CURVES = ["prime256v1", "secp384r1", "X25519"];
/** Other curves OpenSSL 3.0 knows by name (set_ecdh_curve raises ENOTSUP for them, not ValueError). */
const OPENSSL_CURVES = [
  "secp521r1",
  "X448",
  "secp224r1",
  "secp256k1",
  "prime192v1",
  "secp192k1",
  "secp224k1",
  "brainpoolP256r1",
  "brainpoolP384r1",
  "brainpoolP512r1",
  "ffdhe2048",
  "ffdhe3072",
  "ffdhe4096",
  "ffdhe6144",
  "ffdhe8192",
];

/** A str or bytes argument (a file or curve name), or CPython's TypeError. */
function fs_name(v: unknown): string {
  if (typeof v === "string") return v;
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  throw new TypeError(`expected str, bytes or os.PathLike object, not ${py_type(v)}`);
}

/**
 * Python's `sni_callback(ssl_socket, server_name, ssl_context)`: called by a
 * server when a client's hello arrives, with the name the client sent (an
 * A-label) or null. It may set `ssl_socket.context` to another context
 * whose certificate then serves this connection. Return nothing to go on,
 * or an `ALERT_DESCRIPTION_*` number to refuse the handshake; it may be
 * async.
 *
 * @category TLS
 */
export type SniCallback = (
  ssl_socket: SSLSocket,
  server_name: string | null,
  ssl_context: SSLContext,
) => number | null | undefined | void | Promise<number | null | undefined | void>;

/** A server context without a certificate (at wrap time here; CPython fails at the handshake). */
function no_certificate(): SSLError {
  return new SSLError(1, "a server-side socket needs a certificate: call load_cert_chain() first", {
    library: "SSL",
    reason: "NO_CERTIFICATE_ASSIGNED",
  });
}

/** CPython 3.11's default `options` (OP_ALL, OP_NO_SSLv3, OP_NO_COMPRESSION, OP_CIPHER_SERVER_PREFERENCE, OP_ENABLE_MIDDLEBOX_COMPAT). */
const DEFAULT_OPTIONS = 0x82520050;

/** The length of the DER element (tag, length, contents) at `at`, or null when it does not fit. */
function der_length(b: Uint8Array, at: number): number | null {
  if (at + 2 > b.length || b[at] !== 0x30) return null;
  let len = b[at + 1]!;
  let p = at + 2;
  if (len & 0x80) {
    const k = len & 0x7f;
    if (k === 0 || k > 4 || p + k > b.length) return null;
    len = 0;
    for (let i = 0; i < k; i++) len = len * 256 + b[p++]!;
  }
  return p + len <= b.length ? p + len - at : null;
}

let roots: readonly string[] | null = null;

/**
 * Deno's built-in root certificates as PEM texts. Reading them needs
 * `--allow-sys` (Deno's "ca" sys permission): without it, PermissionError
 * naming the flag. Only cert_store_stats() reads them (and a client on a
 * node:tls without addCACert): a client context passes no `ca` for them and
 * Deno uses its own store natively.
 */
function root_certificates(): readonly string[] {
  try {
    // A lazy proxy: the permission is checked when it is first read.
    return roots ??= Object.freeze([...tls.rootCertificates]);
  } catch (e) {
    throw map_error(e, "root certificates");
  }
}

/**
 * OpenSSL's security level 2 (CPython 3.11's) for a certificate chain being loaded, as SSL_CTX_use_certificate_chain_file
 * checks it: the leaf's key, then each certificate's signature digest (not a self-signed one's) and each chain
 * certificate's key (A13a-2). A certificate that cannot be parsed is left to the later checks.
 */
function chain_level_check(pems: readonly string[]): void {
  const fail = (reason: string) =>
    new SSLError(1, `[SSL: ${reason}] ${reason.toLowerCase().replaceAll("_", " ")} (_ssl.c:3905)`, {
      library: "SSL",
      reason,
    });
  for (const [i, pem] of pems.entries()) {
    let der: Uint8Array;
    try {
      der = pem_to_der(pem);
    } catch {
      continue;
    }
    if (weak_key(der)) throw fail(i === 0 ? "EE_KEY_TOO_SMALL" : "CA_KEY_TOO_SMALL");
    const f = facts(der);
    if (f && !bytes_equal(f.issuer, f.subject) && weak_signature(der)) throw fail("CA_MD_TOO_WEAK");
  }
}

/** A PEM CRL block. */
const PEM_CRL_RE = /-----BEGIN X509 CRL-----[\s\S]+?-----END X509 CRL-----/g;

let root_der_list: readonly Uint8Array[] | null = null;

/** The built-in roots as DER (one list per process, so the session's parse caches keep them). */
function root_ders(): readonly Uint8Array[] {
  return root_der_list ??= Object.freeze(root_certificates().map(pem_to_der));
}

function check_version(v: number): number {
  v = as_int(v);
  if (!Object.values(TLSVersion).includes(v as TLSVersionValue)) {
    throw new RangeError(`Unsupported TLS/SSL version 0x${(v < 0 ? v >>> 0 : v).toString(16)}`);
  }
  return v;
}

function version_name(v: number): string {
  const e = Object.entries(TLSVersion).find(([, n]) => n === v);
  return `TLSVersion.${e ? e[0] : v}`;
}

function check_purpose(p: unknown): void {
  // CPython: `if not isinstance(purpose, _ASN1Object): raise TypeError(purpose)` (C3-8).
  if (!(p instanceof ASN1Object)) {
    throw new TypeError(p == null ? "None" : typeof p === "boolean" ? (p ? "True" : "False") : String(p));
  }
  if (p !== Purpose.SERVER_AUTH && p !== Purpose.CLIENT_AUTH) {
    throw new TypeError("purpose must be Purpose.SERVER_AUTH or Purpose.CLIENT_AUTH");
  }
}

/**
 * A context with Python's secure defaults: `Purpose.SERVER_AUTH` (default)
 * makes a client context that verifies certificates and host names;
 * `Purpose.CLIENT_AUTH` makes a server context. The CAs given are trusted,
 * or Deno's built-in roots when none is given.
 *
 * @param purpose Purpose.SERVER_AUTH or Purpose.CLIENT_AUTH.
 * @param options `{ cafile, capath, cadata }`.
 * @returns the context.
 *
 * @example
 * ```ts
 * import { create_default_context, CERT_REQUIRED } from "@pysocket/socket/ssl";
 * const ctx = create_default_context();
 * console.log(ctx.verify_mode === CERT_REQUIRED, ctx.check_hostname); // true true
 * ```
 *
 * @category TLS
 */
export function create_default_context(
  purpose?: ASN1Object | DefaultContextOptions,
  options?: DefaultContextOptions,
): SSLContext {
  const a = bind_args("create_default_context", [purpose, options], ["purpose"], ["cafile", "capath", "cadata"]);
  const p = a.purpose ?? Purpose.SERVER_AUTH;
  check_purpose(p);
  const ctx = new SSLContext(p === Purpose.SERVER_AUTH ? PROTOCOL_TLS_CLIENT : PROTOCOL_TLS_SERVER);
  if (a.cafile != null || a.capath != null || a.cadata != null) {
    ctx.load_verify_locations(
      (a.cafile ?? null) as string | null,
      (a.capath ?? null) as string | null,
      (a.cadata ?? null) as string | Uint8Array | null,
    );
  } else if (ctx.verify_mode !== CERT_NONE) {
    ctx.load_default_certs(p as ASN1Object);
  }
  return ctx;
}

/**
 * Options of {@linkcode _create_unverified_context}: Python's keywords.
 *
 * @category TLS
 */
export interface UnverifiedContextOptions extends DefaultContextOptions {
  /** CERT_NONE (default), CERT_OPTIONAL or CERT_REQUIRED; null keeps the protocol's default. */
  cert_reqs?: number | null;
  /** Check host names (default false). */
  check_hostname?: boolean;
  /** Purpose.SERVER_AUTH (default: a client context) or Purpose.CLIENT_AUTH (a server context). */
  purpose?: ASN1Object;
  /** A PEM file with the certificate (and its key, unless `keyfile`) to present. */
  certfile?: string | null;
  /** A PEM file with the certificate's private key. */
  keyfile?: string | null;
}

/**
 * Python's `ssl._create_unverified_context()`: a context that does NOT verify
 * the peer (CERT_NONE, no host name check) unless asked to, as CPython 3.11
 * writes it (programs pass it where they knowingly give up verification, e.g.
 * for a self-signed test server). With `cert_reqs` other than CERT_NONE and no
 * CAs given, Deno's default roots are trusted.
 *
 * @param protocol PROTOCOL_TLS_CLIENT / PROTOCOL_TLS_SERVER, or null for the purpose's.
 * @param options `{ cert_reqs, check_hostname, purpose, certfile, keyfile, cafile, capath, cadata }`.
 * @returns the context.
 * @throws {TypeError} for a purpose that is not a Purpose.
 * @throws {RangeError} `certfile must be specified` for a keyfile alone.
 *
 * @example
 * ```ts
 * import { _create_unverified_context, CERT_NONE } from "@pysocket/socket/ssl";
 * const ctx = _create_unverified_context();
 * console.log(ctx.verify_mode === CERT_NONE, ctx.check_hostname); // true false
 * ```
 *
 * @category TLS
 */
export function _create_unverified_context(
  protocol?: number | null | UnverifiedContextOptions,
  options?: UnverifiedContextOptions,
): SSLContext {
  const a = bind_args("_create_unverified_context", [protocol, options], ["protocol"], [
    "cert_reqs",
    "check_hostname",
    "purpose",
    "certfile",
    "keyfile",
    "cafile",
    "capath",
    "cadata",
  ]);
  const purpose = a.purpose ?? Purpose.SERVER_AUTH;
  if (purpose !== Purpose.SERVER_AUTH && purpose !== Purpose.CLIENT_AUTH) {
    if (!(purpose instanceof ASN1Object)) throw new TypeError(String(purpose));
    throw new RangeError(String(purpose));
  }
  const proto = a.protocol == null
    ? (purpose === Purpose.SERVER_AUTH ? PROTOCOL_TLS_CLIENT : PROTOCOL_TLS_SERVER)
    : a.protocol as number;
  const ctx = new SSLContext(proto);
  const check_hostname = Boolean(a.check_hostname ?? false);
  ctx.check_hostname = check_hostname;
  const reqs = a.cert_reqs === undefined ? CERT_NONE : a.cert_reqs;
  if (reqs !== null) ctx.verify_mode = reqs as number;
  if (check_hostname) ctx.check_hostname = true;
  if (a.keyfile && !a.certfile) throw new RangeError("certfile must be specified");
  if (a.certfile || a.keyfile) ctx.load_cert_chain(a.certfile as string, (a.keyfile ?? null) as string | null);
  if (a.cafile || a.capath || a.cadata) {
    ctx.load_verify_locations(
      (a.cafile ?? null) as string | null,
      (a.capath ?? null) as string | null,
      (a.cadata ?? null) as string | Uint8Array | null,
    );
  } else if (ctx.verify_mode !== CERT_NONE) {
    ctx.load_default_certs(purpose as ASN1Object);
  }
  return ctx;
}

// ---- the TLS socket ----------------------------------------------------

interface SslState {
  /** A listening socket's handshakes in flight and ended (made by the first accept()). */
  queue: HandshakeQueue<Socket> | null;
  context: SSLContext;
  server_side: boolean;
  server_hostname: string | null;
  do_handshake_on_connect: boolean;
  suppress_ragged_eofs: boolean;
  session: Session | null;
  /** Seconds a handshake may take when the socket has no timeout (a listener's, for accepted ones). */
  handshake_timeout: number | null;
  /**
   * Bytes of a non-blocking send that raised SSLWantWriteError but were already queued (OpenSSL's unfinished
   * SSL_write): the retry with the same bytes goes on from there, as OpenSSL's does. 0 when none; -1 once a
   * retry was too short (OpenSSL's BAD_LENGTH, after which every write fails).
   */
  write_done?: number;
}

const sessions = new WeakMap<Socket, SslState>();

/** What bind_args() gives a call with no arguments (nothing bound: no object per call). */
const NO_KW: Readonly<Record<string, unknown>> = Object.freeze({});
/** Each SSLSocket's Pollable (see `_pollable()`). */
const tls_polls = new WeakMap<Socket, Pollable>();
const WOKEN = Symbol("handshake ended");
const TIMED_OUT = Symbol("timed out");

function is_connected(s: Socket): boolean {
  try {
    s._stream_parts();
    return true;
  } catch {
    return false;
  }
}

function state_of(s: Socket): SslState {
  const st = sessions.get(s);
  if (!st) throw new TypeError("not an SSLSocket made by wrap_socket()");
  return st;
}

/**
 * Seconds the handshake of `s` may go on: an accepted socket's, the listener's timeout (else the default). A
 * wrapped socket's is only a backstop, never shorter than the default: the program's own waits (do_handshake(), a
 * write, the wrap's handshake) are bounded by the socket's timeout when each is made, and one that times out leaves
 * the handshake going, as CPython's (A28-1); each such wait extends the backstop to cover it (`wait_handshake`).
 */
function handshake_seconds(s: Socket, st: SslState): number {
  if (st.handshake_timeout !== null) return st.handshake_timeout;
  const t = s.gettimeout();
  return t !== null && t > DEFAULT_HANDSHAKE_TIMEOUT ? t : DEFAULT_HANDSHAKE_TIMEOUT;
}

/** A program waits up to `seconds` (null: no bound) for the handshake of `ss`: keep it going at least that long. */
function wait_handshake(st: SslState | undefined, ss: Session, seconds: number | null): void {
  if (st?.handshake_timeout === null) {
    ss.extend(Math.max(DEFAULT_HANDSHAKE_TIMEOUT, seconds ?? 0) * 1000);
  }
}

/**
 * Make `s` an SSLSocket with state `st`, starting the session when it is
 * connected (and shaking hands when asked). A failure closes the socket, as
 * CPython's failed handshake does: it is never left half-wrapped.
 */
async function adopt(s: Socket, st: SslState, signal: AbortSignal | undefined): Promise<SSLSocket> {
  try {
    if (is_connected(s)) {
      if (st.do_handshake_on_connect && s.gettimeout() === 0) {
        // As CPython (which closes the socket too).
        throw new RangeError("do_handshake_on_connect should not be specified for non-blocking sockets");
      }
      start_session(s, st);
    }
  } catch (e) {
    s.close();
    throw e;
  }
  sessions.set(s, st);
  Object.setPrototypeOf(s, SSLSocket.prototype);
  const ssl = s as SSLSocket;
  if (st.session && st.do_handshake_on_connect) {
    try {
      await (signal === undefined ? ssl.do_handshake() : ssl.do_handshake({ signal }));
    } catch (e) {
      // As CPython's wrap_socket: any failure, a timeout included, closes the
      // socket. Only the caller's own signal leaves it (and the handshake) be.
      if (!(signal?.aborted && e === signal.reason)) s.close();
      throw e;
    }
  }
  return ssl;
}

/** Layer a TLS session over the socket's connection and swap it in. */
function start_session(s: Socket, st: SslState): Session {
  const host = st.server_hostname;
  if (host !== null) {
    // As CPython's _wrap_socket (when the SSL object is made): no NUL, and OpenSSL's SNI limit of 255 bytes.
    if (host.includes("\0")) throw new TypeError("argument must be encoded string without null bytes, not str");
    if (host.length > 255) {
      throw new SSLError(319, "[SSL: SSL3_EXT_INVALID_SERVERNAME] ssl3 ext invalid servername (_ssl.c:759)", {
        library: "SSL",
        reason: "SSL3_EXT_INVALID_SERVERNAME",
      });
    }
  }
  const spec = st.context._spec(st, handshake_seconds(s, st));
  // With do_handshake_on_connect=False the program may set the context's sni_callback between the wrap and the
  // handshake (CPython calls it then): such a server always asks, and the handler reads the callback live. (Not
  // every server: node:tls's SNICallback costs each handshake memory and changes its timing; a callback set while a
  // do_handshake_on_connect=True handshake waits for the ClientHello is not called, documented: A12b-4.)
  // A context holding chains of several key types (C3-1) picks one when the ClientHello comes, there too.
  if (spec.server && (st.context.sni_callback || !st.do_handshake_on_connect || st.context._multi)) {
    spec.server.SNICallback = sni_handler(s, st, spec);
  }
  const session = start_tls(s._stream_parts(), spec);
  session.transport.suppress_ragged_eofs = st.suppress_ragged_eofs;
  st.context._count(st.server_side, session.handshake, () => session.error === null);
  st.session = session;
  _replace_transport(s, session.transport);
  session.transport.adopted();
  return session;
}

/**
 * node:tls's SNICallback for a server socket whose context has a
 * `sni_callback`: calls it as CPython does (the socket, the name the client
 * sent or null, the context), then serves the certificate of the socket's
 * context as the callback left it. An alert number or an exception refuses
 * the handshake.
 */
function sni_handler(
  s: Socket,
  st: SslState,
  spec: SessionSpec,
): (name: string, cb: (err: Error | null, ctx?: tls.SecureContext) => void) => void {
  // The context the session was made with (OpenSSL's session_ctx): its callback answers when the context set
  // before the handshake has none, as OpenSSL's (A12b-5).
  const first = st.context;
  // What OpenSSL copies into the SSL object when the socket is made (SSL_new): the protocol versions, and the
  // certificate while the context stays the first; a change of the context after the wrap does not reach them
  // (A18b-5). The CA store and a server's ALPN list are read when the ClientHello comes.
  const versions = first._versions();
  const wrap_sc = first._has_cert ? spec.server?.secureContext : undefined;
  const wrap_creds = first._creds;
  const wrap_anchors = first._anchors();
  return (name, cb) => {
    const ctx = st.context;
    const owner = ctx.sni_callback ? ctx : first;
    const fn = owner.sni_callback;
    let r: unknown;
    // As OpenSSL (CPython): an alert returned, a non-None value or an exception ends the handshake, and the
    // server's error is `[SSL: CALLBACK_FAILED] callback failed` (CPython prints the exception as unraisable;
    // here it is the error's cause). A10b-4.
    const failed = (cause: unknown) =>
      cb(
        new SSLError(1, "[SSL: CALLBACK_FAILED] callback failed", { library: "SSL", reason: "CALLBACK_FAILED", cause }),
      );
    try {
      // The name as the client sent it (Deno's engine lower-cases it; OpenSSL does not). Deno's engine passes
      // over an IP address sent as the name (""), where OpenSSL hands it on as any other (A17c-1).
      const sent = st.session?.sni_sent;
      const shown = sent != null && (sent.toLowerCase() === name || name === "") ? sent : name;
      r = fn?.(s as SSLSocket, shown === "" ? null : shown, owner);
    } catch (e) {
      failed(e);
      return;
    }
    Promise.resolve(r).then((v) => {
      if (v != null) {
        const alert = Object.entries(AlertDescription).find(([, n]) => n === v)?.[0] ?? String(v);
        return failed(new Error(`sni_callback refused the handshake with ${alert}`));
      }
      const now = st.context;
      let sc: tls.SecureContext;
      if (now !== first) {
        // As OpenSSL's SSL_set_SSL_CTX (set by the callback, or before the handshake): the new context's certificate
        // and CA store serve from now on (a client certificate is verified against its CAs); the verify mode stays
        // the one the socket was made with, and so do the protocol versions (A10b-3: a callback swapping to a
        // context that allows TLS 1.2 does not downgrade a TLS 1.3-only server).
        const fresh = now._spec({ server_side: true, server_hostname: null }, spec.timeout_ms / 1000);
        spec.anchors = fresh.anchors ?? [];
        spec.empty_store = fresh.empty_store;
        sc = now._server_context(versions, spec.verify_mode !== CERT_NONE);
      } else if (wrap_creds !== null && spec.verify_mode !== CERT_NONE && first._anchors() !== wrap_anchors) {
        // CAs loaded since the wrap: OpenSSL reads the store live (A18b-3), the certificate and versions stay.
        const fresh = first._spec({ server_side: true, server_hostname: null }, spec.timeout_ms / 1000);
        spec.anchors = fresh.anchors ?? [];
        spec.empty_store = fresh.empty_store;
        sc = first._server_context_with(wrap_creds, versions);
      } else {
        // The certificate and versions the socket was made with.
        sc = wrap_sc ?? first._server_context(versions, spec.verify_mode !== CERT_NONE);
      }
      // Chains of several key types: the one the client's signature algorithms allow, OpenSSL's preference (C3-1).
      if (now._multi) {
        sc = now._server_context(versions, spec.verify_mode !== CERT_NONE, now._pick(st.session?.sigalgs_sent));
      }
      // The ALPN protocols are the context's as the ClientHello is answered (CPython's select callback reads its
      // context's list; OpenSSL calls the new SSL_CTX's after a swap, A10b-5). Deno's TLS can replace a server's list
      // before it answers the ClientHello, not empty it: a context without ALPN keeps the first list (documented).
      const next = now._alpn();
      const handle = (spec.tls_socket as { _handle?: { setAlpnProtocols?: (p: string[]) => void } } | undefined)
        ?._handle;
      if (next?.length && next !== spec.server?.ALPNProtocols) handle?.setAlpnProtocols?.(next);
      cb(null, sc);
      // Deno's node:tls (2.9.6) sends what finishAccept() made (the ServerHello flight) only when it is next handed
      // ciphertext or plaintext: when the ClientHello came with the bytes read before the wrap (node:tls reads
      // those itself, without that flush), the server waited for the client and the client for it (A18b-1).
      (spec.tls_socket as { _handle?: { _flushEncOut?: () => void } } | undefined)?._handle?._flushEncOut?.();
    }).catch(failed);
  };
}

/**
 * A client SSLSocket has just connected: layer TLS over it (closing it if
 * that fails: it never stays a plain socket claiming to be TLS), then shake
 * hands when asked.
 */
async function after_connect(s: SSLSocket, st: SslState, options: SignalOptions | undefined): Promise<void> {
  try {
    start_session(s, st);
  } catch (e) {
    s.close();
    throw e;
  }
  if (st.do_handshake_on_connect) await s.do_handshake(options);
}

/** Python's `<class 'ssl.SSLSocket'>`, as its ValueErrors name it. */
const CLASS = "<class 'ssl.SSLSocket'>";

function no_flags(op: string, flags: unknown): void {
  if (typeof flags === "number" && flags !== 0) {
    throw new RangeError(`non-zero flags not allowed in calls to ${op}() on ${CLASS}`);
  }
}

/**
 * A TLS call that would wait raises what CPython's does: a non-blocking one
 * `SSLWantReadError`/`SSLWantWriteError`, a timed-out one `The read
 * operation timed out` / `The write operation timed out`.
 */
/**
 * CPython 3.11's SSLWant*Error text names the line of _ssl.c that raised it: 1006 in do_handshake(), 2580 in a
 * read, 2427 in a write ("The operation did not complete (read) (_ssl.c:2580)").
 */
/**
 * An SSLSocket's readiness (its `_pollable()`): the plain socket's, except that a handshake in progress is neither
 * readable nor writable, a failed one is both (the next call raises), and a listener is readable when a
 * handshake it ran in the background has ended. A class, not an object literal of closures: V8 keeps such a
 * literal in dictionary mode, and select() reads these getters for every watched socket (sel9 measured ~3% CPU
 * per echo for the plain socket's).
 */
class TlsPoll implements Pollable {
  constructor(readonly sock: Socket, readonly base: Pollable) {}

  get readable(): boolean {
    if (this.sock._closed) return true;
    const st = sessions.get(this.sock), s = st?.session ?? null;
    if (s && !s.done) return false;
    // A failed handshake (seen or not by a do_handshake() in another task): a read raises at once.
    if (s && (!s.observed || s.error)) return true;
    return (st?.queue?.has_ready ?? false) || this.base.readable;
  }

  get writable(): boolean {
    if (this.sock._closed) return true;
    const s = sessions.get(this.sock)?.session ?? null;
    if (s && !s.done) return false;
    if (s && (!s.observed || s.error)) return true;
    return this.base.writable;
  }

  wait_readable(): Promise<void> {
    const st = sessions.get(this.sock), s = st?.session ?? null;
    if (s && !s.done && !this.sock._closed) return s.handshake;
    if (s && (!s.observed || s.error)) return Promise.resolve();
    const q = st?.queue ?? null;
    return q && q.in_flight > 0 ? Promise.race([q.next(), this.base.wait_readable()]) : this.base.wait_readable();
  }

  wait_writable(): Promise<void> {
    const s = sessions.get(this.sock)?.session ?? null;
    if (s && !s.done && !this.sock._closed) return s.handshake;
    if (s && (!s.observed || s.error)) return Promise.resolve();
    return this.base.wait_writable();
  }
}

function want_error(what: "read" | "write", at: 1006 | 2427 | 2580): SSLError {
  const text = `The operation did not complete (${what}) (_ssl.c:${at})`;
  return what === "read" ? new SSLWantReadError(2, text) : new SSLWantWriteError(3, text);
}

/**
 * How many of a write's `n` bytes an unfinished non-blocking send already queued (0 if none): the caller goes on
 * from there. A blocking write takes it over (it sends the rest or fails: OpenSSL's SSL_write then has no
 * unfinished write either); a timed or non-blocking one (`keeps`) keeps it until it has queued the rest. As
 * OpenSSL's SSL_write retried with fewer bytes than it wrote: `BAD_LENGTH`.
 */
function retried_write(st: SslState, n: number, keeps: boolean): number {
  const done = st.write_done ?? 0;
  // After BAD_LENGTH, OpenSSL 3 fails every later write of the connection.
  if (done < 0) throw new SSLEOFError(8, "EOF occurred in violation of protocol (_ssl.c:2427)");
  if (done > n) {
    st.write_done = -1;
    throw new SSLError(1, "[SSL: BAD_LENGTH] bad length (_ssl.c:2427)", { library: "SSL", reason: "BAD_LENGTH" });
  }
  if (!keeps) st.write_done = 0;
  return done;
}

/**
 * A timed SSL_write: all of `bytes` from `done` on, or `TimeoutError` at the deadline (the call's, as CPython's:
 * one for the whole write), the bytes queued meanwhile kept in `write_done` for the retry to go on from (A12b-1).
 * Each wait for room is `send()`'s own (up to the timeout), so a trickling peer can stretch the last wait past it.
 */
async function timed_write(
  st: SslState,
  bytes: Uint8Array,
  done: number,
  t: number,
  send: (b: Uint8Array) => Promise<number>,
): Promise<number> {
  const end = performance.now() + t * 1000;
  let off = done;
  try {
    while (off < bytes.length) {
      if (off > done && performance.now() >= end) throw new TimeoutError(null, "The write operation timed out");
      off += await send(bytes.subarray(off));
    }
  } finally {
    if (st.write_done !== -1) st.write_done = off < bytes.length ? off : 0;
  }
  return bytes.length;
}

function want<T>(p: Promise<T>, write: boolean): Promise<T> {
  // Two shared handlers, not a closure per call: a TLS recv waiting on an idle connection keeps less.
  return p.catch(write ? want_write : want_read);
}

/**
 * A handshake's error as the call that met it reports it: CPython names the C line of the call that drove the
 * handshake (1006 do_handshake, 2580 a read, 2427 a write). A copy: the session keeps its own.
 */
function at_line(e: unknown, line: 2427 | 2580): unknown {
  if (!(e instanceof SSLError)) return e;
  let text: string;
  if (e.message.endsWith("(_ssl.c:1006)")) text = e.message.slice(0, -5) + `${line})`;
  else if (e.message.startsWith("[SSL") && !/\(_ssl\.c:\d+\)$/.test(e.message)) {
    // A16a-5: OpenSSL's error after the handshake (a tampered record, a fatal alert) names the call's line too.
    text = `${e.message} (_ssl.c:${line})`;
  } else return e;
  const copy = Object.create(Object.getPrototypeOf(e), Object.getOwnPropertyDescriptors(e)) as SSLError;
  copy.message = text;
  if (copy.strerror !== null) (copy as { strerror: string | null }).strerror = copy.message; // args[1] is str(e)
  return copy;
}

function want_read(e: unknown): never {
  if (e instanceof BlockingIOError) throw want_error("read", 2580);
  if (e instanceof SSLError) throw at_line(e, 2580);
  if (e instanceof TimeoutError && e.message === "timed out") {
    throw new TimeoutError(null, "The read operation timed out", { cause: e });
  }
  throw e;
}

function want_write(e: unknown): never {
  if (e instanceof BlockingIOError) throw want_error("write", 2427);
  if (e instanceof SSLError) throw at_line(e, 2427);
  if (e instanceof TimeoutError && e.message === "timed out") {
    throw new TimeoutError(null, "The write operation timed out", { cause: e });
  }
  throw e;
}

/**
 * A write before the handshake has ended (do_handshake_on_connect=false)
 * first completes it, as CPython's SSL_write does: on failure the write
 * raises the handshake's error instead of reporting bytes as sent that
 * node:tls would only have queued and then dropped. A non-blocking socket
 * raises SSLWantReadError meanwhile. Null when there is nothing to wait for.
 */
function handshake_before_write(s: Socket, options: unknown): Promise<void> | null {
  const st = sessions.get(s);
  const ss = st?.session;
  if (!ss || ss.done) return null;
  if (s.gettimeout() === 0) return Promise.reject(want_error("read", 2427));
  wait_handshake(st, ss, s.gettimeout());
  const signal = (options as SignalOptions | undefined)?.signal;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const ended = ss.handshake.then(() => {
    ss.observed = true;
    if (ss.error) throw at_line(ss.error, 2427);
  });
  // The write's own timeout (the socket's, now) bounds the wait, as CPython's SSL_write does. Held while it waits
  // (the session's timer holds no process).
  const t = s.gettimeout();
  if (!signal && t === null) return held(ended);
  return held(
    new Promise<void>((resolve, reject) => {
      const abort = () => reject(signal!.reason);
      signal?.addEventListener("abort", abort, { once: true });
      const cancel = t === null
        ? undefined
        : after(t * 1000, () => reject(new TimeoutError(null, "The write operation timed out")));
      ended.then(resolve, reject).finally(() => {
        cancel?.();
        signal?.removeEventListener("abort", abort);
      });
    }),
  );
}

/** I/O on the socket reports the handshake's outcome as do_handshake() does (for select()). */
function observe(s: Socket): void {
  const ss = sessions.get(s)?.session;
  if (ss?.done) ss.observed = true;
}

/**
 * CPython: a send after the peer's EOF without close_notify was read raises SSLEOFError (OpenSSL 3 marks the
 * session failed); after its close_notify (its half of the session closed, the connection open) it still sends.
 */
function check_peer_open(s: Socket): void {
  const ss = sessions.get(s)?.session;
  // The session failed (a bad record or an alert from the peer): OpenSSL's failed session refuses the write (A28-3).
  if (ss?.done && !s._closed && ss.transport.fatal !== null) {
    throw new SSLEOFError(8, "EOF occurred in violation of protocol (_ssl.c:2427)");
  }
  if (ss?.done && !s._closed && (ss.transport.peer_closed || ss.transport.ragged_eof) && !ss.transport.close_notify) {
    throw ss.transport.ragged_send_error() ?? new SSLEOFError(8, "EOF occurred in violation of protocol (_ssl.c:2427)");
  }
}

/**
 * A socket wrapped in TLS, as Python's `ssl.SSLSocket`: every
 * {@linkcode Socket} method works on the decrypted stream, plus the TLS
 * methods below. Made only by {@linkcode SSLContext.wrap_socket} (which
 * returns the same object, now of this class).
 *
 * @example
 * ```ts ignore
 * import { create_connection } from "@pysocket/socket";
 * import { create_default_context, SSLSocket } from "@pysocket/socket/ssl";
 * const sock = await create_connection(["example.com", 443]);
 * const ssock = await create_default_context().wrap_socket(sock, { server_hostname: "example.com" });
 * console.log(ssock instanceof SSLSocket, ssock.version());
 * ssock.close();
 * ```
 *
 * @category TLS
 */
export class SSLSocket extends Socket {
  /** The class's module in Python's repr() (`ssl`). */
  static override __module__ = "ssl";
  /** The class's name in Python's repr() (`SSLSocket`). */
  static override __qualname__ = "SSLSocket";
  /**
   * Not public, as in Python: use {@linkcode SSLContext.wrap_socket}.
   * @throws {TypeError} always.
   */
  constructor() {
    no_constructor();
    super();
  }

  /**
   * The context this socket was wrapped with. A `sni_callback` may set it
   * to another context: that context's certificate then serves the
   * handshake in progress, and a client certificate is verified against its
   * CAs (the verify mode stays the first context's), as with CPython.
   */
  get context(): SSLContext {
    return state_of(this).context;
  }

  set context(ctx: SSLContext) {
    if (!(ctx instanceof SSLContext)) throw new TypeError("The value must be a SSLContext");
    const st = state_of(this);
    if (st.context === ctx) return;
    st.context = ctx;
    // A client whose session began with another context (wrapped connected, do_handshake_on_connect=False): as
    // CPython's SSL_set_SSL_CTX, the new context's CAs verify the server; the verify mode, host check and flags
    // stay the socket's (A17a-1).
    if (!st.server_side && st.session && !st.session.observed) st.session.retrust?.(ctx._trust());
  }

  /** Session resumption is not supported: always null (CPython: null before the handshake). */
  get session(): null {
    return null;
  }

  set session(v: null) {
    // CPython: once TLS runs only an SSLSession (pysocket has none) may be set; before, a session to resume.
    if (state_of(this).session) throw new TypeError("Value is not a SSLSession.");
    if (v != null) throw new OSError(E.ENOTSUP, null, { detail: "TLS session resumption is not supported" });
  }

  /** Whether the session was resumed: false once TLS runs (never, on Deno), null before. */
  get session_reused(): boolean | null {
    return state_of(this).session ? false : null;
  }

  /** CPython's SSLSocket.sendfile() uses send(): without an offset it starts at the file's position. @ignore */
  protected override _sendfile_from_position(): boolean {
    return true;
  }

  /** True for the server end. */
  get server_side(): boolean {
    return state_of(this).server_side;
  }

  /** The `server_hostname` given to `wrap_socket`, or null. */
  get server_hostname(): string | null {
    return state_of(this).server_hostname;
  }

  /** As given to `wrap_socket`. */
  get suppress_ragged_eofs(): boolean {
    return state_of(this).suppress_ragged_eofs;
  }

  /** As given to `wrap_socket`. */
  get do_handshake_on_connect(): boolean {
    return state_of(this).do_handshake_on_connect;
  }

  /**
   * Perform (or wait for) the TLS handshake, within the socket's timeout
   * as it is when called. As in CPython, a call that times out leaves the
   * handshake going: a later call (with a longer timeout, say) can complete
   * it. A handshake that makes no progress is abandoned after 60 seconds
   * (or the socket's timeout, if longer) counted from the last call that
   * waited for it.
   *
   * @param options `{ signal }`.
   * @throws {SSLCertVerificationError} when verification fails.
   * @throws {SSLError} for other failures.
   * @throws {SSLWantReadError} on a non-blocking socket while the handshake is not done
   *   (`select()` reports the socket readable once it is).
   * @throws {TimeoutError} `_ssl.c:989: The handshake operation timed out`.
   *
   * @example
   * ```ts ignore
   * const ssock = await ctx.wrap_socket(sock, { do_handshake_on_connect: false, server_hostname: "localhost" });
   * await ssock.do_handshake();
   * ```
   */
  async do_handshake(options?: SignalOptions): Promise<void> {
    const a = options === undefined ? NO_KW : bind_args("do_handshake", [options], []);
    if (this._closed) throw new OSError(E.EBADF);
    const st = state_of(this);
    let s = st.session;
    if (!s && is_connected(this)) {
      try {
        s = start_session(this, st);
      } catch (e) {
        this.close(); // never a plain socket that claims to be TLS
        throw e;
      }
    }
    if (!s) throw new OSError(E.ENOTCONN);
    if (!s.done) {
      const dl = this._deadline(a.signal as AbortSignal | undefined);
      if (dl.nonblocking) throw want_error("read", 1006);
      const timeout = this.gettimeout();
      wait_handshake(st, s, timeout);
      try {
        // Held: the session's own timer holds no process (a handshake nobody waits for does not keep one alive).
        await held(dl.wait(s.handshake));
      } catch (e) {
        if (e instanceof TimeoutError) throw new TimeoutError(null, "_ssl.c:989: The handshake operation timed out");
        throw e;
      } finally {
        // As CPython's (ssl.py: `finally: self.settimeout(timeout)`): a settimeout() made while it waited is undone.
        if (!this._closed) this.settimeout(timeout);
      }
    }
    // Closed meanwhile (by another task): what CPython's blocked handshake gets.
    if (this._closed) throw new OSError(E.EBADF);
    s.observed = true;
    if (s.error) throw s.error;
  }

  /**
   * Connect, then (by default) shake hands.
   *
   * @param address the peer's address.
   * @param options `{ signal }`.
   *
   * @example
   * ```ts ignore
   * const ssock = await ctx.wrap_socket(socket(), { server_hostname: "localhost" });
   * await ssock.connect(["127.0.0.1", 8443]);
   * ```
   */
  override async connect(address: AddressInput, options?: SignalOptions): Promise<void> {
    const st = state_of(this);
    if (st.session) throw new RangeError("attempt to connect already-connected SSLSocket!");
    if (st.server_side) throw new RangeError("can't connect in server-side mode");
    await super.connect(address, options);
    await after_connect(this, st, options);
  }

  /**
   * As {@linkcode Socket.connect_ex}: the connection's failure is returned
   * as an errno; a handshake failure raises, as in CPython.
   *
   * @param address the peer's address.
   * @param options `{ signal }`.
   * @returns 0, or the errno of the failed connection.
   *
   * @example
   * ```ts ignore
   * const rc = await ssock.connect_ex(["127.0.0.1", 8443]);
   * ```
   */
  override async connect_ex(address: AddressInput, options?: SignalOptions): Promise<number> {
    const st = state_of(this);
    if (st.session) throw new RangeError("attempt to connect already-connected SSLSocket!");
    if (st.server_side) throw new RangeError("can't connect in server-side mode");
    try {
      await super.connect(address, options);
    } catch (e) {
      if (e instanceof OSError && e.errno !== null && e.constructor.name !== "gaierror") return e.errno;
      if (e instanceof OSError && e.message === "timed out") return E.EAGAIN;
      throw e;
    }
    await after_connect(this, st, options);
    return 0;
  }

  /**
   * Accept a connection and (by default) shake hands as the server; the
   * returned socket is an `SSLSocket`. A peer that fails the handshake (for
   * example one that speaks plain text, or sends a certificate that does
   * not verify) raises `SSLError` here; the listening socket goes on
   * serving. Handshakes go on in the background while accept() waits: at
   * most 512 at a time (beyond that a new connection waits until one ends or
   * one has been in flight 1 s, which gives way: accept() raises
   * `ConnectionAbortedError` for it),
   * each ending within the listener's timeout (else the accepted socket's,
   * else 60 s). Up to 64 failed handshakes wait to be raised by accept();
   * further ones are dropped (their connections are closed either way).
   *
   * @param options `{ signal }`.
   * @returns `[conn, address]`.
   *
   * @example
   * ```ts ignore
   * const listener = await ctx.wrap_socket(srv, true);
   * const [conn, addr] = await listener.accept();
   * ```
   */
  override async accept(options?: SignalOptions): Promise<[Socket, Address]> {
    const a = bind_args("accept", [options], []);
    const signal = a.signal as AbortSignal | undefined;
    const st = state_of(this);
    const dl = this._deadline(signal);
    const q = st.queue ??= new HandshakeQueue<Socket>();
    for (;;) {
      const p = q.shift();
      if (p) {
        if (p.error) throw p.error;
        const cs = sessions.get(p.conn!)?.session;
        if (cs) cs.observed = true;
        return [p.conn!, p.addr as Address];
      }
      // Wait for a new connection (unless enough handshakes are in flight),
      // or for a handshake in progress to end.
      const wake = new AbortController();
      let cancel: (() => void) | undefined;
      if (!dl.nonblocking && dl.at !== Infinity) {
        cancel = after(Math.max(0, dl.at - performance.now()), () => wake.abort(TIMED_OUT));
      }
      // Full, and every handshake in flight is young: no new connection yet (see eviction_wait_ms).
      const young = q.full ? q.eviction_wait_ms() : 0;
      if (young > 0) {
        if (dl.nonblocking) throw new SSLWantReadError();
        const aged = setTimeout(() => wake.abort(WOKEN), young);
        const unwait = q.on_next(() => wake.abort(WOKEN));
        const on_abort = () => wake.abort(WOKEN);
        signal?.addEventListener("abort", on_abort, { once: true });
        try {
          if (!wake.signal.aborted && !signal?.aborted) {
            await new Promise<void>((resolve) =>
              wake.signal.addEventListener("abort", () => resolve(), { once: true })
            );
          }
        } finally {
          clearTimeout(aged);
          cancel?.();
          unwait();
          signal?.removeEventListener("abort", on_abort);
        }
        if (signal?.aborted) throw signal.reason;
        if (wake.signal.reason === TIMED_OUT) throw new TimeoutError();
        continue;
      }
      const unwait = q.in_flight > 0 ? q.on_next(() => wake.abort(WOKEN)) : null;
      let got: [Socket, Address];
      try {
        if (dl.nonblocking) {
          got = await super.accept().catch((e) => {
            throw e instanceof OSError && e.errno === E.EAGAIN && q.in_flight > 0 ? new SSLWantReadError() : e;
          });
        } else got = await super.accept({ signal: signal ? AbortSignal.any([wake.signal, signal]) : wake.signal });
      } catch (e) {
        if (signal?.aborted) throw signal.reason;
        if (wake.signal.reason === WOKEN) continue;
        if (wake.signal.reason === TIMED_OUT) throw new TimeoutError();
        throw e;
      } finally {
        cancel?.();
        unwait?.();
        wake.abort(WOKEN);
      }
      const [conn, addr] = got;
      const lt = this.gettimeout();
      const cst: SslState = {
        queue: null,
        context: st.context,
        server_side: true,
        server_hostname: null,
        do_handshake_on_connect: st.do_handshake_on_connect,
        suppress_ragged_eofs: st.suppress_ragged_eofs,
        session: null,
        handshake_timeout: lt !== null && lt > 0 ? lt : null,
      };
      try {
        start_session(conn, cst);
      } catch (e) {
        conn.close();
        throw e;
      }
      sessions.set(conn, cst);
      Object.setPrototypeOf(conn, SSLSocket.prototype);
      if (!st.do_handshake_on_connect) return [conn, addr];
      // Connections that never speak must not keep new ones out: one at least 1 s old gives way.
      if (q.full) q.evict_oldest();
      q.add(conn, addr, cst.session!);
    }
  }

  /**
   * Close the socket; a listening socket also closes the connections whose
   * handshake had not ended or that accept() had not returned yet.
   *
   * @example
   * ```ts ignore
   * ssock.close();
   * ```
   */
  override close(): void {
    sessions.get(this)?.queue?.close();
    super.close();
  }

  /**
   * Readiness for select() (internal). One object whose getters read the
   * current state (a selector may keep it): while the handshake runs the
   * socket is not ready; once it has ended, readable and writable until
   * `do_handshake()` (or I/O) has reported the outcome, so a non-blocking
   * `do_handshake()` loop driven by select() completes; then as a plain
   * socket. A TLS listener is also readable when a handshake has ended.
   * @ignore
   */
  override _pollable(): Pollable {
    // Made once per socket (its getters read the current state): a selector keys its watches by this
    // object, so a new one per call would arm another watch on the pending read at every register().
    const made = tls_polls.get(this);
    if (made !== undefined) return made;
    const poll = new TlsPoll(this, super._pollable());
    tls_polls.set(this, poll);
    return poll;
  }

  /** @ignore */
  override _file_read_error(e: unknown): unknown {
    // As the socket's recv (SSL_read under CPython's SocketIO): SSLWantReadError, the read's timeout text, the
    // SSL_read line on an SSLError (A28-4, A30-2, A30-6).
    try {
      return want_read(e);
    } catch (m) {
      return m;
    }
  }

  /**
   * As {@linkcode Socket.recv}; `flags` must be 0 (as CPython), and a
   * non-blocking socket with nothing to read raises `SSLWantReadError`.
   *
   * @param bufsize the most bytes to return.
   * @param flags 0.
   * @param options `{ signal }`.
   * @returns the decrypted bytes (empty at EOF).
   * @throws {RangeError} for non-zero flags (Python's ValueError).
   *
   * @example
   * ```ts ignore
   * const data = await ssock.recv(1024);
   * ```
   */
  override recv(bufsize: number, flags?: number | SignalOptions, options?: SignalOptions): Promise<Uint8Array> {
    try {
      no_flags("recv", flags);
      observe(this);
      // With a session CPython's recv() is SSL read(), whose own check this is (C3-4); without one the socket's.
      if (typeof bufsize === "number" && bufsize < 0 && !this._closed && sessions.get(this)?.session) {
        throw new RangeError("size should not be negative");
      }
    } catch (e) {
      return Promise.reject(e);
    }
    return want(super.recv(bufsize, flags, options), false);
  }

  /**
   * As {@linkcode Socket.recv_into}; `flags` must be 0.
   *
   * @param buffer where to write.
   * @param nbytes the most bytes to receive.
   * @param flags 0.
   * @param options `{ signal }`.
   * @returns the count received (0 at EOF).
   * @throws {RangeError} for non-zero flags (Python's ValueError).
   *
   * @example
   * ```ts ignore
   * const n = await ssock.recv_into(new Uint8Array(1024));
   * ```
   */
  override recv_into(
    buffer: Parameters<Socket["recv_into"]>[0],
    nbytes?: number | SignalOptions,
    flags?: number | SignalOptions,
    options?: SignalOptions,
  ): Promise<number> {
    try {
      no_flags("recv_into", flags);
      observe(this);
    } catch (e) {
      return Promise.reject(e);
    }
    // With a session CPython's recv_into() is SSL read(nbytes, buffer): a count of 0 or less, or more than the
    // buffer holds, reads up to the buffer's length (C3-4's sibling); without one the socket's checks.
    if (typeof nbytes === "number") {
      const len = (buffer as { byteLength?: unknown })?.byteLength;
      // (The session is looked up only for such a count: no cost on the usual call.)
      if (typeof len === "number" && (nbytes <= 0 || nbytes > len) && !this._closed && sessions.get(this)?.session) {
        nbytes = len;
      }
    }
    return want(super.recv_into(buffer, nbytes, flags, options), false);
  }

  /**
   * Python's older `SSLSocket.read(len=1024, buffer=None)` (deprecated in
   * Python's docs for {@linkcode recv}, still in 3.11): up to `len` bytes, or
   * with `buffer` the count read into it (`len` of 0 or less, or more than
   * the buffer, reads up to the buffer's length). Empty or 0 at EOF; a
   * truncation raises as {@linkcode recv} does.
   *
   * @param len the most bytes to read (default 1024).
   * @param buffer where to read, or null (default): the bytes are returned.
   * @returns the bytes, or the count read into `buffer`.
   * @throws {RangeError} on a closed socket ("Read on closed or unwrapped SSL socket."), or a negative `len`
   * without a buffer (Python's ValueError).
   *
   * @example
   * ```ts ignore
   * const data = await ssock.read(1024);
   * const n = await ssock.read(0, new Uint8Array(4096));
   * ```
   */
  read(len?: number, buffer?: null): Promise<Uint8Array>;
  /**
   * Python's older `SSLSocket.read(len, buffer)`: reads into `buffer` (up to `len` bytes, or up to its length
   * when `len` is 0 or less, or more than the buffer) and returns the count; 0 at EOF.
   *
   * @param len the most bytes to read.
   * @param buffer where to read.
   * @returns the count read into `buffer`.
   * @throws {RangeError} on a closed socket ("Read on closed or unwrapped SSL socket.").
   *
   * @example
   * ```ts ignore
   * const buf = new Uint8Array(4096);
   * const n = await ssock.read(0, buf);
   * ```
   */
  read(len: number | undefined, buffer: Uint8Array): Promise<number>;
  read(len: number = 1024, buffer: Uint8Array | null = null): Promise<Uint8Array | number> {
    if (this._closed || !sessions.get(this)?.session) {
      return Promise.reject(new RangeError("Read on closed or unwrapped SSL socket."));
    }
    if (typeof len !== "number" || !Number.isInteger(len)) {
      return Promise.reject(new TypeError(`'${py_type(len)}' object cannot be interpreted as an integer`));
    }
    if (buffer === null || buffer === undefined) {
      if (len < 0) return Promise.reject(new RangeError("size should not be negative"));
      return this.recv(len);
    }
    if (!(buffer instanceof Uint8Array)) {
      return Promise.reject(
        new TypeError(`read() argument 2 must be read-write bytes-like object, not ${py_type(buffer)}`),
      );
    }
    if (buffer.length === 0) return Promise.resolve(0);
    return this.recv_into(buffer, len <= 0 || len > buffer.length ? buffer.length : len);
  }

  /**
   * Python's older `SSLSocket.write(data)` (deprecated in Python's docs for
   * {@linkcode send}, still in 3.11): as {@linkcode send}.
   *
   * @param data the bytes.
   * @returns the count written (all of them).
   * @throws {RangeError} on a closed socket ("Write on closed or unwrapped SSL socket.").
   *
   * @example
   * ```ts ignore
   * const n = await ssock.write(new TextEncoder().encode("hi"));
   * ```
   */
  write(data: Parameters<Socket["send"]>[0]): Promise<number> {
    if (this._closed || !sessions.get(this)?.session) {
      return Promise.reject(new RangeError("Write on closed or unwrapped SSL socket."));
    }
    return this.send(data);
  }

  /**
   * As {@linkcode Socket.send}; `flags` must be 0. As CPython's (OpenSSL's
   * SSL_write without partial writes) it sends all of the bytes or raises: a
   * socket with a timeout `TimeoutError`, a non-blocking one
   * `SSLWantWriteError`, having queued part of them; the retry with the same
   * bytes goes on from there (one with fewer bytes than were queued raises
   * `SSLError` `BAD_LENGTH`).
   *
   * @param data the bytes.
   * @param flags 0.
   * @param options `{ signal }`.
   * @returns the count sent.
   * @throws {RangeError} for non-zero flags (Python's ValueError).
   *
   * @example
   * ```ts ignore
   * await ssock.send(new TextEncoder().encode("hi"));
   * ```
   */
  override send(
    data: Parameters<Socket["send"]>[0],
    flags?: number | SignalOptions,
    options?: SignalOptions,
  ): Promise<number> {
    try {
      no_flags("send", flags);
      observe(this);
      check_peer_open(this);
    } catch (e) {
      return Promise.reject(e);
    }
    const first = handshake_before_write(this, typeof flags === "object" ? flags : options);
    if (first) return first.then(() => this.send(data, flags, options));
    const st = sessions.get(this)!;
    let bytes: Uint8Array, done: number;
    try {
      bytes = as_bytes(data);
      done = retried_write(st, bytes.length, this.gettimeout() !== null);
    } catch (e) {
      return Promise.reject(e);
    }
    const rest = done ? bytes.subarray(done) : data;
    const t = this.gettimeout();
    // CPython's send on a timed SSLSocket is OpenSSL's SSL_write, without partial writes: all of the bytes, or
    // the timeout. (A plain socket's timed send takes what fits in its send queue.)
    if (t === null) return want(super.send(rest, flags, options).then((k) => done + k), true);
    if (t > 0) return want(timed_write(st, bytes, done, t, (b) => super.send(b, flags, options)), true);
    // Non-blocking: OpenSSL's SSL_write without partial writes returns all of the bytes or raises
    // SSLWantWriteError, the bytes it wrote meanwhile still sent; the retry with the same bytes finishes them.
    // A program that retries the same message on SSLWantWriteError without looking at the count loses nothing.
    return want(
      super.send(rest, flags, options).then((k) => {
        st.write_done = done + k;
        if (done + k < bytes.length) throw want_error("write", 2427);
        st.write_done = 0;
        return bytes.length;
      }),
      true,
    );
  }

  /**
   * As {@linkcode Socket.sendall}; `flags` must be 0.
   *
   * @param data the bytes.
   * @param flags 0.
   * @param options `{ signal }`.
   * @throws {RangeError} for non-zero flags (Python's ValueError).
   *
   * @example
   * ```ts ignore
   * await ssock.sendall(new TextEncoder().encode("hi"));
   * ```
   */
  override sendall(
    data: Parameters<Socket["sendall"]>[0],
    flags?: number | SignalOptions,
    options?: SignalOptions,
  ): Promise<void> {
    try {
      no_flags("sendall", flags);
      observe(this);
      check_peer_open(this);
    } catch (e) {
      return Promise.reject(e);
    }
    const first = handshake_before_write(this, typeof flags === "object" ? flags : options);
    if (first) return first.then(() => this.sendall(data, flags, options));
    // CPython's sendall is a loop of send(), which returns all of the bytes or raises: on a socket with a timeout
    // or a non-blocking one, the unfinished SSL_write kept for the retry (A12b-1, A12b-2).
    if (this.gettimeout() !== null) return this.send(data, flags, options).then(() => undefined);
    const st = sessions.get(this)!;
    if (st.write_done) {
      // An unfinished non-blocking send: as OpenSSL's SSL_write under CPython's sendall, go on from there.
      try {
        const bytes = as_bytes(data);
        data = bytes.subarray(retried_write(st, bytes.length, false));
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return want(super.sendall(data, flags, options), true);
  }

  /**
   * As {@linkcode Socket.sendfile}: the file's bytes through the TLS session (no zero-copy, as CPython's SSLSocket).
   *
   * @param args as {@linkcode Socket.sendfile}: the file, an offset, a count, `{ signal }`.
   * @returns the bytes sent.
   *
   * @example
   * ```ts ignore
   * using f = await Deno.open("index.html");
   * await ssock.sendfile(f);
   * ```
   */
  override sendfile(...args: Parameters<Socket["sendfile"]>): Promise<number> {
    try {
      check_peer_open(this); // a failed session: SSLEOFError, as send() (A30-1)
    } catch (e) {
      return Promise.reject(e);
    }
    return super.sendfile(...args);
  }

  /**
   * As {@linkcode Socket.shutdown}; after the peer reset the connection it
   * raises `OSError` ENOTCONN, as CPython's does on Linux.
   *
   * @param how SHUT_RD, SHUT_WR or SHUT_RDWR.
   * @throws {OSError} ENOTCONN after the peer's reset.
   *
   * @example
   * ```ts ignore
   * await ssock.shutdown(SHUT_WR);
   * ```
   */
  override shutdown(how: number): Promise<void> {
    const ss = sessions.get(this)?.session;
    const err = ss?.transport.error;
    if (!this._closed && err instanceof OSError && err.errno === E.ECONNRESET) {
      return Promise.reject(new OSError(E.ENOTCONN));
    }
    // As CPython's: shutting the reading side down under a handshake in progress makes it read EOF, so a
    // do_handshake() waiting in another task raises SSLEOFError at once (it waited for its timeout).
    if (!this._closed && ss && !ss.done && (how === 0 || how === 2)) {
      return super.shutdown(how).finally(() => ss.abort(eof_error()));
    }
    return super.shutdown(how);
  }

  /**
   * Not allowed on a TLS socket, as in CPython (its `NotImplementedError`).
   *
   * @throws {Error} named `NotImplementedError`: `Can't dup() SSLSocket instances`.
   *
   * @example
   * ```ts ignore
   * ssock.dup(); // NotImplementedError
   * ```
   */
  override dup(): never {
    // CPython's SSLSocket.dup(), before anything else (C3-3): the class's name, a subclass's its own.
    throw not_implemented(`Can't dup() ${this.constructor.name} instances`);
  }

  /**
   * Not allowed on a TLS socket, as in CPython (its `NotImplementedError`).
   *
   * @throws {Error} named `NotImplementedError`: `sendmsg not allowed on instances of <class 'ssl.SSLSocket'>`.
   *
   * @example
   * ```ts ignore
   * await ssock.sendmsg([data]); // NotImplementedError
   * ```
   */
  override sendmsg(..._args: unknown[]): Promise<number> {
    return Promise.reject(not_implemented(`sendmsg not allowed on instances of ${CLASS}`));
  }

  /**
   * Not allowed on a TLS socket, as in CPython (its `NotImplementedError`).
   *
   * @throws {Error} named `NotImplementedError`: `recvmsg not allowed on instances of <class 'ssl.SSLSocket'>`.
   *
   * @example
   * ```ts ignore
   * await ssock.recvmsg(10); // NotImplementedError
   * ```
   */
  override recvmsg(..._args: unknown[]): Promise<[Uint8Array, [number, number, Uint8Array][], number, Address | null]> {
    return Promise.reject(not_implemented(`recvmsg not allowed on instances of ${CLASS}`));
  }

  /**
   * Not allowed on a TLS socket, as in CPython (its `NotImplementedError`).
   *
   * @throws {Error} named `NotImplementedError`: `recvmsg_into not allowed on instances of <class 'ssl.SSLSocket'>`.
   *
   * @example
   * ```ts ignore
   * await ssock.recvmsg_into([buf]); // NotImplementedError
   * ```
   */
  override recvmsg_into(
    ..._args: unknown[]
  ): Promise<[number, [number, number, Uint8Array][], number, Address | null]> {
    return Promise.reject(not_implemented(`recvmsg_into not allowed on instances of ${CLASS}`));
  }

  /**
   * Not allowed on a TLS socket, as in CPython.
   *
   * @throws {RangeError} `sendto not allowed on instances of <class 'ssl.SSLSocket'>`.
   *
   * @example
   * ```ts ignore
   * await ssock.sendto(data, addr); // RangeError
   * ```
   */
  override sendto(..._args: unknown[]): Promise<number> {
    return Promise.reject(new RangeError(`sendto not allowed on instances of ${CLASS}`));
  }

  /**
   * Not allowed on a TLS socket, as in CPython.
   *
   * @throws {RangeError} `recvfrom not allowed on instances of <class 'ssl.SSLSocket'>`.
   *
   * @example
   * ```ts ignore
   * await ssock.recvfrom(10); // RangeError
   * ```
   */
  override recvfrom(..._args: unknown[]): Promise<[Uint8Array, Address | null]> {
    return Promise.reject(new RangeError(`recvfrom not allowed on instances of ${CLASS}`));
  }

  /**
   * Not allowed on a TLS socket, as in CPython.
   *
   * @throws {RangeError} `recvfrom_into not allowed on instances of <class 'ssl.SSLSocket'>`.
   *
   * @example
   * ```ts ignore
   * await ssock.recvfrom_into(buf); // RangeError
   * ```
   */
  override recvfrom_into(..._args: unknown[]): Promise<[number, Address | null]> {
    return Promise.reject(new RangeError(`recvfrom_into not allowed on instances of ${CLASS}`));
  }

  /**
   * The negotiated protocol version (`"TLSv1.3"`), or null before the handshake.
   *
   * @returns the version.
   *
   * @example
   * ```ts ignore
   * console.log(ssock.version()); // "TLSv1.3"
   * ```
   */
  version(): string | null {
    return failed(this) ? null : done_tls(this)?.getProtocol() ?? null;
  }

  /**
   * The cipher in use: `[name, protocol, secret bits]`, or null before the handshake. The name is OpenSSL's, as
   * CPython reports it (`ECDHE-ECDSA-AES256-GCM-SHA384` for TLS 1.2; TLS 1.3 names such as `TLS_AES_256_GCM_SHA384`
   * are the same in both).
   *
   * @returns the cipher triple.
   *
   * @example
   * ```ts ignore
   * console.log(ssock.cipher()); // ["TLS_AES_256_GCM_SHA384", "TLSv1.3", 256]
   * ```
   */
  cipher(): [string, string, number] | null {
    const t = done_tls(this);
    if (!t) return null;
    const c = t.getCipher();
    // OpenSSL's name and secret bits, as CPython reports them (Deno gives TLS 1.2 suites their IANA names).
    const known = cipher_info(c.standardName ?? c.name) ?? cipher_info(c.name);
    if (known) return [known.name, known.protocol, known.strength_bits];
    const name = c.standardName ?? c.name;
    const bits = /CHACHA20|AES_?256/i.test(name) ? 256 : /AES_?128/i.test(name) ? 128 : 0;
    return [name, c.version ?? t.getProtocol() ?? "", bits];
  }

  /**
   * The ciphers both sides offered; Deno does not report them, so null.
   *
   * @returns null.
   *
   * @example
   * ```ts ignore
   * console.log(ssock.shared_ciphers()); // null
   * ```
   */
  shared_ciphers(): null {
    return null;
  }

  /**
   * TLS compression is never used: null, as in Python.
   *
   * @returns null.
   *
   * @example
   * ```ts ignore
   * console.log(ssock.compression()); // null
   * ```
   */
  compression(): null {
    return null;
  }

  /**
   * The ALPN protocol the server chose, or null.
   *
   * @returns the protocol name.
   *
   * @example
   * ```ts ignore
   * console.log(ssock.selected_alpn_protocol()); // "http/1.1"
   * ```
   */
  selected_alpn_protocol(): string | null {
    const p = done_tls(this)?.alpnProtocol;
    return typeof p === "string" && p !== "" ? p : null;
  }

  /**
   * NPN is obsolete and not offered: null.
   *
   * @returns null.
   *
   * @example
   * ```ts ignore
   * console.log(ssock.selected_npn_protocol()); // null
   * ```
   */
  selected_npn_protocol(): null {
    return null;
  }

  /**
   * The peer's certificate: Python's dict (subject, issuer, version,
   * serialNumber, notBefore, notAfter, subjectAltName) when it was
   * verified, `{}` when it was not (CERT_NONE), the DER bytes with
   * `binary_form`, or null when the peer sent none.
   *
   * @param binary_form return the DER bytes.
   * @returns the certificate.
   * @throws {RangeError} before the handshake (Python's ValueError).
   *
   * @example
   * ```ts ignore
   * console.log(ssock.getpeercert()?.subject); // [[["commonName", "localhost"]]]
   * ```
   */
  getpeercert(binary_form?: false): PeerCertificate | Record<string, never> | null;
  /**
   * The peer's certificate as DER bytes, or null when it sent none.
   *
   * @param binary_form true.
   * @returns the DER bytes.
   *
   * @example
   * ```ts ignore
   * console.log(ssock.getpeercert(true)?.length); // 834
   * ```
   */
  getpeercert(binary_form: true): Uint8Array | null;
  getpeercert(binary_form: boolean = false): PeerCertificate | Record<string, never> | Uint8Array | null {
    // As CPython: a closed socket EBADF, an unconnected one ENOTCONN, then "handshake not done yet".
    if (this._closed) throw new OSError(E.EBADF);
    if (!state_of(this).session) throw new OSError(E.ENOTCONN);
    const t = done_tls(this);
    // A session failed by a truncation or a fatal error reads as not shaken hands, as CPython's (P15-1).
    if (!t || failed(this)) throw new RangeError("handshake not done yet");
    const x = peer_x509(t);
    if (!x) return null;
    if (binary_form) return new Uint8Array(x.raw);
    // CPython: a certificate that was not verified (CERT_NONE) reads as {}.
    if (state_of(this).context.verify_mode === CERT_NONE) return {};
    return to_python_cert(x.raw);
  }

  /**
   * Decrypted bytes ready to read without waiting.
   *
   * @returns the count.
   *
   * @example
   * ```ts ignore
   * console.log(ssock.pending()); // 0
   * ```
   */
  pending(): number {
    const s = state_of(this).session;
    if (!s || this._closed) return 0;
    // What is left of the record the program began reading (a read returns one record's plaintext at most), as
    // SSL_pending: records decrypted ahead (in the session, or read ahead into the reader by a select()) are
    // OpenSSL's unread input, which it does not count.
    return this._stream_parts().reader.record_rest;
  }

  /**
   * Python's `unwrap()` (close TLS, keep the plain connection) cannot be
   * done honestly on Deno: the TLS engine may already have read plain bytes
   * that follow the peer's close_notify. It always raises.
   *
   * @throws {OSError} ENOTSUP, naming the reason.
   *
   * @example
   * ```ts ignore
   * ssock.unwrap(); // throws OSError ENOTSUP
   * ```
   */
  unwrap(): never {
    ssl_object(this, "unwrap");
    throw new OSError(E.ENOTSUP, null, {
      detail: "unwrap(): Deno's TLS may already have consumed plain bytes that follow close_notify",
    });
  }

  /**
   * Channel binding data of the connection, as Python's
   * `get_channel_binding(cb_type)`. Deno's TLS does not report the
   * handshake's Finished messages, so no type is available
   * ({@linkcode CHANNEL_BINDING_TYPES} is empty) and every call raises
   * CPython's ValueError for an unknown type.
   *
   * @param cb_type the binding type (default `"tls-unique"`).
   * @throws {RangeError} `… channel binding type not implemented` (Python's ValueError).
   *
   * @example
   * ```ts ignore
   * import { CHANNEL_BINDING_TYPES } from "@pysocket/socket/ssl";
   * const cb = CHANNEL_BINDING_TYPES.includes("tls-unique") ? ssock.get_channel_binding() : null;
   * ```
   */
  get_channel_binding(cb_type: string = "tls-unique"): never {
    // CPython's text: quoted by the SSL object, bare before there is one.
    const name = state_of(this).session && !this._closed ? `'${cb_type}'` : cb_type;
    throw new RangeError(`${name} channel binding type not implemented`);
  }

  /**
   * Python's `verify_client_post_handshake()`: ask a TLS 1.3 client for its
   * certificate after the handshake. Deno's TLS offers no post-handshake
   * authentication, so it raises as CPython's does when the client did not
   * offer it (`EXTENSION_NOT_RECEIVED`; `NOT_SERVER` on a client,
   * `WRONG_SSL_VERSION` for TLS 1.2). Ask for the certificate in the
   * handshake instead (`verify_mode`).
   *
   * @throws {SSLError} always, with CPython's reasons.
   *
   * @example
   * ```ts ignore
   * conn.verify_client_post_handshake(); // SSLError: [SSL: EXTENSION_NOT_RECEIVED] …
   * ```
   */
  verify_client_post_handshake(): never {
    ssl_object(this, "verify_client_post_handshake");
    // OpenSSL's SSL_verify_client_post_handshake checks the version before the side (C3-10's second half).
    if (this.version() === "TLSv1.2") {
      throw new SSLError(266, "[SSL: WRONG_SSL_VERSION] wrong ssl version (_ssl.c:2781)", {
        library: "SSL",
        reason: "WRONG_SSL_VERSION",
      });
    }
    if (!state_of(this).server_side) {
      throw new SSLError(284, "[SSL: NOT_SERVER] not server (_ssl.c:2781)", { library: "SSL", reason: "NOT_SERVER" });
    }
    throw new SSLError(279, "[SSL: EXTENSION_NOT_RECEIVED] extension not received (_ssl.c:2781)", {
      library: "SSL",
      reason: "EXTENSION_NOT_RECEIVED",
    });
  }
}

/** CPython's checks before a call on the SSL object: one must exist, and (for `op`) its handshake must be done. */
function ssl_object(sock: SSLSocket, op: "unwrap" | "verify_client_post_handshake"): Session {
  const ss = state_of(sock).session;
  if (!ss || sock._closed) throw new RangeError(`No SSL wrapper around ${sock}`);
  if (!ss.done || ss.error) {
    throw op === "unwrap"
      ? new SSLError(1, "[SSL: SHUTDOWN_WHILE_IN_INIT] shutdown while in init (_ssl.c:2706)", {
        library: "SSL",
        reason: "SHUTDOWN_WHILE_IN_INIT",
      })
      : new SSLError(266, "[SSL: WRONG_SSL_VERSION] wrong ssl version (_ssl.c:2781)", {
        library: "SSL",
        reason: "WRONG_SSL_VERSION",
      });
  }
  return ss;
}

/** The session failed after its handshake (a truncation or a fatal TLS error was read): OpenSSL's SSLfatal. */
function failed(s: Socket): boolean {
  return state_of(s).session?.transport.session_failed === true;
}

/** The TLS socket of a session whose handshake succeeded, else null. */
function done_tls(s: Socket): tls.TLSSocket | null {
  const ss = state_of(s).session;
  return ss && ss.done && ss.error === null && !s._closed ? ss.transport.tls : null;
}

function no_constructor(): void {
  throw new TypeError(
    "SSLSocket does not have a public constructor. Instances are returned by SSLContext.wrap_socket().",
  );
}

// Types this entry point's API refers to, re-exported so its docs stand alone (tools/doc_rewrite.ts).
export type { SendfileOptions } from "./socket.ts";
export type { AddressOf } from "./types.ts";

/** Python's NotImplementedError (JavaScript has none): an Error so named. */
function not_implemented(message: string): Error {
  const e = new Error(message);
  e.name = "NotImplementedError";
  return e;
}

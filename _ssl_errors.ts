// Python's ssl exceptions, and the mapping of what node:tls and the socket
// raise onto them (re-exported by ssl.ts).

import { OSError } from "./errors.ts";
import { map_error } from "./_map_error.ts";

/**
 * Options of the {@linkcode SSLError} constructor.
 *
 * @category Sockets
 */
export interface SSLErrorOptions {
  /** OpenSSL's library name, e.g. `SSL`. */
  library?: string | null;
  /** OpenSSL's reason, e.g. `CERTIFICATE_VERIFY_FAILED`. */
  reason?: string | null;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * A TLS failure, as Python's `ssl.SSLError` (an `OSError`). The message is
 * Python's text, e.g. `[SSL: WRONG_VERSION_NUMBER] wrong version number`.
 *
 * @example
 * ```ts
 * import { SSLError } from "@pysocket/socket/ssl";
 * const e = new SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number");
 * console.log(e.message, e.errno); // "[SSL: WRONG_VERSION_NUMBER] wrong version number" 1
 * ```
 *
 * @category Errors
 */
export class SSLError extends OSError {
  /** OpenSSL's library name (`SSL`), or null. */
  readonly library: string | null;
  /** OpenSSL's reason code, or null. */
  readonly reason: string | null;

  /**
   * Make the object, with Python\'s arguments.
   *
   * @param code Python's SSL error number (`SSL_ERROR_SSL` = 1 and so on).
   * @param text the message.
   * @param options library, reason and cause.
   */
  constructor(code: number | null = null, text: string | null = null, options: SSLErrorOptions = {}) {
    super(code, text, options.cause === undefined ? {} : { cause: options.cause });
    this.message = text ?? "";
    this.library = options.library ?? null;
    this.reason = options.reason ?? null;
  }
}

/**
 * The peer closed the TLS session cleanly (`SSL_ERROR_ZERO_RETURN`).
 *
 * @example
 * ```ts
 * import { SSLError, SSLZeroReturnError } from "@pysocket/socket/ssl";
 * console.log(new SSLZeroReturnError() instanceof SSLError); // true
 * ```
 *
 * @category Errors
 */
export class SSLZeroReturnError extends SSLError {
  /**
   * Make the object, with Python\'s arguments.
   *
   * @param code 6 by default.
   * @param text the message.
   * @param options library, reason and cause.
   */
  constructor(
    code: number | null = 6,
    text: string | null = "TLS/SSL connection has been closed (EOF)",
    options: SSLErrorOptions = {},
  ) {
    super(code, text, options);
  }
}

/**
 * The connection ended in the middle of the TLS protocol (`SSL_ERROR_EOF`),
 * e.g. the peer hung up during the handshake.
 *
 * @example
 * ```ts
 * import { SSLEOFError } from "@pysocket/socket/ssl";
 * console.log(new SSLEOFError().message); // "EOF occurred in violation of protocol"
 * ```
 *
 * @category Errors
 */
export class SSLEOFError extends SSLError {
  /**
   * Make the object, with Python\'s arguments.
   *
   * @param code 8 by default.
   * @param text the message.
   * @param options library, reason and cause.
   */
  constructor(
    code: number | null = 8,
    text: string | null = "EOF occurred in violation of protocol",
    options: SSLErrorOptions = {},
  ) {
    super(code, text, options);
  }
}

/**
 * A non-blocking socket's handshake needs more data (`SSL_ERROR_WANT_READ`).
 *
 * @example
 * ```ts
 * import { SSLWantReadError } from "@pysocket/socket/ssl";
 * console.log(new SSLWantReadError().errno); // 2
 * ```
 *
 * @category Errors
 */
export class SSLWantReadError extends SSLError {
  /**
   * Make the object, with Python\'s arguments.
   *
   * @param code 2 by default.
   * @param text the message.
   * @param options library, reason and cause.
   */
  constructor(
    code: number | null = 2,
    text: string | null = "The operation did not complete (read)",
    options: SSLErrorOptions = {},
  ) {
    super(code, text, options);
  }
}

/**
 * A non-blocking write could not complete (`SSL_ERROR_WANT_WRITE`); kept for
 * Python compatibility (pysocket queues writes instead).
 *
 * @example
 * ```ts
 * import { SSLWantWriteError } from "@pysocket/socket/ssl";
 * console.log(new SSLWantWriteError().errno); // 3
 * ```
 *
 * @category Errors
 */
export class SSLWantWriteError extends SSLError {
  /**
   * Make the object, with Python\'s arguments.
   *
   * @param code 3 by default.
   * @param text the message.
   * @param options library, reason and cause.
   */
  constructor(
    code: number | null = 3,
    text: string | null = "The operation did not complete (write)",
    options: SSLErrorOptions = {},
  ) {
    super(code, text, options);
  }
}

/**
 * A system-level failure under TLS (`SSL_ERROR_SYSCALL`).
 *
 * @example
 * ```ts
 * import { SSLSyscallError } from "@pysocket/socket/ssl";
 * console.log(new SSLSyscallError().errno); // 5
 * ```
 *
 * @category Errors
 */
export class SSLSyscallError extends SSLError {
  /**
   * Make the object, with Python\'s arguments.
   *
   * @param code 5 by default.
   * @param text the message.
   * @param options library, reason and cause.
   */
  constructor(
    code: number | null = 5,
    text: string | null = "Some I/O error occurred",
    options: SSLErrorOptions = {},
  ) {
    super(code, text, options);
  }
}

/**
 * Certificate verification failed: untrusted issuer, wrong host name,
 * expired. `verify_code` and `verify_message` are OpenSSL's
 * (`X509_V_ERR_*`), as in Python.
 *
 * @example
 * ```ts
 * import { SSLCertVerificationError } from "@pysocket/socket/ssl";
 * const e = new SSLCertVerificationError(10, "certificate has expired");
 * console.log(e.verify_code, e.message); // 10 "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired"
 * ```
 *
 * @category Errors
 */
export class SSLCertVerificationError extends SSLError {
  /** OpenSSL's `X509_V_ERR_*` number, or null when unknown. */
  readonly verify_code: number | null;
  /** OpenSSL's text for `verify_code`. */
  readonly verify_message: string | null;

  /**
   * Make the object, with Python\'s arguments.
   *
   * @param verify_code the `X509_V_ERR_*` number.
   * @param verify_message its text.
   * @param options the cause.
   */
  constructor(verify_code: number | null = null, verify_message: string | null = null, options: SSLErrorOptions = {}) {
    super(
      1,
      `[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed${verify_message ? `: ${verify_message}` : ""}`,
      { library: "SSL", reason: "CERTIFICATE_VERIFY_FAILED", cause: options.cause },
    );
    this.verify_code = verify_code;
    this.verify_message = verify_message;
  }
}

/**
 * Python's `ssl.CertificateError`, an alias of
 * {@linkcode SSLCertVerificationError}.
 *
 * @example
 * ```ts
 * import { CertificateError, SSLCertVerificationError } from "@pysocket/socket/ssl";
 * console.log(CertificateError === SSLCertVerificationError); // true
 * ```
 *
 * @category Errors
 */
export const CertificateError: typeof SSLCertVerificationError = SSLCertVerificationError;

// OpenSSL's X509_V_ERR numbers and texts for the codes node:tls reports.
export const VERIFY: Record<string, readonly [number, string]> = {
  UNABLE_TO_GET_ISSUER_CERT: [2, "unable to get issuer certificate"],
  CERT_NOT_YET_VALID: [9, "certificate is not yet valid"],
  CERT_HAS_EXPIRED: [10, "certificate has expired"],
  DEPTH_ZERO_SELF_SIGNED_CERT: [18, "self-signed certificate"],
  SELF_SIGNED_CERT_IN_CHAIN: [19, "self-signed certificate in certificate chain"],
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: [20, "unable to get local issuer certificate"],
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: [21, "unable to verify the first certificate"],
  CERT_REVOKED: [23, "certificate revoked"],
  INVALID_CA: [24, "invalid CA certificate"],
  CERT_UNTRUSTED: [27, "certificate not trusted"],
  CERT_REJECTED: [28, "certificate rejected"],
};

/** Python 3.11's error for a connection that ends mid-protocol. */
export function eof_error(cause?: unknown): SSLEOFError {
  return new SSLEOFError(8, "[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of protocol", {
    library: "SSL",
    reason: "UNEXPECTED_EOF_WHILE_READING",
    cause,
  });
}

/**
 * A hostile peer's records as OpenSSL names them (A16a-1), from Deno's (rustls') text: a record of a type the
 * state does not expect (a change_cipher_spec or application data before the handshake's, Deno said
 * "handshake failure"), a fifth warning alert in a row, a record of an unknown type (the session refines this
 * one by the peer's first bytes: a first record of an unknown type is UNEXPECTED_MESSAGE, a peer not speaking
 * TLS is WRONG_VERSION_NUMBER), a change_cipher_spec whose byte is not 1, a handshake message too long.
 */
const RECORD_FAULTS: readonly (readonly [RegExp, string, string])[] = [
  [/received unexpected message: got /, "UNEXPECTED_MESSAGE", "unexpected message"],
  [/peer misbehaved: TooManyWarningAlertsReceived/, "TOO_MANY_WARN_ALERTS", "too many warn alerts"],
  [/corrupt message of type InvalidContentType/, "UNEXPECTED_RECORD", "unexpected record"],
  [/corrupt message of type InvalidCcs/, "BAD_CHANGE_CIPHER_SPEC", "bad change cipher spec"],
  [/peer misbehaved: IllegalMiddleboxChangeCipherSpec/, "INVALID_CCS_MESSAGE", "invalid ccs message"],
  // A16a-5: a record that does not decrypt (tampered, or not encrypted at all), one longer than TLS allows.
  [/cannot decrypt peer's message/, "DECRYPTION_FAILED_OR_BAD_RECORD_MAC", "decryption failed or bad record mac"],
  [/corrupt message of type MessageTooLarge/, "PACKET_LENGTH_TOO_LONG", "packet length too long"],
  // A16a-6: a server that selects an ALPN protocol the client did not offer.
  [/peer misbehaved: SelectedUnofferedApplicationProtocol/, "BAD_EXTENSION", "bad extension"],
  // A16a-3: a 33rd TLS 1.3 KeyUpdate with no application data between (Deno's limit; OpenSSL has this name).
  [/peer misbehaved: TooManyKeyUpdateRequests/, "TOO_MANY_KEY_UPDATES", "too many key updates"],
  // A16a-4: a handshake message over Deno's 64 KiB (OpenSSL's limit is its max_cert_list, 100 KiB).
  [/corrupt message of type HandshakePayloadTooLarge/, "EXCESSIVE_MESSAGE_SIZE", "excessive message size"],
];

/** Deno's own ConnectionReset (the kernel's ECONNRESET read from the socket), not node:tls' synthetic one. */
function is_reset(e: unknown): boolean {
  const cls = (globalThis as { Deno?: { errors?: { ConnectionReset?: new () => Error } } }).Deno?.errors
    ?.ConnectionReset;
  return cls !== undefined && e instanceof cls;
}

/** Turn whatever node:tls or the socket raised into Python's exception. */
export function to_ssl_error(e: unknown, during_handshake = false): Error {
  if (e instanceof OSError || e instanceof TypeError || e instanceof RangeError) return e;
  const code = (e as { code?: unknown })?.code;
  const msg = e instanceof Error ? e.message : String(e);
  if (typeof code === "string") {
    const v = VERIFY[code];
    if (v) return new SSLCertVerificationError(v[0], v[1], { cause: e });
    if (code.startsWith("ERR_SSL_") && /peer is incompatible: \w*Version/.test(msg)) {
      // rustls, a server whose versions the client's do not meet (A10b-6): OpenSSL's server says so.
      return new SSLError(1, "[SSL: UNSUPPORTED_PROTOCOL] unsupported protocol", {
        library: "SSL",
        reason: "UNSUPPORTED_PROTOCOL",
        cause: e,
      });
    }
    if (code.startsWith("ERR_SSL_")) {
      for (const [pattern, reason, text] of RECORD_FAULTS) {
        if (pattern.test(msg)) return new SSLError(1, `[SSL: ${reason}] ${text}`, { library: "SSL", reason, cause: e });
      }
      const reason = code.slice(8);
      const m = /\(([^()]*)\)\s*$/.exec(msg);
      const text = m ? m[1]!.split(":").pop()! : reason.toLowerCase().replaceAll("_", " ");
      return new SSLError(1, `[SSL: ${reason}] ${text}`, { library: "SSL", reason, cause: e });
    }
    // node:tls says ECONNRESET for a peer's FIN mid-handshake ("... disconnected before secure TLS connection was
    // established"): OpenSSL's unexpected EOF. A real reset read from the socket (Deno's ConnectionReset, os error
    // 104) is CPython's ConnectionResetError, handshake or not (C3-2).
    if (code === "ECONNRESET" && (during_handshake || /secure TLS connection/.test(msg)) && !is_reset(e)) {
      return eof_error(e);
    }
  }
  const m = map_error(e);
  if (m instanceof OSError && m.errno !== null) return m;
  return new SSLError(1, msg, { cause: e });
}

// Python's ssl constants that pysocket only names (values as CPython 3.11 with OpenSSL 3.0 on Linux): the
// OP_* options, VERIFY_* flags, ALERT_DESCRIPTION_* alerts and SSL_ERROR_* codes, with their enum objects.
// What each one does on Deno's TLS is said on SSLContext.options / verify_flags (ssl.ts).

/**
 * OpenSSL's bug workarounds (`OP_ALL`), set by default as in CPython; Deno's TLS needs none.
 *
 * @example
 * ```ts
 * import { OP_ALL } from "@pysocket/socket/ssl";
 * console.log(OP_ALL); // 2147483728
 * ```
 *
 * @category TLS
 */
export const OP_ALL = 0x80000050;
/**
 * SSL 2 is never spoken (0, as in CPython with OpenSSL 3).
 *
 * @example
 * ```ts
 * import { OP_NO_SSLv2 } from "@pysocket/socket/ssl";
 * console.log(OP_NO_SSLv2); // 0
 * ```
 *
 * @category TLS
 */
export const OP_NO_SSLv2 = 0x0;
/**
 * SSL 3 is never spoken; set by default, as in CPython.
 *
 * @example
 * ```ts
 * import { OP_NO_SSLv3 } from "@pysocket/socket/ssl";
 * console.log(OP_NO_SSLv3); // 33554432
 * ```
 *
 * @category TLS
 */
export const OP_NO_SSLv3 = 0x2000000;
/**
 * TLS compression is never used; set by default, as in CPython.
 *
 * @example
 * ```ts
 * import { OP_NO_COMPRESSION } from "@pysocket/socket/ssl";
 * console.log(OP_NO_COMPRESSION); // 131072
 * ```
 *
 * @category TLS
 */
export const OP_NO_COMPRESSION = 0x20000;
/**
 * Set by default, as in CPython (Deno's TLS server picks the suite).
 *
 * @example
 * ```ts
 * import { OP_CIPHER_SERVER_PREFERENCE } from "@pysocket/socket/ssl";
 * console.log(OP_CIPHER_SERVER_PREFERENCE); // 4194304
 * ```
 *
 * @category TLS
 */
export const OP_CIPHER_SERVER_PREFERENCE = 0x400000;
/**
 * 0, as in CPython with OpenSSL 3 (ephemeral keys are always fresh).
 *
 * @example
 * ```ts
 * import { OP_SINGLE_DH_USE } from "@pysocket/socket/ssl";
 * console.log(OP_SINGLE_DH_USE); // 0
 * ```
 *
 * @category TLS
 */
export const OP_SINGLE_DH_USE = 0x0;
/**
 * 0, as in CPython with OpenSSL 3 (ephemeral keys are always fresh).
 *
 * @example
 * ```ts
 * import { OP_SINGLE_ECDH_USE } from "@pysocket/socket/ssl";
 * console.log(OP_SINGLE_ECDH_USE); // 0
 * ```
 *
 * @category TLS
 */
export const OP_SINGLE_ECDH_USE = 0x0;
/**
 * Python's `OP_NO_TICKET` (value as in CPython); Deno's TLS server keeps sending TLS 1.3 session tickets.
 *
 * @example
 * ```ts
 * import { OP_NO_TICKET } from "@pysocket/socket/ssl";
 * console.log(OP_NO_TICKET); // 16384
 * ```
 *
 * @category TLS
 */
export const OP_NO_TICKET = 0x4000;
/**
 * Renegotiation is refused: pysocket never renegotiates, with or without this option.
 *
 * @example
 * ```ts
 * import { OP_NO_RENEGOTIATION } from "@pysocket/socket/ssl";
 * console.log(OP_NO_RENEGOTIATION); // 1073741824
 * ```
 *
 * @category TLS
 */
export const OP_NO_RENEGOTIATION = 0x40000000;
/**
 * Set by default, as in CPython (TLS 1.3 middlebox compatibility).
 *
 * @example
 * ```ts
 * import { OP_ENABLE_MIDDLEBOX_COMPAT } from "@pysocket/socket/ssl";
 * console.log(OP_ENABLE_MIDDLEBOX_COMPAT); // 1048576
 * ```
 *
 * @category TLS
 */
export const OP_ENABLE_MIDDLEBOX_COMPAT = 0x100000;
/**
 * Python's `OP_IGNORE_UNEXPECTED_EOF` (value as in CPython); `suppress_ragged_eofs` decides how an EOF without close_notify reads.
 *
 * @example
 * ```ts
 * import { OP_IGNORE_UNEXPECTED_EOF } from "@pysocket/socket/ssl";
 * console.log(OP_IGNORE_UNEXPECTED_EOF); // 128
 * ```
 *
 * @category TLS
 */
export const OP_IGNORE_UNEXPECTED_EOF = 0x80;
/**
 * No extra checks (0): `verify_flags` may be set to it.
 *
 * @example
 * ```ts
 * import { VERIFY_DEFAULT } from "@pysocket/socket/ssl";
 * console.log(VERIFY_DEFAULT); // 0
 * ```
 *
 * @category TLS
 */
export const VERIFY_DEFAULT = 0x0;
/**
 * CRL checks of the leaf: pysocket cannot make them, so setting it in `verify_flags` raises.
 *
 * @example
 * ```ts
 * import { VERIFY_CRL_CHECK_LEAF } from "@pysocket/socket/ssl";
 * console.log(VERIFY_CRL_CHECK_LEAF); // 4
 * ```
 *
 * @category TLS
 */
export const VERIFY_CRL_CHECK_LEAF = 0x4;
/**
 * CRL checks of the chain: pysocket cannot make them, so setting it in `verify_flags` raises.
 *
 * @example
 * ```ts
 * import { VERIFY_CRL_CHECK_CHAIN } from "@pysocket/socket/ssl";
 * console.log(VERIFY_CRL_CHECK_CHAIN); // 12
 * ```
 *
 * @category TLS
 */
export const VERIFY_CRL_CHECK_CHAIN = 0xc;
/**
 * OpenSSL's strict X.509 checks: pysocket cannot make them, so setting it in `verify_flags` raises.
 *
 * @example
 * ```ts
 * import { VERIFY_X509_STRICT } from "@pysocket/socket/ssl";
 * console.log(VERIFY_X509_STRICT); // 32
 * ```
 *
 * @category TLS
 */
export const VERIFY_X509_STRICT = 0x20;
/**
 * Trusted certificates are preferred when building the chain (the default flag).
 *
 * @example
 * ```ts
 * import { VERIFY_X509_TRUSTED_FIRST } from "@pysocket/socket/ssl";
 * console.log(VERIFY_X509_TRUSTED_FIRST); // 32768
 * ```
 *
 * @category TLS
 */
export const VERIFY_X509_TRUSTED_FIRST = 0x8000;
/**
 * A trusted intermediate CA ends the chain (pysocket always lets it, as CPython 3.13's default contexts).
 *
 * @example
 * ```ts
 * import { VERIFY_X509_PARTIAL_CHAIN } from "@pysocket/socket/ssl";
 * console.log(VERIFY_X509_PARTIAL_CHAIN); // 524288
 * ```
 *
 * @category TLS
 */
export const VERIFY_X509_PARTIAL_CHAIN = 0x80000;
/**
 * Proxy certificates: not supported, so setting it in `verify_flags` raises.
 *
 * @example
 * ```ts
 * import { VERIFY_ALLOW_PROXY_CERTS } from "@pysocket/socket/ssl";
 * console.log(VERIFY_ALLOW_PROXY_CERTS); // 64
 * ```
 *
 * @category TLS
 */
export const VERIFY_ALLOW_PROXY_CERTS = 0x40;
/**
 * The TLS alert `close_notify`, as a `sni_callback` may return it (value as in CPython).
 *
 * @example
 * ```ts
 * import { ALERT_DESCRIPTION_CLOSE_NOTIFY } from "@pysocket/socket/ssl";
 * console.log(ALERT_DESCRIPTION_CLOSE_NOTIFY); // 0
 * ```
 *
 * @category TLS
 */
export const ALERT_DESCRIPTION_CLOSE_NOTIFY = 0;
/**
 * The TLS alert `unexpected_message`, as a `sni_callback` may return it (value as in CPython).
 *
 * @example
 * ```ts
 * import { ALERT_DESCRIPTION_UNEXPECTED_MESSAGE } from "@pysocket/socket/ssl";
 * console.log(ALERT_DESCRIPTION_UNEXPECTED_MESSAGE); // 10
 * ```
 *
 * @category TLS
 */
export const ALERT_DESCRIPTION_UNEXPECTED_MESSAGE = 10;
/**
 * The TLS alert `bad_record_mac`, as a `sni_callback` may return it (value as in CPython).
 *
 * @example
 * ```ts
 * import { ALERT_DESCRIPTION_BAD_RECORD_MAC } from "@pysocket/socket/ssl";
 * console.log(ALERT_DESCRIPTION_BAD_RECORD_MAC); // 20
 * ```
 *
 * @category TLS
 */
export const ALERT_DESCRIPTION_BAD_RECORD_MAC = 20;
/**
 * The TLS alert `record_overflow`, as a `sni_callback` may return it (value as in CPython).
 *
 * @example
 * ```ts
 * import { ALERT_DESCRIPTION_RECORD_OVERFLOW } from "@pysocket/socket/ssl";
 * console.log(ALERT_DESCRIPTION_RECORD_OVERFLOW); // 22
 * ```
 *
 * @category TLS
 */
export const ALERT_DESCRIPTION_RECORD_OVERFLOW = 22;
/**
 * The TLS alert `decompression_failure`, as a `sni_callback` may return it (value as in CPython).
 *
 * @example
 * ```ts
 * import { ALERT_DESCRIPTION_DECOMPRESSION_FAILURE } from "@pysocket/socket/ssl";
 * console.log(ALERT_DESCRIPTION_DECOMPRESSION_FAILURE); // 30
 * ```
 *
 * @category TLS
 */
export const ALERT_DESCRIPTION_DECOMPRESSION_FAILURE = 30;
/**
 * The TLS alert `handshake_failure`, as a `sni_callback` may return it (value as in CPython).
 *
 * @example
 * ```ts
 * import { ALERT_DESCRIPTION_HANDSHAKE_FAILURE } from "@pysocket/socket/ssl";
 * console.log(ALERT_DESCRIPTION_HANDSHAKE_FAILURE); // 40
 * ```
 *
 * @category TLS
 */
export const ALERT_DESCRIPTION_HANDSHAKE_FAILURE = 40;
/**
 * The TLS alert `bad_certificate`, as a `sni_callback` may return it (value as in CPython).
 *
 * @example
 * ```ts
 * import { ALERT_DESCRIPTION_BAD_CERTIFICATE } from "@pysocket/socket/ssl";
 * console.log(ALERT_DESCRIPTION_BAD_CERTIFICATE); // 42
 * ```
 *
 * @category TLS
 */
export const ALERT_DESCRIPTION_BAD_CERTIFICATE = 42;
/**
 * The TLS alert `unsupported_certificate`, as a `sni_callback` may return it (value as in CPython).
 *
 * @example
 * ```ts
 * import { ALERT_DESCRIPTION_UNSUPPORTED_CERTIFICATE } from "@pysocket/socket/ssl";
 * console.log(ALERT_DESCRIPTION_UNSUPPORTED_CERTIFICATE); // 43
 * ```
 *
 * @category TLS
 */
export const ALERT_DESCRIPTION_UNSUPPORTED_CERTIFICATE = 43;
/**
 * The TLS alert `certificate_revoked`, as a `sni_callback` may return it (value as in CPython).
 *
 * @example
 * ```ts
 * import { ALERT_DESCRIPTION_CERTIFICATE_REVOKED } from "@pysocket/socket/ssl";
 * console.log(ALERT_DESCRIPTION_CERTIFICATE_REVOKED); // 44
 * ```
 *
 * @category TLS
 */
export const ALERT_DESCRIPTION_CERTIFICATE_REVOKED = 44;
/**
 * The TLS alert `certificate_expired`, as a `sni_callback` may return it (value as in CPython).
 *
 * @example
 * ```ts
 * import { ALERT_DESCRIPTION_CERTIFICATE_EXPIRED } from "@pysocket/socket/ssl";
 * console.log(ALERT_DESCRIPTION_CERTIFICATE_EXPIRED); // 45
 * ```
 *
 * @category TLS
 */
export const ALERT_DESCRIPTION_CERTIFICATE_EXPIRED = 45;
/**
 * The TLS alert `certificate_unknown`, as a `sni_callback` may return it (value as in CPython).
 *
 * @example
 * ```ts
 * import { ALERT_DESCRIPTION_CERTIFICATE_UNKNOWN } from "@pysocket/socket/ssl";
 * console.log(ALERT_DESCRIPTION_CERTIFICATE_UNKNOWN); // 46
 * ```
 *
 * @category TLS
 */
export const ALERT_DESCRIPTION_CERTIFICATE_UNKNOWN = 46;
/**
 * The TLS alert `illegal_parameter`, as a `sni_callback` may return it (value as in CPython).
 *
 * @example
 * ```ts
 * import { ALERT_DESCRIPTION_ILLEGAL_PARAMETER } from "@pysocket/socket/ssl";
 * console.log(ALERT_DESCRIPTION_ILLEGAL_PARAMETER); // 47
 * ```
 *
 * @category TLS
 */
export const ALERT_DESCRIPTION_ILLEGAL_PARAMETER = 47;
/**
 * The TLS alert `unknown_ca`, as a `sni_callback` may return it (value as in CPython).
 *
 * @example
 * ```ts
 * import { ALERT_DESCRIPTION_UNKNOWN_CA } from "@pysocket/socket/ssl";
 * console.log(ALERT_DESCRIPTION_UNKNOWN_CA); // 48
 * ```
 *
 * @category TLS
 */
export const ALERT_DESCRIPTION_UNKNOWN_CA = 48;
/**
 * The TLS alert `access_denied`, as a `sni_callback` may return it (value as in CPython).
 *
 * @example
 * ```ts
 * import { ALERT_DESCRIPTION_ACCESS_DENIED } from "@pysocket/socket/ssl";
 * console.log(ALERT_DESCRIPTION_ACCESS_DENIED); // 49
 * ```
 *
 * @category TLS
 */
export const ALERT_DESCRIPTION_ACCESS_DENIED = 49;
/**
 * The TLS alert `decode_error`, as a `sni_callback` may return it (value as in CPython).
 *
 * @example
 * ```ts
 * import { ALERT_DESCRIPTION_DECODE_ERROR } from "@pysocket/socket/ssl";
 * console.log(ALERT_DESCRIPTION_DECODE_ERROR); // 50
 * ```
 *
 * @category TLS
 */
export const ALERT_DESCRIPTION_DECODE_ERROR = 50;
/**
 * The TLS alert `decrypt_error`, as a `sni_callback` may return it (value as in CPython).
 *
 * @example
 * ```ts
 * import { ALERT_DESCRIPTION_DECRYPT_ERROR } from "@pysocket/socket/ssl";
 * console.log(ALERT_DESCRIPTION_DECRYPT_ERROR); // 51
 * ```
 *
 * @category TLS
 */
export const ALERT_DESCRIPTION_DECRYPT_ERROR = 51;
/**
 * The TLS alert `protocol_version`, as a `sni_callback` may return it (value as in CPython).
 *
 * @example
 * ```ts
 * import { ALERT_DESCRIPTION_PROTOCOL_VERSION } from "@pysocket/socket/ssl";
 * console.log(ALERT_DESCRIPTION_PROTOCOL_VERSION); // 70
 * ```
 *
 * @category TLS
 */
export const ALERT_DESCRIPTION_PROTOCOL_VERSION = 70;
/**
 * The TLS alert `insufficient_security`, as a `sni_callback` may return it (value as in CPython).
 *
 * @example
 * ```ts
 * import { ALERT_DESCRIPTION_INSUFFICIENT_SECURITY } from "@pysocket/socket/ssl";
 * console.log(ALERT_DESCRIPTION_INSUFFICIENT_SECURITY); // 71
 * ```
 *
 * @category TLS
 */
export const ALERT_DESCRIPTION_INSUFFICIENT_SECURITY = 71;
/**
 * The TLS alert `internal_error`, as a `sni_callback` may return it (value as in CPython).
 *
 * @example
 * ```ts
 * import { ALERT_DESCRIPTION_INTERNAL_ERROR } from "@pysocket/socket/ssl";
 * console.log(ALERT_DESCRIPTION_INTERNAL_ERROR); // 80
 * ```
 *
 * @category TLS
 */
export const ALERT_DESCRIPTION_INTERNAL_ERROR = 80;
/**
 * The TLS alert `user_cancelled`, as a `sni_callback` may return it (value as in CPython).
 *
 * @example
 * ```ts
 * import { ALERT_DESCRIPTION_USER_CANCELLED } from "@pysocket/socket/ssl";
 * console.log(ALERT_DESCRIPTION_USER_CANCELLED); // 90
 * ```
 *
 * @category TLS
 */
export const ALERT_DESCRIPTION_USER_CANCELLED = 90;
/**
 * The TLS alert `no_renegotiation`, as a `sni_callback` may return it (value as in CPython).
 *
 * @example
 * ```ts
 * import { ALERT_DESCRIPTION_NO_RENEGOTIATION } from "@pysocket/socket/ssl";
 * console.log(ALERT_DESCRIPTION_NO_RENEGOTIATION); // 100
 * ```
 *
 * @category TLS
 */
export const ALERT_DESCRIPTION_NO_RENEGOTIATION = 100;
/**
 * The TLS alert `unsupported_extension`, as a `sni_callback` may return it (value as in CPython).
 *
 * @example
 * ```ts
 * import { ALERT_DESCRIPTION_UNSUPPORTED_EXTENSION } from "@pysocket/socket/ssl";
 * console.log(ALERT_DESCRIPTION_UNSUPPORTED_EXTENSION); // 110
 * ```
 *
 * @category TLS
 */
export const ALERT_DESCRIPTION_UNSUPPORTED_EXTENSION = 110;
/**
 * The TLS alert `certificate_unobtainable`, as a `sni_callback` may return it (value as in CPython).
 *
 * @example
 * ```ts
 * import { ALERT_DESCRIPTION_CERTIFICATE_UNOBTAINABLE } from "@pysocket/socket/ssl";
 * console.log(ALERT_DESCRIPTION_CERTIFICATE_UNOBTAINABLE); // 111
 * ```
 *
 * @category TLS
 */
export const ALERT_DESCRIPTION_CERTIFICATE_UNOBTAINABLE = 111;
/**
 * The TLS alert `unrecognized_name`, as a `sni_callback` may return it (value as in CPython).
 *
 * @example
 * ```ts
 * import { ALERT_DESCRIPTION_UNRECOGNIZED_NAME } from "@pysocket/socket/ssl";
 * console.log(ALERT_DESCRIPTION_UNRECOGNIZED_NAME); // 112
 * ```
 *
 * @category TLS
 */
export const ALERT_DESCRIPTION_UNRECOGNIZED_NAME = 112;
/**
 * The TLS alert `bad_certificate_status_response`, as a `sni_callback` may return it (value as in CPython).
 *
 * @example
 * ```ts
 * import { ALERT_DESCRIPTION_BAD_CERTIFICATE_STATUS_RESPONSE } from "@pysocket/socket/ssl";
 * console.log(ALERT_DESCRIPTION_BAD_CERTIFICATE_STATUS_RESPONSE); // 113
 * ```
 *
 * @category TLS
 */
export const ALERT_DESCRIPTION_BAD_CERTIFICATE_STATUS_RESPONSE = 113;
/**
 * The TLS alert `bad_certificate_hash_value`, as a `sni_callback` may return it (value as in CPython).
 *
 * @example
 * ```ts
 * import { ALERT_DESCRIPTION_BAD_CERTIFICATE_HASH_VALUE } from "@pysocket/socket/ssl";
 * console.log(ALERT_DESCRIPTION_BAD_CERTIFICATE_HASH_VALUE); // 114
 * ```
 *
 * @category TLS
 */
export const ALERT_DESCRIPTION_BAD_CERTIFICATE_HASH_VALUE = 114;
/**
 * The TLS alert `unknown_psk_identity`, as a `sni_callback` may return it (value as in CPython).
 *
 * @example
 * ```ts
 * import { ALERT_DESCRIPTION_UNKNOWN_PSK_IDENTITY } from "@pysocket/socket/ssl";
 * console.log(ALERT_DESCRIPTION_UNKNOWN_PSK_IDENTITY); // 115
 * ```
 *
 * @category TLS
 */
export const ALERT_DESCRIPTION_UNKNOWN_PSK_IDENTITY = 115;
/**
 * Python's `ssl.SSL_ERROR_SSL`: the `errno` of the SSLError it names.
 *
 * @example
 * ```ts
 * import { SSL_ERROR_SSL } from "@pysocket/socket/ssl";
 * console.log(SSL_ERROR_SSL); // 1
 * ```
 *
 * @category TLS
 */
export const SSL_ERROR_SSL = 1;
/**
 * Python's `ssl.SSL_ERROR_WANT_READ`: the `errno` of the SSLError it names.
 *
 * @example
 * ```ts
 * import { SSL_ERROR_WANT_READ } from "@pysocket/socket/ssl";
 * console.log(SSL_ERROR_WANT_READ); // 2
 * ```
 *
 * @category TLS
 */
export const SSL_ERROR_WANT_READ = 2;
/**
 * Python's `ssl.SSL_ERROR_WANT_WRITE`: the `errno` of the SSLError it names.
 *
 * @example
 * ```ts
 * import { SSL_ERROR_WANT_WRITE } from "@pysocket/socket/ssl";
 * console.log(SSL_ERROR_WANT_WRITE); // 3
 * ```
 *
 * @category TLS
 */
export const SSL_ERROR_WANT_WRITE = 3;
/**
 * Python's `ssl.SSL_ERROR_WANT_X509_LOOKUP`: the `errno` of the SSLError it names.
 *
 * @example
 * ```ts
 * import { SSL_ERROR_WANT_X509_LOOKUP } from "@pysocket/socket/ssl";
 * console.log(SSL_ERROR_WANT_X509_LOOKUP); // 4
 * ```
 *
 * @category TLS
 */
export const SSL_ERROR_WANT_X509_LOOKUP = 4;
/**
 * Python's `ssl.SSL_ERROR_SYSCALL`: the `errno` of the SSLError it names.
 *
 * @example
 * ```ts
 * import { SSL_ERROR_SYSCALL } from "@pysocket/socket/ssl";
 * console.log(SSL_ERROR_SYSCALL); // 5
 * ```
 *
 * @category TLS
 */
export const SSL_ERROR_SYSCALL = 5;
/**
 * Python's `ssl.SSL_ERROR_ZERO_RETURN`: the `errno` of the SSLError it names.
 *
 * @example
 * ```ts
 * import { SSL_ERROR_ZERO_RETURN } from "@pysocket/socket/ssl";
 * console.log(SSL_ERROR_ZERO_RETURN); // 6
 * ```
 *
 * @category TLS
 */
export const SSL_ERROR_ZERO_RETURN = 6;
/**
 * Python's `ssl.SSL_ERROR_WANT_CONNECT`: the `errno` of the SSLError it names.
 *
 * @example
 * ```ts
 * import { SSL_ERROR_WANT_CONNECT } from "@pysocket/socket/ssl";
 * console.log(SSL_ERROR_WANT_CONNECT); // 7
 * ```
 *
 * @category TLS
 */
export const SSL_ERROR_WANT_CONNECT = 7;
/**
 * Python's `ssl.SSL_ERROR_EOF`: the `errno` of the SSLError it names.
 *
 * @example
 * ```ts
 * import { SSL_ERROR_EOF } from "@pysocket/socket/ssl";
 * console.log(SSL_ERROR_EOF); // 8
 * ```
 *
 * @category TLS
 */
export const SSL_ERROR_EOF = 8;
/**
 * Python's `ssl.SSL_ERROR_INVALID_ERROR_CODE`: the `errno` of the SSLError it names.
 *
 * @example
 * ```ts
 * import { SSL_ERROR_INVALID_ERROR_CODE } from "@pysocket/socket/ssl";
 * console.log(SSL_ERROR_INVALID_ERROR_CODE); // 10
 * ```
 *
 * @category TLS
 */
export const SSL_ERROR_INVALID_ERROR_CODE = 10;
/**
 * Python's `ssl.Options`: every `OP_*` value by name.
 *
 * @example
 * ```ts
 * import { Options } from "@pysocket/socket/ssl";
 * console.log(Options.OP_ALL); // 2147483728
 * ```
 *
 * @category TLS
 */
export const Options = {
  OP_ALL,
  OP_NO_SSLv2,
  OP_NO_SSLv3,
  OP_NO_COMPRESSION,
  OP_CIPHER_SERVER_PREFERENCE,
  OP_SINGLE_DH_USE,
  OP_SINGLE_ECDH_USE,
  OP_NO_TICKET,
  OP_NO_RENEGOTIATION,
  OP_ENABLE_MIDDLEBOX_COMPAT,
  OP_IGNORE_UNEXPECTED_EOF,
  OP_NO_TLSv1: 0x04000000,
  OP_NO_TLSv1_1: 0x10000000,
  OP_NO_TLSv1_2: 0x08000000,
  OP_NO_TLSv1_3: 0x20000000,
} as const;
/**
 * Python's `ssl.VerifyFlags`: every `VERIFY_*` value by name.
 *
 * @example
 * ```ts
 * import { VerifyFlags } from "@pysocket/socket/ssl";
 * console.log(VerifyFlags.VERIFY_DEFAULT); // 0
 * ```
 *
 * @category TLS
 */
export const VerifyFlags = {
  VERIFY_DEFAULT,
  VERIFY_CRL_CHECK_LEAF,
  VERIFY_CRL_CHECK_CHAIN,
  VERIFY_X509_STRICT,
  VERIFY_X509_TRUSTED_FIRST,
  VERIFY_X509_PARTIAL_CHAIN,
  VERIFY_ALLOW_PROXY_CERTS,
} as const;
/**
 * Python's `ssl.AlertDescription`: every `ALERT_DESCRIPTION_*` value by name.
 *
 * @example
 * ```ts
 * import { AlertDescription } from "@pysocket/socket/ssl";
 * console.log(AlertDescription.ALERT_DESCRIPTION_CLOSE_NOTIFY); // 0
 * ```
 *
 * @category TLS
 */
export const AlertDescription = {
  ALERT_DESCRIPTION_CLOSE_NOTIFY,
  ALERT_DESCRIPTION_UNEXPECTED_MESSAGE,
  ALERT_DESCRIPTION_BAD_RECORD_MAC,
  ALERT_DESCRIPTION_RECORD_OVERFLOW,
  ALERT_DESCRIPTION_DECOMPRESSION_FAILURE,
  ALERT_DESCRIPTION_HANDSHAKE_FAILURE,
  ALERT_DESCRIPTION_BAD_CERTIFICATE,
  ALERT_DESCRIPTION_UNSUPPORTED_CERTIFICATE,
  ALERT_DESCRIPTION_CERTIFICATE_REVOKED,
  ALERT_DESCRIPTION_CERTIFICATE_EXPIRED,
  ALERT_DESCRIPTION_CERTIFICATE_UNKNOWN,
  ALERT_DESCRIPTION_ILLEGAL_PARAMETER,
  ALERT_DESCRIPTION_UNKNOWN_CA,
  ALERT_DESCRIPTION_ACCESS_DENIED,
  ALERT_DESCRIPTION_DECODE_ERROR,
  ALERT_DESCRIPTION_DECRYPT_ERROR,
  ALERT_DESCRIPTION_PROTOCOL_VERSION,
  ALERT_DESCRIPTION_INSUFFICIENT_SECURITY,
  ALERT_DESCRIPTION_INTERNAL_ERROR,
  ALERT_DESCRIPTION_USER_CANCELLED,
  ALERT_DESCRIPTION_NO_RENEGOTIATION,
  ALERT_DESCRIPTION_UNSUPPORTED_EXTENSION,
  ALERT_DESCRIPTION_CERTIFICATE_UNOBTAINABLE,
  ALERT_DESCRIPTION_UNRECOGNIZED_NAME,
  ALERT_DESCRIPTION_BAD_CERTIFICATE_STATUS_RESPONSE,
  ALERT_DESCRIPTION_BAD_CERTIFICATE_HASH_VALUE,
  ALERT_DESCRIPTION_UNKNOWN_PSK_IDENTITY,
} as const;
/**
 * Python's `ssl.SSLErrorNumber`: every `SSL_ERROR_*` value by name.
 *
 * @example
 * ```ts
 * import { SSLErrorNumber } from "@pysocket/socket/ssl";
 * console.log(SSLErrorNumber.SSL_ERROR_SSL); // 1
 * ```
 *
 * @category TLS
 */
export const SSLErrorNumber = {
  SSL_ERROR_SSL,
  SSL_ERROR_WANT_READ,
  SSL_ERROR_WANT_WRITE,
  SSL_ERROR_WANT_X509_LOOKUP,
  SSL_ERROR_SYSCALL,
  SSL_ERROR_ZERO_RETURN,
  SSL_ERROR_WANT_CONNECT,
  SSL_ERROR_EOF,
  SSL_ERROR_INVALID_ERROR_CODE,
} as const;
/**
 * Python's `PROTOCOL_TLSv1` (deprecated): TLS 1.0, which Deno's TLS cannot
 * speak, so `new SSLContext(PROTOCOL_TLSv1)` raises.
 *
 * @example
 * ```ts
 * import { PROTOCOL_TLSv1 } from "@pysocket/socket/ssl";
 * console.log(PROTOCOL_TLSv1); // 3
 * ```
 *
 * @category TLS
 */
export const PROTOCOL_TLSv1 = 3;
/**
 * Python's `PROTOCOL_TLSv1_1` (deprecated): TLS 1.1, which Deno's TLS cannot
 * speak, so `new SSLContext(PROTOCOL_TLSv1_1)` raises.
 *
 * @example
 * ```ts
 * import { PROTOCOL_TLSv1_1 } from "@pysocket/socket/ssl";
 * console.log(PROTOCOL_TLSv1_1); // 4
 * ```
 *
 * @category TLS
 */
export const PROTOCOL_TLSv1_1 = 4;
/**
 * Python's `PROTOCOL_TLSv1_2` (deprecated): a context for either side that
 * speaks TLS 1.2 only, verifying nothing by default, as in CPython.
 *
 * @example
 * ```ts
 * import { PROTOCOL_TLSv1_2, SSLContext } from "@pysocket/socket/ssl";
 * console.log(new SSLContext(PROTOCOL_TLSv1_2).protocol); // 5
 * ```
 *
 * @category TLS
 */
export const PROTOCOL_TLSv1_2 = 5;
/**
 * The first line of a PEM certificate, as Python's `ssl.PEM_HEADER`.
 *
 * @example
 * ```ts
 * import { PEM_HEADER } from "@pysocket/socket/ssl";
 * console.log(PEM_HEADER); // -----BEGIN CERTIFICATE-----
 * ```
 *
 * @category TLS
 */
export const PEM_HEADER = "-----BEGIN CERTIFICATE-----";
/**
 * The last line of a PEM certificate, as Python's `ssl.PEM_FOOTER`.
 *
 * @example
 * ```ts
 * import { PEM_FOOTER } from "@pysocket/socket/ssl";
 * console.log(PEM_FOOTER); // -----END CERTIFICATE-----
 * ```
 *
 * @category TLS
 */
export const PEM_FOOTER = "-----END CERTIFICATE-----";
/**
 * Elliptic-curve Diffie-Hellman key exchange is used (always, on Deno).
 *
 * @example
 * ```ts
 * import { HAS_ECDH } from "@pysocket/socket/ssl";
 * console.log(HAS_ECDH); // true
 * ```
 *
 * @category TLS
 */
export const HAS_ECDH = true;
/**
 * NPN (the predecessor of ALPN) is not offered, as in CPython 3.11 with OpenSSL 3.
 *
 * @example
 * ```ts
 * import { HAS_NPN } from "@pysocket/socket/ssl";
 * console.log(HAS_NPN); // false
 * ```
 *
 * @category TLS
 */
export const HAS_NPN = false;
/**
 * `hostname_checks_common_name` can be turned off (it is honoured).
 *
 * @example
 * ```ts
 * import { HAS_NEVER_CHECK_COMMON_NAME } from "@pysocket/socket/ssl";
 * console.log(HAS_NEVER_CHECK_COMMON_NAME); // true
 * ```
 *
 * @category TLS
 */
export const HAS_NEVER_CHECK_COMMON_NAME = true;
/**
 * SSL 2 is never spoken.
 *
 * @example
 * ```ts
 * import { HAS_SSLv2 } from "@pysocket/socket/ssl";
 * console.log(HAS_SSLv2); // false
 * ```
 *
 * @category TLS
 */
export const HAS_SSLv2 = false;
/**
 * SSL 3 is never spoken.
 *
 * @example
 * ```ts
 * import { HAS_SSLv3 } from "@pysocket/socket/ssl";
 * console.log(HAS_SSLv3); // false
 * ```
 *
 * @category TLS
 */
export const HAS_SSLv3 = false;
/**
 * The channel bindings `SSLSocket.get_channel_binding()` can give: none on
 * Deno, whose TLS does not report the handshake's Finished messages (CPython:
 * `['tls-unique']`). Programs that check this list fall back to no binding.
 *
 * @example
 * ```ts
 * import { CHANNEL_BINDING_TYPES } from "@pysocket/socket/ssl";
 * console.log(CHANNEL_BINDING_TYPES.includes("tls-unique")); // false
 * ```
 *
 * @category TLS
 */
export const CHANNEL_BINDING_TYPES: readonly string[] = Object.freeze([]);

/**
 * `num` random bytes from a cryptographically secure generator, as Python's
 * `ssl.RAND_bytes`.
 *
 * @param num how many bytes.
 * @returns the bytes.
 * @throws {RangeError} `num must be positive` for a negative count (Python's ValueError).
 *
 * @example
 * ```ts
 * import { RAND_bytes } from "@pysocket/socket/ssl";
 * console.log(RAND_bytes(16).length); // 16
 * ```
 *
 * @category TLS
 */
export function RAND_bytes(num: number): Uint8Array {
  if (typeof num !== "number" || !Number.isInteger(num)) {
    throw new TypeError(`'${typeof num === "string" ? "str" : typeof num}' object cannot be interpreted as an integer`);
  }
  if (num < 0) throw new RangeError("num must be positive");
  const out = new Uint8Array(num);
  for (let at = 0; at < num; at += 65536) crypto.getRandomValues(out.subarray(at, Math.min(num, at + 65536)));
  return out;
}

/**
 * The random generator is seeded: always true, as Python's `ssl.RAND_status()`.
 *
 * @returns true.
 *
 * @example
 * ```ts
 * import { RAND_status } from "@pysocket/socket/ssl";
 * console.log(RAND_status()); // true
 * ```
 *
 * @category TLS
 */
export function RAND_status(): boolean {
  return true;
}

/**
 * Python's `ssl.RAND_add(bytes, entropy)`: the platform's generator needs no
 * seeding, so the bytes are checked and dropped (as OpenSSL 3 does).
 *
 * @param bytes a str or bytes.
 * @param entropy a number (its estimated entropy).
 *
 * @example
 * ```ts
 * import { RAND_add } from "@pysocket/socket/ssl";
 * RAND_add("seed", 1.0);
 * ```
 *
 * @category TLS
 */
export function RAND_add(bytes: string | Uint8Array, entropy: number): void {
  if (typeof bytes !== "string" && !ArrayBuffer.isView(bytes)) {
    throw new TypeError("a bytes-like object is required, not '" + typeof bytes + "'");
  }
  if (typeof entropy !== "number") throw new TypeError("must be real number, not " + typeof entropy);
}

const PROTOCOL_NAMES: Record<number, string> = {
  2: "PROTOCOL_TLS",
  3: "PROTOCOL_TLSv1",
  4: "PROTOCOL_TLSv1_1",
  5: "PROTOCOL_TLSv1_2",
  16: "PROTOCOL_TLS_CLIENT",
  17: "PROTOCOL_TLS_SERVER",
};

/**
 * The name of a `PROTOCOL_*` constant, as Python's `ssl.get_protocol_name`
 * (`"<unknown>"` for another number).
 *
 * @param protocol_code a `PROTOCOL_*` value.
 * @returns its name.
 *
 * @example
 * ```ts
 * import { get_protocol_name, PROTOCOL_TLS_CLIENT } from "@pysocket/socket/ssl";
 * console.log(get_protocol_name(PROTOCOL_TLS_CLIENT)); // PROTOCOL_TLS_CLIENT
 * ```
 *
 * @category TLS
 */
export function get_protocol_name(protocol_code: number): string {
  return PROTOCOL_NAMES[protocol_code] ?? "<unknown>";
}

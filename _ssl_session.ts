// A TLS session over a pysocket stream socket, for ssl.ts: the handshake
// with verification done as CPython/OpenSSL do it (the client checks the
// server's chain and host name before it sends its certificate or any
// application byte; the server verifies a client certificate against the
// context's CAs), bounded in time, and the queue of handshakes a TLS
// listener has in flight.

import { idna_encode } from "./_idna.ts";
import { client_hello_sni, record_end, SNI_SCAN_MAX } from "./_sni.ts";
import tls from "node:tls";
import { X509Certificate } from "node:crypto";
import { errno as E, from_errno, TimeoutError } from "./errors.ts";
import { raw_duplex, type RawEvents, type RawParts, TlsTransport } from "./_tls.ts";
import { owner_of } from "./_duplex.ts";
import {
  build_path,
  bytes_equal as same_bytes,
  dates_fault,
  extensions_fault,
  facts,
  intern,
  ip_bytes,
  issued,
  level_fault,
  matches_host,
  partial_chain_fault,
  purpose_ok,
} from "./_ssl_verify.ts";
import { name_constraints_fault } from "./_ssl_ncons.ts";
import { eof_error, SSLCertVerificationError, SSLError, to_ssl_error, VERIFY } from "./_ssl_errors.ts";

/** What a session needs to know of its context and socket. */
export interface SessionSpec {
  server_side: boolean;
  server_hostname: string | null;
  /** CERT_NONE 0, CERT_OPTIONAL 1, CERT_REQUIRED 2. */
  verify_mode: number;
  check_hostname: boolean;
  /** hostname_checks_common_name (default true). */
  check_cn?: boolean;
  /** Nothing at all is trusted: every certificate fails, as with OpenSSL. */
  empty_store: boolean;
  /** node:tls options (client: for tls.connect; server: for new tls.TLSSocket). */
  client?: tls.ConnectionOptions;
  server?: tls.TLSSocketOptions;
  /** The handshake fails with TimeoutError after this many milliseconds. */
  timeout_ms: number;
  /** The trusted CAs as DER (the context's loaded ones; not Deno's default roots). */
  anchors?: Uint8Array[];
  /** `anchors` is everything trusted (no default roots): a path must end at one of them. */
  anchors_complete?: boolean;
  /**
   * `verify_flags` has VERIFY_X509_PARTIAL_CHAIN: a path may end at any trusted certificate. Without it (CPython
   * 3.11's default) a path whose trusted certificates are all `anchors` must end at a self-signed one, as OpenSSL's.
   */
  partial_chain?: boolean;
  /**
   * The default roots as DER, when the context trusts them too (read lazily: it may need `--allow-sys` and throw),
   * to tell where a path anchored at a loaded intermediate CA ends.
   */
  roots?: () => readonly Uint8Array[];
  /** A server's node:tls socket, set when it is made (a sni_callback's swap changes its ALPN list). */
  tls_socket?: tls.TLSSocket;
  /**
   * A client's: the trust fields above are another context's than the one the session was made with (its socket's
   * `context` was set before the handshake's outcome was seen, A17a-1): Deno's verdict was given against the first
   * context's CAs, so the path to these is built again with every signature checked.
   */
  swapped?: boolean;
}

/** What a context trusts (a client's verification after its socket's `context` changed, A17a-1). */
export interface Trust {
  anchors: Uint8Array[];
  anchors_complete: boolean;
  empty_store: boolean;
  roots?: () => readonly Uint8Array[];
}

/** A TLS session layered over a connection. */
export interface Session {
  transport: TlsTransport;
  done: boolean;
  error: Error | null;
  /** Resolves when the handshake has succeeded or failed; never rejects. */
  handshake: Promise<void>;
  /** The outcome has been reported to the socket's user (do_handshake, I/O, accept). */
  observed: boolean;
  /** Called once if the peer's EOF arrives while the handshake is still going on. */
  on_peer_eof?: (() => void) | undefined;
  /** End a handshake still going on with `err` (its socket's reading side was shut down). */
  abort(err: Error): void;
  /** A program waits for the handshake still going on: it may go on at least `ms` milliseconds more. */
  extend(ms: number): void;
  /** A server's: the name in the client's ClientHello as sent (see TlsSession.sni_sent). */
  readonly sni_sent?: string | null | undefined;
  /** A server's: the signature algorithms in the client's ClientHello (see TlsSession.sigalgs_sent). */
  readonly sigalgs_sent?: number[] | null;
  /**
   * A client's socket changed context before its handshake's outcome was seen: the server is verified against
   * `trust` (CPython: SSL_set_SSL_CTX, the new context's CA store; verify mode, host check and flags stay), again
   * if it was verified already (A17a-1).
   */
  retrust?(trust: Trust): void;
}

/** How long a handshake may take when the socket has no timeout (seconds). */
export const DEFAULT_HANDSHAKE_TIMEOUT = 60;

/** How many of a client's first bytes a server keeps to name a failed handshake's cause (#hello_error). */
const HEAD_BYTES = 16;

/** An ended session's `handshake`. */
const SETTLED = Promise.resolve();

/** How long TLS may go on with received bytes after the peer's EOF mid-handshake. */
const EOF_GRACE_MS = 100;

/** The parts of node:tls's native handle used here (Deno 2.9.6, as Node's TLSWrap). */
interface NativeHandle {
  verifyError?: () => unknown;
  /** Deno 2.9.6: the DER certificates the peer sent, its leaf first. */
  getPeerCertificateChain?: () => { certificates?: unknown } | null | undefined;
}

function native(t: tls.TLSSocket): NativeHandle | null {
  const h = (t as unknown as { _handle?: unknown })._handle;
  return h && typeof h === "object" ? h as NativeHandle : null;
}

/** The peer's certificate, or null when it sent none. */
export function peer_x509(t: tls.TLSSocket): X509Certificate | null {
  try {
    return t.getPeerX509Certificate() ?? null;
  } catch {
    return null;
  }
}

/** What the session checks of a peer's leaf beside its DER parse (X509Certificate's reading of it). */
interface LeafInfo {
  valid_from: number;
  valid_to: number;
  self_signed: boolean;
}

/** Each interned leaf's LeafInfo (null: X509Certificate cannot read it). */
const leaf_infos = new WeakMap<Uint8Array, LeafInfo | null>();

function leaf_info(der: Uint8Array): LeafInfo | null {
  let i = leaf_infos.get(der);
  if (i === undefined) {
    try {
      const x = new X509Certificate(der);
      i = { valid_from: Date.parse(x.validFrom), valid_to: Date.parse(x.validTo), self_signed: x.subject === x.issuer };
    } catch {
      i = null;
    }
    leaf_infos.set(der, i);
  }
  return i;
}

/** The peer's leaf and the certificate it sent next (its issuer, as sent), both interned. */
interface PeerCerts {
  leaf: Uint8Array;
  info: LeafInfo;
  first: Uint8Array | null;
}

/**
 * The peer's certificates, read as DER from the native handle (no parse:
 * a certificate seen before is not parsed again), else through
 * getPeerX509Certificate(). Null when the peer sent none (or it cannot be read).
 */
function peer_certs(t: tls.TLSSocket): PeerCerts | null {
  let leaf: Uint8Array | null = null, first: Uint8Array | null = null;
  const h = native(t);
  let list: unknown;
  try {
    list = typeof h?.getPeerCertificateChain === "function" ? h.getPeerCertificateChain()?.certificates : undefined;
  } catch {
    list = undefined;
  }
  if (Array.isArray(list) && list.every((c) => c instanceof Uint8Array)) {
    if (list.length === 0) return null;
    leaf = intern(list[0]!);
    if (list.length > 1) first = intern(list[1]!);
  } else {
    const x = peer_x509(t);
    if (!x) return null;
    leaf = intern(new Uint8Array(x.raw));
    const i = x.issuerCertificate;
    if (i) first = intern(new Uint8Array(i.raw));
  }
  const info = leaf_info(leaf);
  return info ? { leaf, info, first } : null;
}

/** True when OpenSSL (so CPython) takes `host` for an IP address: no SNI is sent, the IP is checked. */
export function is_ip(host: string): boolean {
  return ip_bytes(host) !== null;
}

/**
 * `host` as the ASCII name CPython checks and sends (its `idna` encoding
 * for a non-ASCII name), or null when it cannot be encoded.
 */
export function ascii_host(host: string): string | null {
  if (!/[^\u0020-\u007e]/.test(host)) return host; // printable ASCII as is
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(host)) return null; // control characters never match
  let a: string;
  try {
    a = idna_encode(host); // CPython's idna codec (IDNA 2003), as its _encode_hostname
  } catch {
    return null;
  }
  return a === "" || /[^\u0021-\u007e]/.test(a) ? null : a;
}

/**
 * Verify the peer's certificate as OpenSSL would for this context: dates,
 * chain (node:tls's native verification result), then the host name.
 * Fails closed: when the result cannot be had, the certificate is refused.
 */
function verify_peer(t: tls.TLSSocket, spec: SessionSpec): Error | null {
  if (spec.verify_mode === 0) return null;
  const p = peer_certs(t);
  if (!p) {
    if (spec.server_side && spec.verify_mode === 1) return null; // CERT_OPTIONAL: none sent is allowed
    return new SSLError(1, "[SSL: PEER_DID_NOT_RETURN_A_CERTIFICATE] peer did not return a certificate", {
      library: "SSL",
      reason: "PEER_DID_NOT_RETURN_A_CERTIFICATE",
    });
  }
  // The leaf's DER bytes, interned: its parses are shared by the checks, and by every handshake that meets it.
  const der = p.leaf;
  const now = Date.now();
  const self_signed = p.info.self_signed;
  // OpenSSL's order, whose first fault CPython reports: the chain (an issuer not trusted), the extensions and
  // purposes, the host name, the dates (from the anchor down), the name constraints.
  // OpenSSL: a path the peer sent up to a self-signed root that is not trusted is 19, not 20 (A10b-7).
  const untrusted = (path?: Uint8Array[]) => {
    if (self_signed) return new SSLCertVerificationError(18, "self-signed certificate");
    // A client's view of the sent chain through node:tls's detailed peer certificate is not only what the server
    // sent: a client reads the native list of what was sent, and without it 20 stays (A14b-3).
    if (!spec.server_side) {
      const sent = native_sent(t);
      if (sent === null) return new SSLCertVerificationError(20, "unable to get local issuer certificate");
      path = build_path(der, sent, []).path;
    }
    path ??= build_path(der, sent_chain(t), []).path;
    const top = path.length > 1 ? facts(path[path.length - 1]!) : null;
    const root = path[path.length - 1]!;
    return top && same_bytes(top.issuer, top.subject) && !trusted_root(root, spec) && issued(root, root)
      ? new SSLCertVerificationError(19, "self-signed certificate in certificate chain")
      : new SSLCertVerificationError(20, "unable to get local issuer certificate");
  };
  if (spec.empty_store) return untrusted();
  const h = native(t);
  if (typeof h?.verifyError !== "function") {
    return new SSLCertVerificationError(null, "the chain cannot be verified by this Deno's node:tls");
  }
  let err: unknown;
  try {
    err = h.verifyError();
  } catch (e) {
    return new SSLCertVerificationError(null, "the chain cannot be verified by this Deno's node:tls", { cause: e });
  }
  // Deno's verifier takes a trust anchor's name and key only: the path to the context's CAs is checked here.
  const built = spec.anchors?.length ? path_of(t, p, spec) : null;
  if (err) {
    // With the context's CAs all there is to trust, the path tells which of the checks failed, in OpenSSL's
    // order; Deno's own error stands when they all pass (a bad signature, a constraint Deno does not know).
    if (built && (spec.anchors_complete || built.anchored)) {
      return (built.anchored ? partial(built.path) ?? ordered(built.path) : untrusted(built.path)) ?? refused(err);
    }
    return refused(err);
  }
  if (spec.swapped) {
    const f = swapped_fault(t, der, spec, untrusted);
    if (f) return f;
  }
  if (built) {
    // Deno's verifier took a certificate OpenSSL does not take as an anchor (the peer's own, A14b-1): 19 or 20.
    if (!built.anchored && spec.anchors_complete) return untrusted(built.path);
    const fault = path_fault(built, spec) ??
      (built.anchored && !spec.anchors_complete ? partial_fault(built.path, spec) : null);
    if (fault) return fault;
  }
  return ordered(built?.path ?? lone_path(der));

  /** A path that ends at a trusted certificate which is not self-signed, without VERIFY_X509_PARTIAL_CHAIN (A13a-1). */
  function partial(path: Uint8Array[]): Error | null {
    return spec.anchors_complete ? partial_fault(path, spec) : null;
  }

  /**
   * The checks after the chain's, in OpenSSL's order: extensions and purposes, host, dates, name constraints. Each
   * check that depends on the certificates alone is kept per path (checks_of); the dates are read every time.
   */
  function ordered(path: Uint8Array[]): Error | null {
    const c = checks_of(path, !spec.server_side);
    const ext = c.ext !== undefined ? c.ext : c.ext = extensions_fault(path, c.client, purpose_ok(der, c.client));
    if (ext) return new SSLCertVerificationError(ext[0], ext[1]);
    // The security level (CPython 3.11's 2): the issuers' keys, the signatures' digests below the anchor (A13a-2).
    const level = c.level !== undefined ? c.level : c.level = level_fault(path);
    if (level) return new SSLCertVerificationError(level[0], level[1]);
    const wrong_host = host_error(der, spec);
    if (wrong_host) return wrong_host;
    if (p!.info.valid_to < now) return new SSLCertVerificationError(10, "certificate has expired");
    if (p!.info.valid_from > now) return new SSLCertVerificationError(9, "certificate is not yet valid");
    const dates = dates_fault(path, now, 1);
    if (dates) return new SSLCertVerificationError(dates[0], dates[1]);
    // Deno's verifier checks subjectAltNames against name constraints, not a commonName.
    if (path.length <= 1) return null;
    const cn = spec.check_cn ?? true;
    const nc = cn
      ? (c.nc_cn !== undefined ? c.nc_cn : c.nc_cn = name_constraints_fault(path, true))
      : (c.nc !== undefined ? c.nc : c.nc = name_constraints_fault(path, false));
    return nc ? new SSLCertVerificationError(nc[0], nc[1]) : null;
  }

  /** Deno's verifier's error, in OpenSSL's words. */
  function refused(err: unknown): Error {
    // Deno answers with the code itself; Node with an Error carrying it.
    const code = typeof err === "string" ? err : String((err as { code?: unknown }).code ?? err);
    if (self_signed && /SELF_SIGNED|UNABLE_TO_VERIFY_LEAF|UNABLE_TO_GET_ISSUER/.test(code)) {
      return new SSLCertVerificationError(18, "self-signed certificate", { cause: err });
    }
    if (code === "SELF_SIGNED_CERT_IN_CHAIN" || code === "UNABLE_TO_VERIFY_LEAF_SIGNATURE") {
      // rustls reports an unknown issuer so; OpenSSL's words for a leaf whose issuer is not trusted: 20, or 19
      // when what the peer sent ends at a self-signed root (beside Deno's roots too, A14b-3).
      const e = untrusted();
      (e as { cause?: unknown }).cause = err;
      return e;
    }
    if (!purpose_ok(der, !spec.server_side) && /INVALID_PURPOSE|UNSUITABLE|PURPOSE|EXTENDED_KEY/i.test(code)) {
      return new SSLCertVerificationError(26, "unsuitable certificate purpose", { cause: err });
    }
    const v = VERIFY[code];
    return new SSLCertVerificationError(v?.[0] ?? null, v?.[1] ?? (code || "certificate verify failed"), {
      cause: err,
    });
  }
}

/**
 * A client's check of the server against a context its socket was given after the session began (A17a-1): Deno's
 * verifier judged the chain against the first context's CAs, so the path to these is built from what the server
 * sent (Deno's roots too when the context trusts them) and each of its signatures checked (no lone anchor taken on
 * Deno's word): 20 (or 19) when it reaches none, or a certificate on it was not signed by the next one's key.
 */
function swapped_fault(
  t: tls.TLSSocket,
  der: Uint8Array,
  spec: SessionSpec,
  untrusted: (path?: Uint8Array[]) => Error,
): Error | null {
  let trusted: readonly Uint8Array[] = spec.anchors ?? [];
  if (!spec.anchors_complete) {
    try {
      trusted = [...trusted, ...(spec.roots?.() ?? [])];
    } catch (e) {
      return e as Error;
    }
  }
  const b = build_path(der, native_sent(t) ?? sent_chain(t), [...trusted], spec.partial_chain === true);
  if (!b.anchored) return untrusted(b.path);
  // A certificate not signed by the next one's key (a trusted root of the same name, another key): 20 as pysocket
  // names that everywhere (OpenSSL's too when the certificates carry key identifiers; 7 without them, documented).
  for (let i = 0; i + 1 < b.path.length; i++) if (!issued(b.path[i]!, b.path[i + 1]!)) return untrusted();
  return null;
}

/** The host name check of a client (CPython 3.11's, OpenSSL's X509_check_host/ip), or null when it passes. */
function host_error(der: Uint8Array, spec: SessionSpec): Error | null {
  const host = spec.server_hostname;
  if (!spec.server_side && spec.check_hostname && host !== null) {
    // As CPython 3.11 (OpenSSL): a trailing-dot name matches only a trailing-dot certificate name.
    const name = ascii_host(host);
    if (name === null) {
      return new SSLCertVerificationError(62, `Hostname mismatch, certificate is not valid for '${host}'.`);
    }
    if (!host_matches(der, name, spec.check_cn ?? true)) {
      return ip_bytes(name)
        ? new SSLCertVerificationError(64, `IP address mismatch, certificate is not valid for '${host}'.`)
        : new SSLCertVerificationError(62, `Hostname mismatch, certificate is not valid for '${host}'.`);
    }
  }
  return null;
}

/**
 * Whether a self-signed root the peer sent is one the context trusts (a chain refused for another reason, such as
 * a constraint Deno's verifier does not take, keeps 20, not 19). Deno's roots are read on this failure path only.
 */
function trusted_root(root: Uint8Array, spec: SessionSpec): boolean {
  if (spec.anchors?.some((a) => same_bytes(a, root))) return true;
  if (spec.anchors_complete) return false;
  try {
    return (spec.roots?.() ?? []).some((a) => same_bytes(a, root));
  } catch {
    return true; // unknown: keep 20
  }
}

/** The certificates the peer sent beside its leaf (DER), as Deno's native handle lists them, or null. */
function native_sent(t: tls.TLSSocket): Uint8Array[] | null {
  try {
    const list = native(t)?.getPeerCertificateChain?.()?.certificates;
    if (!Array.isArray(list) || !list.every((c) => c instanceof Uint8Array)) return null;
    return list.slice(1, 33).map((c) => intern(c));
  } catch {
    return null;
  }
}

/** The certificates the peer sent beside its leaf (DER), as node:tls lists them. */
function sent_chain(t: tls.TLSSocket): Uint8Array[] {
  const out: Uint8Array[] = [];
  try {
    // The prototype's method: a client's own one answers {} until the handshake ends.
    type Detailed = { raw?: Uint8Array; issuerCertificate?: Detailed };
    let c = (tls.TLSSocket.prototype.getPeerCertificate as (d: boolean) => Detailed).call(t, true)?.issuerCertificate;
    for (let i = 0; c?.raw && i < 32; i++, c = c.issuerCertificate) {
      out.push(intern(new Uint8Array(c.raw)));
      if (c.issuerCertificate === c) break;
    }
  } catch { /* none: the path is built from the anchors alone */ }
  return out;
}

/** The path from the peer's leaf towards the context's CAs (made once per verification). */
const paths = new WeakMap<PeerCerts, { path: Uint8Array[]; anchored: boolean }>();

/** Per peer leaf (interned): the last path built through the issuer it sent, and what it was built from. */
const first_paths = new WeakMap<Uint8Array, {
  first: Uint8Array | null;
  anchors: readonly Uint8Array[];
  leaf_anchor: boolean;
  built: { path: Uint8Array[]; anchored: boolean };
}>();

/**
 * The outcomes of the checks that depend on a path's certificates alone (its extensions and purposes, the security
 * level, the name constraints with and without the commonName), made when first needed. A path is never changed
 * once built, and its certificates are interned: the same path (first_paths, lone_path) is met again by every
 * handshake with the same peer chain and anchors. Undefined: not made yet.
 */
interface PathChecks {
  client: boolean;
  ext: [number, string] | null | undefined;
  level: [number, string] | null | undefined;
  nc_cn: [number, string, number] | null | undefined;
  nc: [number, string, number] | null | undefined;
}
const path_checks = new WeakMap<Uint8Array[], PathChecks>();

function checks_of(path: Uint8Array[], client: boolean): PathChecks {
  let c = path_checks.get(path);
  if (c === undefined || c.client !== client) {
    c = { client, ext: undefined, level: undefined, nc_cn: undefined, nc: undefined };
    path_checks.set(path, c);
  }
  return c;
}

/** The one-certificate path of a leaf checked without anchors (one array per leaf, so its checks are kept). */
const lone_paths = new WeakMap<Uint8Array, Uint8Array[]>();

function lone_path(der: Uint8Array): Uint8Array[] {
  let p = lone_paths.get(der);
  if (p === undefined) lone_paths.set(der, p = [der]);
  return p;
}

/** matches_host() per leaf and host name (and check_cn); at most 64 names kept per leaf. */
const host_checks = new WeakMap<Uint8Array, Map<string, boolean>>();

function host_matches(der: Uint8Array, name: string, check_cn: boolean): boolean {
  let m = host_checks.get(der);
  if (m === undefined) host_checks.set(der, m = new Map());
  const k = check_cn ? "1" + name : "0" + name;
  let ok = m.get(k);
  if (ok === undefined) {
    ok = matches_host(der, name, check_cn);
    if (m.size >= 64) m.clear();
    m.set(k, ok);
  }
  return ok;
}

function path_of(t: tls.TLSSocket, p: PeerCerts, spec: SessionSpec): { path: Uint8Array[]; anchored: boolean } {
  let built = paths.get(p);
  if (built) return built;
  // The leaf's issuer as sent is cheap to have; the whole sent chain (node:tls's detailed
  // certificate, ~0.6 ms) only when that does not reach an anchor and the anchors are all there is.
  const leaf = p.leaf;
  const leaf_anchor = spec.partial_chain === true;
  const anchors = spec.anchors!;
  // The path through the issuer as sent depends on these certificates and the anchors alone (interned, and the
  // context's anchors are one array until its CAs change): kept per leaf for the next handshake that meets it.
  const m = first_paths.get(leaf);
  if (m !== undefined && m.first === p.first && m.anchors === anchors && m.leaf_anchor === leaf_anchor) built = m.built;
  else {
    built = build_path(leaf, p.first ? [p.first] : [], anchors, leaf_anchor);
    first_paths.set(leaf, { first: p.first, anchors, leaf_anchor, built });
  }
  if (!built.anchored && spec.anchors_complete) built = build_path(leaf, sent_chain(t), anchors, leaf_anchor);
  paths.set(p, built);
  return built;
}

/** The chain's own fault: a path that reaches none of the context's CAs when they are all there is to trust. */
function path_fault(built: { path: Uint8Array[]; anchored: boolean }, spec: SessionSpec): Error | null {
  if (!built.anchored && spec.anchors_complete) {
    return new SSLCertVerificationError(20, "unable to get local issuer certificate");
  }
  return built.anchored && spec.anchors_complete ? partial_fault(built.path, spec) : null;
}

/**
 * Without VERIFY_X509_PARTIAL_CHAIN, OpenSSL ends a trusted path at a self-signed certificate only (A13a-1): a path
 * anchored at a loaded certificate that is not self-signed must go on through the trusted ones (the default roots
 * too, when the context trusts them) to a self-signed one.
 */
function partial_fault(path: Uint8Array[], spec: SessionSpec): Error | null {
  if (spec.partial_chain) return null;
  let trusted: readonly Uint8Array[] = spec.anchors!;
  if (!spec.anchors_complete) {
    // Only a path anchored at a loaded CA that is not self-signed reads the roots.
    if (partial_chain_fault(path, trusted) === null) return null;
    try {
      trusted = [...trusted, ...(spec.roots?.() ?? [])];
    } catch (e) {
      return e as Error;
    }
  }
  const f = partial_chain_fault(path, trusted);
  return f ? new SSLCertVerificationError(f[0], f[1]) : null;
}

/**
 * Scans the TLS records a client sends. Until the server's certificate has
 * been verified only a ClientHello (which may span several records, e.g.
 * with a long ALPN list), ChangeCipherSpec and alerts may go out: any other
 * record (the client's certificate, key exchange, Finished, application
 * data; in TLS 1.3 every encrypted record) waits for the check. Handshake
 * messages are followed across records, so a ClientHello's continuation is
 * known for what it is (and a second ClientHello after a
 * HelloRetryRequest, which follows a ChangeCipherSpec, goes out too).
 */
class RecordScanner {
  #hdr = new Uint8Array(5);
  #hn = 0;
  #body = 0;
  #type = 0;
  /** Bytes left of the current handshake message's body. */
  #msg_left = 0;
  /** Bytes of the current handshake message's 4-byte header seen so far, and its length. */
  #mh = 0;
  #mlen = 0;

  /** False as soon as `chunk` holds (the start of) a record that needs the check. */
  harmless(chunk: Uint8Array): boolean {
    let i = 0;
    while (i < chunk.length) {
      if (this.#body === 0) {
        while (this.#hn < 5 && i < chunk.length) this.#hdr[this.#hn++] = chunk[i++]!;
        if (this.#hn < 5) return true;
        this.#hn = 0;
        this.#type = this.#hdr[0]!;
        this.#body = (this.#hdr[3]! << 8) | this.#hdr[4]!;
        if (this.#type !== 20 && this.#type !== 21 && this.#type !== 22) return false;
        continue;
      }
      const k = Math.min(this.#body, chunk.length - i);
      if (this.#type === 22) {
        // Follow handshake messages: only ClientHello (type 1) may start before the check.
        let j = i;
        const end = i + k;
        while (j < end) {
          if (this.#msg_left > 0) {
            const n = Math.min(this.#msg_left, end - j);
            this.#msg_left -= n;
            j += n;
            continue;
          }
          const b = chunk[j++]!;
          if (this.#mh === 0) {
            if (b !== 1) return false;
            this.#mlen = 0;
          } else this.#mlen = (this.#mlen << 8) | b;
          if (++this.#mh === 4) {
            this.#mh = 0;
            this.#msg_left = this.#mlen;
          }
        }
      }
      i += k;
      this.#body -= k;
    }
    return true;
  }
}

/**
 * node:tls's client builds the peer's detailed legacy certificate at the end
 * of every handshake, only to hand it to `checkServerIdentity` (a no-op
 * here: the session verifies the server itself). With `ca` set it also
 * converts every trusted CA (~150 with the default roots) to a legacy object
 * each time: half a handshake's CPU. Until the handshake ends (the session
 * then puts the prototype's method back in its place), the detailed form
 * answers with an empty object; the plain methods are untouched.
 */
function shallow_peer_certificate(this: tls.TLSSocket, detailed?: boolean): unknown {
  return detailed ? {} : tls.TLSSocket.prototype.getPeerCertificate.call(this, detailed);
}

type OwnPeerCertificate = { getPeerCertificate?: (detailed?: boolean) => unknown };

/**
 * A server TLSSocket made without a `tls.Server` (as here) keeps "control"
 * (node:tls's `_controlReleased`) for good, and while it does, every error
 * after the handshake goes to its `_tlsError` method and no further: a TLS
 * error (a corrupt or forged record, bytes that are not TLS) would read as a
 * clean EOF, where CPython raises SSLError. Once the handshake is done the
 * session puts this in that method's place (one function shared by every
 * session, an own property: a `_tlsError` listener would turn the socket's
 * table of listeners into a slow dictionary, ~250 B more per connection): a
 * TLS error fails the transport (the next recv raises it). A failure of the
 * connection under it (a reset) keeps reading as the peer's EOF, as CPython's
 * server reports it (SSLEOFError with suppress_ragged_eofs=False, else b''):
 * the ciphertext side reported it first, and the session marked the
 * transport.
 */
function on_tls_error(this: tls.TLSSocket, e: unknown): null {
  const t = owner_of(this);
  if (t instanceof TlsTransport && !t.raw_failed) t.fail(e);
  return null; // as node:tls's own, while it keeps control: no `error` event
}

// The handshakes' deadlines share one timer (a timer of each session's own cost ~8 us a handshake in
// node:timers). `deadlines` holds the sessions in flight (performance.now() times); the timer fires at
// the earliest one and is re-armed for the next. It never holds the process: a handshake nobody waits for (a
// socket wrapped with do_handshake_on_connect=False and left) must not keep a finished program alive, as
// CPython's does not; a call that waits for a handshake holds the process itself (_alive.ts held()).
const deadlines = new Map<TlsSession, number>();
const MAX_DELAY = 2 ** 31 - 1;
let sweep_timer: ReturnType<typeof setTimeout> | undefined;
let sweep_at = Infinity;

function arm_timer(at: number, now: number): void {
  if (sweep_timer !== undefined) clearTimeout(sweep_timer);
  sweep_at = at;
  // setTimeout takes at most 2^31-1 ms (a longer delay fires after 1 ms): a later deadline is re-armed then.
  sweep_timer = setTimeout(sweep, Math.min(MAX_DELAY, Math.max(1, at - now)));
  sweep_timer.unref();
}

/** Fail `s`'s handshake with TimeoutError `ms` milliseconds from now, unless it ends first. */
function arm(s: TlsSession, ms: number): void {
  const now = performance.now();
  const at = now + ms;
  deadlines.set(s, at);
  if (at < sweep_at) arm_timer(at, now);
}

/** `s`'s handshake has ended. */
function disarm(s: TlsSession): void {
  deadlines.delete(s);
}

function sweep(): void {
  sweep_timer = undefined;
  sweep_at = Infinity;
  const now = performance.now();
  const due: TlsSession[] = [];
  let next = Infinity;
  for (const [s, at] of deadlines) {
    if (at <= now) due.push(s);
    else if (at < next) next = at;
  }
  for (const s of due) deadlines.delete(s);
  if (due.length > 0) expire(due, 0);
  if (next < sweep_at) arm_timer(next, performance.now());
}

/**
 * Time out due[i], then the next one in a later task: what each learns of it (accept() taking a failed
 * handshake off a listener's queue) runs in between, as with a timer of their own each.
 */
function expire(due: TlsSession[], i: number): void {
  due[i]!.timed_out();
  if (i + 1 < due.length) setImmediate(expire, due, i + 1);
}

/**
 * Layer a TLS session over the connection `raw` and start the handshake.
 * The caller swaps `session.transport` in as the socket's transport.
 */
export function start_session(raw: RawParts, spec: SessionSpec): Session {
  return new TlsSession(raw, spec);
}

/**
 * A session: the handshake's outcome, and what the ciphertext side reports
 * (RawEvents). Its methods are shared by every session; what only the
 * handshake needs (the timer, the listeners, the record scanner, the spec)
 * is let go when it ends, so an established session keeps little.
 */
class TlsSession implements Session, RawEvents {
  transport: TlsTransport;
  done = false;
  error: Error | null = null;
  handshake: Promise<void>;
  observed = false;
  on_peer_eof?: (() => void) | undefined;
  #t: tls.TLSSocket;
  #server: boolean;
  #spec: SessionSpec | null;
  /** A client's spec, kept after the handshake for a late change of its socket's context (retrust, A17a-1). */
  #client_spec: SessionSpec | null = null;
  // The client's check of the server: undefined until made, then its outcome.
  #checked: Error | null | undefined;
  #scanner: RecordScanner | null;
  #grace: ReturnType<typeof setTimeout> | undefined;
  #resolve: (() => void) | null = null;
  #on_secure: (() => void) | null;
  #on_error: ((e: unknown) => void) | null;
  #on_close: (() => void) | null;

  /**
   * The server name in the client's ClientHello as the client wrote it (Deno's engine hands a server's
   * SNICallback the name lower-cased; OpenSSL as sent), null when it has none; read only for a server with a
   * sni_callback, undefined before the hello (or when it could not be read).
   */
  sni_sent: string | null | undefined = undefined;
  /**
   * The signature algorithms in the client's ClientHello, in its order (null: none offered or not read), read with
   * sni_sent: a server holding certificates of several key types serves the one they allow (C3-1).
   */
  sigalgs_sent: number[] | null = null;
  /** RawEvents.inbound: set while a server with a sni_callback gathers the ClientHello. */
  inbound: ((bytes: Uint8Array) => void) | undefined = undefined;
  #hello: Uint8Array | null = null;
  #hello_n = 0;
  /** How many bytes must be gathered before the hello is parsed again (once per record, not per byte). */
  #hello_next = 0;

  /** A server's first bytes from the client (its record header and ClientHello's start), for #hello_error. */
  #head: Uint8Array | null = null;
  #head_n = 0;

  #first_bytes(bytes: Uint8Array): void {
    this.#head ??= new Uint8Array(HEAD_BYTES);
    const before = this.#head_n;
    const k = Math.min(HEAD_BYTES - this.#head_n, bytes.length);
    this.#head.set(bytes.subarray(0, k), this.#head_n);
    this.#head_n += k;
    if (this.#head_n === HEAD_BYTES && this.inbound !== undefined && !this.#spec?.server?.SNICallback) {
      this.inbound = undefined;
    }
    // A16a-2: OpenSSL's server refuses a first record that is TLS but no handshake (a warning alert Deno's TLS
    // would pass over and shake hands after) before it reads further.
    const h = this.#head;
    if (this.#server && before < 5 && this.#head_n >= 5 && h[1] === 3 && h[0] !== 22 && (h[0]! & 0x80) === 0) {
      this.#finish(this.#hello_error(new SSLError(1, "[SSL: UNEXPECTED_MESSAGE] unexpected message")));
    }
  }

  /**
   * A server's handshake error in OpenSSL's words when the client's first bytes tell what they were (A13a-4): an
   * HTTP request or proxy CONNECT, a first record that is no handshake, a ClientHello of TLS 1.1 or older, no
   * suite or group in common, an over-long record. Deno's TLS says "wrong version number" or "handshake failure".
   */
  #hello_error(err: Error): Error {
    const h = this.#head?.subarray(0, this.#head_n);
    this.#head = null;
    if (!h || !(err instanceof SSLError) || err instanceof SSLCertVerificationError) return err;
    const cause = String((err.cause as Error | undefined)?.message ?? "");
    const ssl = (reason: string, text: string) =>
      new SSLError(1, `[SSL: ${reason}] ${text}`, { library: "SSL", reason, cause: err.cause });
    if (!this.#server) {
      // A16a-1: a record of an unknown type is UNEXPECTED_RECORD mid-handshake; as the server's first it is
      // UNEXPECTED_MESSAGE, and a server that does not speak TLS at all (an HTTP reply) a wrong version.
      if (err.reason !== "UNEXPECTED_RECORD" || h.length < 5) return err;
      if (h[1] !== 3 && (h[0]! & 0x80) === 0) return ssl("WRONG_VERSION_NUMBER", "wrong version number");
      return h[0]! < 20 || h[0]! > 23 ? ssl("UNEXPECTED_MESSAGE", "unexpected message") : err;
    }
    const starts = (p: string) => h.length >= p.length && [...p].every((c, i) => h[i] === c.charCodeAt(0));
    if (h.length >= 5 && h[1] !== 3 && (h[0]! & 0x80) === 0) {
      if (starts("GET ") || starts("POST ") || starts("HEAD ") || starts("PUT ")) {
        return ssl("HTTP_REQUEST", "http request");
      }
      if (starts("CONNE")) return ssl("HTTPS_PROXY_REQUEST", "https proxy request");
      // Any other text (Deno's engine says "wrong version number", or a handshake failure when non-blocking).
      return ssl("WRONG_VERSION_NUMBER", "wrong version number");
    }
    if (h.length >= 5 && h[0] !== 22 && (h[0]! & 0x80) === 0) return ssl("UNEXPECTED_MESSAGE", "unexpected message");
    if (/MessageTooLarge/.test(cause)) return ssl("PACKET_LENGTH_TOO_LONG", "packet length too long");
    if (h.length >= 11 && h[0] === 22 && h[5] === 1 && ((h[9]! << 8) | h[10]!) < 0x0303) {
      return ssl("UNSUPPORTED_PROTOCOL", "unsupported protocol");
    }
    if (/peer is incompatible: (NoCipherSuitesInCommon|NoKxGroupsInCommon)/.test(cause)) {
      return ssl("NO_SHARED_CIPHER", "no shared cipher");
    }
    return err;
  }

  #gather_hello(bytes: Uint8Array): void {
    // A growing buffer (doubling) and a parse per record: a client trickling its hello byte by byte costs
    // linear time, not quadratic.
    const n = this.#hello_n + bytes.length;
    let buf = this.#hello;
    if (buf === null || n > buf.length) {
      const grown = new Uint8Array(Math.max(n, 2 * (buf?.length ?? 0), 1024));
      if (buf !== null) grown.set(buf.subarray(0, this.#hello_n));
      buf = this.#hello = grown;
    }
    buf.set(bytes, this.#hello_n);
    this.#hello_n = n;
    if (n < this.#hello_next && n < SNI_SCAN_MAX) return;
    const view = buf.subarray(0, n);
    const found = client_hello_sni(view);
    if (found === null) {
      this.#hello_next = record_end(view);
      return;
    }
    this.sni_sent = found.name;
    this.sigalgs_sent = found.sigalgs ?? null;
    this.#hello = null;
    this.inbound = undefined;
  }

  constructor(raw: RawParts, spec: SessionSpec) {
    this.#spec = spec;
    if (spec.server?.SNICallback) {
      this.inbound = (b) => {
        this.#first_bytes(b);
        this.#gather_hello(b);
      };
    } else this.inbound = (b) => this.#first_bytes(b);
    this.#server = spec.server_side;
    if (!spec.server_side) this.#client_spec = spec;
    this.#checked = spec.server_side || spec.verify_mode === 0 ? null : undefined;
    this.#scanner = this.#checked === undefined ? new RecordScanner() : null;
    const duplex = raw_duplex(raw, this, spec.server_side);
    const t = this.#t = spec.server_side
      ? new tls.TLSSocket(duplex, spec.server!)
      : tls.connect({ ...spec.client!, socket: duplex });
    if (!spec.server_side) (t as unknown as OwnPeerCertificate).getPeerCertificate = shallow_peer_certificate;
    else if (spec.server?.SNICallback) spec.tls_socket = t;
    this.transport = new TlsTransport(t, raw.transport, duplex, this);
    this.transport.client = !spec.server_side;
    arm(this, spec.timeout_ms);
    this.handshake = new Promise<void>((resolve) => this.#resolve = resolve);
    this.#on_secure = () => this.#finish(spec.server_side ? verify_peer(t, spec) : this.#check());
    this.#on_error = (e: unknown) => this.#finish(this.#hello_error(this.transport.error ?? to_ssl_error(e, true)));
    this.#on_close = () => this.#finish(this.transport.error ?? eof_error());
    // Plain listeners, not once(): each calls #finish, which takes all three off at the first (no once-wrapper
    // and bound function per listener per handshake).
    t.on(spec.server_side ? "secure" : "secureConnect", this.#on_secure);
    t.on("error", this.#on_error);
    t.on("close", this.#on_close);
  }

  #check(): Error | null {
    if (this.#checked === undefined) {
      // The handshake ended (failed) before the check: nothing more goes out.
      if (this.#spec === null) return this.error ?? eof_error();
      this.#checked = verify_peer(this.#t, this.#spec);
      if (this.#checked) this.#finish(this.#checked);
    }
    return this.#checked;
  }

  #finish(err: Error | null): void {
    if (this.done) return;
    this.done = true;
    disarm(this);
    if (this.#grace !== undefined) clearTimeout(this.#grace);
    this.#grace = undefined;
    const t = this.#t;
    t.off(this.#server ? "secure" : "secureConnect", this.#on_secure!);
    t.off("error", this.#on_error!);
    t.off("close", this.#on_close!);
    this.#on_secure = this.#on_error = this.#on_close = null;
    // The prototype's method again, as an own property: `delete` would turn the TLSSocket's properties into a
    // dictionary (slower for every node:tls access for the rest of the connection: reads, writes, close).
    if (!this.#server) {
      (t as unknown as OwnPeerCertificate).getPeerCertificate = tls.TLSSocket.prototype.getPeerCertificate;
    }
    this.#spec = null;
    if (this.#checked === null) this.#scanner = null;
    this.on_peer_eof = undefined;
    this.inbound = undefined;
    // CPython 3.11 names the C line that raised: every handshake SSLError reads "... (_ssl.c:1006)".
    if (err instanceof SSLError && !/\(_ssl\.c:\d+\)$/.test(err.message)) {
      err.message += " (_ssl.c:1006)";
      // CPython's strerror (args[1]) is str(e), the line included (P10-2).
      if (err.strerror !== null) (err as { strerror: string | null }).strerror = err.message;
    }
    this.error = err;
    if (err) {
      this.transport.fail(err);
      t.destroy();
    } else if (this.#server) (t as unknown as { _tlsError: typeof on_tls_error })._tlsError = on_tls_error;
    const resolve = this.#resolve;
    this.#resolve = null;
    resolve?.();
    this.handshake = SETTLED; // the same outcome, kept by every ended session alike
  }

  abort(err: Error): void {
    this.#finish(err);
  }

  extend(ms: number): void {
    const at = deadlines.get(this);
    if (at !== undefined && performance.now() + ms > at) arm(this, ms);
  }

  retrust(trust: Trust): void {
    const spec = this.#client_spec;
    if (spec === null || this.error !== null || this.observed) return;
    spec.anchors = trust.anchors;
    spec.anchors_complete = trust.anchors_complete;
    spec.empty_store = trust.empty_store;
    if (trust.roots) spec.roots = trust.roots;
    else delete spec.roots;
    spec.swapped = true;
    // Not checked yet (or not at all: CERT_NONE): the check to come reads these.
    if (this.#checked !== null || spec.verify_mode === 0) return;
    // Passed against the first context's CAs: made again against these.
    const err = verify_peer(this.#t, spec);
    if (err === null) return;
    this.#checked = err;
    if (!this.done) return this.#finish(err);
    // The handshake ended before the program saw it: its outcome is this refusal (nothing was sent but TLS's own).
    err.message += " (_ssl.c:1006)";
    if (err instanceof SSLError && err.strerror !== null) (err as { strerror: string | null }).strerror = err.message;
    this.error = err;
    this.transport.fail(err);
    this.#t.destroy();
  }

  /** The handshake's time is up (the shared timer's sweep). */
  timed_out(): void {
    this.#finish(new TimeoutError(null, "_ssl.c:989: The handshake operation timed out"));
  }

  // RawEvents: what the ciphertext side reports.

  /** The peer's EOF: Deno's TLS engine stays silent when it comes mid-handshake. */
  eof(): void {
    if (!this.done && this.#grace === undefined) {
      // Give it a moment to finish with the bytes it has, then fail the handshake.
      this.#grace = setTimeout(() => this.#finish(this.transport.error ?? eof_error()), EOF_GRACE_MS);
      this.on_peer_eof?.();
    }
  }

  read_error(e: unknown): void {
    if (!this.done) this.#finish(to_ssl_error(e, true));
    else this.transport.raw_failed = true;
  }

  write_error(e: unknown): void {
    if (!this.done) this.#finish(to_ssl_error(e, true));
    else {
      this.transport.raw_failed = true;
      this.transport.fail(e);
    }
  }

  gate(chunk: Uint8Array): Error | null {
    const scanner = this.#scanner;
    if (scanner === null) return null;
    if (this.#checked === undefined && scanner.harmless(chunk)) return null;
    return this.#check();
  }
}

/** A connection accepted by a TLS listener whose handshake has ended. */
export interface Shaken<C> {
  conn: C | null;
  addr: unknown;
  error: Error | null;
}

/**
 * The handshakes a TLS listener has in flight, and those that ended and
 * wait for `accept()`. Every operation is O(1): a finished handshake goes
 * to the back of `ready` and wakes the one waiter.
 */
export class HandshakeQueue<C extends { close(): void }> {
  /** At most this many handshakes in flight; a new connection beyond it makes the oldest give way. */
  static readonly MAX_IN_FLIGHT = 512;
  /** Failed handshakes kept for accept() to raise; older ones beyond this are dropped. */
  static readonly MAX_FAILED = 64;
  /** In flight, each with the time its handshake started (in order: the oldest first). */
  readonly #flight = new Map<C, number>();
  /** Those in flight whose peer already closed its side (their handshake is about to fail). */
  readonly #gone = new Set<C>();
  #ready: Shaken<C>[] = [];
  #head = 0;
  #failed = 0;
  readonly #waiters = new Set<() => void>();
  #next: Promise<void> | null = null;
  #resolve_next: (() => void) | null = null;
  #closed = false;

  get in_flight(): number {
    return this.#flight.size;
  }

  get has_ready(): boolean {
    return this.#head < this.#ready.length;
  }

  get full(): boolean {
    return this.#flight.size >= HandshakeQueue.MAX_IN_FLIGHT;
  }

  /** A handshake in flight may be given up for a newer connection once it is this old (ms). */
  static readonly MIN_AGE_MS = 1000;

  /**
   * How long until a handshake may be given up for a newer connection: 0
   * when one whose peer already closed is in flight, or when the oldest has
   * been in flight MIN_AGE_MS. A burst of new connections then waits in the
   * kernel's backlog while the handshakes in progress (a good client's among
   * them) finish, instead of making them give way; connections that never
   * speak still give way after MIN_AGE_MS.
   */
  eviction_wait_ms(): number {
    if (this.#gone.size > 0) return 0;
    const first = this.#flight.values().next();
    if (first.done) return 0;
    return Math.max(0, first.value + HandshakeQueue.MIN_AGE_MS - performance.now());
  }

  /** Track `conn`'s handshake; when it ends the connection becomes ready (or is closed on failure). */
  add(conn: C, addr: unknown, s: Session): void {
    this.#flight.set(conn, performance.now());
    s.on_peer_eof = () => {
      if (this.#flight.has(conn)) this.#gone.add(conn);
    };
    s.handshake.then(() => {
      this.#gone.delete(conn);
      if (!this.#flight.delete(conn)) return; // the listener closed it
      if (s.error) {
        conn.close();
        if (this.#failed >= HandshakeQueue.MAX_FAILED) return this.#wake();
        this.#failed++;
        this.#ready.push({ conn: null, addr, error: s.error });
      } else this.#ready.push({ conn, addr, error: null });
      this.#wake();
    });
  }

  /**
   * Make room for one more handshake when the queue is full: one whose peer
   * already closed its side goes first (a flood of clients that send junk
   * and leave), else the oldest one in flight is given up (its connection
   * closed, accept() raises ECONNABORTED for it). Without this, 512
   * connections that never speak would keep every new client out until
   * their handshakes time out (60 s by default, for socketserver's blocking
   * listeners).
   */
  evict_oldest(): void {
    const gone = this.#gone.values().next();
    const oldest = gone.done ? this.#flight.keys().next() : gone;
    if (oldest.done) return;
    const conn = oldest.value;
    this.#gone.delete(conn);
    this.#flight.delete(conn);
    conn.close();
    if (this.#failed >= HandshakeQueue.MAX_FAILED) return;
    this.#failed++;
    this.#ready.push({
      conn: null,
      addr: null,
      error: from_errno(E.ECONNABORTED, {
        detail: `TLS handshake given up for a newer connection (${HandshakeQueue.MAX_IN_FLIGHT} in flight)`,
      }),
    });
    this.#wake();
  }

  /** The oldest ended handshake, or null. */
  shift(): Shaken<C> | null {
    if (this.#head >= this.#ready.length) return null;
    const p = this.#ready[this.#head]!;
    this.#ready[this.#head++] = undefined as unknown as Shaken<C>;
    if (this.#head === this.#ready.length) {
      this.#ready = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#ready.length) {
      this.#ready = this.#ready.slice(this.#head);
      this.#head = 0;
    }
    if (p.error) this.#failed--;
    return p;
  }

  /**
   * Call `cb` once, when the next handshake ends or the queue closes.
   * Every waiter is called (accept() and select() may wait at once).
   *
   * @returns a function that withdraws the waiter.
   */
  on_next(cb: () => void): () => void {
    this.#waiters.add(cb);
    return () => this.#waiters.delete(cb);
  }

  /** A promise resolved when the next handshake ends or the queue closes (one shared by all callers). */
  next(): Promise<void> {
    return this.#next ??= new Promise<void>((resolve) => this.#resolve_next = resolve);
  }

  #wake(): void {
    const ws = [...this.#waiters];
    this.#waiters.clear();
    for (const w of ws) w();
    const r = this.#resolve_next;
    this.#next = null;
    this.#resolve_next = null;
    r?.();
  }

  /** Close every connection still shaking hands or waiting for accept(). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const c of this.#flight.keys()) c.close();
    this.#flight.clear();
    this.#gone.clear();
    for (let i = this.#head; i < this.#ready.length; i++) this.#ready[i]?.conn?.close();
    this.#ready = [];
    this.#head = 0;
    this.#wake();
  }
}

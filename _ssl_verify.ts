// The checks OpenSSL (and so CPython) makes of a peer's leaf certificate
// beyond its chain, done on the certificate's DER bytes for ssl.ts's
// sessions: the host name (RFC 6125 as OpenSSL's X509_check_host with
// CPython's flags: subjectAltName DNS names, else the subject's commonName;
// case-insensitive; a wildcard only as the whole leftmost label of a name
// with at least three labels, never across a dot; a pattern whose star is
// not usable compares literally) and the IP address
// (X509_check_ip: subjectAltName iPAddress entries only; the address read
// from the name as OpenSSL's a2i_IPADDRESS reads it), the purpose (key
// usage, extended key usage and Netscape cert type for a TLS server or
// client), and OpenSSL's checks of every certificate on the path up to the
// trust anchor (build_path, chain_fault).
//
// Deno 2.9.6's X509Certificate.checkHost() matches case-sensitively, knows
// no wildcards, matches the commonName even beside subjectAltNames and
// ignores `subject: "never"`; checkIP() throws on "127.000.000.001", which
// OpenSSL reads as 127.0.0.1. Hence this module.

import { type KeyObject, X509Certificate } from "node:crypto";

/** A DER element: its tag, and where its contents lie in the buffer. */
/** One DER element: its tag and where its contents start and end. */
export interface Tlv {
  tag: number;
  start: number;
  end: number;
}

class DerError extends Error {}

/** The DER element at `at` (within `limit`). */
export function tlv(b: Uint8Array, at: number, limit: number): Tlv {
  if (at + 2 > limit) throw new DerError("short");
  const tag = b[at]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError("long tag");
  let len = b[at + 1]!;
  let p = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || p + n > limit) throw new DerError("length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[p++]!;
  }
  if (p + len > limit) throw new DerError("overrun");
  return { tag, start: p, end: p + len };
}

/** The elements inside a constructed DER element. */
export function children(b: Uint8Array, t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let p = t.start; p < t.end;) {
    const c = tlv(b, p, t.end);
    out.push(c);
    p = c.end;
  }
  return out;
}

function same(b: Uint8Array, t: Tlv, want: readonly number[]): boolean {
  if (t.end - t.start !== want.length) return false;
  for (let i = 0; i < want.length; i++) if (b[t.start + i] !== want[i]) return false;
  return true;
}

const OID_CN = [0x55, 0x04, 0x03];
const OID_SAN = [0x55, 0x1d, 0x11];
const OID_KU = [0x55, 0x1d, 0x0f];
const OID_EKU = [0x55, 0x1d, 0x25];
const OID_SERVER_AUTH = [0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01];
const OID_CLIENT_AUTH = [0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02];

/** What the checks need of a leaf certificate. */
export interface LeafNames {
  dns: string[];
  ips: Uint8Array[];
  /** The subject's commonName values (UTF-8, BMP, Universal and the 8-bit string types). */
  cns: string[];
  /** The key usage bits (first two bytes, bit 0 = 0x8000), or null when absent. */
  key_usage: number | null;
  /** The extended key usages as dotted OID bytes, or null when absent. */
  ext_key_usage: Uint8Array[] | null;
}

const latin1 = new TextDecoder("latin1");
const utf8 = new TextDecoder("utf-8", { fatal: false });

/** A DER string's text as OpenSSL's ASN1_STRING_to_UTF8 gives it (UTF8String, BMPString, UniversalString; others byte for byte). */
export function text(b: Uint8Array, t: Tlv): string {
  const v = b.subarray(t.start, t.end);
  if (t.tag === 0x0c) return utf8.decode(v);
  if (t.tag === 0x1e) {
    let s = "";
    for (let i = 0; i + 1 < v.length; i += 2) s += String.fromCharCode((v[i]! << 8) | v[i + 1]!);
    return s;
  }
  if (t.tag === 0x1c) {
    // UniversalString (UCS-4), as OpenSSL's ASN1_STRING_to_UTF8 reads it.
    let s = "";
    for (let i = 0; i + 3 < v.length; i += 4) {
      const c = ((v[i]! << 24) | (v[i + 1]! << 16) | (v[i + 2]! << 8) | v[i + 3]!) >>> 0;
      s += c <= 0x10ffff ? String.fromCodePoint(c) : "\ufffd";
    }
    return s;
  }
  return latin1.decode(v);
}

/** Parse a DER certificate's names and usages; throws on malformed DER. */
export function leaf_names(der: Uint8Array): LeafNames {
  const cert = tlv(der, 0, der.length);
  const tbs = children(der, cert)[0];
  if (!tbs || tbs.tag !== 0x30) throw new DerError("tbs");
  const f = children(der, tbs);
  let i = f[0]?.tag === 0xa0 ? 1 : 0; // version
  i += 4; // serial, signature algorithm, issuer, validity
  const subject = f[i];
  if (!subject || subject.tag !== 0x30) throw new DerError("subject");
  const out: LeafNames = { dns: [], ips: [], cns: [], key_usage: null, ext_key_usage: null };
  for (const set of children(der, subject)) {
    for (const atv of children(der, set)) {
      const [oid, value] = children(der, atv);
      if (oid && value && same(der, oid, OID_CN)) out.cns.push(text(der, value));
    }
  }
  const ext = f.find((t) => t.tag === 0xa3);
  if (!ext) return out;
  const list = children(der, ext)[0];
  if (!list) return out;
  for (const e of children(der, list)) {
    const parts = children(der, e);
    const oid = parts[0]!;
    const value = parts[parts.length - 1]!;
    if (value.tag !== 0x04) throw new DerError("extension value");
    const inner = tlv(der, value.start, value.end);
    if (same(der, oid, OID_SAN)) {
      for (const g of children(der, inner)) {
        if (g.tag === 0x82) out.dns.push(latin1.decode(der.subarray(g.start, g.end)));
        else if (g.tag === 0x87) out.ips.push(der.slice(g.start, g.end));
      }
    } else if (same(der, oid, OID_KU)) {
      const bits = der.subarray(inner.start + 1, inner.end); // skip the unused-bits count
      out.key_usage = ((bits[0] ?? 0) << 8) | (bits[1] ?? 0);
    } else if (same(der, oid, OID_EKU)) {
      out.ext_key_usage = children(der, inner).map((o) => der.slice(o.start, o.end));
    }
  }
  return out;
}

/** The last parse of each DER buffer (a handshake checks one leaf for purpose and host). */
const parsed = new WeakMap<Uint8Array, LeafNames | null>();

/** leaf_names(der), once per buffer; null for malformed DER. */
function names_of(der: Uint8Array): LeafNames | null {
  let n = parsed.get(der);
  if (n === undefined) {
    try {
      n = leaf_names(der);
    } catch {
      n = null;
    }
    parsed.set(der, n);
  }
  return n;
}

/**
 * IPv4 as OpenSSL 3's ipv4_from_asc reads it (`sscanf("%d.%d.%d.%d%n")`:
 * each part may follow white space and carry a sign, each 0..255, and
 * what follows the last part must be nothing or start with white space), or
 * null. So "+127.0.0.1" and "127.0.0.1 " are addresses for CPython.
 */
function ipv4(s: string): Uint8Array | null {
  const m = /^\s*([+-]?\d+)\.\s*([+-]?\d+)\.\s*([+-]?\d+)\.\s*([+-]?\d+)(?:\s[\s\S]*)?$/.exec(s);
  if (!m) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const n = Number(m[i + 1]);
    if (!(n >= 0 && n <= 255)) return null;
    out[i] = n;
  }
  return out;
}

/** IPv6 text (with an optional trailing dotted quad) as 16 bytes, or null. */
function ipv6(s: string): Uint8Array | null {
  if (!s.includes(":") || !/^[0-9A-Fa-f:.]+$/.test(s)) return null;
  let tail: Uint8Array | null = null;
  let body = s;
  const dot = s.lastIndexOf(":");
  if (s.slice(dot + 1).includes(".")) {
    tail = ipv4(s.slice(dot + 1));
    if (!tail) return null;
    body = s.slice(0, dot + 1) + "0:0";
  }
  const halves = body.split("::");
  if (halves.length > 2) return null;
  const words = (h: string) => (h === "" ? [] : h.split(":"));
  const head = words(halves[0]!);
  const rest = halves.length === 2 ? words(halves[1]!) : [];
  const fill = 8 - head.length - rest.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return null;
  const all = [...head, ...Array(halves.length === 2 ? fill : 0).fill("0"), ...rest];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const w = all[i]!;
    if (!/^[0-9A-Fa-f]{1,4}$/.test(w)) return null;
    const n = parseInt(w, 16);
    out[2 * i] = n >> 8;
    out[2 * i + 1] = n & 0xff;
  }
  if (tail) out.set(tail, 12);
  return out;
}

/** The address `host` names if OpenSSL would take it for an IP address (CPython then checks it as one). */
export function ip_bytes(host: string): Uint8Array | null {
  // a2i_IPADDRESS: a name with a colon is read as IPv6 only.
  return host.includes(":") ? ipv6(host) : ipv4(host);
}

function lower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** OpenSSL's equal_nocase: ASCII case-insensitive, and a pattern with a NUL never matches. */
function equal_nocase(pattern: string, host: string): boolean {
  return pattern.length === host.length && !pattern.includes("\0") && lower(pattern) === lower(host);
}

/**
 * OpenSSL's valid_star with X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS (as CPython
 * sets it): the index of a usable `*` in `p` (the whole leftmost label, not
 * in an IDNA label, at least two dots after it, labels well formed), or -1.
 */
function valid_star(p: string): number {
  let star = -1;
  let start = true;
  let hyphen = false;
  let idna = false;
  let dots = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === "*") {
      const at_end = i === p.length - 1 || p[i + 1] === ".";
      if (star !== -1 || idna || dots > 0 || !start || !at_end) return -1;
      star = i;
      start = false;
    } else if (/[A-Za-z0-9]/.test(c)) {
      if (start && p.length - i >= 4 && lower(p.slice(i, i + 4)) === "xn--") idna = true;
      start = false;
      hyphen = false;
    } else if (c === ".") {
      if (start || hyphen) return -1;
      start = true;
      idna = false;
      dots++;
    } else if (c === "-") {
      if (start) return -1;
      hyphen = true;
    } else return -1;
  }
  return start || hyphen || dots < 2 ? -1 : star;
}

/**
 * OpenSSL's equal_wildcard with CPython's flags: a pattern without a usable
 * star is compared literally (so `a*.example.com` matches only that very
 * name); `*` matches one whole label of letters, digits and hyphens, or a
 * literal `*`, never across a dot.
 */
function name_matches(pattern: string, host: string): boolean {
  const star = host.length > 1 && host[0] === "." ? -1 : valid_star(pattern);
  if (star === -1) return equal_nocase(pattern, host);
  const suffix = pattern.slice(star + 1); // ".example.com" (the star is the whole first label)
  if (host.length < suffix.length + 1) return false;
  if (!equal_nocase(suffix, host.slice(host.length - suffix.length))) return false;
  const label = host.slice(0, host.length - suffix.length);
  return label === "*" || /^[A-Za-z0-9-]+$/.test(label);
}

/**
 * Whether the leaf `der` is valid for `host`, as CPython 3.11's check_hostname.
 * IP-address strings are checked against iPAddress entries only. Malformed
 * DER never matches.
 *
 * @param check_cn CPython's `hostname_checks_common_name` (default true): the
 *   commonName counts when there is no DNS subjectAltName.
 */
export function matches_host(der: Uint8Array, host: string, check_cn = true): boolean {
  const n = names_of(der);
  if (n === null) return false;
  const ip = ip_bytes(host);
  if (ip) return n.ips.some((a) => a.length === ip.length && a.every((v, i) => v === ip[i]));
  if (host.includes("\0")) return false;
  if (n.dns.length > 0) return n.dns.some((d) => name_matches(d, host));
  return check_cn && n.cns.some((c) => name_matches(c, host));
}

/**
 * OpenSSL's purpose check of a TLS peer's leaf (X509_PURPOSE_SSL_SERVER for
 * a server's certificate, _SSL_CLIENT for a client's): a key usage that is
 * present must allow the handshake's signature or key exchange, an extended
 * key usage that is present must name serverAuth (or one of the two
 * Server Gated Crypto OIDs) / clientAuth, and a Netscape cert type that is
 * present must name an SSL server / client. Malformed DER fails.
 */
export function purpose_ok(der: Uint8Array, of_server: boolean): boolean {
  const n = names_of(der);
  if (n === null) return false;
  // digitalSignature 0x8000, keyEncipherment 0x2000, keyAgreement 0x0800
  if (n.key_usage !== null && !(n.key_usage & (of_server ? 0xa800 : 0x8800))) return false;
  const f = facts(der);
  return f !== null && !purpose_rejects(f, of_server, false);
}

// ---- the chain: what OpenSSL checks of every certificate in the path ----
//
// Deno's verifier (rustls's webpki) takes a trust anchor's name and key
// only: it never looks at the anchor's dates, basicConstraints, key usage,
// extended key usage or path length, and it takes an intermediate whose key
// usage lacks keyCertSign. OpenSSL (so CPython) refuses all of these. The
// session verifies natively first, then runs chain_fault() over the path
// from the leaf to the anchor it trusts.

const OID_BC = [0x55, 0x1d, 0x13];
const OID_NS_CERT_TYPE = [0x60, 0x86, 0x48, 0x01, 0x86, 0xf8, 0x42, 0x01, 0x01];
const OID_MS_SGC = [0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x0a, 0x03, 0x03];
const OID_NS_SGC = [0x60, 0x86, 0x48, 0x01, 0x86, 0xf8, 0x42, 0x04, 0x01];

/** The extensions OpenSSL 3.0 understands (X509_supported_extension): another one marked critical fails. */
const SUPPORTED = [
  OID_NS_CERT_TYPE,
  OID_KU,
  OID_SAN,
  OID_BC,
  [0x55, 0x1d, 0x20], // certificatePolicies
  [0x55, 0x1d, 0x1f], // cRLDistributionPoints
  OID_EKU,
  [0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x07], // sbgp-ipAddrBlock
  [0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x08], // sbgp-autonomousSysNum
  [0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x05], // OCSP noCheck
  [0x55, 0x1d, 0x24], // policyConstraints
  [0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x0e], // proxyCertInfo
  [0x55, 0x1d, 0x1e], // nameConstraints
  [0x55, 0x1d, 0x21], // policyMappings
  [0x55, 0x1d, 0x36], // inhibitAnyPolicy
];

/** What chain_fault() needs of one certificate. */
export interface CertFacts {
  /** The issuer and subject Names' DER (tag included), for matching. */
  issuer: Uint8Array;
  subject: Uint8Array;
  /** X.509 v1 (no extensions). */
  v1: boolean;
  not_before: number;
  not_after: number;
  /** basicConstraints, or null when absent; pathlen -1 when not given. */
  bc: { ca: boolean; pathlen: number } | null;
  /** Key usage bits (0x8000 = digitalSignature ... 0x0400 keyCertSign), or null. */
  key_usage: number | null;
  /** Extended key usage OIDs, or null. */
  eku: Uint8Array[] | null;
  /** Netscape cert type bits (0x80 SSL client, 0x40 SSL server, 0x04 SSL CA), or null. */
  ns_cert: number | null;
  /** An extension OpenSSL does not understand is marked critical. */
  unknown_critical: boolean;
}

/** UTCTime / GeneralizedTime as milliseconds since the epoch (NaN when malformed). */
function time_of(b: Uint8Array, t: Tlv): number {
  const s = latin1.decode(b.subarray(t.start, t.end));
  const m = t.tag === 0x17
    ? /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)?Z$/.exec(s)
    : /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)?Z$/.exec(s);
  if (!m) return NaN;
  let y = Number(m[1]);
  if (t.tag === 0x17) y += y < 50 ? 2000 : 1900;
  return Date.UTC(y, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
}

function bits(b: Uint8Array, t: Tlv): number {
  const v = b.subarray(t.start + 1, t.end); // skip the unused-bits count
  return ((v[0] ?? 0) << 8) | (v[1] ?? 0);
}

/** The facts of a DER certificate; throws on malformed DER. */
export function cert_facts(der: Uint8Array): CertFacts {
  const cert = tlv(der, 0, der.length);
  const tbs = children(der, cert)[0];
  if (!tbs || tbs.tag !== 0x30) throw new DerError("tbs");
  const f = children(der, tbs);
  const versioned = f[0]?.tag === 0xa0;
  const i = versioned ? 1 : 0;
  const [, , issuer, validity, subject] = f.slice(i, i + 5);
  if (!issuer || !validity || !subject) throw new DerError("tbs fields");
  const [nb, na] = children(der, validity);
  if (!nb || !na) throw new DerError("validity");
  const out: CertFacts = {
    issuer: der.slice(issuer.start, issuer.end),
    subject: der.slice(subject.start, subject.end),
    v1: !versioned || der[children(der, f[0]!)[0]!.start] === 0,
    not_before: time_of(der, nb),
    not_after: time_of(der, na),
    bc: null,
    key_usage: null,
    eku: null,
    ns_cert: null,
    unknown_critical: false,
  };
  const ext = f.find((t) => t.tag === 0xa3);
  const list = ext ? children(der, ext)[0] : undefined;
  for (const e of list ? children(der, list) : []) {
    const parts = children(der, e);
    const oid = parts[0]!;
    const value = parts[parts.length - 1]!;
    if (value.tag !== 0x04) throw new DerError("extension value");
    const critical = parts.length === 3 && parts[1]!.tag === 0x01 && der[parts[1]!.start] !== 0;
    if (critical && !SUPPORTED.some((o) => same(der, oid, o))) out.unknown_critical = true;
    const inner = tlv(der, value.start, value.end);
    if (same(der, oid, OID_BC)) {
      const c = children(der, inner);
      const ca = c[0]?.tag === 0x01 && der[c[0].start] !== 0;
      const pl = c.find((x) => x.tag === 0x02);
      let pathlen = -1;
      if (pl) {
        pathlen = 0;
        for (let k = pl.start; k < pl.end; k++) pathlen = pathlen * 256 + der[k]!;
      }
      out.bc = { ca, pathlen: ca ? pathlen : -1 };
    } else if (same(der, oid, OID_KU)) out.key_usage = bits(der, inner);
    else if (same(der, oid, OID_EKU)) out.eku = children(der, inner).map((o) => der.slice(o.start, o.end));
    else if (same(der, oid, OID_NS_CERT_TYPE)) out.ns_cert = bits(der, inner) >> 8;
  }
  return out;
}

export function bytes_equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  const n = a.length;
  if (n !== b.length) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** OpenSSL's check_ca(): 0 not a CA; 1 basicConstraints CA; 3 a v1 root; 4 key usage with keyCertSign; 5 Netscape CA. */
function check_ca(x: CertFacts): number {
  if (x.key_usage !== null && !(x.key_usage & 0x0400)) return 0;
  if (x.bc) return x.bc.ca ? 1 : 0;
  if (x.v1 && bytes_equal(x.issuer, x.subject)) return 3;
  if (x.key_usage !== null) return 4;
  if (x.ns_cert !== null && x.ns_cert & 0x07) return 5;
  return 0;
}

const SERVER_EKUS = [OID_SERVER_AUTH, OID_MS_SGC, OID_NS_SGC].map((o) => new Uint8Array(o));
const CLIENT_EKUS = [new Uint8Array(OID_CLIENT_AUTH)];

/** OpenSSL's xku_reject / ns_reject for a TLS server's (or client's) chain. */
function purpose_rejects(x: CertFacts, of_server: boolean, ca: boolean): boolean {
  if (x.eku !== null) {
    const ok = of_server ? SERVER_EKUS : CLIENT_EKUS;
    if (!x.eku.some((o) => ok.some((w) => bytes_equal(o, w)))) return true;
  }
  if (ca) {
    const r = check_ca(x);
    return r === 0 || (r === 5 && !(x.ns_cert! & 0x04));
  }
  if (x.ns_cert !== null && !(x.ns_cert & (of_server ? 0x40 : 0x80))) return true;
  return false;
}

/**
 * OpenSSL 3.0's checks of a verified path `[leaf, ..., anchor]` beyond the
 * signatures (check_extensions, check_chain_purposes and the dates of
 * internal_verify, with CPython 3.11's flags): an unknown critical
 * extension (34), an issuer that is not a CA (79), an issuer whose extended
 * key usage excludes the purpose (26), a path length constraint exceeded
 * (25), an issuer not yet valid (9) or expired (10). The leaf's own purpose,
 * dates and host are the caller's. Null when the path passes; malformed DER
 * fails.
 *
 * @param path DER certificates from the leaf up to the trust anchor.
 * @param of_server the path of a server's certificate (else a client's).
 * @param now the time to check dates against (ms since the epoch).
 */
export function chain_fault(path: Uint8Array[], of_server: boolean, now: number): [number, string] | null {
  return extensions_fault(path, of_server) ?? dates_fault(path, now, 1);
}

/**
 * OpenSSL's check_extensions over the path (leaf first): unknown critical extensions (34), then, above the
 * leaf, the CA flag (79) and purpose (26), and path lengths (25). `leaf_purpose`: the leaf's own purpose check
 * (26), made in its place (after its critical extensions), when given.
 */
export function extensions_fault(
  path: Uint8Array[],
  of_server: boolean,
  leaf_purpose?: boolean,
): [number, string] | null {
  const all: CertFacts[] = [];
  for (const der of path) {
    const f = facts(der);
    if (f === null) return [20, "unable to get local issuer certificate"];
    all.push(f);
  }
  let plen = 0;
  for (let i = 0; i < all.length; i++) {
    const x = all[i]!;
    if (x.unknown_critical) return [34, "unhandled critical extension"];
    if (i === 0 && leaf_purpose === false) return [26, "unsuitable certificate purpose"];
    if (i > 0) {
      const ca = check_ca(x);
      if (ca === 0 || (i + 1 < all.length && ca !== 1)) return [79, "invalid CA certificate"];
      if (purpose_rejects(x, of_server, true)) return [26, "unsuitable certificate purpose"];
    }
    if (i > 1 && x.bc && x.bc.pathlen !== -1 && plen > x.bc.pathlen) return [25, "path length constraint exceeded"];
    if (i > 0 && !bytes_equal(x.issuer, x.subject)) plen++;
  }
  return null;
}

/** OpenSSL's internal_verify's date checks, from the top of the path down to index `lowest` (9, 10). */
export function dates_fault(path: Uint8Array[], now: number, lowest = 0): [number, string] | null {
  for (let i = path.length - 1; i >= lowest; i--) {
    const x = facts(path[i]!);
    if (x === null) return [20, "unable to get local issuer certificate"];
    if (!(x.not_before <= now)) return [9, "certificate is not yet valid"];
    if (!(x.not_after >= now)) return [10, "certificate has expired"];
  }
  return null;
}

/**
 * Parses and keys of the certificates seen, by buffer: the context's anchors are the same arrays every
 * handshake, and a peer's certificates are too once interned (intern()). What is kept is what the bytes
 * alone decide (names, usages, dates as numbers, a signature's check); the dates are compared with the
 * time of each handshake.
 */
const facts_cache = new WeakMap<Uint8Array, CertFacts | null>();
const key_cache = new WeakMap<Uint8Array, KeyObject | null>();
const issued_cache = new WeakMap<Uint8Array, WeakMap<Uint8Array, boolean>>();

/** Certificates interned, by a cheap hash of their bytes (insertion order: the oldest first). */
const interned = new Map<number, Uint8Array[]>();
let interned_count = 0;
/** At most this many certificates interned (the oldest hash's go first), each at most INTERN_MAX bytes. */
const INTERN_SLOTS = 64;
const INTERN_MAX = 16 * 1024;

/**
 * The one buffer holding these certificate bytes: the same buffer for the
 * same bytes (compared in full), so each parse and check of a certificate
 * seen again (a server's leaf on every connection to it) is made once. A
 * certificate over INTERN_MAX bytes is returned as is.
 *
 * @param der a DER certificate (not changed afterwards by the caller).
 * @returns `der` or the interned buffer with equal bytes.
 */
export function intern(der: Uint8Array): Uint8Array {
  const n = der.length;
  if (n > INTERN_MAX) return der;
  // The length and the last 32 bytes (the signature's): distinct between certificates.
  let h = n | 0;
  for (let i = Math.max(0, n - 32); i < n; i++) h = Math.imul(h ^ der[i]!, 16777619);
  const list = interned.get(h);
  if (list !== undefined) {
    for (const c of list) if (bytes_equal(c, der)) return c;
    if (list.length >= 4) return der; // certificates made to collide are not kept
  }
  if (interned_count >= INTERN_SLOTS) {
    const first = interned.keys().next().value!;
    interned_count -= interned.get(first)!.length;
    interned.delete(first);
  }
  const own = der.slice(); // its own bytes: nothing else holds or changes them
  if (list !== undefined && interned.has(h)) list.push(own);
  else interned.set(h, [own]);
  interned_count++;
  return own;
}

/** cert_facts(der), once per buffer; null for malformed DER. */
export function facts(der: Uint8Array): CertFacts | null {
  let f = facts_cache.get(der);
  if (f === undefined) {
    try {
      f = cert_facts(der);
    } catch {
      f = null;
    }
    facts_cache.set(der, f);
  }
  return f;
}

function public_key(der: Uint8Array): KeyObject | null {
  let k = key_cache.get(der);
  if (k === undefined) {
    try {
      k = new X509Certificate(der).publicKey;
    } catch {
      k = null;
    }
    key_cache.set(der, k);
  }
  return k;
}

/** True when `parent`'s key verifies `child`'s signature (names already match). */
export function issued(child: Uint8Array, parent: Uint8Array): boolean {
  let by = issued_cache.get(child);
  const known = by?.get(parent);
  if (known !== undefined) return known;
  const key = public_key(parent);
  let ok = false;
  if (key) {
    try {
      ok = new X509Certificate(child).verify(key);
    } catch {
      ok = false;
    }
  }
  if (by === undefined) issued_cache.set(child, by = new WeakMap());
  by.set(parent, ok);
  return ok;
}

/**
 * The path from `leaf` up to a trust anchor, as OpenSSL builds it (a trusted
 * issuer first, then those the peer sent; each one the peer sent must have
 * signed the certificate below it): `anchored` is false when no
 * certificate of `anchors` was reached (the path then ends where no issuer
 * was found).
 *
 * @param leaf the peer's certificate (DER).
 * @param pool the other certificates the peer sent (DER).
 * @param anchors the trusted certificates (DER).
 * @param leaf_anchor whether `leaf` itself may be the anchor when trusted (VERIFY_X509_PARTIAL_CHAIN); a self-signed
 * trusted leaf always is.
 */
export function build_path(
  leaf: Uint8Array,
  pool: Uint8Array[],
  anchors: Uint8Array[],
  leaf_anchor = true,
): { path: Uint8Array[]; anchored: boolean } {
  const path = [leaf];
  for (let depth = 0; depth < 32; depth++) {
    const cur = path[path.length - 1]!;
    const cf = facts(cur);
    const self_named = cf !== null && bytes_equal(cf.issuer, cf.subject);
    // Without VERIFY_X509_PARTIAL_CHAIN OpenSSL never takes the peer's own certificate as the anchor (it looks for
    // its issuer, trusted first): a trusted leaf that is not self-signed is a leaf like any other (A14b-1).
    if ((depth > 0 || leaf_anchor || self_named) && anchors.some((a) => bytes_equal(a, cur))) {
      return { path, anchored: true };
    }
    if (!cf) break;
    // The issuer is found by name (as Deno's verifier finds it). A trusted certificate that alone has
    // that name must be the one Deno used; one the peer sent must also have signed `cur` (the peer may
    // send decoys). A node:crypto verify costs ~0.4 ms on Deno 2.9.6, so the lone anchor is spared it.
    const named = [...anchors, ...pool].filter((c) => {
      const f = facts(c);
      return f !== null && bytes_equal(cf.issuer, f.subject) && !path.some((p) => bytes_equal(p, c));
    });
    // A self-named certificate (a self-signed leaf) is checked even against a lone anchor of its name (A14b-2).
    const lone_anchor = named.length === 1 && anchors.includes(named[0]!) && !self_named;
    const next = lone_anchor ? named[0] : named.find((c) => issued(cur, c));
    if (!next) break;
    path.push(next);
  }
  return { path, anchored: false };
}

/** Signature algorithms under OpenSSL's security level 2 (CPython 3.11's): MD2/MD4/MD5 and SHA-1, by OID body. */
const WEAK_SIG_OIDS: readonly (readonly number[])[] = [
  [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x02], // md2WithRSAEncryption
  [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x03], // md4WithRSAEncryption
  [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x04], // md5WithRSAEncryption
  [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05], // sha1WithRSAEncryption
  [0x2b, 0x0e, 0x03, 0x02, 0x1d], // sha1WithRSASignature (OIW)
  [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01], // ecdsa-with-SHA1
  [0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x03], // dsa-with-sha1
];

/** Per certificate buffer: [weak key, weak signature] (interned peers and anchors keep their answers). */
const level_cache = new WeakMap<Uint8Array, [boolean | undefined, boolean | undefined]>();

function level_entry(der: Uint8Array): [boolean | undefined, boolean | undefined] {
  let e = level_cache.get(der);
  if (e === undefined) level_cache.set(der, e = [undefined, undefined]);
  return e;
}

/** Whether `der` is signed with a digest OpenSSL's security level 2 refuses (MD5, SHA-1). */
export function weak_signature(der: Uint8Array): boolean {
  const e = level_entry(der);
  return e[1] ??= signature_is_weak(der);
}

function signature_is_weak(der: Uint8Array): boolean {
  try {
    const alg = children(der, tlv(der, 0, der.length))[1];
    const oid = alg ? children(der, alg)[0] : undefined;
    return oid !== undefined && oid.tag === 0x06 && WEAK_SIG_OIDS.some((w) => same(der, oid, w));
  } catch {
    return false;
  }
}

/** Whether the key of `der` is under OpenSSL's security level 2 (112 bits): RSA/DSA under 2048, EC under 224. */
export function weak_key(der: Uint8Array): boolean {
  const e = level_entry(der);
  return e[0] ??= key_is_weak(der);
}

const OID_RSA = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OID_RSA_PSS = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a];
const OID_DSA = [0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01];
const OID_EC = [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
/** Named curves of 224 bits or more (P-224/256/384/521, secp256k1, brainpool 224-512): the rest are under 112 bits. */
const STRONG_CURVES: readonly (readonly number[])[] = [
  [0x2b, 0x81, 0x04, 0x00, 0x21], // secp224r1
  [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07], // prime256v1
  [0x2b, 0x81, 0x04, 0x00, 0x22], // secp384r1
  [0x2b, 0x81, 0x04, 0x00, 0x23], // secp521r1
  [0x2b, 0x81, 0x04, 0x00, 0x0a], // secp256k1
  [0x2b, 0x81, 0x04, 0x00, 0x20], // secp224k1
  ...[0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e].map((
    n,
  ) => [0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, n]),
];

/** The bits of a DER INTEGER's value (its leading zero bytes and bits left out). */
function int_bits(b: Uint8Array, t: Tlv): number {
  let p = t.start;
  while (p < t.end && b[p] === 0) p++;
  if (p === t.end) return 0;
  return (t.end - p - 1) * 8 + (32 - Math.clz32(b[p]!));
}

/** Read off the SubjectPublicKeyInfo's DER (no key object made): RSA/DSA under 2048 bits, or an EC curve under 224. */
function key_is_weak(der: Uint8Array): boolean {
  try {
    const tbs = children(der, tlv(der, 0, der.length))[0]!;
    const f = children(der, tbs);
    const spki = f[f[0]?.tag === 0xa0 ? 6 : 5];
    if (!spki) return false;
    const [alg, key] = children(der, spki);
    const [oid, params] = children(der, alg!);
    if (same(der, oid!, OID_RSA) || same(der, oid!, OID_RSA_PSS)) {
      // The BIT STRING's first byte counts unused bits; then SEQUENCE { modulus, exponent }.
      const seq = tlv(der, key!.start + 1, key!.end);
      return int_bits(der, children(der, seq)[0]!) < 2048;
    }
    if (same(der, oid!, OID_DSA)) return params !== undefined && int_bits(der, children(der, params)[0]!) < 2048;
    if (same(der, oid!, OID_EC)) {
      return params !== undefined && params.tag === 0x06 && !STRONG_CURVES.some((c) => same(der, params, c));
    }
    return false;
  } catch {
    return false;
  }
}

/**
 * OpenSSL's security-level checks of a verified path (CPython 3.11's level 2), in its order, or null: the leaf's key
 * (66), then each issuer's key (67) and the signature digest of every certificate below the top (68).
 *
 * @param path the leaf first, the trust anchor last.
 */
export function level_fault(path: Uint8Array[]): [number, string] | null {
  if (weak_key(path[0]!)) return [66, "EE certificate key too weak"];
  for (let i = 0; i < path.length; i++) {
    if (i > 0 && weak_key(path[i]!)) return [67, "CA certificate key too weak"];
    if (i < path.length - 1 && weak_signature(path[i]!)) return [68, "CA signature digest algorithm too weak"];
  }
  return null;
}

/**
 * OpenSSL's rule for where a trusted path may end, without `VERIFY_X509_PARTIAL_CHAIN` (CPython 3.11's default
 * verify_flags): at a self-signed trusted certificate. A path `build_path` anchored at a trusted certificate that is
 * not self-signed (an intermediate CA, or the peer's own leaf, loaded as a CA) is extended through the other trusted
 * certificates; when no self-signed one is reached, OpenSSL's error: 20 when the leaf itself was the trusted
 * certificate (its issuer is nowhere), else 2. Null when the path (possibly extended) ends self-signed.
 *
 * @param path an anchored path (its last certificate is in `anchors`).
 * @param anchors the trusted certificates (DER).
 */
export function partial_chain_fault(path: Uint8Array[], anchors: readonly Uint8Array[]): [number, string] | null {
  const seen = [...path];
  let cur = path[path.length - 1]!;
  for (let depth = 0; depth < 32; depth++) {
    const cf = facts(cur);
    if (!cf) break;
    // OpenSSL's X509_self_signed(x, 0): the names match; a trust anchor's own signature is not checked.
    if (bytes_equal(cf.issuer, cf.subject)) return null;
    const next = anchors.find((a) => {
      const f = facts(a);
      return f !== null && bytes_equal(cf.issuer, f.subject) && !seen.some((p) => bytes_equal(p, a)) && issued(cur, a);
    });
    if (!next) break;
    seen.push(next);
    cur = next;
  }
  return path.length === 1 ? [20, "unable to get local issuer certificate"] : [2, "unable to get issuer certificate"];
}

/** Whether OpenSSL's X509_check_ca() counts `der` as a CA (what `cert_store_stats()` and `get_ca_certs()` count). */
export function is_ca(der: Uint8Array): boolean {
  try {
    return check_ca(cert_facts(der)) !== 0;
  } catch {
    return false;
  }
}

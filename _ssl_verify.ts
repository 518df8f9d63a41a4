// The checks OpenSSL (and so CPython) makes of a peer's leaf certificate
// beyond its chain, done on the certificate's DER bytes for ssl.ts's
// sessions: the host name (RFC 6125 as OpenSSL's X509_check_host with
// CPython's flags: subjectAltName DNS names, else the subject's commonName;
// case-insensitive; a wildcard only as the whole leftmost label of a name
// with at least three labels; never across a dot) and the IP address
// (X509_check_ip: subjectAltName iPAddress entries only), and the purpose
// (key usage and extended key usage for a TLS server or client).
//
// Deno 2.9.6's X509Certificate.checkHost() matches case-sensitively, knows
// no wildcards, matches the commonName even beside subjectAltNames and
// ignores `subject: "never"`; checkIP() throws on "127.000.000.001", which
// OpenSSL reads as 127.0.0.1. Hence this module.

/** A DER element: its tag, and where its contents lie in the buffer. */
interface Tlv {
  tag: number;
  start: number;
  end: number;
}

class DerError extends Error {}

function tlv(b: Uint8Array, at: number, limit: number): Tlv {
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

function children(b: Uint8Array, t: Tlv): Tlv[] {
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
  /** The subject's commonName values (UTF-8, BMP and the 8-bit string types). */
  cns: string[];
  /** The key usage bits (first two bytes, bit 0 = 0x8000), or null when absent. */
  key_usage: number | null;
  /** The extended key usages as dotted OID bytes, or null when absent. */
  ext_key_usage: Uint8Array[] | null;
}

const latin1 = new TextDecoder("latin1");
const utf8 = new TextDecoder("utf-8", { fatal: false });

function text(b: Uint8Array, t: Tlv): string {
  const v = b.subarray(t.start, t.end);
  if (t.tag === 0x0c) return utf8.decode(v);
  if (t.tag === 0x1e) {
    let s = "";
    for (let i = 0; i + 1 < v.length; i += 2) s += String.fromCharCode((v[i]! << 8) | v[i + 1]!);
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

/** IPv4 as OpenSSL's a2i_IPADDRESS reads it (four decimal parts), or null. */
function ipv4(s: string): Uint8Array | null {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (!m) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const n = Number(m[i + 1]);
    if (!(n <= 255)) return null;
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
  return ipv4(host) ?? ipv6(host);
}

function lower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** OpenSSL's equal_wildcard with X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS (as CPython sets it). */
function name_matches(pattern: string, host: string): boolean {
  if (pattern.includes("\0")) return false;
  const p = lower(pattern);
  const h = lower(host);
  if (!p.startsWith("*.")) return !p.includes("*") && p === h;
  const suffix = p.slice(1); // ".example.com"
  // At least two labels after the wildcard, and no other star.
  if (suffix.includes("*") || suffix.split(".").length < 3) return false;
  if (!h.endsWith(suffix)) return false;
  const label = h.slice(0, h.length - suffix.length);
  return /^[a-z0-9-]+$/.test(label);
}

/**
 * Whether the leaf `der` is valid for `host`, as CPython 3.11's check_hostname
 * (hostname_checks_common_name on). IP-address strings are checked against
 * iPAddress entries only. Malformed DER never matches.
 */
export function matches_host(der: Uint8Array, host: string): boolean {
  const n = names_of(der);
  if (n === null) return false;
  const ip = ip_bytes(host);
  if (ip) return n.ips.some((a) => a.length === ip.length && a.every((v, i) => v === ip[i]));
  if (!/^[\x21-\x7e]+$/.test(host)) return false;
  if (n.dns.length > 0) return n.dns.some((d) => name_matches(d, host));
  return n.cns.some((c) => name_matches(c, host));
}

/**
 * OpenSSL's purpose check of a TLS peer's leaf (X509_PURPOSE_SSL_SERVER for
 * a server's certificate, _SSL_CLIENT for a client's): a key usage that is
 * present must allow the handshake's signature or key exchange, an extended
 * key usage that is present must name serverAuth / clientAuth. Malformed DER
 * fails.
 */
export function purpose_ok(der: Uint8Array, of_server: boolean): boolean {
  const n = names_of(der);
  if (n === null) return false;
  // digitalSignature 0x8000, keyEncipherment 0x2000, keyAgreement 0x0800
  if (n.key_usage !== null && !(n.key_usage & (of_server ? 0xa800 : 0x8800))) return false;
  if (n.ext_key_usage !== null) {
    const want = of_server ? OID_SERVER_AUTH : OID_CLIENT_AUTH;
    if (!n.ext_key_usage.some((o) => o.length === want.length && o.every((v, i) => v === want[i]))) return false;
  }
  return true;
}

// OpenSSL 3.0's name constraints check (x509_vfy.c check_name_constraints, v3_ncons.c), done on DER bytes for
// ssl.ts's sessions: every certificate on the path below a CA with nameConstraints is checked against them (its
// subject as a directoryName, the subject's emailAddress attributes, every subjectAltName; the leaf's commonNames
// that look like host names as DNS names when it has no DNS subjectAltName and hostname_checks_common_name is on).
// Deno's verifier checks subjectAltNames against the constraints of CAs it knows, but not a leaf's commonName, so
// a certificate with only `CN=evil.test` under a CA permitted only `.example.org` passed; OpenSSL refuses it.

import { children, text, type Tlv, tlv } from "./_ssl_verify.ts";

const OID_NC = [0x55, 0x1d, 0x1e];
const OID_SAN = [0x55, 0x1d, 0x11];
const OID_CN = [0x55, 0x04, 0x03];
const OID_EMAIL = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01];

/** X509_V_ERR_* of a name constraints failure, and its text. */
export const NC_ERRORS = {
  47: "permitted subtree violation",
  48: "excluded subtree violation",
  49: "name constraints minimum and maximum not supported",
  51: "unsupported name constraint type",
  52: "unsupported or invalid name constraint syntax",
  53: "unsupported or invalid name syntax",
} as const;
type NcError = keyof typeof NC_ERRORS;

/** A GeneralName: its type (GEN_* number: 1 email, 2 DNS, 4 dirName, 6 URI, 7 IP, 0 otherName...) and value. */
interface Name {
  type: number;
  /** IA5 text (email, DNS, URI), raw bytes (IP), or a directory name's canonical RDNs. */
  text?: string;
  bytes?: Uint8Array;
  rdns?: string[];
}

interface Subtree {
  base: Name;
  /** minimum 0 and no maximum (the only form OpenSSL accepts). */
  plain: boolean;
}

interface Constraints {
  permitted: Subtree[];
  excluded: Subtree[];
}

function same(b: Uint8Array, t: Tlv, want: readonly number[]): boolean {
  if (t.end - t.start !== want.length) return false;
  for (let i = 0; i < want.length; i++) if (b[t.start + i] !== want[i]) return false;
  return true;
}

const latin1 = new TextDecoder("latin1");

/** OpenSSL's canonical form of a Name's RDNs (x509_name_canon): each RDN's attributes, values folded. */
function canon_rdns(b: Uint8Array, name: Tlv): string[] {
  const out: string[] = [];
  for (const set of children(b, name)) {
    const parts: string[] = [];
    for (const atv of children(b, set)) {
      const [oid, value] = children(b, atv);
      if (!oid || !value) continue;
      const o = Array.from(b.subarray(oid.start, oid.end)).join(".");
      // String types are compared as UTF-8, case-folded (ASCII), spaces trimmed and runs collapsed.
      const strings = [0x0c, 0x13, 0x14, 0x16, 0x1a, 0x1c, 0x1e];
      const v = strings.includes(value.tag)
        ? text(b, value).replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, "").replace(/[ \t\n\v\f\r]+/g, " ")
          .replace(/[A-Z]/g, (c) => c.toLowerCase())
        : `#${value.tag}:${Array.from(b.subarray(value.start, value.end)).join(",")}`;
      parts.push(`${o}=${v}`);
    }
    out.push(parts.join("+"));
  }
  return out;
}

function general_name(b: Uint8Array, g: Tlv): Name {
  const type = g.tag & 0x1f;
  if (type === 1 || type === 2 || type === 6) return { type, text: latin1.decode(b.subarray(g.start, g.end)) };
  if (type === 7) return { type, bytes: b.slice(g.start, g.end) };
  if (type === 4) {
    const inner = children(b, g)[0];
    return { type, rdns: inner ? canon_rdns(b, inner) : [] };
  }
  return { type };
}

/** The TBS fields and extensions of a certificate. */
function parts(der: Uint8Array): { subject: Tlv; exts: [Tlv, Tlv][] } {
  const cert = tlv(der, 0, der.length);
  const tbs = children(der, cert)[0]!;
  const f = children(der, tbs);
  const i = f[0]?.tag === 0xa0 ? 1 : 0;
  const subject = f[i + 4]!;
  const exts: [Tlv, Tlv][] = [];
  const ext = f.find((t) => t.tag === 0xa3);
  const list = ext ? children(der, ext)[0] : undefined;
  for (const e of list ? children(der, list) : []) {
    const p = children(der, e);
    const value = p[p.length - 1]!;
    exts.push([p[0]!, tlv(der, value.start, value.end)]);
  }
  return { subject, exts };
}

/** Each CA's constraints, by buffer (anchors and interned peer certificates are the same buffers each time). */
const nc_cache = new WeakMap<Uint8Array, Constraints | null>();

function constraints_of(der: Uint8Array): Constraints | null {
  let c = nc_cache.get(der);
  if (c === undefined) nc_cache.set(der, c = parse_constraints(der));
  return c;
}

function parse_constraints(der: Uint8Array): Constraints | null {
  const { exts } = parts(der);
  const nc = exts.find(([oid]) => same(der, oid, OID_NC));
  if (!nc) return null;
  const out: Constraints = { permitted: [], excluded: [] };
  for (const list of children(der, nc[1])) {
    const into = (list.tag & 0x1f) === 0 ? out.permitted : out.excluded;
    for (const sub of children(der, list)) {
      const [base, ...rest] = children(der, sub);
      if (!base) continue;
      const min_zero = rest.every((r) => (r.tag & 0x1f) !== 0 || (r.end === r.start + 1 && der[r.start] === 0));
      into.push({ base: general_name(der, base), plain: min_zero && !rest.some((r) => (r.tag & 0x1f) === 1) });
    }
  }
  return out;
}

/** The names of a certificate OpenSSL checks against constraints, and whether it has a DNS subjectAltName. */
function names_of(der: Uint8Array): { names: Name[]; cns: string[]; self_issued: boolean; has_dns: boolean } {
  const { subject, exts } = parts(der);
  const names: Name[] = [];
  const cns: string[] = [];
  const rdns = children(der, subject);
  if (rdns.length > 0) names.push({ type: 4, rdns: canon_rdns(der, subject) });
  for (const set of rdns) {
    for (const atv of children(der, set)) {
      const [oid, value] = children(der, atv);
      if (!oid || !value) continue;
      if (same(der, oid, OID_EMAIL)) {
        names.push(
          value.tag === 0x16 ? { type: 1, text: latin1.decode(der.subarray(value.start, value.end)) } : { type: -1 },
        );
      } else if (same(der, oid, OID_CN)) cns.push(text(der, value));
    }
  }
  let has_dns = false;
  const san = exts.find(([oid]) => same(der, oid, OID_SAN));
  for (const g of san ? children(der, san[1]) : []) {
    const n = general_name(der, g);
    if (n.type === 2) has_dns = true;
    names.push(n);
  }
  // Self-issued: the issuer's and subject's DER are the same.
  const cert = tlv(der, 0, der.length);
  const f = children(der, children(der, cert)[0]!);
  const i = f[0]?.tag === 0xa0 ? 1 : 0;
  const iss = f[i + 2]!;
  const self_issued = iss.end - iss.start === subject.end - subject.start &&
    der.subarray(iss.start, iss.end).every((x, k) => x === der[subject.start + k]);
  return { names, cns, self_issued, has_dns };
}

function lower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

function nc_dns(dns: string, base: string): NcError | 0 {
  if (base.length === 0) return 0;
  if (dns.length < base.length) return 47;
  if (dns.length > base.length && base[0] !== "." && dns[dns.length - base.length - 1] !== ".") return 47;
  return lower(dns.slice(dns.length - base.length)) === lower(base) ? 0 : 47;
}

function nc_email(eml: string, base: string): NcError | 0 {
  // OpenSSL (ia5memrchr) splits both at their LAST '@': `x@evil@example.org` is a mailbox at example.org, so an
  // excluded `example.org` refuses it (A10b-1: the first '@' let it pass an excluded subtree).
  const emlat = eml.lastIndexOf("@");
  if (emlat < 0) return 53;
  const baseat = base.lastIndexOf("@");
  if (baseat < 0 && base[0] === ".") {
    return eml.length > base.length && lower(eml.slice(eml.length - base.length)) === lower(base) ? 0 : 47;
  }
  let host = base;
  if (baseat >= 0) {
    if (baseat !== 0) {
      if (baseat !== emlat || base.slice(0, baseat) !== eml.slice(0, emlat)) return 47;
    }
    host = base.slice(baseat + 1);
  }
  return lower(host) === lower(eml.slice(emlat + 1)) ? 0 : 47;
}

function nc_uri(uri: string, base: string): NcError | 0 {
  const p = uri.indexOf(":");
  if (p < 0 || uri[p + 1] !== "/" || uri[p + 2] !== "/") return 53;
  let host = uri.slice(p + 3);
  // OpenSSL: the host ends at the first ':' after it (a port), else at the first '/' (A10b-2).
  let end = host.indexOf(":");
  if (end < 0) end = host.indexOf("/");
  if (end >= 0) host = host.slice(0, end);
  if (host.length === 0) return 53;
  if (base[0] === ".") {
    return host.length > base.length && lower(host.slice(host.length - base.length)) === lower(base) ? 0 : 47;
  }
  return lower(host) === lower(base) ? 0 : 47;
}

function nc_ip(ip: Uint8Array, base: Uint8Array): NcError | 0 {
  if (ip.length !== 4 && ip.length !== 16) return 52;
  if (base.length !== 8 && base.length !== 32) return 52;
  if (ip.length * 2 !== base.length) return 47;
  const n = ip.length;
  for (let i = 0; i < n; i++) if ((ip[i]! & base[n + i]!) !== (base[i]! & base[n + i]!)) return 47;
  return 0;
}

function nc_dn(rdns: string[], base: string[]): NcError | 0 {
  if (base.length > rdns.length) return 47;
  for (let i = 0; i < base.length; i++) if (base[i] !== rdns[i]) return 47;
  return 0;
}

function match_single(name: Name, base: Name): NcError | 0 {
  switch (name.type) {
    case 2:
      return nc_dns(name.text!, base.text!);
    case 1:
      return nc_email(name.text!, base.text!);
    case 6:
      return nc_uri(name.text!, base.text!);
    case 7:
      return nc_ip(name.bytes!, base.bytes!);
    case 4:
      return nc_dn(name.rdns!, base.rdns!);
    default:
      return 51;
  }
}

/** OpenSSL's nc_match: permitted subtrees of the name's type (one must match), then excluded ones (none may). */
function nc_match(name: Name, nc: Constraints): NcError | 0 {
  if (name.type === -1) return 53; // an emailAddress attribute that is no IA5String
  let match = 0;
  for (const sub of nc.permitted) {
    if (sub.base.type !== name.type) continue;
    if (!sub.plain) return 49;
    if (match === 2) continue;
    if (match === 0) match = 1;
    const r = match_single(name, sub.base);
    if (r === 0) match = 2;
    else if (r !== 47) return r;
  }
  if (match === 1) return 47;
  for (const sub of nc.excluded) {
    if (sub.base.type !== name.type) continue;
    if (!sub.plain) return 49;
    const r = match_single(name, sub.base);
    if (r === 0) return 48;
    if (r !== 47) return r;
  }
  return 0;
}

/** OpenSSL's cn2dnsid: a commonName that looks like a host name with at least two labels, else null. */
function cn_dns(cn: string): string | null {
  let dnsname = false;
  const n = cn.length;
  for (let i = 0; i < n; i++) {
    const c = cn[i]!;
    if (/[A-Za-z0-9_]/.test(c)) continue;
    if (i > 0 && i < n - 1) {
      if (c === "-") continue;
      if (c === "." && cn[i + 1] !== "." && cn[i - 1] !== "-" && cn[i + 1] !== "-") {
        dnsname = true;
        continue;
      }
    }
    dnsname = false;
    break;
  }
  return dnsname ? cn : null;
}

/**
 * OpenSSL's check_name_constraints over a path (DER, leaf first, the trust anchor last): the first failure as
 * `[X509_V_ERR code, text, depth]`, or null. `check_cn`: hostname_checks_common_name (CPython sets OpenSSL's
 * NEVER_CHECK_SUBJECT when it is off, which also skips the commonName here). Malformed DER: null (the other
 * checks judge it).
 */
export function name_constraints_fault(path: Uint8Array[], check_cn = true): [number, string, number] | null {
  try {
    const ncs = path.map((der, j) => (j === 0 ? null : constraints_of(der)));
    if (!ncs.some((x) => x !== null)) return null;
    for (let i = path.length - 1; i >= 0; i--) {
      const x = names_of(path[i]!);
      if (i !== 0 && x.self_issued) continue;
      for (let j = path.length - 1; j > i; j--) {
        const nc = ncs[j];
        if (!nc) continue;
        let rv: NcError | 0 = 0;
        for (const n of x.names) {
          rv = nc_match(n, nc);
          if (rv !== 0) break;
        }
        if (rv === 0 && i === 0 && check_cn && !x.has_dns) {
          for (const cn of x.cns) {
            const d = cn_dns(cn);
            if (d === null) continue;
            rv = nc_match({ type: 2, text: d }, nc);
            if (rv !== 0) break;
          }
        }
        if (rv !== 0) return [rv, NC_ERRORS[rv], i];
      }
    }
    return null;
  } catch {
    return null;
  }
}

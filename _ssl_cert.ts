// Certificates for ssl.ts: Python's getpeercert() dict built from the DER
// bytes (so the subject and issuer keep the certificate's RDN order and
// repeated attributes), PEM/DER conversion and PEM file reading.

import { Buffer } from "node:buffer";
import { X509Certificate } from "node:crypto";
import { map_error } from "./_map_error.ts";
import { SSLError } from "./_ssl_errors.ts";
import { children, text, type Tlv, tlv } from "./_ssl_verify.ts";

/**
 * A decoded peer certificate, in the shape of Python's `getpeercert()`.
 *
 * @category Sockets
 */
export interface PeerCertificate {
  /** Relative distinguished names: `[[["commonName", "localhost"]]]`. */
  subject: [string, string][][];
  /** The issuer's distinguished name, in the same shape. */
  issuer: [string, string][][];
  /** X.509 version (3; 1 for a v1 certificate). */
  version: number;
  /** Serial number in upper-case hex. */
  serialNumber: string;
  /** `Nov 25 04:40:55 2026 GMT` */
  notBefore: string;
  /** `Nov 27 04:40:55 2026 GMT` */
  notAfter: string;
  /**
   * `[["DNS", "localhost"], ["IP Address", "127.0.0.1"]]`, when present; a
   * `DirName` entry holds a distinguished name in the subject's shape.
   */
  subjectAltName?: [string, string | [string, string][][]][];
  /** The OCSP responders of the Authority Information Access extension, when present. */
  OCSP?: string[];
  /** The CA issuers' URIs of the Authority Information Access extension, when present. */
  caIssuers?: string[];
  /** The CRL distribution points' URIs, when present. */
  crlDistributionPoints?: string[];
}

// ---- the certificate's DER, read as CPython's _decode_certificate reads it

/** An OID's dotted text. */
function oid_text(b: Uint8Array, t: Tlv): string {
  const parts: number[] = [];
  let v = 0;
  for (let i = t.start; i < t.end; i++) {
    v = v * 128 + (b[i]! & 0x7f);
    if (!(b[i]! & 0x80)) {
      if (parts.length === 0) parts.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else parts.push(v);
      v = 0;
    }
  }
  return parts.join(".");
}

/** OpenSSL's long names (OBJ_nid2ln), as CPython prints them; other OIDs print dotted. */
const LONG_NAMES: Record<string, string> = {
  "2.5.4.3": "commonName",
  "2.5.4.4": "surname",
  "2.5.4.5": "serialNumber",
  "2.5.4.6": "countryName",
  "2.5.4.7": "localityName",
  "2.5.4.8": "stateOrProvinceName",
  "2.5.4.9": "streetAddress",
  "2.5.4.10": "organizationName",
  "2.5.4.11": "organizationalUnitName",
  "2.5.4.12": "title",
  "2.5.4.13": "description",
  "2.5.4.15": "businessCategory",
  "2.5.4.17": "postalCode",
  "2.5.4.41": "name",
  "2.5.4.42": "givenName",
  "2.5.4.43": "initials",
  "2.5.4.44": "generationQualifier",
  "2.5.4.46": "dnQualifier",
  "2.5.4.65": "pseudonym",
  "2.5.4.97": "organizationIdentifier",
  "1.2.840.113549.1.9.1": "emailAddress",
  "0.9.2342.19200300.100.1.1": "userId",
  "0.9.2342.19200300.100.1.25": "domainComponent",
  "1.3.6.1.4.1.311.60.2.1.1": "jurisdictionLocalityName",
  "1.3.6.1.4.1.311.60.2.1.2": "jurisdictionStateOrProvinceName",
  "1.3.6.1.4.1.311.60.2.1.3": "jurisdictionCountryName",
};

const utf8 = new TextDecoder();

/** A directory string as UTF-8 text (OpenSSL's ASN1_STRING_to_UTF8; any other string type read as UTF-8). */
function dir_string(b: Uint8Array, t: Tlv): string {
  if (t.tag === 0x0c || t.tag === 0x14 || t.tag === 0x1c || t.tag === 0x1e) return text(b, t);
  return utf8.decode(b.subarray(t.start, t.end));
}

/** A Name as CPython's tuple of RDNs, each a tuple of (long name, value); multi-valued RDNs kept together. */
function name_of(b: Uint8Array, t: Tlv): [string, string][][] {
  return children(b, t).map((set) =>
    children(b, set).map((atv) => {
      const [oid, value] = children(b, atv);
      const o = oid_text(b, oid!);
      return [LONG_NAMES[o] ?? o, dir_string(b, value!)] as [string, string];
    })
  );
}

function hex4(b: Uint8Array, i: number): string {
  return ((b[i]! << 8) | b[i + 1]!).toString(16).toUpperCase();
}

/** A GeneralName as CPython's (type, value) pair. */
function general_name(b: Uint8Array, g: Tlv): [string, string | [string, string][][]] {
  const v = b.subarray(g.start, g.end);
  switch (g.tag & 0x1f) {
    case 1:
      return ["email", utf8.decode(v)];
    case 2:
      return ["DNS", utf8.decode(v)];
    case 6:
      return ["URI", utf8.decode(v)];
    case 4:
      return ["DirName", name_of(b, children(b, g)[0]!)];
    case 7:
      if (v.length === 4) return ["IP Address", [...v].join(".")];
      if (v.length === 16) return ["IP Address", Array.from({ length: 8 }, (_, i) => hex4(v, 2 * i)).join(":")];
      return ["IP Address", "<invalid>"];
    case 8: {
      const o = oid_text(b, g);
      return ["Registered ID", LONG_NAMES[o] ?? o];
    }
    case 3:
      return ["X400Name", "<unsupported>"];
    case 5:
      return ["EdiPartyName", "<unsupported>"];
    default:
      return ["othername", "<unsupported>"];
  }
}

/** The serial number as Python prints it: upper-case hex, even length. */
function serial(hex: string): string {
  const h = hex.toUpperCase();
  return h.length % 2 ? `0${h}` : h;
}

const OID_SAN = "2.5.29.17";
const OID_AIA = "1.3.6.1.5.5.7.1.1";
const OID_CRLDP = "2.5.29.31";
const OID_OCSP = "1.3.6.1.5.5.7.48.1";
const OID_CA_ISSUERS = "1.3.6.1.5.5.7.48.2";

/**
 * Python's `getpeercert()` dict for a DER certificate, built from the DER
 * itself (as CPython's _decode_certificate): names keep their RDN order and
 * multi-valued RDNs; subjectAltName entries are never re-parsed from text,
 * so a name holding ", DNS:" stays one entry.
 */
export function to_python_cert(der: Uint8Array): PeerCertificate {
  const c = new X509Certificate(der);
  const cert = tlv(der, 0, der.length);
  const tbs = children(der, cert)[0]!;
  const f = children(der, tbs);
  const versioned = f[0]?.tag === 0xa0;
  const i = versioned ? 1 : 0;
  const version = versioned ? der[children(der, f[0]!)[0]!.start]! + 1 : 1;
  const out: PeerCertificate = {
    subject: name_of(der, f[i + 4]!),
    issuer: name_of(der, f[i + 2]!),
    version,
    serialNumber: serial(c.serialNumber),
    notBefore: c.validFrom,
    notAfter: c.validTo,
  };
  const ext = f.find((t) => t.tag === 0xa3);
  const list = ext ? children(der, ext)[0] : undefined;
  for (const e of list ? children(der, list) : []) {
    const parts = children(der, e);
    const oid = oid_text(der, parts[0]!);
    const value = parts[parts.length - 1]!;
    if (value.tag !== 0x04) continue;
    const inner = tlv(der, value.start, value.end);
    if (oid === OID_SAN) out.subjectAltName = children(der, inner).map((g) => general_name(der, g));
    else if (oid === OID_AIA) {
      for (const ad of children(der, inner)) {
        const [m, loc] = children(der, ad);
        if (!m || !loc || (loc.tag & 0x1f) !== 6) continue;
        const key = oid_text(der, m) === OID_OCSP ? "OCSP" : oid_text(der, m) === OID_CA_ISSUERS ? "caIssuers" : null;
        if (key) (out[key] ??= []).push(utf8.decode(der.subarray(loc.start, loc.end)));
      }
    } else if (oid === OID_CRLDP) {
      for (const dp of children(der, inner)) {
        const point = children(der, dp).find((x) => x.tag === 0xa0); // distributionPoint
        const full = point ? children(der, point).find((x) => x.tag === 0xa0) : undefined; // fullName
        for (const g of full ? children(der, full) : []) {
          if ((g.tag & 0x1f) === 6) (out.crlDistributionPoints ??= []).push(utf8.decode(der.subarray(g.start, g.end)));
        }
      }
    }
  }
  return out;
}

export const PEM_CERT_RE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * A DER certificate as PEM text, as Python's `ssl.DER_cert_to_PEM_cert`.
 *
 * @param der the certificate's bytes.
 * @returns the PEM text.
 *
 * @example
 * ```ts
 * import { DER_cert_to_PEM_cert } from "@pysocket/socket/ssl";
 * console.log(DER_cert_to_PEM_cert(new Uint8Array([1, 2, 3])).split("\n")[0]); // "-----BEGIN CERTIFICATE-----"
 * ```
 *
 * @category Sockets
 */
export function DER_cert_to_PEM_cert(der: Uint8Array): string {
  if (!ArrayBuffer.isView(der)) {
    const t = typeof der === "string" ? "str" : der === null || der === undefined ? "NoneType" : typeof der;
    throw new TypeError(`a bytes-like object is required, not '${t}'`);
  }
  const v = der as ArrayBufferView;
  const b64 = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64");
  const lines = b64.match(/.{1,64}/g) ?? [];
  // As CPython's "\n".join([header, *lines, footer + "\n"]).
  return ["-----BEGIN CERTIFICATE-----", ...lines, "-----END CERTIFICATE-----\n"].join("\n");
}

/**
 * PEM text of one certificate as DER bytes, as Python's
 * `ssl.PEM_cert_to_DER_cert`.
 *
 * @param pem the PEM text.
 * @returns the DER bytes.
 * @throws {RangeError} when the text is not a PEM certificate.
 *
 * @example
 * ```ts
 * import { DER_cert_to_PEM_cert, PEM_cert_to_DER_cert } from "@pysocket/socket/ssl";
 * console.log(PEM_cert_to_DER_cert(DER_cert_to_PEM_cert(new Uint8Array([1, 2, 3])))); // Uint8Array [1, 2, 3]
 * ```
 *
 * @category Sockets
 */
export function PEM_cert_to_DER_cert(pem: string): Uint8Array {
  if (typeof pem !== "string") {
    throw new TypeError(
      (pem as unknown) instanceof Uint8Array
        ? "startswith first arg must be bytes or a tuple of bytes, not str"
        : `'${pem === null || pem === undefined ? "NoneType" : typeof pem}' object has no attribute 'startswith'`,
    );
  }
  // As CPython: the header first (no leading space), the footer last (trailing space aside).
  if (!pem.startsWith("-----BEGIN CERTIFICATE-----")) {
    throw new RangeError("Invalid PEM encoding; must start with -----BEGIN CERTIFICATE-----");
  }
  const s = pem.trim();
  if (!s.endsWith("-----END CERTIFICATE-----")) {
    throw new RangeError("Invalid PEM encoding; must end with -----END CERTIFICATE-----");
  }
  return pem_body(s.slice(27, -25));
}

/** base64.decodebytes() as CPython's binascii reads it: other characters skipped, the padding checked. */
function pem_body(text: string): Uint8Array {
  const kept = text.replace(/[^A-Za-z0-9+/=]/g, "");
  const eq = kept.indexOf("=");
  const data = eq < 0 ? kept : kept.slice(0, eq);
  const pads = eq < 0 ? 0 : kept.length - eq;
  if (data.length % 4 === 1) {
    throw new RangeError(
      `Invalid base64-encoded string: number of data characters (${data.length}) cannot be 1 more than a multiple of 4`,
    );
  }
  if (data.length % 4 !== 0 && data.length % 4 + pads < 4) throw new RangeError("Incorrect padding");
  return new Uint8Array(Buffer.from(data, "base64"));
}

/** The DER bytes of a PEM block found by PEM_CERT_RE (internal: no CPython checks to make). */
export function pem_to_der(pem: string): Uint8Array {
  const s = pem.trim();
  return new Uint8Array(
    Buffer.from(s.slice(s.indexOf("-----", 5) + 5, s.lastIndexOf("-----END")).replace(/\s+/g, ""), "base64"),
  );
}

export function read_text(path: string, what: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch (e) {
    throw map_error(e, `${what} ${JSON.stringify(path)}`);
  }
}

/**
 * CPython's error for what OpenSSL's PEM reader refused in load_cert_chain(): `[SSL] PEM lib (_ssl.c:3905)`
 * for the certfile, `(_ssl.c:3926)` for the key (garbage, a certificate, a wrong password); errno is OpenSSL 3's
 * ERR_R_PEM_LIB (524297), which CPython's table names no reason for.
 */
export function pem_lib_error(at: 3905 | 3926, cause?: unknown): SSLError {
  return new SSLError(524297, `[SSL] PEM lib (_ssl.c:${at})`, { library: "SSL", cause });
}

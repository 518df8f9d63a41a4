// Certificates for ssl.ts: Python's getpeercert() dict built from the DER
// bytes (so the subject and issuer keep the certificate's RDN order and
// repeated attributes), PEM/DER conversion and PEM file reading.

import { Buffer } from "node:buffer";
import { X509Certificate } from "node:crypto";
import { map_error } from "./_map_error.ts";
import { SSLError } from "./_ssl_errors.ts";

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
  /** X.509 version (3). */
  version: number;
  /** Serial number in upper-case hex. */
  serialNumber: string;
  /** `Nov 25 04:40:55 2026 GMT` */
  notBefore: string;
  /** `Nov 27 04:40:55 2026 GMT` */
  notAfter: string;
  /** `[["DNS", "localhost"], ["IP Address", "127.0.0.1"]]`, when present. */
  subjectAltName?: [string, string][];
}

const RDN_NAMES: Record<string, string> = {
  CN: "commonName",
  C: "countryName",
  ST: "stateOrProvinceName",
  L: "localityName",
  O: "organizationName",
  OU: "organizationalUnitName",
  emailAddress: "emailAddress",
  serialNumber: "serialNumber",
  DC: "domainComponent",
  street: "streetAddress",
};

/**
 * A distinguished name as Node's X509Certificate prints it (one
 * `KEY=value` per line, in the certificate's order) in Python's shape:
 * one RDN per line, `+`-joined multi-valued RDNs kept together.
 */
function rdns(name: string): [string, string][][] {
  const out: [string, string][][] = [];
  for (const line of name.split("\n")) {
    if (line === "") continue;
    const rdn: [string, string][] = [];
    for (const part of line.split(/\+(?=[A-Za-z][\w.-]*=)/)) {
      const i = part.indexOf("=");
      const k = part.slice(0, i);
      let v = part.slice(i + 1);
      if (v.startsWith('"') && v.endsWith('"')) v = JSON.parse(v) as string;
      rdn.push([RDN_NAMES[k] ?? k, v]);
    }
    out.push(rdn);
  }
  return out;
}

/** The serial number as Python prints it: upper-case hex, even length. */
function serial(hex: string): string {
  const h = hex.toUpperCase();
  return h.length % 2 ? `0${h}` : h;
}

/** Python's `getpeercert()` dict for a DER certificate. */
export function to_python_cert(der: Uint8Array): PeerCertificate {
  const c = new X509Certificate(der);
  const out: PeerCertificate = {
    subject: rdns(c.subject),
    issuer: rdns(c.issuer),
    version: 3,
    serialNumber: serial(c.serialNumber),
    notBefore: c.validFrom,
    notAfter: c.validTo,
  };
  if (c.subjectAltName) {
    out.subjectAltName = c.subjectAltName.split(", ").map((s) => {
      const i = s.indexOf(":");
      return [s.slice(0, i), s.slice(i + 1)] as [string, string];
    });
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
  const b64 = Buffer.from(der).toString("base64");
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`;
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
  const s = pem.trim();
  if (!s.startsWith("-----BEGIN CERTIFICATE-----") || !s.endsWith("-----END CERTIFICATE-----")) {
    throw new RangeError("Invalid PEM encoding; must end with -----END CERTIFICATE-----");
  }
  const body = s.slice(27, -25).replace(/\s+/g, "");
  return new Uint8Array(Buffer.from(body, "base64"));
}

export function read_text(path: string, what: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch (e) {
    throw map_error(e, `${what} ${JSON.stringify(path)}`);
  }
}

export function pem_lib_error(detail: string, cause?: unknown): SSLError {
  return new SSLError(9, `[SSL] PEM lib (${detail})`, { library: "SSL", reason: "PEM_LIB", cause });
}

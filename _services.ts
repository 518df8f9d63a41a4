// Services and protocols: /etc/services and /etc/protocols when readable
// (as glibc's nss "files" reads them), else a built-in table of the
// well-known entries, so the lookups work on hosts and edge runtimes
// without those files or without --allow-read.

import { OSError } from "./errors.ts";
import { ARITY, c_int, check_arity, check_utf8 } from "./_args.ts";
import { py_type } from "./families/_ip.ts";
import { platform } from "./_platform.ts";

/** One /etc/services line. */
export interface ServiceEntry {
  name: string;
  port: number;
  proto: string;
  aliases: string[];
}

/** One /etc/protocols line. */
interface ProtocolEntry {
  name: string;
  number: number;
  aliases: string[];
}

// The well-known services (IANA numbers, /etc/services format).
const BUILTIN_SERVICES = `
tcpmux 1/tcp
echo 7/tcp
echo 7/udp
discard 9/tcp sink null
discard 9/udp sink null
systat 11/tcp users
daytime 13/tcp
daytime 13/udp
netstat 15/tcp
qotd 17/tcp quote
chargen 19/tcp ttytst source
chargen 19/udp ttytst source
ftp-data 20/tcp
ftp 21/tcp
fsp 21/udp fspd
ssh 22/tcp
telnet 23/tcp
smtp 25/tcp mail
time 37/tcp timserver
time 37/udp timserver
whois 43/tcp nicname
tacacs 49/tcp
tacacs 49/udp
domain 53/tcp
domain 53/udp
bootps 67/udp
bootpc 68/udp
tftp 69/udp
gopher 70/tcp
finger 79/tcp
http 80/tcp www
kerberos 88/tcp kerberos5 krb5 kerberos-sec
kerberos 88/udp kerberos5 krb5 kerberos-sec
pop3 110/tcp pop-3
sunrpc 111/tcp portmapper
sunrpc 111/udp portmapper
auth 113/tcp authentication tap ident
nntp 119/tcp readnews untp
ntp 123/udp
epmap 135/tcp loc-srv
epmap 135/udp loc-srv
netbios-ns 137/udp
netbios-dgm 138/udp
netbios-ssn 139/tcp
imap2 143/tcp imap
snmp 161/tcp
snmp 161/udp
snmp-trap 162/tcp snmptrap
snmp-trap 162/udp snmptrap
bgp 179/tcp
irc 194/tcp
ldap 389/tcp
ldap 389/udp
https 443/tcp
https 443/udp
microsoft-ds 445/tcp
kpasswd 464/tcp
kpasswd 464/udp
submissions 465/tcp ssmtp smtps urd
syslog 514/udp
printer 515/tcp spooler
submission 587/tcp
ldaps 636/tcp
ldaps 636/udp
rsync 873/tcp
ftps-data 989/tcp
ftps 990/tcp
telnets 992/tcp
imaps 993/tcp
pop3s 995/tcp
socks 1080/tcp
openvpn 1194/tcp
openvpn 1194/udp
ms-sql-s 1433/tcp
ms-sql-m 1434/tcp
l2f 1701/udp l2tp
radius 1812/tcp
radius 1812/udp
nfs 2049/tcp
nfs 2049/udp
mysql 3306/tcp
ms-wbt-server 3389/tcp
sip 5060/tcp
sip 5060/udp
xmpp-client 5222/tcp jabber-client
postgresql 5432/tcp postgres
x11 6000/tcp x11-0
http-alt 8080/tcp webcache
`;

const BUILTIN_PROTOCOLS = `
ip 0 IP
hopopt 0 HOPOPT
icmp 1 ICMP
igmp 2 IGMP
ipencap 4 IP-ENCAP
tcp 6 TCP
egp 8 EGP
udp 17 UDP
dccp 33 DCCP
ipv6 41 IPv6
ipv6-route 43 IPv6-Route
ipv6-frag 44 IPv6-Frag
gre 47 GRE
esp 50 IPSEC-ESP
ah 51 IPSEC-AH
ipv6-icmp 58 IPv6-ICMP
ipv6-nonxt 59 IPv6-NoNxt
ipv6-opts 60 IPv6-Opts
ospf 89 OSPFIGP
pim 103 PIM
vrrp 112 VRRP
l2tp 115 L2TP
sctp 132 SCTP
udplite 136 UDPLite
mptcp 262 MPTCP
`;

/** Split a files-database line into fields, dropping the comment. */
function fields(line: string): string[] {
  const hash = line.indexOf("#");
  const body = hash < 0 ? line : line.slice(0, hash);
  return body.split(/[ \t]+/).filter((f) => f !== "");
}

/** Parse text in /etc/services format. */
export function parse_services(text: string): ServiceEntry[] {
  const out: ServiceEntry[] = [];
  for (const line of text.split("\n")) {
    const f = fields(line);
    if (f.length < 2) continue;
    const m = /^(\d+)\/(\S+)$/.exec(f[1]!);
    if (!m || Number(m[1]) > 65535) continue;
    out.push({ name: f[0]!, port: Number(m[1]), proto: m[2]!, aliases: f.slice(2) });
  }
  return out;
}

function parse_protocols(text: string): ProtocolEntry[] {
  const out: ProtocolEntry[] = [];
  for (const line of text.split("\n")) {
    const f = fields(line);
    if (f.length < 2 || !/^\d+$/.test(f[1]!)) continue;
    out.push({ name: f[0]!, number: Number(f[1]), aliases: f.slice(2) });
  }
  return out;
}

/** The text of a system file, or null when absent or not permitted. */
function read_system_file(path: string): string | null {
  try {
    if (typeof Deno === "undefined" || typeof Deno.readTextFileSync !== "function") return null;
    // Never prompt on a terminal: read only when the permission is already granted.
    if (Deno.permissions?.querySync?.({ name: "read", path }).state !== "granted") return null;
    return Deno.readTextFileSync(path);
  } catch {
    return null;
  }
}

let services_cache: { entries: ServiceEntry[]; source: string } | null = null;
let protocols_cache: ProtocolEntry[] | null = null;

/** Internal, for tests only: forget the tables read, so a platform swap reads its own files. */
export function _reset_netdb_for_tests(): void {
  services_cache = null;
  protocols_cache = null;
}

/**
 * The services database: /etc/services when readable, else the built-in
 * table (read once per process).
 */
export function services(): { entries: ServiceEntry[]; source: string } {
  if (!services_cache) {
    const path = platform().netdb.services;
    const text = path === null ? null : read_system_file(path);
    services_cache = text === null
      ? { entries: parse_services(BUILTIN_SERVICES), source: "built-in" }
      : { entries: parse_services(text), source: path! };
  }
  return services_cache;
}

function protocols(): ProtocolEntry[] {
  if (!protocols_cache) {
    const path = platform().netdb.protocols;
    protocols_cache = parse_protocols((path === null ? null : read_system_file(path)) ?? BUILTIN_PROTOCOLS);
  }
  return protocols_cache;
}

/** The first service entry named `name` (or an alias) for `proto` (null: any), as getservbyname_r. */
export function find_service(name: string, proto: string | null): ServiceEntry | null {
  for (const e of services().entries) {
    if ((proto === null || e.proto === proto) && (e.name === name || e.aliases.includes(name))) return e;
  }
  return null;
}

/** The first service entry for a port and `proto` (null: any), as getservbyport_r. */
export function find_port(port: number, proto: string | null): ServiceEntry | null {
  for (const e of services().entries) {
    if (e.port === port && (proto === null || e.proto === proto)) return e;
  }
  return null;
}

function str_arg(v: unknown, fn: string, n: number): string {
  if (typeof v !== "string") {
    // Argument Clinic names None as "None".
    throw new TypeError(
      `${fn}() argument ${n} must be str, not ${v === null || v === undefined ? "None" : py_type(v)}`,
    );
  }
  check_utf8(v);
  if (v.includes("\0")) throw new RangeError("embedded null character");
  return v;
}

/**
 * The port of a service, from /etc/services (or the built-in table of
 * well-known services when the file cannot be read), as Python's
 * `socket.getservbyname`.
 *
 * @param servicename a service name or alias (`"http"`, `"www"`).
 * @param protocolname `"tcp"`, `"udp"`, ... or omitted for any.
 * @returns the port number.
 * @throws {OSError} `service/proto not found`.
 *
 * @example
 * ```ts
 * import { getservbyname } from "@pysocket/socket";
 * console.log(getservbyname("ssh", "tcp")); // 22
 * ```
 *
 * @category Addresses and names
 */
export function getservbyname(servicename: string, protocolname?: string): number {
  check_arity(ARITY.getservbyname, arguments);
  const name = str_arg(servicename, "getservbyname", 1);
  const proto = protocolname === undefined ? null : str_arg(protocolname, "getservbyname", 2);
  const e = find_service(name, proto);
  if (!e) throw new OSError(null, "service/proto not found");
  return e.port;
}

/**
 * The name of the service on a port, from /etc/services (or the built-in
 * table), as Python's `socket.getservbyport`.
 *
 * @param port 0-65535.
 * @param protocolname `"tcp"`, `"udp"`, ... or omitted for any.
 * @returns the service name.
 * @throws {OSError} `port/proto not found`.
 * @throws {RangeError} for a port out of range (Python's OverflowError).
 *
 * @example
 * ```ts
 * import { getservbyport } from "@pysocket/socket";
 * console.log(getservbyport(80)); // "http"
 * ```
 *
 * @category Addresses and names
 */
export function getservbyport(port: number, protocolname?: string): string {
  check_arity(ARITY.getservbyport, arguments);
  // "i|s": both arguments parsed (a C int, a UTF-8 str), then the port's range (A18c-5).
  const p = c_int(port);
  const proto = protocolname === undefined ? null : str_arg(protocolname, "getservbyport", 2);
  if (p < 0 || p > 65535) throw new RangeError("getservbyport: port must be 0-65535.");
  const e = find_port(p, proto);
  if (!e) throw new OSError(null, "port/proto not found");
  return e.name;
}

/**
 * The number of an IP protocol, from /etc/protocols (or a built-in table),
 * as Python's `socket.getprotobyname`.
 *
 * @param protocolname `"tcp"`, `"udp"`, `"icmp"`, ...
 * @returns the protocol number.
 * @throws {OSError} `protocol not found`.
 *
 * @example
 * ```ts
 * import { getprotobyname } from "@pysocket/socket";
 * console.log(getprotobyname("udp")); // 17
 * ```
 *
 * @category Addresses and names
 */
export function getprotobyname(protocolname: string): number {
  check_arity(ARITY.getprotobyname, arguments);
  const name = str_arg(protocolname, "getprotobyname", 1);
  for (const e of protocols()) {
    if (e.name === name || e.aliases.includes(name)) return e.number;
  }
  throw new OSError(null, "protocol not found");
}

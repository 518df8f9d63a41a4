// Port of violent_scan.py (threads become tasks, the Semaphore goes away: code between awaits runs alone;
// a bare `except:` catches everything).
import * as socket from "../../mod.ts";
import { OSError } from "../../mod.ts";
import { print, str } from "../ported/_py.ts";

// ---- fake services ----
const enc = new TextEncoder();
const BANNERS: [string, string, Uint8Array][] = [
  ["127.0.0.1", "ftp", enc.encode("220 FreeFloat Ftp Server (Version 1.00).\r\n")],
  ["127.0.0.1", "ssh", enc.encode("SSH-2.0-OpenSSH_7.4\r\n")],
  ["127.0.0.2", "ftp", enc.encode("220 ProFTPD 1.3.5 Server ready.\r\n")],
  ["127.0.0.2", "smtp", enc.encode("220 mail.example ESMTP Sendmail 8.12.8\r\n")],
];
const listeners: socket.Socket[] = [];
const names = new Map<number, string>();

async function serve(lsock: socket.Socket, banner: Uint8Array, mode: string) {
  while (true) {
    let conn: socket.Socket;
    try {
      [conn] = await lsock.accept();
    } catch (e) {
      if (e instanceof OSError) return;
      throw e;
    }
    conn.settimeout(null); // not the scanner's setdefaulttimeout(1)
    if (mode === "banner") {
      await conn.sendall(banner);
    } else if (mode === "answer") {
      await conn.recv(100);
      await conn.sendall(banner);
    } else if (mode === "silent") {
      await conn.recv(100);
      await conn.recv(100); // waits until the scanner gives up and closes
    } else if (mode === "read") {
      await conn.recv(100); // reads the probe, answers nothing
    }
    conn.close();
  }
}

function start(ip: string, name: string, banner: Uint8Array, mode = "banner"): number {
  const s = socket.socket();
  s.bind([ip, 0]);
  s.listen(5);
  names.set(s.getsockname()[1], `${ip}/${name}`);
  listeners.push(s);
  serve(s, banner, mode).catch((e) => print("service failed:", e));
  return s.getsockname()[1];
}

const ports = BANNERS.map(([ip, name, banner]) => start(ip, name, banner));
const closed = socket.socket();
closed.bind(["127.0.0.1", 0]);
const closed_port = closed.getsockname()[1];
names.set(closed_port, "closed");
closed.close();
ports.push(closed_port);

const vuln_file = Deno.makeTempDirSync() + "/vuln_banners.txt";
Deno.writeTextFileSync(
  vuln_file,
  "3Com 3CDaemon FTP Server Version 2.0\n" + "220 FreeFloat Ftp Server (Version 1.00).\n" + "Sendmail 8.12.8\n",
);

// ---- the banner grabber ----
const strip_crlf = (s: string) => s.replace(/^[\r\n]+|[\r\n]+$/g, "");

async function retBanner(ip: string, port: number): Promise<string | undefined> {
  try {
    socket.setdefaulttimeout(2);
    const s = socket.socket();
    await s.connect([ip, port]);
    const banner = await s.recv(1024);
    s.close();
    return new TextDecoder("utf-8", { fatal: true }).decode(banner);
  } catch {
    return;
  }
}

function checkVulns(banner: string, filename: string) {
  const text = Deno.readTextFileSync(filename);
  for (const line of text.split(/(?<=\n)/)) {
    if (banner.includes(line.replace(/^\n+|\n+$/g, ""))) {
      print("[+] Server is vulnerable: " + strip_crlf(banner));
    }
  }
}

async function main() {
  const filename = vuln_file;
  const portList = ports;
  for (let x = 1; x < 4; x++) {
    const ip = "127.0.0." + String(x);
    for (const port of portList) {
      const banner = await retBanner(ip, port);
      if (banner) {
        print("[+] " + ip + ": " + strip_crlf(banner) + " (" + names.get(port) + ")");
        checkVulns(banner, filename);
      }
    }
  }
}

await main();

// ---- the threaded connect scanner ----
const scan_ports = [
  start("127.0.0.1", "web", enc.encode("HTTP/1.0 400 Bad Request\r\n\r\n"), "answer"),
  start("127.0.0.1", "mute", new Uint8Array(), "read"),
  start("127.0.0.1", "silent", new Uint8Array(), "silent"),
  closed_port,
  ports[0]!,
];
const lines = new Map<number, string[]>();

async function connScan(tgtHost: string, tgtPort: number) {
  let connSkt: socket.Socket | null = null;
  try {
    connSkt = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
    await connSkt.connect([tgtHost, tgtPort]);
    await connSkt.send(enc.encode("ViolentPython\r\n"));
    const results = await connSkt.recv(100);
    lines.set(tgtPort, [`[+]${names.get(tgtPort)}/tcp open`, "[+] " + str(results)]);
  } catch (e) {
    lines.set(tgtPort, [`[-]${names.get(tgtPort)}/tcp closed (${(e as Error).name})`]);
  } finally {
    if (connSkt) connSkt.close();
  }
}

async function portScan(tgtHost: string, tgtPorts: (string | number)[]) {
  let tgtIP: string;
  try {
    tgtIP = await socket.gethostbyname(tgtHost);
  } catch {
    print(`[-] Cannot resolve '${tgtHost}': Unknown host`);
    return;
  }
  try {
    const tgtName = await socket.gethostbyaddr(tgtIP);
    print("\n[+] Scan Results for: " + tgtName[0]);
  } catch {
    print("\n[+] Scan Results for: " + tgtIP);
  }
  socket.setdefaulttimeout(1);
  const threads = [];
  for (const tgtPort of tgtPorts) threads.push(connScan(tgtHost, Number(tgtPort)));
  await Promise.all(threads);
  for (const tgtPort of tgtPorts) {
    for (const line of lines.get(Number(tgtPort))!) print(line);
  }
}

await portScan("localhost", scan_ports.map(String));
await portScan("127.0.0.1", scan_ports.slice(0, 2));
for (const s of listeners) s.close();

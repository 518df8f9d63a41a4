// Port of tls_curl_server.py (subprocess.Popen(...).communicate() is Deno.Command(...).spawn().output()).
import * as socket from "../../mod.ts";
import { create_default_context, Purpose, SSLError, type SSLSocket } from "../../ssl.ts";
import type { SocketFile } from "../../mod.ts";
import { print } from "../ported/_py.ts";

const certs = Deno.args[0]!;
const context = create_default_context(Purpose.CLIENT_AUTH);
context.load_cert_chain({ certfile: certs + "/server.pem", keyfile: certs + "/server.key" });

const bindsocket = socket.socket();
bindsocket.bind(["127.0.0.1", 0]);
bindsocket.listen(5);
const port = bindsocket.getsockname()[1];
const base = `https://localhost:${port}`;
const dec = new TextDecoder();

async function do_something(connstream: SSLSocket, f: SocketFile, request_line: Uint8Array): Promise<boolean> {
  const [method, path, version] = dec.decode(request_line).trim().split(/\s+/) as [string, string, string];
  const headers = new Map<string, string>();
  while (true) {
    const line = await f.readline(65537) as Uint8Array;
    const t = dec.decode(line);
    if (t === "\r\n" || t === "\n" || t === "") break;
    const i = t.indexOf(":");
    const [name, value] = i < 0 ? [t, ""] : [t.slice(0, i), t.slice(i + 1)];
    headers.set(name.trim().toLowerCase(), value.trim());
  }
  const body = await f.read(Number(headers.get("content-length") ?? 0));
  print(
    "  request:",
    method,
    path,
    version,
    "host",
    headers.get("host") === `localhost:${port}`,
    "body",
    body,
  );
  const reply = new TextEncoder().encode(`${method} ${path}, ${body.length} bytes in\n`);
  const head = `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${reply.length}\r\n\r\n`;
  await connstream.sendall(new Uint8Array([...new TextEncoder().encode(head), ...(method === "HEAD" ? [] : reply)]));
  return true;
}

async function deal_with_client(connstream: SSLSocket) {
  const f = connstream.makefile("rb");
  let data = await f.readline(65537) as Uint8Array;
  // empty data means the client is finished with us
  while (data.length) {
    if (!(await do_something(connstream, f, data))) break;
    data = await f.readline(65537) as Uint8Array;
  }
  await f.close();
  print("  client finished");
}

function curl(...args: string[]): Deno.ChildProcess {
  return new Deno.Command("curl", {
    args: ["-sS", "--http1.1", "--max-time", "30", ...args],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
}

const runs: [string, string[]][] = [
  ["two URLs, one connection", ["--cacert", certs + "/ca.pem", base + "/one", base + "/two?x=1"]],
  ["a POST", ["--cacert", certs + "/ca.pem", "-d", "name=value&other=1", base + "/form"]],
  ["HEAD", ["--cacert", certs + "/ca.pem", "-I", base + "/head"]],
  ["without the CA", [base + "/untrusted"]],
];
for (const [label, args] of runs) {
  print(label);
  const child = curl(...args);
  const [newsocket] = await bindsocket.accept();
  let connstream: SSLSocket | undefined;
  try {
    connstream = await context.wrap_socket(newsocket, { server_side: true });
  } catch (e) {
    if (!(e instanceof SSLError)) throw e;
    print("  handshake failed:", e.name, e.reason);
    newsocket.close();
  }
  if (connstream) {
    print("  version", connstream.version());
    try {
      await deal_with_client(connstream);
    } finally {
      connstream.close();
    }
  }
  const { stdout, stderr, code } = await child.output();
  print("  curl exit", code);
  for (const line of dec.decode(stdout).split(/\r\n|\n|\r/).slice(0, -1)) {
    if (!line.toLowerCase().startsWith("date:")) print("  curl out:", line);
  }
  print("  curl err:", dec.decode(stderr).trim().split(":")[0]);
}
bindsocket.close();

// Port of kr_webserver.py (threads are tasks; open(filename[1:]).read() is Deno.readTextFileSync, whose
// failure stands for Python's IOError; `for i in range(len(outputdata))` sends each character, as the lab's;
// os.chdir is Deno.chdir).
import * as socket from "../../mod.ts";
import { AF_INET, SOCK_STREAM } from "../../mod.ts";
import { b, beq, list, print } from "../ported/_py.ts";

async function serve_one(connectionSocket: socket.Socket) {
  try {
    const message = new TextDecoder().decode(await connectionSocket.recv(1024));
    const filename = message.split(/\s+/).filter((x) => x)[1]!;
    let outputdata: string;
    try {
      outputdata = Deno.readTextFileSync(filename.slice(1));
    } catch {
      throw new IOError();
    }
    // Send one HTTP header line into socket
    await connectionSocket.send(b("HTTP/1.1 200 OK\r\n\r\n"));
    // Send the content of the requested file to the client
    for (const ch of outputdata) await connectionSocket.send(b(ch));
    await connectionSocket.send(b("\r\n"));
    connectionSocket.close();
  } catch (e) {
    if (!(e instanceof IOError)) throw e;
    // Send response message for file not found
    await connectionSocket.send(b("HTTP/1.1 404 Not Found\r\n\r\n"));
    await connectionSocket.send(b("<html><head></head><body><h1>404 Not Found</h1></body></html>\r\n"));
    // Close client socket
    connectionSocket.close();
  }
}

class IOError extends Error {}

async function server(serverSocket: socket.Socket, count: number) {
  const threads: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    log.push("Ready to serve...");
    const [connectionSocket] = await serverSocket.accept();
    threads.push(serve_one(connectionSocket));
  }
  await Promise.all(threads);
  serverSocket.close();
}

async function client(port: number, path: string): Promise<[Uint8Array, Uint8Array[], Uint8Array]> {
  const clientSocket = socket.socket(AF_INET, SOCK_STREAM);
  await clientSocket.connect(["127.0.0.1", port]);
  await clientSocket.sendall(b(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`));
  const f = clientSocket.makefile("rb");
  const status = await f.readline() as Uint8Array;
  const headers: Uint8Array[] = [];
  while (true) {
    const line = await f.readline() as Uint8Array;
    if ([b("\r\n"), b("\n"), b("")].some((x) => beq(x, line))) break;
    headers.push(line);
  }
  const body = await f.read() as Uint8Array;
  await f.close();
  clientSocket.close();
  return [status, headers, body];
}

const log: string[] = [];
Deno.chdir(Deno.makeTempDirSync());
Deno.writeTextFileSync(
  "HelloWorld.html",
  "<html><head><title>Hello</title></head><body><h1>Hello World</h1></body></html>\n",
);
Deno.writeTextFileSync("notes.txt", Array.from({ length: 200 }, (_, i) => `line ${i} of the notes\n`).join(""));

const serverSocket = socket.socket(AF_INET, SOCK_STREAM);
serverSocket.bind(["127.0.0.1", 0]);
serverSocket.listen(5);
const port = serverSocket.getsockname()[1] as number;
const t = server(serverSocket, 6);

for (const path of ["/HelloWorld.html", "/missing.html", "/notes.txt"]) {
  const [status, headers, body] = await client(port, path);
  print(path, status, list(headers), body.length);
  print(body.subarray(0, 60), body.subarray(-30));
}

const results = new Map<string, [Uint8Array, Uint8Array[], Uint8Array]>();
const paths = ["/notes.txt", "/HelloWorld.html", "/nope"];
await Promise.all(paths.map(async (p) => results.set(p, await client(port, p))));
for (const path of paths) {
  const [status, , body] = results.get(path)!;
  print("at once", path, status, body.length);
}
await t;
print(log.join("\n"));

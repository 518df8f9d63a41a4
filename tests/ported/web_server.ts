// Port of web_server.py.
import { AF_INET, OSError, SOCK_STREAM, socket } from "../../mod.ts";
import { decode, print } from "./_py.ts";

/** Python's IOError is OSError. */
class IOError extends OSError {}

const serverSocket = socket(AF_INET, SOCK_STREAM);
serverSocket.bind(["127.0.0.1", Number(Deno.args[0])]);
serverSocket.listen(1);
for (let n = 0; n < Number(Deno.args[1]); n++) {
  print("Ready to serve...");
  const [connectionSocket, _addr] = await serverSocket.accept();
  try {
    const message = decode(await connectionSocket.recv(1024));
    const filename = message.split(/\s+/).filter((w) => w)[1];
    print("request for", filename);
    if (filename !== "/hello.txt") {
      throw new IOError();
    }
    const outputdata = "Hello from the course web server\n".repeat(20);
    await connectionSocket.send(
      new TextEncoder().encode(
        `HTTP/1.0 200 OK\r\nContent-type: text/plain\r\nContent-Length: ${outputdata.length}\r\n\r\n`,
      ),
    );
    for (let i = 0; i < outputdata.length; i++) {
      await connectionSocket.send(new TextEncoder().encode(outputdata[i]));
    }
    await connectionSocket.send(new TextEncoder().encode("\r\n"));
    connectionSocket.close();
  } catch (e) {
    if (!(e instanceof OSError)) throw e;
    await connectionSocket.send(new TextEncoder().encode("HTTP/1.0 404 Not Found\r\n\r\n"));
    await connectionSocket.send(new TextEncoder().encode("<html><body><h1>404 Not Found</h1></body></html>\r\n"));
    connectionSocket.close();
  }
}
serverSocket.close();
print("done");

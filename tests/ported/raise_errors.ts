// Port of raise_errors.py. Python's OSError('text') is `new OSError("text")`; TypeScript refuses that call
// (the constructor takes an errno first), so those lines carry @ts-ignore (finding P4).
import * as socket from "../../mod.ts";
import { errno } from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { b, bjoin, print } from "./_py.ts";

async function fetch(sock: Socket, n: number) {
  let data = b("");
  while (data.length < n) {
    const chunk = await sock.recv(n - data.length);
    if (!chunk.length) {
      // @ts-ignore: OSError("text") is not accepted by the types (finding P4)
      throw new socket.OSError(`Connection unexpectedly closed after ${data.length} of ${n} bytes`);
    }
    data = bjoin([data, chunk]);
  }
  return data;
}

async function wait_reply(sock: Socket, tries: number) {
  for (let _ = 0; _ < tries; _++) {
    try {
      return await sock.recv(10);
    } catch (e) {
      if (!(e instanceof socket.timeout)) throw e;
    }
  }
  // @ts-ignore: timeout("text") is not accepted by the types (finding P4)
  throw new socket.timeout(`no reply after ${tries} tries`);
}

{
  const [a, b_] = await socket.socketpair();
  await a.sendall(b("12345"));
  a.close();
  try {
    await fetch(b_, 10);
  } catch (e) {
    if (!(e instanceof socket.OSError)) throw e;
    print(e.name, e.errno, e.strerror, e);
  }
  b_.close();
}

{
  const [a, b_] = await socket.socketpair();
  b_.settimeout(0.05);
  try {
    await wait_reply(b_, 2);
  } catch (e) {
    if (!(e instanceof socket.timeout)) throw e;
    print(e.name, e.errno, e.strerror, e);
  }
  a.close();
  b_.close();
}

for (
  const make of [
    // @ts-ignore: finding P4
    () => new socket.ConnectionError("server hung up"),
    // @ts-ignore: finding P4
    () => new socket.error("legacy name"),
    () => new socket.OSError(errno.ECONNREFUSED, "Connection refused"),
    () => new socket.OSError(errno.EAGAIN, "try again"),
    () => new socket.ConnectionResetError(errno.ECONNRESET, "reset by peer"),
    () => new socket.gaierror(socket.EAI_NONAME, "Name or service not known"),
  ]
) {
  try {
    throw make();
  } catch (e) {
    if (!(e instanceof socket.OSError)) throw e;
    print(e.name, e.errno, e.strerror, e);
  }
}

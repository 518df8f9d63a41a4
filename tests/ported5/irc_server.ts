// Port of irc_server.py (the select() loop as written; a dict keyed by socket is a Map).
import * as socket from "../../mod.ts";
import { ConnectionResetError } from "../../mod.ts";
import { select } from "../../selectors.ts";
import { b, bjoin, print } from "../ported/_py.ts";

const listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
listener.bind(["127.0.0.1", parseInt(Deno.args[0]!)]);
listener.listen(5);
print("irc server on port", (listener.getsockname() as [string, number])[1]);
const sockets: socket.Socket[] = [listener];
const nicks = new Map<socket.Socket, string>();
const buffers = new Map<socket.Socket, Uint8Array>();
let count = 0;

async function send(sock: socket.Socket, line: string) {
  await sock.sendall(b(line + "\r\n"));
}

async function broadcast(line: string, exclude: socket.Socket | null = null) {
  for (const s of nicks.keys()) {
    if (s !== exclude) await send(s, line);
  }
}

async function drop(sock: socket.Socket, reason: string) {
  const nick = nicks.get(sock);
  nicks.delete(sock);
  sockets.splice(sockets.indexOf(sock), 1);
  buffers.delete(sock);
  sock.close();
  if (nick) {
    print(`${nick} leaves (${reason})`);
    await broadcast(`:${nick} QUIT :${reason}`);
  } else {
    print(`an unregistered client leaves (${reason})`);
  }
}

const utf8 = new TextDecoder("utf-8"); // errors='replace'
let running = true;
let rounds = 0;
while (running && rounds < 10000) {
  rounds += 1;
  const [readable] = await select(sockets, [], [], 10);
  if (!readable.length) {
    print("idle for 10 s, stopping");
    break;
  }
  for (const sock of readable) {
    if (sock === listener) {
      const [conn, addr] = await listener.accept();
      count += 1;
      sockets.push(conn);
      buffers.set(conn, new Uint8Array(0));
      print("connection", count, "from", (addr as [string, number])[0]);
      await send(conn, ":server NOTICE * :welcome, pick a NICK");
      continue;
    }
    if (!buffers.has(sock)) continue; // dropped earlier in this round
    let data: Uint8Array;
    try {
      data = await sock.recv(64);
    } catch (e) {
      if (!(e instanceof ConnectionResetError)) throw e;
      data = new Uint8Array(0);
    }
    if (!data.length) {
      await drop(sock, "connection closed");
      continue;
    }
    buffers.set(sock, bjoin([buffers.get(sock)!, data]));
    while ((buffers.get(sock) ?? new Uint8Array(0)).includes(0x0a)) {
      const buf = buffers.get(sock)!;
      const nl = buf.indexOf(0x0a);
      const raw = buf.subarray(0, nl);
      buffers.set(sock, buf.slice(nl + 1));
      const line = utf8.decode(raw).replace(/\r+$/, "");
      const sp = line.indexOf(" ");
      let cmd = sp < 0 ? line : line.slice(0, sp);
      const rest = sp < 0 ? "" : line.slice(sp + 1);
      cmd = cmd.toUpperCase();
      const nick = nicks.get(sock);
      if (cmd === "NICK") {
        if (!rest) {
          await send(sock, ":server 431 * :No nickname given");
        } else if ([...nicks.values()].includes(rest)) {
          await send(sock, `:server 433 * ${rest} :Nickname is already in use`);
        } else {
          nicks.set(sock, rest);
          if (nick) {
            print(nick, "is now", rest);
            await broadcast(`:${nick} NICK ${rest}`);
          } else {
            print("registered", rest);
            await send(sock, `:server 001 ${rest} :Welcome ${rest}`);
            await broadcast(`:${rest} JOIN #all`, sock);
          }
        }
      } else if (cmd === "PING") {
        await send(sock, "PONG " + rest);
      } else if (nick === undefined) {
        await send(sock, ":server 451 * :You have not registered");
      } else if (cmd === "PRIVMSG") {
        const cut = rest.indexOf(" :");
        const [target, text] = cut < 0 ? [rest, ""] : [rest.slice(0, cut), rest.slice(cut + 2)];
        if (target === "#all") {
          await broadcast(`:${nick} PRIVMSG #all :${text}`, sock);
        } else {
          const peers = [...nicks].filter(([, n]) => n === target).map(([s]) => s);
          if (peers.length) await send(peers[0]!, `:${nick} PRIVMSG ${target} :${text}`);
          else await send(sock, `:server 401 ${nick} ${target} :No such nick`);
        }
      } else if (cmd === "NAMES") {
        await send(sock, `:server 353 ${nick} = #all :${[...nicks.values()].sort().join(" ")}`);
      } else if (cmd === "QUIT") {
        await send(sock, "ERROR :Closing link");
        await drop(sock, rest.replace(/^:+/, "") || "quit");
        break;
      } else if (cmd === "DIE") {
        print("DIE from", nick);
        await broadcast(":server NOTICE * :server shutting down");
        running = false;
        break;
      } else {
        await send(sock, `:server 421 ${nick} ${cmd} :Unknown command`);
      }
    }
  }
}
for (const s of sockets) s.close();
print("server stopped after", count, "connections");

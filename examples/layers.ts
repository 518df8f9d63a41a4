/**
 * Tour step 1, the layers: TCP is a byte stream, UDP carries datagrams.
 * The same two messages go over each transport on loopback, and what the
 * receiver gets shows the difference: TCP keeps the bytes and their order
 * but not the message boundaries; UDP keeps each datagram whole, and a
 * receive smaller than the datagram gets its start and loses the rest.
 *
 * ```sh
 * deno run --allow-net=127.0.0.1 --unstable-net examples/layers.ts
 * ```
 *
 * The nearest Python:
 *
 * ```python
 * import socket
 * srv = socket.create_server(("127.0.0.1", 0))
 * cli = socket.create_connection(srv.getsockname())
 * conn, _ = srv.accept()
 * cli.sendall(b"hello "); cli.sendall(b"world"); cli.shutdown(socket.SHUT_WR)
 * ```
 * @module
 */

import { AF_INET, create_connection, create_server, SHUT_WR, SOCK_DGRAM, socket } from "@pysocket/socket";

const enc = (s: string) => new TextEncoder().encode(s);
const show = (b: Uint8Array) => `b'${new TextDecoder().decode(b)}'`;

// TCP: a connection carries one stream of bytes.
{
  using srv = create_server(["127.0.0.1", 0]);
  using cli = await create_connection(srv.getsockname() as [string, number]);
  const [conn] = await srv.accept();
  using _conn = conn;
  await cli.sendall(enc("hello "));
  await cli.sendall(enc("world"));
  await cli.shutdown(SHUT_WR); // end of stream: the receiver's recv() returns b''
  const parts: Uint8Array[] = [];
  for (;;) {
    const data = await conn.recv(1024);
    if (!data.length) break;
    parts.push(data);
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) all.set(p, at), at += p.length;
  console.log(`TCP: 2 sends arrive as one stream: ${show(all)} (${all.length} bytes; the boundary is gone)`);
}

// UDP: each sendto() is one datagram, delivered whole or not at all.
{
  using rx = socket(AF_INET, SOCK_DGRAM);
  rx.bind(["127.0.0.1", 0]);
  rx.settimeout(5);
  using tx = socket(AF_INET, SOCK_DGRAM);
  tx.bind(["127.0.0.1", 0]); // an unbound sender would bind the wildcard address on its first sendto()
  const addr = rx.getsockname();
  await tx.sendto(enc("hello "), addr);
  await tx.sendto(enc("world"), addr);
  const first = await rx.recv(1024);
  const second = await rx.recv(1024);
  console.log(`UDP: 2 sends arrive as 2 datagrams: ${show(first)} then ${show(second)}`);
  await tx.sendto(enc("hello"), addr);
  console.log(`UDP: recv(3) of the 5-byte datagram b'hello' gives ${show(await rx.recv(3))}; the rest is discarded`);
}

// Port of sntp_client.py (struct '!12I' and '!BBbbII4s8I' are DataView reads and writes; time.asctime of
// gmtime is formatted by hand; the server thread is a task).
import * as socket from "../../mod.ts";
import { TimeoutError } from "../../mod.ts";
import { print, PyList, repr } from "../ported/_py.ts";

const TIME1970 = 2208988800;
const FIXED = 1767225600 + 12 * 3600 + 34 * 60 + 56; // 2026-01-01 12:34:56 UTC

const server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
server.bind(["127.0.0.1", 0]);
const NTP_SERVER = "127.0.0.1";
const NTP_PORT = server.getsockname()[1];
const server_log = new PyList<string>();

async function fake_ntp(answers: number) {
  let dropped = false;
  while (answers) {
    const [data, addr] = await server.recvfrom(1024);
    if (data.length < 48 || (data[0]! & 0x07) !== 3) {
      server_log.push(`ignored ${data.length} bytes, mode ${data.length ? data[0]! & 0x07 : -1}`);
      continue;
    }
    if (!dropped) {
      dropped = true;
      server_log.push("dropped the first request");
      continue;
    }
    const li_vn_mode = (0 << 6) | (((data[0]! >> 3) & 0x07) << 3) | 4; // no warning, client's version, server
    const [stratum, poll, precision] = [2, data[2]!, -20];
    const [root_delay, root_dispersion, ref_id] = [0x00000010, 0x00000020, "LOCL"];
    const secs = FIXED + TIME1970;
    const ref = [secs, 0x80000000], recv = ref, xmit = ref; // .5 s
    const dv_in = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const orig = [dv_in.getUint32(40), dv_in.getUint32(44)];
    const reply = new Uint8Array(48);
    const dv = new DataView(reply.buffer);
    dv.setUint8(0, li_vn_mode);
    dv.setUint8(1, stratum);
    dv.setInt8(2, poll);
    dv.setInt8(3, precision);
    dv.setUint32(4, root_delay);
    dv.setUint32(8, root_dispersion);
    reply.set(new TextEncoder().encode(ref_id), 12);
    [...ref, ...orig, ...recv, ...xmit].forEach((w, i) => dv.setUint32(16 + 4 * i, w));
    await server.sendto(reply, addr);
    answers -= 1;
  }
}

function asctime_gmtime(t: number): string {
  const d = new Date(t * 1000);
  const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const p2 = (n: number) => String(n).padStart(2, "0");
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)} ` +
    `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

async function sntp_client(retries = 3) {
  const client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  client.settimeout(1.0);
  const data = "\x1b" + "\0".repeat(47);
  let data_in: Uint8Array | undefined;
  let address: socket.Address | null | undefined;
  for (let attempt = 0; attempt < retries; attempt++) {
    await client.sendto(new TextEncoder().encode(data), [NTP_SERVER, NTP_PORT]);
    try {
      [data_in, address] = await client.recvfrom(1024);
      break;
    } catch (e) {
      if (!(e instanceof TimeoutError)) throw e;
      print(`attempt ${attempt} timed out`);
    }
  }
  if (data_in === undefined) {
    print("no answer");
    return;
  }
  if (data_in.length) print("Response received from:", (address as [string, number])[0], data_in.length, "bytes");
  if (data_in.length !== 48) throw new Error("struct.error: unpack requires a buffer of 48 bytes");
  const dv = new DataView(data_in.buffer, data_in.byteOffset, 48);
  let t = dv.getUint32(40);
  t -= TIME1970;
  print(`\tTime=${asctime_gmtime(t)}`);
  const [li_vn_mode, stratum, precision] = [dv.getUint8(0), dv.getUint8(1), dv.getInt8(3)];
  print(
    `\tleap ${li_vn_mode >> 6} version ${(li_vn_mode >> 3) & 7} mode ${li_vn_mode & 7} stratum ${stratum} ` +
      `precision 2**${precision} ref ${repr(data_in.slice(12, 16))}`,
  );
  print(`\tfraction ${(dv.getUint32(44) / 2 ** 32).toFixed(3)} s`);
  client.close();
}

const t = fake_ntp(2);
const stray = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
await stray.sendto(new Uint8Array([0x1c, ...new Uint8Array(47)]), [NTP_SERVER, NTP_PORT]); // mode 4: a server's packet, not a request
await stray.sendto(new TextEncoder().encode("hi"), [NTP_SERVER, NTP_PORT]);
stray.close();
await sntp_client();
await sntp_client();
await t;
server.close();
print("server:", server_log);

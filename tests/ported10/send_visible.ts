// Port of send_visible.py (b"%03d" % i * 30 is the padded number repeated; `select(...)[0] != [b]` compares
// the member; a dict lookup by mode is a Record).
import * as socket from "../../mod.ts";
import { select } from "../../selectors.ts";
import { b as bytes, beq, bjoin, print } from "../ported/_py.ts";

const [a, b] = await socket.socketpair();
b.setblocking(false);
const timeouts: Record<string, number | null> = {
  "blocking send": null,
  "blocking sendall": null,
  "timed send": 5,
  "non-blocking send": 0,
};
for (const mode of ["blocking send", "blocking sendall", "timed send", "non-blocking send"]) {
  a.settimeout(timeouts[mode]!);
  let unreadable = 0, missing = 0;
  for (let i = 0; i < 300; i++) {
    const msg = bytes(String(i).padStart(3, "0").repeat(30));
    if (mode === "blocking sendall") await a.sendall(msg);
    else if (await a.send(msg) !== msg.length) throw new Error("short send");
    const r = (await select([b], [], [], 0))[0];
    if (!(r.length === 1 && r[0] === b)) unreadable += 1;
    let got: Uint8Array = new Uint8Array(0);
    try {
      got = await b.recv(1000, socket.MSG_DONTWAIT);
    } catch (e) {
      if (!(e instanceof socket.BlockingIOError)) throw e;
    }
    if (!beq(got, msg)) {
      missing += 1;
      b.settimeout(5);
      got = bjoin([got, await b.recv(msg.length - got.length, socket.MSG_WAITALL)]);
      b.setblocking(false);
    }
  }
  print(mode, "- not readable at once:", unreadable, "short reads:", missing);
}
a.close();
b.close();

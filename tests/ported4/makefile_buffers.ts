// Port of makefile_buffers.py.
import * as socket from "../../mod.ts";
import { TimeoutError } from "../../mod.ts";
import { b, list, print } from "../ported/_py.ts";

const [a, b2] = await socket.socketpair();
a.settimeout(0.1);
b2.settimeout(0.1);

async function got(): Promise<number> {
  let n = 0;
  try {
    while (true) n += (await b2.recv(100000)).length;
  } catch (e) {
    if (e instanceof TimeoutError) return n;
    throw e;
  }
}

const CASES: [string, number | null, number[]][] = [
  ["wb", 16, [16, 1, 20, 5, 12, 0, 3]],
  ["wb", 8, [4, 4, 4, 9, 8, 1]],
  ["wb", null, [100, 8092, 1, 8192, 8193, 3000, 6000]],
  ["w", null, [5000, 5000, 5000, 8192, 1, 9000]],
  ["w", 16, [10, 10, 20, 8000, 200]],
  ["w", 1, [1, 2, 8190, 1, 8192]],
  ["rw", 16, [10, 10, 20]],
  ["rw", null, [8000, 100, 100, 8192]],
];
for (const [mode, buf, sizes] of CASES) {
  const f = buf === null ? a.makefile(mode) : a.makefile(mode, buf);
  const out = list<number>([]);
  for (const s of sizes) {
    await f.write(mode.includes("b") ? new Uint8Array(s).fill(0x78) : "x".repeat(s));
    out.push(await got());
  }
  await f.flush();
  out.push(await got());
  await f.close();
  print(mode, buf, list(sizes), out);
}

{
  const f = a.makefile("wb", 10);
  await f.writelines([b("abc"), b("defg"), b("hijkl"), b("m")]);
  print("writelines:", await got());
  await f.close();
  print("close:", await got());
}

for (const buf of [4, 8, null]) {
  const f = buf === null ? a.makefile("rw") : a.makefile("rw", buf);
  await f.write("hello\n");
  try {
    await f.readline();
  } catch (e) {
    if (!(e instanceof TimeoutError)) throw e;
    print("rw", buf, "readline timed out; peer has", await got());
  }
  await f.close();
  print("rw", buf, "after close", await got());
}
a.close();
b2.close();

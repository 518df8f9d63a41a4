// Happy Eyeballs (RFC 8305) for create_connection: addresses interleaved by
// family (IPv6 first), connection attempts staggered by a delay (the next
// one starts early when the previous fails), the first to connect wins and
// every other attempt is cancelled (connects in flight are aborted) and
// closed. Deno.connect's own autoSelectFamily resolves the name itself, so
// it cannot take the addresses getaddrinfo gave, report every attempt's
// error, or be observed by tests: this is the asyncio algorithm instead.
// With a source address each attempt binds to it and connects through the
// socket (node:net then chooses the local address), as Python does.

import { AF_INET6, SOCK_STREAM } from "./constants.ts";
import { TimeoutError } from "./errors.ts";
import { after, MAX_TIMER_MS } from "./_wait.ts";
import { map_error } from "./_map_error.ts";
import { format_address } from "./families/types.ts";
import { _connect_stop, _replace_transport, type Socket, socket } from "./socket.ts";
import type { Address, AddressInput, Inet6Address, InetAddress } from "./types.ts";

/** One address to try: a family and a getaddrinfo sockaddr. */
export interface Candidate {
  family: number;
  /** getaddrinfo's protocol (6 for TCP): CPython makes the socket with it. */
  proto?: number;
  sockaddr: InetAddress | Inet6Address;
}

/** The outcome of a race: the winning socket, or every attempt's error in attempt order. */
export type RaceResult = { socket: Socket } | { errors: unknown[] };

type Observer = (sock: Socket, candidate: Candidate) => void;
let observer: Observer | null = null;

/**
 * Internal, for tests only: `fn` sees every attempt's socket as it is made
 * (null removes it), so a test can check that the losers were closed.
 */
export function _set_attempt_observer(fn: Observer | null): void {
  observer = fn;
}

/**
 * RFC 8305 section 4 ordering: IPv6 first, then alternate families,
 * keeping the resolver's order within each family.
 */
export function interleave(cands: readonly Candidate[]): Candidate[] {
  const v6 = cands.filter((c) => c.family === AF_INET6);
  const other = cands.filter((c) => c.family !== AF_INET6);
  const out: Candidate[] = [];
  for (let i = 0; i < Math.max(v6.length, other.length); i++) {
    if (i < v6.length) out.push(v6[i]!);
    if (i < other.length) out.push(other[i]!);
  }
  return out;
}

class LostRace extends Error {}

/** One attempt: a socket connected through an abortable Deno.connect (or bound to `source`, then its connect). */
async function attempt(
  c: Candidate,
  timeout: number | null,
  cancel: AbortSignal,
  source: AddressInput | null,
  apply_timeout: boolean,
): Promise<Socket> {
  const s = socket(c.family, SOCK_STREAM, c.proto ?? 0);
  observer?.(s, c);
  const detail = `connect to ${format_address(c.sockaddr as Address)}`;
  // Its signal never rejects a connect that was made (see _connect_stop): such a connection is closed below.
  const ac = _connect_stop();
  const onCancel = () => ac.abort(cancel.reason);
  cancel.addEventListener("abort", onCancel, { once: true });
  let timer: (() => void) | undefined;
  let timed_out = false;
  if (timeout !== null) {
    // Any timeout, however long (a setTimeout past 2**31-1 ms would fire at once).
    timer = after(timeout * 1000, () => {
      timed_out = true;
      ac.abort(new TimeoutError());
    });
  }
  try {
    if (apply_timeout) s.settimeout(timeout); // else the new socket's default stays as it is (not rounded again)
    if (source !== null) {
      s.bind(source); // an address of the other family fails this attempt (gaierror), as in Python
      await s.connect(c.sockaddr, { signal: ac.signal });
      if (cancel.aborted) throw cancel.reason;
      return s;
    }
    // Deno refuses port 0 with a RangeError; the kernel is refused (as Socket.connect).
    if (c.sockaddr[1] === 0) throw new Deno.errors.ConnectionRefused("Connection refused");
    const conn = await Deno.connect({
      transport: "tcp",
      hostname: c.sockaddr[0].replace(/%.*$/, ""),
      port: c.sockaddr[1],
      signal: ac.signal,
    } as Deno.ConnectOptions);
    if (ac.signal.aborted) {
      conn.close();
      throw ac.signal.reason;
    }
    _replace_transport(s, conn);
    return s;
  } catch (e) {
    s.close();
    if (timed_out) throw new TimeoutError(null, "timed out", { operation: detail, cause: e });
    if (cancel.aborted) throw cancel.reason;
    throw map_error(e, detail);
  } finally {
    timer?.();
    cancel.removeEventListener("abort", onCancel);
  }
}

/**
 * Race connection attempts to `cands` (already interleaved), starting one
 * every `delay` seconds or as soon as the previous one fails. Resolves
 * once the race is over and every loser has been closed.
 *
 * @param cands the addresses, in the order to try.
 * @param delay seconds between attempt starts.
 * @param timeout each attempt's timeout (and the winner's), or null.
 * @param signal aborts the whole race with `signal.reason`.
 * @param source a local address every attempt binds to first (create_connection's source_address).
 * @param apply_timeout whether `timeout` was given (else each socket keeps the default it was made with).
 */
export function staggered_race(
  cands: readonly Candidate[],
  delay: number,
  timeout: number | null,
  signal?: AbortSignal,
  source: AddressInput | null = null,
  apply_timeout = true,
): Promise<RaceResult> {
  return new Promise<RaceResult>((resolve, reject) => {
    const cancel = new AbortController();
    const errors: unknown[] = new Array(cands.length);
    let winner: Socket | null = null;
    let next = 0;
    let running = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let aborted: unknown = undefined;
    const onAbort = () => {
      aborted = signal!.reason;
      clearTimeout(timer);
      cancel.abort(signal!.reason);
      settle();
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    const settle = () => {
      if (running > 0) return; // wait until every attempt has finished or been aborted
      if (!winner && aborted === undefined && next < cands.length) return;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      if (aborted !== undefined) {
        winner?.close();
        reject(aborted);
      } else if (winner) resolve({ socket: winner });
      else resolve({ errors: errors.filter((_, i) => i < next) });
    };
    const start = () => {
      clearTimeout(timer);
      if (winner || aborted !== undefined || next >= cands.length) return;
      const i = next++;
      running++;
      attempt(cands[i]!, timeout, cancel.signal, source, apply_timeout).then((s) => {
        running--;
        if (winner || aborted !== undefined) s.close();
        else {
          winner = s;
          clearTimeout(timer);
          cancel.abort(new LostRace("another attempt connected first"));
        }
        settle();
      }, (e) => {
        running--;
        errors[i] = e;
        if (!winner && aborted === undefined) start(); // a failure starts the next attempt at once
        settle();
      });
      if (next < cands.length) timer = setTimeout(start, Math.min(delay * 1000, MAX_TIMER_MS)); // a longer delay would fire at once
    };
    if (signal?.aborted) {
      signal.removeEventListener("abort", onAbort);
      reject(signal.reason);
      return;
    }
    start();
  });
}

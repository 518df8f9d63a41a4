// What the Lutz ports share: Python's time.ctime() and the stamp() the programs print in its place (the time
// itself changes each run).

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const p2 = (n: number) => String(n).padStart(2, "0");

/** `time.ctime(time.time())`. */
export function now(): string {
  const d = new Date();
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, " ")} ` +
    `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())} ${d.getFullYear()}`;
}

const CTIME = /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}$/;
/** 'TIME' for a ctime() text, as the .py's stamp(). */
export const stamp = (t: string): string => CTIME.test(t) ? "TIME" : "BAD " + t;

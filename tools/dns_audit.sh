#!/usr/bin/env bash
# Audit a command's DNS traffic: run it in a fresh network namespace (only lo, up) whose /etc/resolv.conf points at
# a stub DNS server on 127.0.0.1:53 that answers every query REFUSED and logs it as `Q <name> <qtype>` (qtype 1 is
# A, 28 AAAA, 12 PTR). Nothing can leave the machine meanwhile. Prints the queries, counted, at the end; exits with
# the command's status. Linux only; needs unshare (util-linux), ip (iproute2) and python3; run as root, or where
# unprivileged user namespaces are allowed (then the command runs as root of its own user namespace).
#
#   tools/dns_audit.sh /tmp/dns.log deno test -A --unstable-net --no-prompt tests/names_test.ts
#
# DNS_AUDIT_HOSTS=<file> also puts <file> over /etc/hosts (e.g. one with only "127.0.0.1 localhost", to see what a
# machine with a shorter /etc/hosts would look up).
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 <logfile> <command...>" >&2
  exit 2
fi
LOG="$(realpath -m "$1")"
shift
DIR="$(mktemp -d)"
trap 'rm -rf "$DIR"' EXIT
echo "nameserver 127.0.0.1" >"$DIR/resolv.conf"
cat >"$DIR/stub.py" <<'PY'
import socket, sys, threading
log = open(sys.argv[1], "w", buffering=1)
def name_of(d):
    i, labels = 12, []
    while i < len(d) and d[i]:
        labels.append(d[i + 1:i + 1 + d[i]].decode(errors="replace")); i += 1 + d[i]
    return ".".join(labels), int.from_bytes(d[i + 1:i + 3], "big")
def refused(d):
    r = bytearray(d[:12]); r[2] |= 0x80; r[3] = (r[3] & 0xF0) | 5
    return bytes(r) + d[12:]
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 53))
t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); t.bind(("127.0.0.1", 53)); t.listen()
def tcp():
    while True:
        c, _ = t.accept()
        d = c.recv(65536)[2:]
        if len(d) >= 12:
            log.write("Q %s %d (tcp)\n" % name_of(d)); r = refused(d); c.sendall(len(r).to_bytes(2, "big") + r)
        c.close()
threading.Thread(target=tcp, daemon=True).start()
open(sys.argv[2], "w").close()  # ready
while True:
    d, a = u.recvfrom(65536)
    if len(d) >= 12:
        log.write("Q %s %d\n" % name_of(d)); u.sendto(refused(d), a)
PY
if [ "$(id -u)" = 0 ]; then UNSHARE=(unshare -m -n); else UNSHARE=(unshare -r -m -n); fi
set +e
"${UNSHARE[@]}" bash -c '
set -e
dir=$1 log=$2; shift 2
ip link set lo up
mount --bind "$dir/resolv.conf" /etc/resolv.conf
if [ -n "${DNS_AUDIT_HOSTS:-}" ]; then mount --bind "$DNS_AUDIT_HOSTS" /etc/hosts; fi
python3 "$dir/stub.py" "$log" "$dir/ready" &
stub=$!
for _ in $(seq 100); do [ -e "$dir/ready" ] && break; sleep 0.05; done
[ -e "$dir/ready" ] || { echo "dns_audit: the stub DNS server did not start" >&2; exit 125; }
set +e
"$@"
rc=$?
kill "$stub"
exit $rc
' _ "$DIR" "$LOG" "$@"
rc=$?
set -e
echo "== dns_audit: $(wc -l <"$LOG") DNS queries (log: $LOG)" >&2
sort "$LOG" | uniq -c | sort -rn >&2
exit $rc

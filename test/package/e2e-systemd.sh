#!/usr/bin/env bash
# e2e-systemd.sh — the package in a real systemd: boots a clean Debian 12 (no nodejs) with systemd-nspawn,
# installs the .deb as a user would, then checks socket activation, notify, journald priorities, 1,000
# SocketHandler records, reload, restarts under load, the opt-in TLS socket and remove/purge; then the .rpm's scriptlets against the
# same live systemd. Recipe and pitfalls: ../shared/SYSTEMD-E2E.md. Needs root. Prints PASS:/FAIL: lines and
# "e2e: N passed, N failed"; exit status 0 only when nothing failed. Cleans up the container and its files.
# usage: e2e-systemd.sh loggingserver_*.deb loggingserver-*.rpm
# env:   E2E_CACHE (/var/cache/loggingserver-e2e), E2E_ARTIFACTS (where logs are copied), N (1000), K (3)
set -uo pipefail
[ $# -eq 2 ] || { echo "usage: $0 PACKAGE.deb PACKAGE.rpm" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
DEB=$(realpath "$1"); RPM=$(realpath "$2")
N=${N:-1000}; K=${K:-3}
CACHE=${E2E_CACHE:-/var/cache/loggingserver-e2e}
# The rootfs: systemd as PID 1, procps (priority important: on every normal install, not in minbase), python3 for\n# the client, curl for the page, rpm for the .rpm leg. No nodejs.
INCLUDE=systemd,systemd-sysv,dbus,procps,python3,ca-certificates,curl,rpm
BASE=$CACHE/bookworm-systemd-$(printf %s "$INCLUDE" | sha256sum | cut -c1-12).tar
W=$(mktemp -d /tmp/loggingserver-e2e.XXXXXX); ROOT=$W/rootfs; ART=${E2E_ARTIFACTS:-$W/artifacts}
LOG=/var/log/loggingserver/loggingserver.log
pass=0; fail=0; T0=$EPOCHREALTIME
ok()    { pass=$((pass+1)); echo "PASS: $*"; }
bad()   { fail=$((fail+1)); echo "FAIL: $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
lap()   { awk -v a="$EPOCHREALTIME" -v b="$T0" -v m="$*" 'BEGIN{printf "[%6.1fs] %s\n", a-b, m}'; }
mkdir -p "$CACHE" "$ART"

# 0. the rootfs tarball, built once per include list (20-40 s), then reused (extracts in 1-4 s)
if [ ! -s "$BASE" ]; then
  timeout 600 mmdebstrap --mode=root --variant=minbase --include="$INCLUDE" --format=tar bookworm "$BASE.tmp" \
    "deb http://deb.debian.org/debian bookworm main" "deb http://deb.debian.org/debian bookworm-updates main" \
    "deb http://deb.debian.org/debian-security bookworm-security main" >"$ART/mmdebstrap.log" 2>&1 \
    || { echo "mmdebstrap failed, see $ART/mmdebstrap.log"; rm -rf "$W" "$BASE.tmp"; exit 1; }
  mv "$BASE.tmp" "$BASE"
  find "$CACHE" -name 'bookworm-systemd-*.tar' ! -path "$BASE" -delete   # older include lists
  lap "built $BASE"
fi

# 1. a fresh rootfs, the packages and the client copied in (no bind mounts: nothing to unmount)
mkdir -p "$ROOT"; tar -C "$ROOT" -xf "$BASE"
mkdir -p "$ROOT/root/e2e"; cp "$DEB" "$RPM" "$HERE/e2e-client.py" "$HERE/../../examples/tls_socket_handler.py" "$ROOT/root/e2e/"
lap "rootfs extracted"

# 2. boot: own PID, mount and network namespaces (only lo: ports never clash with the host), no machined
timeout 900 systemd-nspawn -D "$ROOT" --register=no --keep-unit --private-network -b </dev/null >"$ART/console.log" 2>&1 &
TPID=$!
NPID=""; LEADER=""
cleanup() {   # stops exactly the nspawn this script started, by PID
  [ -n "$NPID" ] || NPID=$(ps --ppid "$TPID" -o pid= 2>/dev/null | tr -d ' ')
  if [ -n "$NPID" ]; then
    kill -TERM "$NPID" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$NPID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$NPID" 2>/dev/null
  fi
  wait "$TPID" 2>/dev/null
  grep -q " ${ROOT}[/ ]" /proc/self/mountinfo || rm -rf "$ROOT"
  [ -n "${E2E_ARTIFACTS:-}" ] && rm -rf "$W"
}
trap cleanup EXIT
for _ in $(seq 200); do
  [ -z "$NPID" ] && NPID=$(ps --ppid "$TPID" -o pid= 2>/dev/null | tr -d ' ')
  [ -n "$NPID" ] && LEADER=$(ps --ppid "$NPID" -o pid=,comm= 2>/dev/null | awk '$2=="systemd"{print $1; exit}')
  [ -n "$LEADER" ] && break; sleep 0.05
done
[ -n "$LEADER" ] || { echo "container did not start:"; cat "$ART/console.log"; exit 1; }
c() { timeout "${CT:-120}" nsenter -t "$LEADER" -a -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
      CENTRAL_LOG="$LOG" DEBIAN_FRONTEND=noninteractive "$@"; }
client() { c python3 /root/e2e/e2e-client.py "$@"; }
closed() { client refused "$1" >/dev/null; }   # nothing listens on 127.0.0.1:$1
state=""; for _ in $(seq 150); do   # PID 1's bus appears ~100 ms after boot
  state=$(CT=60 c systemctl is-system-running --wait 2>/dev/null); [ -n "$state" ] && break; sleep 0.2; done
check "container booted systemd ($state)" test "$state" = running -o "$state" = degraded
check "no nodejs in the clean rootfs" c sh -c '! command -v node && ! command -v nodejs && ! dpkg -s nodejs >/dev/null 2>&1'
lap "booted"

# 3. install exactly as a user would
c sh -c 'cd /root/e2e && apt-get install -y ./loggingserver_*.deb' >"$ART/apt.log" 2>&1
check "apt install ./$(basename "$DEB")" test $? = 0
for s in loggingserver.socket loggingserver-web.socket; do
  check "$s enabled by postinst" test "$(c systemctl is-enabled $s)" = enabled
  check "$s listening" test "$(c systemctl is-active $s)" = active
done
check "loggingserver.service inactive until the first connection" test "$(c systemctl is-active loggingserver.service)" = inactive
check "user loggingserver created by systemd-sysusers" c getent passwd loggingserver >/dev/null
v=$(c systemd-analyze verify --man=no loggingserver.service loggingserver.socket loggingserver-web.socket loggingserver-tls.socket loggingserver-unix.socket loggingserver-udp.socket 2>&1)
check "systemd-analyze verify in the container: no output${v:+: $v}" test -z "$v"
lap "installed"

# 4. the first connection (the status page) activates the service; READY=1, STATUS=, journald priorities
page=$(c curl -fsS -m 10 http://127.0.0.1:9021/)
check "curl on 9021 returns the status page (first connection activates)" grep -qi '<html' <<<"$page"
check "loggingserver.service active (Type=notify: READY=1 arrived)" test "$(c systemctl is-active loggingserver.service)" = active
c systemctl status --no-pager loggingserver.service >"$ART/status.txt" 2>&1
check "systemctl status: active (running)" grep -q 'Active: active (running)' "$ART/status.txt"
check "systemctl status: TriggeredBy the sockets" grep -q 'TriggeredBy:.*loggingserver' "$ART/status.txt"
check "systemctl status: Status: from sd-notify" grep -q 'Status: ".*records' "$ART/status.txt"
check "runs as User=loggingserver" test "$(c stat -c %U "/proc/$(c systemctl show -P MainPID loggingserver)")" = loggingserver
check "open-files limit 65536 (LimitNOFILE=), not the default 1024" test "$(c systemctl show -P LimitNOFILE loggingserver)" = 65536
prio() {   # prio PRIORITY TEXT: a journal entry of the unit at exactly that priority contains TEXT
  c journalctl -u loggingserver -o json --no-pager | c python3 -c '
import json, sys
want, text = sys.argv[1], sys.argv[2]
sys.exit(0 if any(e.get("PRIORITY") == want and text in str(e.get("MESSAGE")) and e.get("_PID") != "1"
                  for e in map(json.loads, sys.stdin)) else 1)' "$1" "$2"; }
check "journal: startup line at info (PRIORITY=6, sockets from systemd)" prio 6 "sockets from systemd"
check "journal: startup line carries its code (PRIORITY=6, [LS-STARTED])" prio 6 '[LS-STARTED]'
client oversize >"$ART/oversize.json" 2>&1
check "a length prefix beyond any record closes its connection" test $? = 0
for _ in $(seq 30); do prio 4 '[LS-FRAME-LENGTH-INVALID]' && break; sleep 0.1; done
check "journal: [LS-FRAME-LENGTH-INVALID] at warning (PRIORITY=4)" prio 4 '[LS-FRAME-LENGTH-INVALID]'
client toolarge "big-$$" >"$ART/toolarge.json" 2>&1
check "a record over max_frame_bytes leaves a placeholder and the next record on its connection arrives" test $? = 0
for _ in $(seq 30); do prio 4 '[LS-FRAME-TOO-LARGE]' && break; sleep 0.1; done
check "journalctl -u loggingserver -p warning shows [LS-FRAME-TOO-LARGE]" c sh -c 'journalctl -u loggingserver -p warning --no-pager | grep -qF "[LS-FRAME-TOO-LARGE]"'
check "journalctl -g LS-FRAME-TOO-LARGE finds the refused record" c sh -c 'journalctl -u loggingserver -g LS-FRAME-TOO-LARGE -o cat --no-pager | grep -q "refused, connection kept"'
check "journal: [LS-FRAME-TOO-LARGE] at warning (PRIORITY=4)" prio 4 '[LS-FRAME-TOO-LARGE]'
lap "activated"

# 5. 1,000 records from a stock SocketHandler, in the shipped format
RUN=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
r=$(CT=60 client records "$N" "sh-$RUN"); check "$N SocketHandler records in $LOG: $r" test $? = 0
fmt='^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2},[0-9]{3} 127\.0\.0\.1 +e2e\.client +INFO +sh-'"$RUN"' record [0-9]+ of '"$N"'$'
n=$(c grep -cE "$fmt" "$LOG"); check "all $N lines in the shipped format (%(asctime)s %(client)-15s %(name)-12s %(levelname)-8s): $n" test "$n" = "$N"
check "$LOG owned by loggingserver, mode 0640" test "$(c stat -c '%U %a' "$LOG")" = "loggingserver 640"
lap "records"

# 6. a new format, systemctl reload: same process, new records in the new format
pid=$(c systemctl show -P MainPID loggingserver)
c sed -i 's/^  format: .*/  format: "RELOADED %(levelname)s %(name)s %(message)s"/' /etc/loggingserver.yaml
check "systemctl reload loggingserver" c systemctl reload loggingserver
for _ in $(seq 50); do c sh -c 'journalctl -u loggingserver --no-pager | grep -qF "[LS-RELOAD]"' && break; sleep 0.1; done
r=$(CT=60 client records 20 "rl-$RUN" e2e.reload); check "records after reload landed: $r" test $? = 0
n=$(c grep -cE "^RELOADED INFO e2e\.reload rl-$RUN record [0-9]+ of 20\$" "$LOG"); check "records after reload use the new format ($n/20)" test "$n" = 20
check "reload kept the process (MainPID $pid)" test "$(c systemctl show -P MainPID loggingserver)" = "$pid"
# a bad config (issue 12): the restart runs on the last valid config, saved at the reload above; no port closes
c cp /etc/loggingserver.yaml /root/e2e/good.yaml
check "the last valid config is saved 0600 in StateDirectory=" test "$(c stat -c '%U %a' /var/lib/loggingserver/last-valid.yaml)" = "loggingserver 600"
c sh -c 'echo "no_such_key: 1" >>/etc/loggingserver.yaml'
r=$(CT=60 client badconfig "bc-$RUN"); check "bad config: restart while a client connects every 100 ms for 10 s: 0 refused, 0 lost: $r" test $? = 0
echo "bad-config restart: $r" >"$ART/badconfig.json"
check "bad config: service active, sockets not failed (no start-limit-hit)" test "$(c systemctl is-active loggingserver loggingserver.socket loggingserver-web.socket | tr '\n' ' ')" = "active active active "
check "bad config: no start-limit-hit in the journal" c sh -c '! journalctl -u loggingserver -u loggingserver.socket -u loggingserver-web.socket --no-pager | grep -q "start-limit-hit\|Start request repeated too quickly"'
check "bad config: journal names the key under [LS-CONFIG-INVALID] at err" prio 3 'no_such_key'
check "bad config: journal says [LS-CONFIG-FALLBACK] at err" prio 3 '[LS-CONFIG-FALLBACK]'
check "bad config: systemctl status says so" c sh -c 'systemctl status --no-pager loggingserver | grep -q "Status: \"running on the last valid configuration: .*no_such_key"'
check "bad config: /healthz 200 naming the problem" c sh -c 'curl -fsS -m 5 http://127.0.0.1:9021/healthz | grep -q "running on the last valid configuration: .*no_such_key"'
check "bad config: /metrics loggingserver_config_valid 0" c sh -c 'curl -fsS -m 5 http://127.0.0.1:9021/metrics | grep -qx "loggingserver_config_valid 0"'
c sh -c 'sed "s/^  format: .*/  format: \"FIXED %(levelname)s %(name)s %(message)s\"/" /root/e2e/good.yaml >/etc/loggingserver.yaml'
check "fixed config: systemctl restart" c systemctl restart loggingserver
r=$(CT=60 client records 20 "fx-$RUN" e2e.fixed); check "records after the fix landed: $r" test $? = 0
n=$(c grep -cE "^FIXED INFO e2e\.fixed fx-$RUN record [0-9]+ of 20\$" "$LOG"); check "records after the fix use its new format ($n/20)" test "$n" = 20
check "fixed config: /metrics loggingserver_config_valid 1" c sh -c 'curl -fsS -m 5 http://127.0.0.1:9021/metrics | grep -qx "loggingserver_config_valid 1"'
c cp /root/e2e/good.yaml /etc/loggingserver.yaml; c systemctl restart loggingserver
lap "reload, bad config"

# 7. restarts while a client keeps connecting: systemd holds the port, nothing refused, nothing lost
r=$(CT=180 client restarts "$K" "rs-$RUN" 2>"$ART/restarts.err"); check "$K x systemctl restart under load, 0 refused, 0 lost: $r" test $? = 0
check "loggingserver.service active after the restarts" test "$(c systemctl is-active loggingserver.service)" = active
# long-lived busy connections (issue 10 item 4): 4 SocketHandler clients at 1,000 records/s each keep their one
# connection through K restarts and an upgrade; systemd's fd store carries them from one process to the next
r=$(CT=300 client longlived "$K" "ll-$RUN" upgrade 2>"$ART/longlived.err"); rc=$?
check "4 busy long-lived SocketHandler clients through $K restarts + an upgrade: 0 lost, 0 twice, 0 reconnects: $r" test $rc = 0
check "journal: connections handed over at the stop [LS-HANDOVER] and adopted at the start [LS-HANDOVER-ADOPTED]" c sh -c 'journalctl -u loggingserver --no-pager | grep -q "\[LS-HANDOVER\] .*handed [1-9]" && journalctl -u loggingserver --no-pager | grep -q "\[LS-HANDOVER-ADOPTED\] adopted [1-9]"'
check "journal: no [LS-HANDOVER-FAILED]" c sh -c '! journalctl -u loggingserver --no-pager | grep -qF "[LS-HANDOVER-FAILED]"'
check "adopted connections removed from the fd store (NFileDescriptorStore=0)" test "$(c systemctl show -P NFileDescriptorStore loggingserver)" = 0
# the same load with the hand-over off (log.handover: false): the drain of before cuts busy clients off
c sed -i 's/^  handover: true/  handover: false/' /etc/loggingserver.yaml; c systemctl reload loggingserver
r=$(CT=300 client longlived 1 "nh-$RUN" 2>>"$ART/longlived.err"); rc=$?
check "without the hand-over (log.handover: false) the same load loses records or reconnects (the test can fail): $r" test $rc != 0
c sed -i 's/^  handover: false/  handover: true/' /etc/loggingserver.yaml; c systemctl reload loggingserver
# systemctl stop (not restart): the server drains (systemd would close its fd store), so the client's connection ends
r=$(CT=60 client stopcloses "st-$RUN"); check "systemctl stop ends a long-lived connection (drained, not handed over): $r" test $? = 0
check "after systemctl stop: fd store empty (NFileDescriptorStore=0)" test "$(c systemctl show -P NFileDescriptorStore loggingserver)" = 0
check "journal: systemctl stop drains instead of handing over (the unit's job type, asked over D-Bus)" c sh -c 'journalctl -u loggingserver --no-pager | grep -q "\[LS-STOPPING\] .*no hand-over: systemctl stop"'
c curl -fsS -m 10 -o /dev/null http://127.0.0.1:9021/healthz   # socket activation starts it again
lap "long-lived connections, hand-over"
# an upgrade (here: the same version reinstalled) try-restarts the running service; the sockets stay open
pid=$(c systemctl show -P MainPID loggingserver)
c sh -c 'cd /root/e2e && apt-get install -y --reinstall ./loggingserver_*.deb' >>"$ART/apt.log" 2>&1
check "upgrade: postinst try-restarted the service (MainPID $pid -> new)" test "$(c systemctl show -P MainPID loggingserver)" != "$pid" -a "$(c systemctl is-active loggingserver.service)" = active
check "upgrade: sockets stayed active, config kept" test "$(c systemctl is-active loggingserver.socket loggingserver-web.socket | sort -u)" = active -a "$(c grep -c RELOADED /etc/loggingserver.yaml)" = 1
# the watchdog: with WatchdogSec=2s (a runtime drop-in) the server's WATCHDOG=1 pings keep the same process alive
c sh -c 'mkdir -p /run/systemd/system/loggingserver.service.d && printf "[Service]\nWatchdogSec=2s\n" >/run/systemd/system/loggingserver.service.d/watchdog.conf && systemctl daemon-reload && systemctl restart loggingserver'
pid=$(c systemctl show -P MainPID loggingserver); sleep 3.5
check "WATCHDOG=1 pings: alive after 3.5 s with WatchdogSec=2s (MainPID $pid)" test "$(c systemctl show -P MainPID loggingserver)" = "$pid" -a "$(c systemctl show -P WatchdogTimestampMonotonic loggingserver)" != 0
c sh -c 'rm -r /run/systemd/system/loggingserver.service.d && systemctl daemon-reload'
# the decode threads under the unit's sandbox (SystemCallFilter=, no new privileges…): every read through them
c sh -c 'mkdir -p /run/systemd/system/loggingserver.service.d && printf "[Service]\nEnvironment=LOGGINGSERVER_DECODE_ALWAYS=1\n" >/run/systemd/system/loggingserver.service.d/threads.conf && systemctl daemon-reload && systemctl restart loggingserver'
up=0; for _ in $(seq 50); do up=$(c curl -fsS -m 10 http://127.0.0.1:9021/metrics | sed -n 's/^loggingserver_decode_threads //p'); [ "${up:-0}" -gt 0 ] && break; sleep 0.1; done
check "decode threads up under the sandbox (loggingserver_decode_threads ${up:-none}), no LS-DECODE-THREAD-FAILED" test "${up:-0}" -gt 0 -a "$(c journalctl -q -u loggingserver -g LS-DECODE-THREAD-FAILED -o cat --no-pager | wc -l)" = 0
r=$(CT=60 client records 200 "dt-$RUN" e2e.threads); check "records through the decode threads landed: $r" test $? = 0
n=$(c grep -c "dt-$RUN record" "$LOG"); check "all 200 decode-thread records in $LOG ($n)" test "$n" = 200
reads=$(c curl -fsS -m 10 http://127.0.0.1:9021/metrics | sed -n 's/^loggingserver_decode_thread_reads_total //p')
check "the packaged decode thread ran in the sandbox (loggingserver_decode_thread_reads_total $reads)" test "${reads:-0}" -gt 0
c sh -c 'rm -r /run/systemd/system/loggingserver.service.d && systemctl daemon-reload'
c systemctl stop loggingserver.service >/dev/null 2>&1
check "after systemctl stop loggingserver, the next connection starts it again" c curl -fsS -m 10 -o /dev/null http://127.0.0.1:9021/healthz
lap "restarts"

# 7b. TLS: the socket unit ships disabled and a service start does not open it (it is not in Sockets=); with
# log.tls configured and the socket enabled, a restart takes its fd ("tls") and the example handler's records land
check "loggingserver-tls.socket shipped but not enabled" test "$(c systemctl is-enabled loggingserver-tls.socket)" = disabled
c systemctl restart loggingserver.service
check "starting the service leaves the TLS port closed" test "$(c systemctl is-active loggingserver-tls.socket)" = inactive
# Why it is not in the service's Sockets=: that implies Wants= (systemd.service(5)); seen here with a runtime drop-in.
c sh -c 'mkdir -p /run/systemd/system/loggingserver.service.d && printf "[Service]\nSockets=loggingserver-tls.socket\n" >/run/systemd/system/loggingserver.service.d/tls.conf && systemctl daemon-reload && systemctl restart loggingserver.service'
check "(a Sockets= entry would open the TLS port on every service start)" test "$(c systemctl is-active loggingserver-tls.socket)" = active
check "journal: [LS-TLS-NOT-CONFIGURED] at warning while systemd passes the TLS port and log.tls is unset" prio 4 '[LS-TLS-NOT-CONFIGURED]'
c sh -c 'rm -r /run/systemd/system/loggingserver.service.d && systemctl daemon-reload && systemctl stop loggingserver-tls.socket && systemctl restart loggingserver.service'
c sh -c 'set -e; mkdir -p /etc/loggingserver/tls; cd /etc/loggingserver/tls
  k="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
  openssl req -x509 $k -days 2 -keyout ca.key -out ca.crt -subj "/CN=e2e CA"
  printf "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n" >server.ext
  openssl req -new $k -keyout server.key -out server.csr -subj /CN=localhost
  openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile server.ext -out server.crt
  chgrp loggingserver server.key; chmod 0640 server.key' >"$ART/openssl.log" 2>&1
check "TLS certificates made with openssl, as README shows" test $? = 0
c sed -i 's|^  tls: null$|  tls: {port: 9022, cert: /etc/loggingserver/tls/server.crt, key: /etc/loggingserver/tls/server.key}|' /etc/loggingserver.yaml
check "systemctl enable loggingserver-tls.socket" c systemctl enable loggingserver-tls.socket
# One transaction, as README says: systemd refuses to start a socket while its service runs ("already active").
check "systemctl restart loggingserver.service loggingserver-tls.socket" c systemctl restart loggingserver.service loggingserver-tls.socket
check "loggingserver-tls.socket listening" test "$(c systemctl is-active loggingserver-tls.socket)" = active
check "TLS port taken from systemd (fd named tls)" c sh -c 'journalctl -u loggingserver --no-pager -n 20 | grep -q "(tls) and .* (web), sockets from systemd;"'
CT=60 c python3 -c 'import logging, sys
sys.path.insert(0, "/root/e2e")
from tls_socket_handler import TLSSocketHandler
h = TLSSocketHandler("127.0.0.1", 9022, cafile="/etc/loggingserver/tls/ca.crt")
h.handleError = lambda record: sys.exit("record not sent")
log = logging.getLogger("e2e.tls"); log.propagate = False; log.addHandler(h); log.setLevel(logging.INFO)
for i in range(int(sys.argv[1])): log.info("%s record %d", sys.argv[2], i)
h.close()' "$N" "tls-$RUN" 2>"$ART/tls-client.err"
check "the example TLSSocketHandler ran" test $? = 0
n=0; for _ in $(seq 50); do n=$(c grep -c "tls-$RUN record" "$LOG"); [ "$n" = "$N" ] && break; sleep 0.1; done
check "$N records over TLS in $LOG ($n)" test "$n" = "$N"
lap "TLS"

# 7c. The Unix socket and the UDP port (issue 11, items 0 and 1): shipped disabled; enabled, a restart takes
# their fds ("unix", "udp"), and a stock SocketHandler(path, None) and DatagramHandler send through both
for u in loggingserver-unix.socket loggingserver-udp.socket; do
  check "$u shipped but not enabled" test "$(c systemctl is-enabled $u)" = disabled
done
check "systemctl enable loggingserver-unix.socket loggingserver-udp.socket" c systemctl enable loggingserver-unix.socket loggingserver-udp.socket
check "systemctl restart loggingserver.service loggingserver-unix.socket loggingserver-udp.socket" c systemctl restart loggingserver.service loggingserver-unix.socket loggingserver-udp.socket
check "/run/loggingserver/log.sock is a socket of mode 0660 (SocketMode=)" test "$(c stat -c %F:%a /run/loggingserver/log.sock)" = "socket:660"
check "unix and udp taken from systemd (fds named unix, udp)" c sh -c 'journalctl -u loggingserver --no-pager -n 20 | grep -q "/run/loggingserver/log.sock (unix), .*:9024 (udp) and .* (web), sockets from systemd;"'
CT=60 c python3 -c 'import logging, logging.handlers, sys, time
n, tag = int(sys.argv[1]), sys.argv[2]
for kind, h in (("udp", logging.handlers.DatagramHandler("127.0.0.1", 9024)), ("unix", logging.handlers.SocketHandler("/run/loggingserver/log.sock", None))):
    h.handleError = lambda record: sys.exit("record not sent")
    log = logging.getLogger("e2e." + kind); log.propagate = False; log.addHandler(h); log.setLevel(logging.INFO)
    for i in range(n):
        log.info("%s-%s record %d", tag, kind, i)
        if kind == "udp" and i % 20 == 19: time.sleep(0.02)  # fire and forget: never outrun the receive buffer
    h.close()' "$N" "$RUN" 2>"$ART/unix-udp-client.err"
check "SocketHandler(path, None) and DatagramHandler ran" test $? = 0
for kind in unix udp; do
  n=0; for _ in $(seq 50); do n=$(c grep -c "$RUN-$kind record" "$LOG"); [ "$n" = "$N" ] && break; sleep 0.1; done
  check "$N records over $kind in $LOG ($n)" test "$n" = "$N"
done
# The file's format names no client by now (section 6): the page's API does. Unix records were sent last, so the ring holds them.
check "the Unix socket's records name their client unix:<pid> (SO_PEERCRED, /api/records)" c sh -c "curl -fsS -m 10 'http://127.0.0.1:9021/api/records?client=unix' | grep '\"client\":\"unix:[0-9][0-9]*\"' | grep -q '$RUN-unix record'"
c systemctl disable --now loggingserver-unix.socket loggingserver-udp.socket >/dev/null 2>&1
c systemctl restart loggingserver.service
lap "unix and udp"

# 8. remove keeps config and logs; purge removes them and closes the ports
c journalctl -b -o short-precise --no-pager >"$ART/journal.txt" 2>&1
c apt-get remove -y loggingserver >>"$ART/apt.log" 2>&1; check "apt remove loggingserver" test $? = 0
check "after remove: /etc/loggingserver.yaml kept" c test -f /etc/loggingserver.yaml
check "after remove: $LOG kept" c test -s "$LOG"
check "after remove: port 9020 closed" closed 9020
check "after remove: no /run/loggingserver/log.sock" c test ! -e /run/loggingserver/log.sock
c apt-get purge -y loggingserver >>"$ART/apt.log" 2>&1; check "apt purge loggingserver" test $? = 0
check "after purge: /etc/loggingserver.yaml gone" c test ! -e /etc/loggingserver.yaml
check "after purge: /var/log/loggingserver gone" c test ! -e /var/log/loggingserver
check "after purge: /etc/loggingserver/ (the operator's TLS keys) kept" c test -d /etc/loggingserver
check "purge said it left /etc/loggingserver/ in place" grep -q "left /etc/loggingserver/ in place" "$ART/apt.log"
check "after purge: nothing listens on 9020" closed 9020
check "after purge: nothing listens on 9021" closed 9021
check "after purge: nothing listens on 9022" closed 9022
check "after purge: no unit files or enablement links left" c sh -c '! ls /etc/systemd/system/sockets.target.wants/loggingserver* /usr/lib/systemd/system/loggingserver* 2>/dev/null | grep -q .'
lap "removed and purged"

# 9. the .rpm: its scriptlets against the same live systemd (Debian's rpm needs --force-debian)
c sh -c 'rpm -i --nodeps --force-debian /root/e2e/loggingserver-*.rpm' >"$ART/rpm.log" 2>&1
check "rpm -i --nodeps $(basename "$RPM")" test $? = 0
for s in loggingserver.socket loggingserver-web.socket; do
  check "rpm %post: $s enabled (preset)" test "$(c systemctl is-enabled $s)" = enabled
  check "rpm %post: $s listening" test "$(c systemctl is-active $s)" = active
done
r=$(CT=60 client records 100 "rpm-$RUN"); check "rpm-installed server: 100 records landed: $r" test $? = 0
c rpm -e loggingserver >>"$ART/rpm.log" 2>&1; check "rpm -e loggingserver" test $? = 0
check "after rpm -e: nothing listens on 9020" closed 9020
check "after rpm -e: nothing listens on 9021" closed 9021
lap "rpm"

c journalctl -b -o short-precise --no-pager >"$ART/journal.txt" 2>&1
cleanup; trap - EXIT
lap "container stopped and removed"
echo "e2e: $pass passed, $fail failed"
[ "$fail" = 0 ]

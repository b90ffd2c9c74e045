#!/usr/bin/python3
"""Runs INSIDE the test container (its python3, standard library only). Prints one JSON line, exits 0 on success.
  records N TAG [LOGGER]  a stock logging.handlers.SocketHandler sends N records "TAG record i of N";
                          success when all N lines containing TAG are in CENTRAL_LOG
  restarts K TAG          a client opens a new connection per record while `systemctl restart loggingserver`
                          runs K times (1.2 s apart: under the start limit); success = 0 refused, 0 errors, 0 lost
  oversize                sends a 0xFFFFFFFF length prefix (beyond any record: the server logs LS-FRAME-LENGTH-INVALID
                          and closes); success when the server closed the connection
  toolarge TAG            one SocketHandler sends a 2 MiB record, then "TAG after" on the same connection; success
                          when the file has the placeholder for the big one and the record after it
  refused PORT            success when nothing listens on 127.0.0.1:PORT
  badconfig TAG           a client connects every 100 ms for 10 s, one record per connection, while
                          `systemctl restart loggingserver` runs once on the broken config the caller wrote;
                          success = the restart succeeded, 0 refused, 0 errors, 0 lost
  longlived K TAG [upgrade]  4 stock SocketHandler clients, each logging one numbered record per millisecond on
                          its one connection, while `systemctl restart loggingserver` runs K times (and then, with
                          `upgrade`, the .deb is reinstalled: postinst try-restarts the service); success when every
                          record of every client is in CENTRAL_LOG exactly once and no client reconnected"""
import json, logging, logging.handlers, os, re, socket, subprocess, sys, threading, time

HOST, PORT = "127.0.0.1", 9020
CLOG = os.environ.get("CENTRAL_LOG", "/var/log/loggingserver/loggingserver.log")


def landed(tag):
    try:
        with open(CLOG, errors="replace") as f:
            return sum(1 for line in f if tag in line)
    except FileNotFoundError:
        return 0


def wait_for(tag, want, secs=20):
    end = time.time() + secs
    while landed(tag) < want and time.time() < end:
        time.sleep(0.1)
    return landed(tag)


def records(n, tag, name="e2e.client"):
    lg = logging.getLogger(name)
    lg.setLevel(logging.DEBUG)
    lg.propagate = False
    h = logging.handlers.SocketHandler(HOST, PORT)
    lg.addHandler(h)
    for i in range(n):
        lg.info("%s record %d of %d", tag, i, n)
    h.close()
    got = wait_for(tag, n)
    return {"sent": n, "landed": got}, got == n


def restarts(k, tag):
    stop = threading.Event()
    st = {"ok": 0, "refused": 0, "other": 0}
    mk = logging.handlers.SocketHandler(HOST, PORT)

    def loop():
        i = 0
        while not stop.is_set():
            rec = logging.LogRecord("e2e.restart", logging.WARNING, __file__, 1, "%s %d", (tag, i), None)
            i += 1
            try:
                s = socket.create_connection((HOST, PORT), timeout=5)
                s.sendall(mk.makePickle(rec))
                s.close()
                st["ok"] += 1
            except ConnectionRefusedError:
                st["refused"] += 1
            except OSError as e:
                st["other"] += 1
                print("client error:", e, file=sys.stderr)
            time.sleep(0.001)

    t = threading.Thread(target=loop)
    t.start()
    times, failed = [], []
    for n in range(k):
        time.sleep(1.2)
        t0 = time.monotonic()
        if subprocess.run(["systemctl", "restart", "loggingserver"]).returncode:
            failed.append(n)
        times.append(round((time.monotonic() - t0) * 1000))
    time.sleep(1.0)
    stop.set()
    t.join()
    got = wait_for(tag, st["ok"])
    res = {"restarts": k, "restart_ms": times, "restart_failed": failed, "sent": st["ok"],
           "refused": st["refused"], "errors": st["other"], "landed": got}
    return res, not failed and st["refused"] == 0 and st["other"] == 0 and got == st["ok"] and st["ok"] > 0


def badconfig(tag):
    st = {"ok": 0, "refused": 0, "other": 0}
    mk = logging.handlers.SocketHandler(HOST, PORT)
    restart = {}

    def do_restart():
        time.sleep(0.5)
        t0 = time.monotonic()
        restart["rc"] = subprocess.run(["systemctl", "restart", "loggingserver"]).returncode
        restart["ms"] = round((time.monotonic() - t0) * 1000)

    t = threading.Thread(target=do_restart)
    t.start()
    end = time.monotonic() + 10
    i = 0
    while time.monotonic() < end:
        rec = logging.LogRecord("e2e.badconfig", logging.WARNING, __file__, 1, "%s %d", (tag, i), None)
        i += 1
        try:
            s = socket.create_connection((HOST, PORT), timeout=5)
            s.sendall(mk.makePickle(rec))
            s.close()
            st["ok"] += 1
        except ConnectionRefusedError:
            st["refused"] += 1
        except OSError as e:
            st["other"] += 1
            print("client error:", e, file=sys.stderr)
        time.sleep(0.1)
    t.join()
    got = wait_for(tag, st["ok"])
    res = {"restart_rc": restart.get("rc"), "restart_ms": restart.get("ms"), "sent": st["ok"],
           "refused": st["refused"], "errors": st["other"], "landed": got, "lost": st["ok"] - got}
    return res, restart.get("rc") == 0 and st["refused"] == 0 and st["other"] == 0 and got == st["ok"] and st["ok"] > 0


class TrackedHandler(logging.handlers.SocketHandler):
    """A stock SocketHandler that counts its connects and errors. When the server closes the connection,
    send() drops the record, closes the socket and the next emit connects again: without handleError()."""

    def __init__(self, host, port):
        super().__init__(host, port)
        self.connects = 0
        self.errors = 0

    def makeSocket(self, timeout=1):
        self.connects += 1
        return super().makeSocket(timeout)

    def handleError(self, record):
        self.errors += 1


def longlived(k, tag, upgrade=False, clients=4):
    stop = threading.Event()
    sent = [0] * clients
    handlers = [TrackedHandler(HOST, PORT) for _ in range(clients)]

    def run(cid):
        lg = logging.getLogger(f"e2e.ll{cid}")
        lg.setLevel(logging.DEBUG)
        lg.propagate = False
        lg.addHandler(handlers[cid])
        t0, i = time.monotonic(), 0
        while not stop.is_set():
            due = int((time.monotonic() - t0) * 1000)   # one record per millisecond, catching up after a stall
            while i < due and not stop.is_set():
                lg.info("%s c%d n%d", tag, cid, i)
                i += 1
            time.sleep(0.0005)
        sent[cid] = i

    threads = [threading.Thread(target=run, args=(cid,)) for cid in range(clients)]
    for t in threads:
        t.start()
    times, failed, upgrade_ms = [], [], None
    for n in range(k):
        time.sleep(2.0)
        t0 = time.monotonic()
        if subprocess.run(["systemctl", "restart", "loggingserver"]).returncode:
            failed.append(n)
        times.append(round((time.monotonic() - t0) * 1000))
    if upgrade:
        time.sleep(2.0)
        t0 = time.monotonic()
        r = subprocess.run("cd /root/e2e && apt-get install -y --reinstall ./loggingserver_*.deb", shell=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        upgrade_ms = round((time.monotonic() - t0) * 1000)
        if r.returncode:
            failed.append("upgrade")
    time.sleep(2.0)
    stop.set()
    for t in threads:
        t.join()
    for h in handlers:
        h.close()
    last, still = -1, 0
    for _ in range(600):   # until all landed, or nothing more lands for 5 s (records lost: no use waiting)
        got = landed(tag)
        if got >= sum(sent) or still >= 50:
            break
        still = still + 1 if got == last else 0
        last = got
        time.sleep(0.1)
    seen = [dict() for _ in range(clients)]
    pattern = re.compile(re.escape(tag) + r" c(\d+) n(\d+)$")
    with open(CLOG, errors="replace") as f:
        for line in f:
            m = pattern.search(line.rstrip("\n"))
            if m:
                c, i = int(m.group(1)), int(m.group(2))
                seen[c][i] = seen[c].get(i, 0) + 1
    lost = [sum(1 for i in range(sent[c]) if i not in seen[c]) for c in range(clients)]
    twice = [sum(n - 1 for n in seen[c].values() if n > 1) for c in range(clients)]
    res = {"clients": clients, "restarts": k, "restart_ms": times, "upgrade_ms": upgrade_ms, "failed": failed,
           "sent": sent, "lost": lost, "twice": twice, "connects": [h.connects for h in handlers],
           "errors": [h.errors for h in handlers]}
    good = (not failed and all(n > 0 for n in sent) and not any(lost) and not any(twice)
            and all(h.connects == 1 for h in handlers) and not any(h.errors for h in handlers))
    return res, good


def stopcloses(tag):
    """`systemctl stop` (not a restart): the server drains and closes the connection as before the hand-over
    existed (on a stop systemd would close its fd store), so the client sees its connection end."""
    h = logging.handlers.SocketHandler(HOST, PORT)
    s = socket.create_connection((HOST, PORT), timeout=5)
    s.sendall(h.makePickle(logging.LogRecord("e2e.stop", logging.INFO, __file__, 1, "%s before stop", (tag,), None)))
    landed_before = wait_for(tag + " before stop", 1)
    stopped = subprocess.run(["systemctl", "stop", "loggingserver"], stderr=subprocess.DEVNULL).returncode == 0
    s.settimeout(10)
    try:
        closed = s.recv(1) == b""
    except ConnectionResetError:
        closed = True
    except OSError:
        closed = False
    s.close()
    return {"landed_before": landed_before, "stopped": stopped, "closed": closed}, landed_before == 1 and stopped and closed


def oversize():
    s = socket.create_connection((HOST, PORT), timeout=5)
    s.sendall(b"\xff\xff\xff\xff")
    s.settimeout(5)
    closed = s.recv(1) == b""  # the server closes the connection
    s.close()
    return {"closed_by_server": closed}, closed


def toolarge(tag):
    h = logging.handlers.SocketHandler(HOST, PORT)
    lg = logging.getLogger("e2e.toolarge")
    lg.propagate = False
    lg.addHandler(h)
    lg.warning("too large", extra={"blob": "x" * (2 << 20)})
    lg.warning("%s after", tag)
    h.close()
    got = wait_for(tag + " after", 1)
    placeholder = wait_for("undecodable record from 127.0.0.1: FRAME_TOO_LARGE", 1)
    return {"after": got, "placeholder": placeholder}, got == 1 and placeholder >= 1


def refused(port):
    try:
        socket.create_connection((HOST, port), timeout=3).close()
    except ConnectionRefusedError:
        return {"port": port, "refused": True}, True
    return {"port": port, "refused": False}, False


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "records":
        result, good = records(int(args[0]), args[1], *args[2:3])
    elif cmd == "restarts":
        result, good = restarts(int(args[0]), args[1])
    elif cmd == "longlived":
        result, good = longlived(int(args[0]), args[1], upgrade=args[2:3] == ["upgrade"])
    elif cmd == "stopcloses":
        result, good = stopcloses(args[0])
    elif cmd == "oversize":
        result, good = oversize()
    elif cmd == "toolarge":
        result, good = toolarge(args[0])
    elif cmd == "badconfig":
        result, good = badconfig(args[0])
    elif cmd == "refused":
        result, good = refused(int(args[0]))
    else:
        sys.exit(f"unknown command {cmd}")
    print(json.dumps(result))
    sys.exit(0 if good else 1)

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
  refused PORT            success when nothing listens on 127.0.0.1:PORT"""
import json, logging, logging.handlers, os, socket, subprocess, sys, threading, time

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
    elif cmd == "oversize":
        result, good = oversize()
    elif cmd == "toolarge":
        result, good = toolarge(args[0])
    elif cmd == "refused":
        result, good = refused(int(args[0]))
    else:
        sys.exit(f"unknown command {cmd}")
    print(json.dumps(result))
    sys.exit(0 if good else 1)

#!/usr/bin/python3
"""The part of systemd's service manager the hand-over needs, for a test without a booted systemd: socket
activation (LISTEN_FDS, LISTEN_FDNAMES, LISTEN_PID), the notify socket (READY=1, FDSTORE=1 with FDNAME=,
FDSTOREREMOVE=1, BARRIER=1) and the fd store kept from one process to the next, as `systemctl restart` does.
It plays one restart under three raw connections, each caught in the middle of a frame at the SIGTERM:
  a: the first half of a record's body     b: two bytes of a length prefix
  c: part of a frame over log.max_frame_bytes (being read past)
then sends the rest of each stream on the same connections to the next process and reports, as JSON,
what the central file holds. usage: fake-systemd.py MAIN_JS CONFIG CENTRAL_FILE TAG [keep-store | many N]
keep-store: after the first process, ignore FDSTOREREMOVE and leave barriers unanswered, as if the next process
could not remove what it adopted: then a connection it closes must still end for the client (a shutdown, since
the store's copy keeps the socket open).
many N: instead, N connections, each two bytes into a record at the SIGTERM (more than one message of fds)."""
import array, json, logging, logging.handlers, os, re, signal, socket, subprocess, sys, tempfile, threading, time

MAIN_JS, CONFIG, CENTRAL, TAG = sys.argv[1:5]
KEEP_STORE = sys.argv[5:6] == ["keep-store"]
MANY = int(sys.argv[6]) if sys.argv[5:6] == ["many"] else 0
FDS_START = 3


class Manager:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="fake-systemd-")
        self.notify_path = os.path.join(self.dir, "notify")
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(self.notify_path)
        self.store = []          # (name, fd), as systemd's fd store
        self.messages = []
        self.ready = threading.Event()
        self.stored_max = 0
        self.deaf = False        # keep-store: FDSTOREREMOVE ignored, barriers never answered
        self.unanswered = []
        self.store_messages = []  # fds in each FDSTORE=1 message
        threading.Thread(target=self.receive, daemon=True).start()

    def receive(self):
        while True:
            msg, anc, _, _ = self.notify.recvmsg(4096, socket.CMSG_SPACE(253 * 4))
            fds = array.array("i")
            for level, kind, data in anc:
                if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                    fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
            fields = dict(line.split("=", 1) for line in msg.decode().split("\n") if "=" in line)
            self.messages.append(sorted(fields))
            if fields.get("FDSTORE") == "1":
                self.store_messages.append(len(fds))
                self.store += [(fields.get("FDNAME", "stored"), fd) for fd in fds]
                self.stored_max = max(self.stored_max, len(self.store))
                fds = []
            elif self.deaf and ("FDSTOREREMOVE" in fields or "BARRIER" in fields):
                self.unanswered += list(fds)
                fds = []
            elif fields.get("FDSTOREREMOVE") == "1":
                for name, fd in [e for e in self.store if e[0] == fields.get("FDNAME")]:
                    os.close(fd)
                    self.store.remove((name, fd))
            for fd in fds:       # BARRIER=1's pipe end among them: closing it answers the barrier
                os.close(fd)
            if fields.get("READY") == "1":
                self.ready.set()

    def start(self, named_fds):
        """Starts the server with `named_fds` at 3, 4, … as systemd passes them."""
        def place():
            high = [os.dup(fd) for _, fd in named_fds]     # out of the way of the targets first
            for i, fd in enumerate(high):
                os.dup2(fd, FDS_START + i)                 # dup2 clears close-on-exec
            os.environ["LISTEN_PID"] = str(os.getpid())    # the pid node will have: exec keeps it
            os.environ["LISTEN_FDS"] = str(len(named_fds))
            os.environ["LISTEN_FDNAMES"] = ":".join(name for name, _ in named_fds)
            os.environ["NOTIFY_SOCKET"] = self.notify_path
        self.ready.clear()
        child = subprocess.Popen(["node", MAIN_JS, "--config", CONFIG], preexec_fn=place, close_fds=False,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if not self.ready.wait(15):
            child.kill()
            sys.exit("no READY=1: " + child.stderr.read().decode(errors="replace"))
        return child


def frame(i, size=0):
    rec = logging.LogRecord("handover", logging.INFO, __file__, 1, "%s n%d%s", (TAG, i, "x" * size), None)
    return logging.handlers.SocketHandler(None, None).makePickle(rec)


def lines():
    try:
        with open(CENTRAL, errors="replace") as f:
            return [l for l in f if TAG in l or "FRAME_TOO_LARGE" in l]
    except FileNotFoundError:
        return []


def wait_lines(want, secs=5):
    end = time.time() + secs
    while len(lines()) < want and time.time() < end:
        time.sleep(0.05)


manager = Manager()
listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.bind(("127.0.0.1", 0))
listener.listen(64)
port = listener.getsockname()[1]
first = manager.start([("log", listener.fileno())])

if MANY:
    conns = [socket.create_connection(("127.0.0.1", port)) for _ in range(MANY)]
    frames = [frame(i) for i in range(MANY)]
    for s, f in zip(conns, frames):
        s.sendall(f[:2])
    time.sleep(1.0)
    first.send_signal(signal.SIGTERM)
    first_exit = first.wait(15)
    stored = len(manager.store)
    second = manager.start([("log", listener.fileno())] + manager.store)
    for s, f in zip(conns, frames):
        s.sendall(f[2:])
        s.close()
    wait_lines(MANY)
    second.send_signal(signal.SIGTERM)
    second_exit = second.wait(15)
    second_err = second.stderr.read().decode(errors="replace")
    got = lines()
    counts = [sum(1 for l in got if re.search(re.escape(TAG) + r" n%d$" % i, l.rstrip("\n"))) for i in range(MANY)]
    print(json.dumps({"first_exit": first_exit, "second_exit": second_exit, "stored": stored,
                      "store_messages": manager.store_messages, "left_in_store": len(manager.store),
                      "once": sum(1 for n in counts if n == 1), "lost": counts.count(0), "twice": sum(1 for n in counts if n > 1),
                      "adopted": [l for l in second_err.splitlines() if "[LS-HANDOVER" in l]}))
    sys.exit(0)

a, b, c = (socket.create_connection(("127.0.0.1", port)) for _ in range(3))
fa, fb, fc = frame(1), frame(2), frame(3, size=8000)   # fc is over log.max_frame_bytes (4096)
b.sendall(fb[:2])
c.sendall(fc[:3000])
a.sendall(frame(0) + fa[: len(fa) // 2])
wait_lines(1)       # record 0 written: a's chunk was read, and b's and c's, sent before it, almost surely too
time.sleep(0.5)     # (bytes not yet read would travel in the kernel's buffer instead: still no loss)
first.send_signal(signal.SIGTERM)
first_exit = first.wait(15)
first_err = first.stderr.read().decode(errors="replace")
stored = sorted(name for name, _ in manager.store)

manager.deaf = KEEP_STORE
second = manager.start([("log", listener.fileno())] + manager.store)
if KEEP_STORE:
    a.sendall(fa[len(fa) // 2:] + b"\0\0\0\0")   # a whole record, then a zero length: the server closes
    a.settimeout(10)
    try:
        closed = a.recv(1) == b""
    except ConnectionResetError:
        closed = True
    except OSError:
        closed = False
    second.send_signal(signal.SIGTERM)
    second_exit = second.wait(15)
    second_err = second.stderr.read().decode(errors="replace")
    wait_lines(2)
    print(json.dumps({"closed_for_client": closed, "left_in_store": len(manager.store), "second_exit": second_exit,
                      "record_1": sum(1 for l in lines() if re.search(re.escape(TAG) + r" n1$", l.rstrip("\n"))),
                      "adopted": [l for l in second_err.splitlines() if "[LS-HANDOVER" in l]}))
    sys.exit(0)
time.sleep(0.2)
left_in_store = len(manager.store)
a.sendall(fa[len(fa) // 2:] + frame(4))
b.sendall(fb[2:] + frame(5))
c.sendall(fc[3000:] + frame(6))
for s in (a, b, c):
    s.close()
wait_lines(6)
second.send_signal(signal.SIGTERM)
second_exit = second.wait(15)
second_err = second.stderr.read().decode(errors="replace")

got = lines()
counts = {i: sum(1 for l in got if re.search(re.escape(TAG) + r" n%d(x*)$" % i, l.rstrip("\n"))) for i in range(7)}
print(json.dumps({
    "first_exit": first_exit, "second_exit": second_exit, "stored": stored, "left_in_store": left_in_store,
    "counts": counts, "placeholders": sum(1 for l in got if "FRAME_TOO_LARGE" in l),
    "handover": [l for l in first_err.splitlines() if "[LS-HANDOVER" in l or "[LS-STOPPING]" in l],
    "adopted": [l for l in second_err.splitlines() if "[LS-HANDOVER" in l],
}))

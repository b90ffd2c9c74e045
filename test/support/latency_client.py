#!/usr/bin/env python3
"""Test client: how long logger.info takes in the application's thread while the log server is unreachable.

usage: latency_client.py stock|buffered [--seconds S] [--interval S]
"Unreachable" is the hard case, where connect() hangs rather than being refused: a loopback listener whose
accept queue is full (listen(0), filled with connections nobody accepts), so Linux drops the SYNs. Logs one
record every INTERVAL seconds for S seconds and prints JSON: {"calls", "p50_ms", "p99_ms", "max_ms"}.
"""
import argparse, json, logging, logging.handlers, os, socket, sys, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples"))
from loggingserver_handler import BufferingSocketHandler  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("handler", choices=["stock", "buffered"])
p.add_argument("--seconds", type=float, default=6.0)
p.add_argument("--interval", type=float, default=0.02)
a = p.parse_args()

listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(0)
port = listener.getsockname()[1]
held = []
# Fill the accept queue: connect until a connect no longer completes (bounded: the queue holds one or two).
for _ in range(16):
    s = socket.socket()
    s.settimeout(0.3)
    try:
        s.connect(("127.0.0.1", port))
    except socket.timeout:
        s.close()
        break
    held.append(s)
else:
    sys.exit("the accept queue never filled: connect() would not hang here")

if a.handler == "stock":
    handler = logging.handlers.SocketHandler("127.0.0.1", port)
else:
    handler = BufferingSocketHandler("127.0.0.1", port)
    handler.close_timeout = 0.2  # the server never answers; only emit() is measured
log = logging.getLogger("latency")
log.propagate = False
log.addHandler(handler)
log.setLevel(logging.INFO)

took = []
end = time.monotonic() + a.seconds
i = 0
while time.monotonic() < end:
    t0 = time.perf_counter()
    log.info("latency %d", i)
    took.append(time.perf_counter() - t0)
    i += 1
    time.sleep(a.interval)
handler.close()
took.sort()
pick = lambda q: took[min(len(took) - 1, int(q * len(took)))] * 1000
print(json.dumps({"calls": len(took), "p50_ms": pick(0.5), "p99_ms": pick(0.99), "max_ms": took[-1] * 1000}))

#!/usr/bin/env python3
"""Test client: logs "TAG <i>" at a steady rate through examples/loggingserver_handler.py.

usage: buffered_client.py PORT TAG --rate N --seconds S [--max-records N] [--close-timeout S] [--pause-after N]
--pause-after N: after N records, print "paused" and wait for a line on stdin before going on (so a test can
stop a server while this client is quiet); the S seconds count from the resumption.
Prints one JSON line at the end: {"sent": n, "dropped": d} (d is the handler's `dropped` attribute).
The handler's own stderr lines pass through to this process's stderr, where the test reads them.
"""
import argparse, json, logging, os, sys, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples"))
from loggingserver_handler import BufferingSocketHandler  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("port", type=int)
p.add_argument("tag")
p.add_argument("--rate", type=float, default=1000)
p.add_argument("--seconds", type=float, required=True)
p.add_argument("--max-records", type=int, default=100_000)
p.add_argument("--close-timeout", type=float, default=30.0)
p.add_argument("--pause-after", type=int, default=0)
a = p.parse_args()

handler = BufferingSocketHandler("127.0.0.1", a.port, max_records=a.max_records)
handler.close_timeout = a.close_timeout
failures = []
handler.handleError = lambda record: failures.append(record)
log = logging.getLogger("buffered." + a.tag)
log.propagate = False
log.addHandler(handler)
log.setLevel(logging.INFO)

sent = 0
if a.pause_after:
    for sent in range(a.pause_after):
        log.info("%s %d", a.tag, sent)
        time.sleep(1 / a.rate)
    sent = a.pause_after
    print("paused", flush=True)
    sys.stdin.readline()
start = time.monotonic()
base = sent
# Paced against the clock, not by sleeping a fixed step: a late wake-up is made up, so the rate holds.
while time.monotonic() - start < a.seconds:
    due = base + int((time.monotonic() - start) * a.rate)
    while sent < due:
        log.info("%s %d", a.tag, sent)
        sent += 1
    time.sleep(0.001)
handler.close()
print(json.dumps({"sent": sent, "dropped": handler.dropped}))
if failures:
    sys.exit("%d records failed in emit" % len(failures))

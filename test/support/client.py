#!/usr/bin/env python3
"""Test client: sends records through CPython's own logging.handlers.SocketHandler.

usage: client.py PORT COUNT TAG [--host H] [--exc-every N] [--pause-every N --pause S]
Each record's message is "TAG <i>" (i from 0). Exits 0 once every record was handed to the socket.
"""
import argparse, logging, logging.handlers, sys, time

p = argparse.ArgumentParser()
p.add_argument("port", type=int)
p.add_argument("count", type=int)
p.add_argument("tag")
p.add_argument("--host", default="127.0.0.1")
p.add_argument("--exc-every", type=int, default=0)
p.add_argument("--level", default="INFO")
p.add_argument("--pause-every", type=int, default=0)
p.add_argument("--pause", type=float, default=0.0)
a = p.parse_args()

handler = logging.handlers.SocketHandler(a.host, a.port)
failures = []
handler.handleError = lambda record: failures.append(record)  # a dropped record must fail the test
log = logging.getLogger("client." + a.tag)
log.propagate = False
log.addHandler(handler)
log.setLevel(logging.DEBUG)
level = getattr(logging, a.level)
for i in range(a.count):
    if a.exc_every and i % a.exc_every == 0:
        try:
            raise ValueError("boom %d" % i)
        except ValueError:
            log.exception("%s %d", a.tag, i)
    else:
        log.log(level, "%s %d", a.tag, i)
    if a.pause_every and i % a.pause_every == a.pause_every - 1:
        time.sleep(a.pause)
handler.close()
if failures:
    sys.exit("%d records failed to send" % len(failures))

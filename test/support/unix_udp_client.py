#!/usr/bin/env python3
"""Test client: sends records through CPython's own SocketHandler(path, None) or DatagramHandler.

usage: unix_udp_client.py unix PATH COUNT TAG [--exc-every N]
       unix_udp_client.py udp HOST:PORT COUNT TAG [--source ADDR] [--exc-every N]
Each record's message is "TAG <i>" (i from 0). UDP sends pause 20 ms every 20 records, so that a loaded test
machine's receive buffer is never the reason a record is missing. Exits 0 once every record was handed over.
"""
import argparse, logging, logging.handlers, socket, sys, time

p = argparse.ArgumentParser()
p.add_argument("mode", choices=["unix", "udp"])
p.add_argument("target")
p.add_argument("count", type=int)
p.add_argument("tag")
p.add_argument("--source", default=None)
p.add_argument("--exc-every", type=int, default=0)
a = p.parse_args()


class SourceDatagramHandler(logging.handlers.DatagramHandler):
    """DatagramHandler whose socket is bound to --source first (log.allow tests)."""

    def makeSocket(self):
        s = super().makeSocket()
        if a.source:
            s.bind((a.source, 0))
        return s


if a.mode == "unix":
    handler = logging.handlers.SocketHandler(a.target, None)
else:
    host, port = a.target.rsplit(":", 1)
    handler = SourceDatagramHandler(host, int(port))
failures = []
handler.handleError = lambda record: failures.append(record)  # a record that could not be sent fails the test
log = logging.getLogger("client." + a.tag)
log.propagate = False
log.addHandler(handler)
log.setLevel(logging.DEBUG)
for i in range(a.count):
    if a.exc_every and i % a.exc_every == 0:
        try:
            raise ValueError("boom %d" % i)
        except ValueError:
            log.exception("%s %d", a.tag, i)
    else:
        log.info("%s %d", a.tag, i)
    if a.mode == "udp" and i % 20 == 19:
        time.sleep(0.02)
handler.close()
if failures:
    sys.exit("%d records failed to send" % len(failures))

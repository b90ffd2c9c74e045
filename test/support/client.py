#!/usr/bin/env python3
"""Test client: sends records through CPython's own logging.handlers.SocketHandler.

usage: client.py PORT COUNT TAG [--host H] [--exc-every N] [--pause-every N --pause S]
Each record's message is "TAG <i>" (i from 0). Exits 0 once every record was handed to the socket.
"""
import argparse, logging, logging.handlers, sys, time


def send_records(handler, tag, count, exc_every=0, level=logging.INFO, pause_every=0, pause=0.0):
    """Logs "TAG <i>" for i in range(count) through `handler` (a traceback every `exc_every`, a sleep of `pause`
    every `pause_every`), closes it, and exits non-zero if the handler failed to send any record."""
    failures = []
    handler.handleError = lambda record: failures.append(record)  # a dropped record must fail the test
    log = logging.getLogger("client." + tag)
    log.propagate = False
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    for i in range(count):
        if exc_every and i % exc_every == 0:
            try:
                raise ValueError("boom %d" % i)
            except ValueError:
                log.exception("%s %d", tag, i)
        else:
            log.log(level, "%s %d", tag, i)
        if pause_every and i % pause_every == pause_every - 1:
            time.sleep(pause)
    handler.close()
    if failures:
        sys.exit("%d records failed to send" % len(failures))


if __name__ == "__main__":
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
    send_records(logging.handlers.SocketHandler(a.host, a.port), a.tag, a.count, a.exc_every, getattr(logging, a.level), a.pause_every, a.pause)

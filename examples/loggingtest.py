#!/usr/bin/env python3
"""Sends a stream of varied log records to a loggingserver through logging.handlers.SocketHandler.

usage: python3 examples/loggingtest.py MODULE_NAME [HOST] [PORT] [--count N] [--handler stock|buffered]

Logs at every level with varied messages and short random pauses, now and then an exception with its
traceback, until Ctrl-C (or N records). Standard library only: copy it to any machine with Python 3
(with loggingserver_handler.py beside it for --handler buffered).

--handler buffered uses BufferingSocketHandler (loggingserver_handler.py) instead of the stock
SocketHandler: stop the server for a while and start it again, and nothing is missing from the file.
"""
import argparse
import logging
import logging.handlers
import os
import random
import sys
import time

MESSAGES = [
    "user %(user)s logged in from %(ip)s",
    "cache miss for key %(key)s",
    "request took %(ms)d ms",
    "queue length is %(n)d",
    "retrying connection to %(ip)s (attempt %(n)d)",
    "disk usage at %(pct)d%%",
    "configuration reloaded",
    "unicode works too: café, Ünïcödé, 日本語, 🚀",
]
LEVELS = [logging.DEBUG, logging.INFO, logging.INFO, logging.INFO, logging.WARNING, logging.ERROR, logging.CRITICAL]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module", help="logger name to log under, e.g. billing.worker")
    parser.add_argument("host", nargs="?", default="localhost")
    parser.add_argument("port", nargs="?", type=int, default=logging.handlers.DEFAULT_TCP_LOGGING_PORT)
    parser.add_argument("--count", type=int, default=0, help="stop after N records (default: until Ctrl-C)")
    parser.add_argument("--handler", choices=["stock", "buffered"], default="stock",
                        help="stock: logging.handlers.SocketHandler (default); buffered: BufferingSocketHandler, "
                             "which keeps records while the server is down")
    args = parser.parse_args()

    if args.handler == "buffered":
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from loggingserver_handler import BufferingSocketHandler
        handler = BufferingSocketHandler(args.host, args.port)
    else:
        handler = logging.handlers.SocketHandler(args.host, args.port)
    log = logging.getLogger(args.module)
    log.setLevel(logging.DEBUG)
    log.addHandler(handler)
    sent = 0
    try:
        while not args.count or sent < args.count:
            values = {"user": random.choice(["alice", "bob", "carol"]), "ip": "10.0.0.%d" % random.randint(1, 254),
                      "key": "k%04d" % random.randint(0, 9999), "ms": random.randint(1, 900),
                      "n": random.randint(0, 50), "pct": random.randint(40, 99)}
            if random.random() < 0.05:
                try:
                    {}[values["key"]]
                except KeyError:
                    log.exception("lookup failed for %s", values["key"])
            else:
                log.log(random.choice(LEVELS), random.choice(MESSAGES), values)
            sent += 1
            time.sleep(random.uniform(0.01, 0.5))
    except KeyboardInterrupt:
        pass
    finally:
        logging.shutdown()
        print("\n%s: sent %d records to %s:%d" % (args.module, sent, args.host, args.port))


if __name__ == "__main__":
    main()

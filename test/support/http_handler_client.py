"""Sends records with CPython's own logging.handlers.HTTPHandler (and examples/http_handler.py) for the tests.

usage: http_handler_client.py HOST:PORT PATH METHOD KIND [USER PASSWORD]
KIND: stock (the standard handler) or example (LoggingServerHTTPHandler). Prints one JSON line per record
as the client saw it (getMessage(), levelno, levelname, created, lineno, process), for the test to compare.
"""
import datetime
import decimal
import json
import logging
import logging.handlers
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "examples"))
from http_handler import LoggingServerHTTPHandler  # noqa: E402

host, path, method, kind = sys.argv[1:5]
creds = tuple(sys.argv[5:7]) if len(sys.argv) > 6 else None
cls = LoggingServerHTTPHandler if kind == "example" else logging.handlers.HTTPHandler
handler = cls(host, path, method=method, credentials=creds)
seen = []


class Capture(logging.Filter):
    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:
            message = None
        seen.append({"message": message, "levelno": record.levelno, "levelname": record.levelname,
                     "created": record.created, "lineno": record.lineno, "process": record.process})
        return True


handler.addFilter(Capture())
log = logging.getLogger(f"http.{kind}.{method.lower()}")
log.propagate = False
log.addHandler(handler)
log.setLevel(1)

log.debug("debug %s", method)
log.warning("user %s on %s owes %s, %d%% done", "alice", datetime.date(2024, 1, 2), decimal.Decimal("1.50"), 5)
log.log(25, "custom level %r", {"k": [1, 2.5, None]})
log.info("mismatch %d", "x")
log.info("unreadable %s", object())
try:
    1 / 0
except ZeroDivisionError:
    log.exception("failed in %s", kind)
log.critical("multi\nline with tab\tand quote ' and é")
log.info("with a stack", stack_info=True)
for record in seen:
    print(json.dumps(record))

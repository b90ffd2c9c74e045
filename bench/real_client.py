#!/usr/bin/env python3
"""A genuine client: the records of record_mix.py through CPython's own logging.handlers.SocketHandler.

usage: real_client.py PORT START COUNT
Exits 0 once every record was handed to the socket; a record the handler could not send fails the run.
"""
import logging
import logging.handlers
import sys

import record_mix

port, start, count = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
handler = logging.handlers.SocketHandler("127.0.0.1", port)
failures = []
handler.handleError = lambda record: failures.append(record)

record_mix.log_records(record_mix.loggers_to(handler), start, count)
handler.close()
if failures:
    sys.exit("%d records failed to send" % len(failures))

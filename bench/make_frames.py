#!/usr/bin/env python3
"""Writes COUNT genuine SocketHandler frames (length prefix + pickle) to stdout, made by CPython's own
SocketHandler.makePickle from the records of record_mix.py: what SocketHandler.emit would have sent.

usage: make_frames.py START COUNT
"""
import logging
import logging.handlers
import sys

import record_mix


class FrameWriter(logging.handlers.SocketHandler):
    """SocketHandler whose send goes to a file: emit() is CPython's own (makePickle formats exc_text)."""

    def __init__(self, out):
        super().__init__("127.0.0.1", 1)
        self.out = out

    def send(self, s):
        self.out.write(s)


start, count = int(sys.argv[1]), int(sys.argv[2])
writer = FrameWriter(sys.stdout.buffer)
writer.handleError = lambda record: sys.exit("makePickle failed")

record_mix.log_records(record_mix.loggers_to(writer), start, count)
sys.stdout.buffer.flush()

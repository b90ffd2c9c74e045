#!/usr/bin/env python3
"""Recipe: QueueHandler + QueueListener, so the application's threads never wait on the log host.

The explicit form works on Python 3.2 and later (tested here with 3.11). Every logger call only puts the
record on a queue; the listener's thread does SocketHandler's connect and send. Note that SocketHandler
still drops what arrives while the server is unreachable: BufferingSocketHandler (loggingserver_handler.py)
also keeps those. LOGHOST and LOGPORT (environment) override the log host.
"""
import logging
import logging.handlers
import os
import queue


def main():
    records = queue.SimpleQueue()
    loghost = logging.handlers.SocketHandler(os.environ.get("LOGHOST", "loghost"), int(os.environ.get("LOGPORT", "9020")))
    listener = logging.handlers.QueueListener(records, loghost, respect_handler_level=True)
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    root.addHandler(logging.handlers.QueueHandler(records))
    listener.start()
    try:
        log = logging.getLogger("billing")
        for i in range(3):
            log.info("hello from queue listener %d", i)
    finally:
        # Stop the listener before logging.shutdown(): stop() sends what is queued, then closes nothing,
        # so close the SocketHandler afterwards.
        listener.stop()
        loghost.close()


if __name__ == "__main__":
    main()

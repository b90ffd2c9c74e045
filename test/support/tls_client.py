#!/usr/bin/env python3
"""Test client: sends records through examples/tls_socket_handler.py's TLSSocketHandler (or, with --plain,
CPython's own SocketHandler), optionally from a chosen source address.

usage: tls_client.py PORT COUNT TAG [--ca CA] [--cert C --key K] [--plain] [--source IP] [--host H] [--abrupt]
Each record's message is "TAG <i>" (i from 0). Exits 0 once every record was handed to the handler;
SocketHandler drops records it cannot send without a word, so tests count what reached the file.
"""
import argparse, logging, logging.handlers, os, socket, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples"))
from tls_socket_handler import TLSSocketHandler  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("port", type=int)
p.add_argument("count", type=int)
p.add_argument("tag")
p.add_argument("--host", default="127.0.0.1")
p.add_argument("--ca")
p.add_argument("--cert")
p.add_argument("--key")
p.add_argument("--plain", action="store_true")
p.add_argument("--source", help="local address to connect from, e.g. 127.0.0.2")
p.add_argument("--abrupt", action="store_true", help="close as SocketHandler does (no close_notify), as most TLS clients would")
a = p.parse_args()


class FromSource(logging.handlers.SocketHandler):
    """Connects from --source: TLSSocketHandler.makeSocket wraps what this returns."""

    def makeSocket(self, timeout=1):
        if a.source is None:
            return super().makeSocket(timeout)
        return socket.create_connection(self.address, timeout=timeout, source_address=(a.source, 0))


class TLSFromSource(TLSSocketHandler, FromSource):
    pass


if a.plain:
    handler = FromSource(a.host, a.port)
else:
    handler = TLSFromSource(a.host, a.port, cafile=a.ca, certfile=a.cert, keyfile=a.key)
log = logging.getLogger("client." + a.tag)
log.propagate = False
log.addHandler(handler)
log.setLevel(logging.DEBUG)
for i in range(a.count):
    log.info("%s %d", a.tag, i)
if a.abrupt:
    logging.handlers.SocketHandler.close(handler)
else:
    handler.close()

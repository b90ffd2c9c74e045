#!/usr/bin/env python3
"""The receiver of the Python logging cookbook ("Sending and receiving logging events across a network"),
as published (listen backlog aside, see request_queue_size), writing to a file: socketserver.ThreadingTCPServer, a StreamRequestHandler per connection,
pickle.loads, logging.makeLogRecord, and the local logging policy (here one FileHandler on the root logger).

usage: cookbook_receiver.py PORT FILE [--recv4]
  default  reads with self.rfile.read(n), which waits for n bytes: the robust form of the recipe;
  --recv4  the recipe's own loop, a bare self.connection.recv(4) for the length: a short read ends the
           connection and loses what the peer sent after it.
Prints "listening PORT" once it accepts connections; runs until killed.
"""
import logging
import logging.handlers
import pickle
import select
import socketserver
import struct
import sys


class LogRecordStreamHandler(socketserver.StreamRequestHandler):
    """Handler for a streaming logging request, as in the cookbook."""

    def handle(self):
        while True:
            chunk = self.rfile.read(4)
            if len(chunk) < 4:
                break
            slen = struct.unpack(">L", chunk)[0]
            chunk = self.rfile.read(slen)
            if len(chunk) < slen:
                break
            obj = self.unPickle(chunk)
            record = logging.makeLogRecord(obj)
            self.handleLogRecord(record)

    def unPickle(self, data):
        return pickle.loads(data)

    def handleLogRecord(self, record):
        if self.server.logname is not None:
            name = self.server.logname
        else:
            name = record.name
        logger = logging.getLogger(name)
        # As the cookbook says: every record gets logged; Logger.handle does no level filtering.
        logger.handle(record)


class PublishedRecvHandler(LogRecordStreamHandler):
    """The cookbook's handle() word for word: recv(4) may return fewer than 4 bytes, which ends the loop."""

    def handle(self):
        while True:
            chunk = self.connection.recv(4)
            if len(chunk) < 4:
                break
            slen = struct.unpack(">L", chunk)[0]
            chunk = self.connection.recv(slen)
            while len(chunk) < slen:
                chunk = chunk + self.connection.recv(slen - len(chunk))
            obj = self.unPickle(chunk)
            record = logging.makeLogRecord(obj)
            self.handleLogRecord(record)


class LogRecordSocketReceiver(socketserver.ThreadingTCPServer):
    """Simple TCP socket-based logging receiver, as in the cookbook."""

    allow_reuse_address = True
    # The one change to the recipe: socketserver's default listen backlog is 5. When the bench's 32
    # connections arrive at once, the kernel's accept queue overflows and resets whole connections before
    # the receiver reads a byte, which would measure the bench's connect burst, not the receiver. 128 is
    # about what asyncio (100) and Node (511) ask for.
    request_queue_size = 128

    def __init__(self, host, port, handler):
        socketserver.ThreadingTCPServer.__init__(self, (host, port), handler)
        self.abort = 0
        self.timeout = 1
        self.logname = None

    def serve_until_stopped(self):
        abort = 0
        while not abort:
            rd, wr, ex = select.select([self.socket.fileno()], [], [], self.timeout)
            if rd:
                self.handle_request()
            abort = self.abort


def main():
    port, path = int(sys.argv[1]), sys.argv[2]
    handler = PublishedRecvHandler if "--recv4" in sys.argv[3:] else LogRecordStreamHandler
    # The original server's layout, through a plain FileHandler (which flushes after every record).
    logging.basicConfig(filename=path, encoding="utf-8",
                        format="%(asctime)s %(name)-12s %(levelname)-8s %(message)s")
    tcpserver = LogRecordSocketReceiver("127.0.0.1", port, handler)
    print("listening %d" % tcpserver.server_address[1], flush=True)
    tcpserver.serve_until_stopped()


if __name__ == "__main__":
    main()

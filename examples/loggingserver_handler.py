"""A SocketHandler for loggingserver that never blocks the application and keeps records through outages.

Standard library only, Python 3.8 or later: copy this file into your project. Usage:

    from loggingserver_handler import BufferingSocketHandler
    logging.getLogger().addHandler(BufferingSocketHandler("loghost", 9020))

Same wire format as logging.handlers.SocketHandler (makePickle frames), so any loggingserver accepts it.
What it adds, and why (the stock handler's sharp edges):
- emit() only pickles the record and appends it to a buffer; a background thread does connect and send.
  Stock SocketHandler connects and sends in the caller's thread, blocking it for up to 1 s per record
  while a connect hangs.
- While the server is unreachable, records wait in a bounded buffer (max_records, max_bytes) and go out in
  order once it is back. Stock SocketHandler drops every record of an outage silently.
- What the bound forced it to drop is counted (the `dropped` attribute) and reported in one stderr line
  once the buffer has caught up again, so a gap in the central file is never a mystery.
- Before each send it checks whether the server has closed the connection: TCP accepts a write into a
  connection the peer has already closed, and the peer's reset then destroys it without an error here.
- close() and interpreter exit flush what is buffered, for at most `close_timeout` seconds.
"""
import atexit
import collections
import logging
import logging.handlers
import select
import socket
import sys
import threading
import time

try:
    import ssl
except ImportError:  # a Python built without OpenSSL: plain TCP still works
    ssl = None

__all__ = ["BufferingSocketHandler"]


class BufferingSocketHandler(logging.handlers.SocketHandler):
    # Seconds close() (and interpreter exit) waits for the buffer to go out before giving up on it.
    close_timeout = 5.0
    # A connection whose sendall makes no progress for this long is given up and the record resent on a new
    # one; long, because a busy server pauses reading on purpose (backpressure) and that is no failure.
    send_timeout = 30.0

    def __init__(self, host, port, *, max_records=100_000, max_bytes=64 * 2**20, ssl_context=None):
        if port is None:
            raise ValueError("BufferingSocketHandler needs a TCP port (Unix sockets are not supported)")
        if max_records < 1 or max_bytes < 1:
            raise ValueError("max_records and max_bytes must be positive, got %r and %r" % (max_records, max_bytes))
        super().__init__(host, port)
        self.max_records = max_records
        self.max_bytes = max_bytes
        self.ssl_context = ssl_context
        # Retry a lost server sooner than SocketHandler's 1..30 s: the buffer fills while we wait, and a log
        # host back from an upgrade should be fed within seconds.
        self.retryStart = 0.25
        self.retryMax = 5.0
        self.dropped = 0  # records lost to the bound since the handler was created
        self._unreported = 0  # of those, how many stderr has not been told about yet
        self._buffer = collections.deque()  # pickled frames, oldest first
        self._buffered_bytes = 0
        self._wake = threading.Condition(threading.Lock())
        self._closing = False
        self._deadline = None
        self._sender = threading.Thread(target=self._send_loop, name="BufferingSocketHandler", daemon=True)
        self._sender.start()
        # The sender is a daemon thread (a non-daemon one would hold the interpreter's exit for as long as the
        # server is down), so exit must flush explicitly. Registered after logging's own atexit hook, so it
        # runs first (atexit is last-in, first-out) and logging.shutdown()'s close() then finds nothing to do.
        atexit.register(self.close)

    # -- the application's side: never waits on the network -------------------------------------------

    def emit(self, record):
        try:
            # Pickle now, in the caller's thread: the record's args may change once emit() returns, and the
            # frame's size is what the byte bound counts.
            frame = self.makePickle(record)
        except Exception:
            self.handleError(record)
            return
        with self._wake:
            if self._closing:
                self._count_drop()
                return
            if len(self._buffer) >= self.max_records or self._buffered_bytes + len(frame) > self.max_bytes:
                # Drop the newest: what is buffered stays one unbroken run, and the records that show how the
                # outage began are kept.
                self._count_drop()
                return
            self._buffer.append(frame)
            self._buffered_bytes += len(frame)
            self._wake.notify()

    def close(self):
        with self._wake:
            if self._closing:
                return
            self._closing = True
            self._deadline = time.monotonic() + self.close_timeout
            self.retryTime = None  # try the server once more at once, whatever the backoff had reached
            self._wake.notify()
        self._sender.join(self.close_timeout + 1.0)
        with self._wake:
            left, unreported = len(self._buffer), self._unreported
            self.dropped += left  # lost as surely as the records the bound turned away
            self._buffer.clear()
            self._unreported = 0
        if left or unreported:
            self._report("%d records still unsent after %.1f s at close, %d dropped by the buffer bound"
                         % (left, self.close_timeout, unreported))
        try:
            atexit.unregister(self.close)
        except Exception:
            pass  # interpreter shutting down
        logging.Handler.close(self)  # not SocketHandler's: the socket belongs to the sender thread

    def flush(self):
        """Does not wait: flushing would block the caller on the network. close() flushes."""

    # -- the sender thread: owns self.sock --------------------------------------------------------------

    def _send_loop(self):
        while True:
            with self._wake:
                while not self._buffer and not self._closing:
                    self._wake.wait()
                if not self._buffer or self._past_deadline():
                    break
                frame = self._buffer[0]
            if not self._connected():
                self._sleep_before_retry()
                continue
            try:
                self.sock.sendall(frame)
            except OSError:
                # The frame stays first in the buffer and goes out whole on the next connection. Bytes of it
                # that reached this one end in a cut-off frame, which the server discards: no duplicate.
                self._drop_connection()
                continue
            with self._wake:
                if not self._buffer or self._buffer[0] is not frame:
                    break  # close() gave up waiting for this send and has already counted the buffer lost
                self._buffer.popleft()
                self._buffered_bytes -= len(frame)
                recovered, total = (self._unreported, self.dropped) if not self._buffer else (0, 0)
                if recovered:
                    self._unreported = 0
            if recovered:
                self._report("dropped %d records while %s:%s was unreachable (buffer bound: max_records=%d, "
                             "max_bytes=%d); %d dropped in total" % (recovered, self.host, self.port,
                                                                     self.max_records, self.max_bytes, total))
        self._drop_connection()

    def _connected(self):
        """True with a usable connection: the current one if the server has not closed it, else a new one."""
        if self.sock is not None and self._peer_closed(self.sock):
            self._drop_connection()
        if self.sock is not None:
            return True
        if self.retryTime is not None and time.monotonic() < self.retryTime:
            return False
        try:
            sock = self.makeSocket(timeout=self._connect_timeout())
            if self.ssl_context is not None:
                sock = self.ssl_context.wrap_socket(sock, server_hostname=self.host)
            sock.settimeout(self.send_timeout)
        except OSError:
            # Back off as SocketHandler does (retryStart, retryFactor, retryMax), counted on the monotonic clock.
            self.retryPeriod = self.retryStart if self.retryTime is None else min(self.retryPeriod * self.retryFactor, self.retryMax)
            self.retryTime = time.monotonic() + self.retryPeriod
            return False
        self.sock = sock
        self.retryTime = None
        return True

    @staticmethod
    def _peer_closed(sock):
        """The server never writes on the log port, so the socket turns readable only when the server has
        closed (FIN: recv gives b''), reset it, or sent a TLS close_notify. A frame sent after that would be
        accepted by TCP here and then destroyed by the peer's reset, so the caller reconnects first."""
        if hasattr(select, "poll"):
            poller = select.poll()  # not select(): it fails on descriptors above 1023
            poller.register(sock, select.POLLIN)
            readable = bool(poller.poll(0))
        else:
            readable = bool(select.select([sock], [], [], 0)[0])
        if not readable:
            return False
        if hasattr(sock, "getpeercert"):
            # TLS: readable may only mean session tickets (TLS 1.3 sends them after the handshake). Reading
            # consumes them; the server never sends data, so b'' (close_notify or FIN) or an error means closed.
            previous = sock.gettimeout()
            sock.setblocking(False)
            try:
                return sock.recv(1) == b""
            except ssl.SSLWantReadError:
                return False
            except (ssl.SSLError, OSError):
                return True
            finally:
                sock.settimeout(previous)
        try:
            return sock.recv(1, socket.MSG_PEEK) == b""  # readable, so this does not block
        except OSError:
            return True

    def _drop_connection(self):
        if self.sock is not None:
            if hasattr(self.sock, "unwrap"):
                # Goodbye both ways (close_notify) first: closing with unread TLS data (TLS 1.3 session tickets)
                # makes the kernel reset the connection, destroying the last records still on their way.
                try:
                    self.sock.settimeout(1.0)
                    self.sock.unwrap()
                except (OSError, ValueError):
                    pass
            try:
                self.sock.close()
            except OSError:
                pass
            self.sock = None

    def _connect_timeout(self):
        if self._deadline is None:
            return 1.0
        return max(0.05, min(1.0, self._deadline - time.monotonic()))

    def _past_deadline(self):
        return self._deadline is not None and time.monotonic() >= self._deadline

    def _sleep_before_retry(self):
        with self._wake:
            # Woken early only by close(), so the flush at exit starts at once.
            wait = self.retryTime - time.monotonic() if self.retryTime is not None else 0.0
            if self._deadline is not None:
                wait = min(wait, self._deadline - time.monotonic())
            if wait > 0 and not self._past_deadline():
                self._wake.wait(wait)

    def _count_drop(self):
        self.dropped += 1
        self._unreported += 1

    @staticmethod
    def _report(message):
        try:
            sys.stderr.write("loggingserver_handler: %s\n" % message)
            sys.stderr.flush()
        except Exception:
            pass  # no stderr (a daemon, or interpreter exit): the counter still says it

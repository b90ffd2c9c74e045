"""logging.handlers.SocketHandler over TLS, for loggingserver's TLS port (log.tls, 9022 by default).

Standard library only (Python 3.8+): copy this file beside your application and use it as SocketHandler:

    from tls_socket_handler import TLSSocketHandler
    handler = TLSSocketHandler("logs.example.com", 9022, cafile="/etc/ssl/loggingserver-ca.crt",
                               certfile="client.crt", keyfile="client.key")  # client cert: only if required
    logging.getLogger().addHandler(handler)

Or try it from a shell:  python3 tls_socket_handler.py HOST [PORT] --ca CA.crt [--cert C --key K]
"""
import logging
import logging.handlers
import ssl


class TLSSocketHandler(logging.handlers.SocketHandler):
    """Sends the same pickled records as SocketHandler, inside a TLS connection.

    cafile verifies the server's certificate (None: the system's trusted CAs); the server's name or IP
    address must be in that certificate (server_hostname, default: host). certfile/keyfile present a client
    certificate, for servers with log.tls.require_client_cert.
    """

    def __init__(self, host, port=9022, cafile=None, certfile=None, keyfile=None, server_hostname=None):
        super().__init__(host, port)
        # create_default_context: certificate and host name checked, TLS 1.2 at least.
        self.context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=cafile)
        if certfile:
            self.context.load_cert_chain(certfile, keyfile)
        self.server_hostname = server_hostname or host

    def makeSocket(self, timeout=1):
        # SocketHandler connects here (and again after a failure); wrapping makes the handshake part of the
        # connect, so a refused handshake is retried later exactly like a refused connection.
        sock = super().makeSocket(timeout)
        try:
            return self.context.wrap_socket(sock, server_hostname=self.server_hostname)
        except BaseException:
            sock.close()
            raise

    def close(self):
        # Say goodbye both ways (close_notify) before closing: a TLS 1.3 server sends data after the handshake
        # (session tickets) that SocketHandler never reads, and closing a socket with unread data makes the
        # kernel reset the connection, which discards the last records still on their way to the server.
        self.acquire()
        try:
            sock, self.sock = self.sock, None
        finally:
            self.release()
        if sock is not None:
            try:
                sock.unwrap()  # bounded by the connect timeout makeSocket set (1 s)
            except (OSError, ValueError):
                pass
            sock.close()
        super().close()


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="send one record to a loggingserver TLS port")
    parser.add_argument("host")
    parser.add_argument("port", nargs="?", type=int, default=9022)
    parser.add_argument("--ca", help="CA certificate that signed the server's (default: the system's)")
    parser.add_argument("--cert", help="client certificate (PEM), if the server requires one")
    parser.add_argument("--key", help="client key (PEM), if not inside --cert")
    args = parser.parse_args()
    log = logging.getLogger("tls_socket_handler")
    log.setLevel(logging.INFO)
    handler = TLSSocketHandler(args.host, args.port, cafile=args.ca, certfile=args.cert, keyfile=args.key)
    log.addHandler(handler)
    log.info("hello over TLS")
    handler.close()

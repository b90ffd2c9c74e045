"""logging.handlers.HTTPHandler that sends what loggingserver needs: the merged message and the traceback.

Standard library only (Python 3.8+): copy this file beside your application and use it as HTTPHandler:

    from http_handler import LoggingServerHTTPHandler
    handler = LoggingServerHTTPHandler("loghost:9021", "/log", credentials=("app1", "secret"))
    logging.getLogger().addHandler(handler)

The stock HTTPHandler sends record.__dict__ as it is: msg unmerged, args as a repr the server must read
back, and exc_info as a repr with no traceback (only a Formatter fills exc_text). This subclass sends
msg already merged (record.getMessage()) and the formatted traceback in exc_text, the way SocketHandler does.
Use method="POST" (the default here): a GET puts the whole record in the URL, which servers cut at a few KiB.
Credentials travel in every request: off localhost use secure=True with TLS in front of the server.

Or try it from a shell:  python3 http_handler.py HOST:PORT [PATH] [USER PASSWORD]
"""
import logging
import logging.handlers

_FORMATTER = logging.Formatter()


class LoggingServerHTTPHandler(logging.handlers.HTTPHandler):
    def __init__(self, host, url="/log", method="POST", secure=False, credentials=None, context=None):
        super().__init__(host, url, method=method, secure=secure, credentials=credentials, context=context)

    def mapLogRecord(self, record):
        # A copy: other handlers share this record and must see it unchanged.
        fields = dict(record.__dict__)
        try:
            fields["msg"] = record.getMessage()
            fields["args"] = None
        except Exception:
            # msg % args fails (wrong count or type): send both as they are; the server writes
            # "msg | args=<repr>" instead of losing the record.
            fields["msg"] = str(record.msg)
            fields["args"] = repr(record.args)
        if record.exc_info and not record.exc_text:
            fields["exc_text"] = _FORMATTER.formatException(record.exc_info)
        fields["exc_info"] = None
        if record.stack_info:
            fields["stack_info"] = record.stack_info
        return fields


if __name__ == "__main__":
    import sys

    if len(sys.argv) < 2:
        sys.exit(__doc__)
    path = sys.argv[2] if len(sys.argv) > 2 else "/log"
    creds = tuple(sys.argv[3:5]) if len(sys.argv) > 4 else None
    log = logging.getLogger("http_handler.demo")
    log.addHandler(LoggingServerHTTPHandler(sys.argv[1], path, credentials=creds))
    log.setLevel(logging.INFO)
    log.info("hello from %s", "http_handler.py")
    try:
        1 / 0
    except ZeroDivisionError:
        log.exception("a traceback travels too")

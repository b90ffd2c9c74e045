"""Recipe: Django's LOGGING setting (settings.py) for loggingserver.

Django passes LOGGING to logging.config.dictConfig at startup, after its own defaults; the project's tests
do exactly that with this dict. It uses BufferingSocketHandler (examples/loggingserver_handler.py, copied
into your project as loggingserver_handler.py) so that request threads never wait on the log host and an
outage loses nothing; put "logging.handlers.SocketHandler" in "class" (and drop max_records) to use the
standard library's handler instead. LOGHOST and LOGPORT (environment) override the log host.
"""
import os

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {
        "loghost": {
            "class": "loggingserver_handler.BufferingSocketHandler",
            "host": os.environ.get("LOGHOST", "loghost"),
            "port": int(os.environ.get("LOGPORT", "9020")),
            "max_records": 100_000,
        },
    },
    "root": {"level": "INFO", "handlers": ["loghost"]},
    "loggers": {
        # Django's own loggers propagate to the root; django.request logs every 4xx/5xx with its traceback.
        "django": {"level": "INFO"},
    },
}

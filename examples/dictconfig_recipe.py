#!/usr/bin/env python3
"""Recipe: send every record to loggingserver with logging.config.dictConfig.

Copy LOGGING into your application's startup. LOGHOST and LOGPORT (environment) override the log host,
so the same file runs in the project's tests against a server on a test port.
"""
import logging
import logging.config
import os

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "console": {"format": "%(asctime)s %(levelname)-8s %(name)s %(message)s"},
    },
    "handlers": {
        # SocketHandler sends whole records; the server formats them, so no formatter is needed here.
        "loghost": {
            "class": "logging.handlers.SocketHandler",
            "host": os.environ.get("LOGHOST", "loghost"),
            "port": int(os.environ.get("LOGPORT", "9020")),
        },
        "console": {"class": "logging.StreamHandler", "formatter": "console", "level": "WARNING"},
    },
    "root": {"level": "INFO", "handlers": ["loghost", "console"]},
}


def main():
    logging.config.dictConfig(LOGGING)
    log = logging.getLogger("billing")
    for i in range(3):
        log.info("hello from dictconfig %d", i)
    logging.shutdown()


if __name__ == "__main__":
    main()

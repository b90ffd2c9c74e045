#!/usr/bin/env python3
"""Recipe: load fileconfig_recipe.ini with logging.config.fileConfig and log through it.

LOGHOST and LOGPORT (environment) fill the INI's %(loghost)s and %(logport)s.
"""
import logging
import logging.config
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    logging.config.fileConfig(
        os.path.join(HERE, "fileconfig_recipe.ini"),
        defaults={"loghost": os.environ.get("LOGHOST", "loghost"), "logport": os.environ.get("LOGPORT", "9020")},
        disable_existing_loggers=False,
    )
    log = logging.getLogger("billing")
    for i in range(3):
        log.info("hello from fileconfig %d", i)
    logging.shutdown()


if __name__ == "__main__":
    main()

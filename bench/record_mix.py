"""The record mix every bench section logs: what a busy service sends, made reproducible by a seed.

Each record's message starts with "rid=%09d" (its unique id, zero-padded to a fixed width) so the bench can
check, in any target's output file, that every record arrived exactly once. The id appears nowhere else: not
in logger names, extras or exception texts (a traceback also quotes the source line that raised, so that line
does not mention it either).
"""
import logging
import random

LOGGERS = [
    "app", "app.http", "app.http.access", "app.db", "app.db.pool", "app.cache", "app.auth", "app.auth.oauth",
    "app.jobs", "app.jobs.scheduler", "app.mail", "app.payments", "app.payments.stripe", "app.search",
    "app.storage.s3", "worker", "worker.import", "worker.export", "billing", "audit",
]
# Mixed levels, weighted as a service's logs usually are: mostly INFO and DEBUG.
LEVELS = [logging.DEBUG] * 30 + [logging.INFO] * 50 + [logging.WARNING] * 12 + [logging.ERROR] * 6 + [logging.CRITICAL] * 2
TEMPLATES = [
    "request %s %s from %s answered %d in %d ms (%d bytes)",
    "user %s fetched %d items from %s in %d ms; cache %s",
    "pool %s: %d of %d connections busy, waited %d ms for %s",
    "job %s finished step %d of %d for tenant %s after %d retries",
    "payment %s for customer %s: %d cents in %s, provider answered %d",
    "query on %s returned %d rows in %d ms using index %s",
]
WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo",
         "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango", "uniform"]
NON_ASCII = ["café crème", "Zürich–Genève", "東京タワー", "naïve façade", "Ελληνικά", "✓ done ☕", "Привет мир"]


def loggers_to(handler):
    """logger_for(name): the logger `name`, logging every level to `handler` only."""
    def logger_for(name):
        log = logging.getLogger(name)
        if handler not in log.handlers:
            log.addHandler(handler)
            log.propagate = False
            log.setLevel(logging.DEBUG)
        return log
    return logger_for


def _fail(size):
    raise ValueError("could not parse payload of %d bytes" % size)


def _args_for(rng, template):
    """One argument per conversion, of the type the conversion wants."""
    args = []
    i = 0
    while True:
        i = template.find("%", i)
        if i < 0:
            return args
        args.append(rng.randrange(100000) if template[i + 1] == "d" else rng.choice(WORDS))
        i += 2


def log_records(logger_for, start, count, seed=20261130):
    """Logs records start .. start+count-1 through logger_for(name): ~1 % with a real traceback, 10 % with extra."""
    rng = random.Random(seed * 1000003 + start)
    for rid in range(start, start + count):
        template = rng.choice(TEMPLATES)
        args = _args_for(rng, template)
        # A tail of words makes the merged message 80-200 characters, spread over that range.
        words = [rng.choice(NON_ASCII)] if rng.random() < 0.005 else []
        want = rng.randrange(80, 201)
        merged = len(template % tuple(args)) + len("rid=000000000 ")
        length = lambda: merged + (len(" -- " + " ".join(words)) if words else 0)  # noqa: E731
        while length() < want:
            words.append(rng.choice(WORDS))
        while words and length() > 200:
            words.pop()
        # The rid goes in as an argument, like any other: the message is merged by the client (getMessage).
        fmt = "rid=%09d " + template + (" -- " + " ".join(words) if words else "")
        log = logger_for(rng.choice(LOGGERS))
        level = rng.choice(LEVELS)
        extra = None
        if rng.random() < 0.10:
            extra = {"request_id": "req-%08x" % rng.getrandbits(32), "attempt": rng.randrange(5),
                     "duration_s": rng.random() * 3, "ctx": {"tenant": rng.choice(WORDS), "tags": {"region": "eu", "shard": rng.randrange(16)}}}
        if rng.random() < 0.01:
            try:
                _fail(rng.randrange(1, 1 << 20))
            except ValueError:
                log.log(max(level, logging.ERROR), fmt, rid, *args, exc_info=True, extra=extra)
            continue
        log.log(level, fmt, rid, *args, extra=extra)

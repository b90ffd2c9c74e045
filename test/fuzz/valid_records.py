#!/usr/bin/env python3
"""Random *valid* LogRecords, sent with a real SocketHandler, and CPython's own Formatter text for each.

usage: valid_records.py PORT SEED COUNT FORMAT DATEFMT OUT
DATEFMT '-' means None. Sends COUNT records on one connection and writes OUT: a JSON list with the text
logging.Formatter(FORMAT, DATEFMT) gives each record (UTC), as the central file must hold it with
`file.escape: false` (lone surrogates as backslashreplace writes them, as README says). Values: nested
extras, big ints, floats incl. nan/inf/-0.0, bytes, sets, frozensets, the datetime family, Decimal, tuples,
lists, dicts, instances of a class whose unpickling would run a command, astral and control characters,
multi-line messages, tracebacks, stack_info, %-arguments. Most records go as SocketHandler sends them (args
merged by the client); one in four keeps msg and args apart, as a pickled LogRecord.__dict__ does, so the
server merges them itself.
"""
import datetime, decimal, json, logging, logging.handlers, os, pickle, random, struct, sys, time

port, seed, count, fmt_text, datefmt, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
datefmt = None if datefmt == '-' else datefmt
rng = random.Random(seed)
CANARY = '/tmp/loggingserver-pwned'


class Evil:
    """Unpickling this runs a shell command: the server must keep it an inert placeholder."""
    def __init__(self, tag):
        self.tag = tag

    def __reduce__(self):
        return (os.system, ('touch ' + CANARY,))


class Gadget:
    def __init__(self):
        self.size = rng.randint(0, 9)
        self.label = text(6)


PIECES = ['word', ' ', 'é', 'ü', 'ß', '中文', '😀', '🎉', '\U0010ffff', '\U0001f600', '\t', '\n', '\r\n', '\r', '\x00', '\x07',
          '\x1b[31m', '\x7f', '\x85', '\x9f', '\u2028', '\u2029', '\ufeff', '\ud800', '\udcff', '\\', "'", '"', '{', '}', '<b>']


# Known difference, excluded: a lone high surrogate directly followed by a lone low one. A JS string cannot
# hold that pair apart from the astral character it spells, so the decoder keeps the high one as the text
# `\ud800` (README, "Text style and escaping"). Written plainly it reads the same, but a width counts it as 6
# characters, not 1, and repr() doubles its backslash: CPython `'\ud800\udcff'`, server `'\\ud800\udcff'`.
SURROGATE_PAIR = '\ud800\udcff'


def text(n=8):
    s = ''.join(rng.choice(PIECES) if rng.random() < 0.5 else rng.choice('abcdefghijklmnopqrstuvwxyz0123456789 _.')
                for _ in range(rng.randint(0, n)))
    return s.replace(SURROGATE_PAIR, '\ud800_\udcff')


def big_int():
    return rng.choice([-1, 1]) * rng.randint(0, 2 ** rng.choice([8, 31, 32, 53, 54, 63, 64, 100, 300, 1000]))


def a_float():
    return rng.choice([float('nan'), float('inf'), float('-inf'), -0.0, 0.0, 1e300, -1e-300, 5e-324, 1e16, 1e-5, 0.1 + 0.2,
                       rng.uniform(-1e6, 1e6), rng.random(), float(rng.randint(-10 ** 6, 10 ** 6)), 2.0 ** rng.randint(-1074, 1023)])


def temporal():
    tz = rng.choice([None, datetime.timezone.utc, datetime.timezone(datetime.timedelta(hours=rng.randint(-23, 23), minutes=rng.choice([0, 30, 45])))])
    dt = datetime.datetime(rng.randint(1, 9999), rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59),
                           rng.randint(0, 59), rng.choice([0, rng.randint(0, 999999)]), tzinfo=tz)
    return rng.choice([dt, dt.date(), dt.time(), dt.timetz(), datetime.timedelta(days=rng.randint(-10 ** 6, 10 ** 6), seconds=rng.randint(0, 86399),
                                                                                     microseconds=rng.choice([0, rng.randint(0, 999999)]))])


def a_decimal():
    return decimal.Decimal(rng.choice(['1.10', '-0', '0E-7', '1E+3', 'NaN', '-Infinity', 'sNaN', '123456789012345678901234567890.5',
                                       str(rng.randint(-10 ** 20, 10 ** 20)) + 'E' + str(rng.randint(-30, 30))]))


def hashable(depth):
    kind = rng.randrange(6 if depth < 2 else 4)
    return [lambda: big_int(), lambda: text(), lambda: a_float(), lambda: rng.choice([None, True, False]),
            lambda: tuple(hashable(depth + 1) for _ in range(rng.randint(0, 3))),
            lambda: frozenset(hashable(depth + 1) for _ in range(rng.randint(0, 3)))][kind]()


def value(depth=0, objects=True):
    kinds = ['int', 'float', 'str', 'bytes', 'none', 'temporal', 'decimal']
    if depth < 3:
        kinds += ['list', 'tuple', 'dict', 'set', 'frozenset']
    if objects:
        kinds += ['evil', 'gadget']
    kind = rng.choice(kinds)
    if kind == 'int': return big_int()
    if kind == 'float': return a_float()
    if kind == 'str': return text()
    if kind == 'bytes': return bytes(rng.randrange(256) for _ in range(rng.randint(0, 8)))
    if kind == 'none': return rng.choice([None, True, False])
    if kind == 'temporal': return temporal()
    if kind == 'decimal': return a_decimal()
    if kind == 'list': return [value(depth + 1, objects) for _ in range(rng.randint(0, 4))]
    if kind == 'tuple': return tuple(value(depth + 1, objects) for _ in range(rng.randint(0, 4)))
    if kind == 'dict': return {hashable(depth + 1): value(depth + 1, objects) for _ in range(rng.randint(0, 4))}
    if kind == 'set': return {hashable(depth + 1) for _ in range(rng.randint(0, 4))}
    if kind == 'frozenset': return frozenset(hashable(depth + 1) for _ in range(rng.randint(0, 4)))
    if kind == 'evil': return Evil(text(4))
    return Gadget()


def spec(objects):
    """One %-conversion and the arguments it takes (a `*` width or precision takes an int first)."""
    flags = ''.join(rng.sample('-+ 0#', rng.randint(0, 2)))
    width = rng.choice(['', '', str(rng.randint(1, 12)), '*'])
    prec = rng.choice(['', '', '.' + str(rng.randint(0, 8)), '.*'])
    length = rng.choice(['', '', '', 'l', 'h', 'L'])  # Python accepts and ignores C's length modifiers
    c = rng.choice('sssrraddiouxXeEfFgGc')
    if c == 'c':
        prec = ''  # %c takes no precision
    stars = [rng.randint(-12, 12) for part in (width,) if part == '*'] + [rng.randint(0, 8) for part in (prec,) if part == '.*']
    if c in 'sra': s, a = '%' + flags.replace('0', '').replace('#', '') + width + prec + length + c, value(0, objects)
    elif c in 'diouxX': s, a = '%' + flags + width + prec + length + c, rng.choice([big_int(), rng.randint(-300, 300), True]) if c not in 'di' or rng.random() < 0.8 else rng.uniform(-1e6, 1e6)
    elif c in 'eEfFgG': s, a = '%' + flags + width + prec + length + c, rng.choice([a_float(), big_int() if rng.random() < 0.3 else rng.randint(-999, 999)])
    else: s, a = '%' + flags.replace('0', '').replace('#', '') + width + length + 'c', rng.choice([rng.randint(0, 0x10ffff), rng.choice(PIECES)[:1] or 'x'])
    return s, stars + [a]


def message(objects):
    """A %-template and its args (a tuple, or one dict for %(key)s), valid for CPython's `msg % args`."""
    while True:
        if rng.random() < 0.15:
            keys = {'k%d' % i: value(0, objects) for i in range(rng.randint(1, 3))}
            msg = text().replace('%', '%%') + ' '.join('%%(%s)%s' % (k, rng.choice('srd' if isinstance(v, (int, float)) and not isinstance(v, bool) else 'sr')) for k, v in keys.items())
            args = (keys,)
        else:
            parts, args = [], []
            for _ in range(rng.randint(0, 4)):
                s, a = spec(objects)
                parts.append(text(4).replace('%', '%%'))
                parts.append(s)
                args.extend(a)
            parts.append(text(6).replace('%', '%%') + rng.choice(['', '%%']))
            msg, args = ''.join(parts), tuple(args)
        try:
            merged = msg % (args[0] if len(args) == 1 and isinstance(args[0], dict) else args)
            if SURROGATE_PAIR not in merged and SURROGATE_PAIR not in msg:
                return msg, args
        except (TypeError, ValueError, OverflowError, KeyError):
            continue


def crash(kind, note):
    if kind == 0: raise ValueError(note)
    if kind == 1: raise KeyError(note)
    if kind == 2:
        try:
            {}[note]
        except KeyError as e:
            raise RuntimeError('while handling: ' + note) from e
    raise UnicodeError(note + '\n' + text())


class Handler(logging.handlers.SocketHandler):
    """SocketHandler, but when `merge` is off it pickles msg and args apart (as a LogRecord.__dict__ is)."""
    merge = True

    def makePickle(self, record):
        if self.merge:
            return super().makePickle(record)
        if record.exc_info:
            self.format(record)
        d = dict(record.__dict__)
        d['exc_info'] = None
        d.pop('message', None)
        s = pickle.dumps(d, 1)
        return struct.pack('>L', len(s)) + s


handler = Handler('127.0.0.1', port)
failures = []
handler.handleError = lambda record: failures.append(record)
formatter = logging.Formatter(fmt_text, datefmt)
formatter.converter = time.gmtime
expected = []
LEVELS = [logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR, logging.CRITICAL, 5, 25, 45, 0]
for i in range(count):
    handler.merge = rng.random() >= 0.25
    # Kept apart, the server renders the args itself: a class instance's str() names its address there, which
    # no server can know (README: other classes are placeholders `<module.Class>`), so none in those args.
    msg, args = message(objects=handler.merge)
    if not handler.merge and rng.random() < 0.1:
        msg, args = value(0, objects=False), ()  # log.info(obj): the server prints str(obj) itself
    exc_info = None
    if rng.random() < 0.2:
        try:
            crash(rng.randrange(4), text())
        except Exception:
            exc_info = sys.exc_info()
    sinfo = 'Stack (most recent call last):\n' + text(20) if rng.random() < 0.1 else None
    record = logging.LogRecord(text(5) or 'root', rng.choice(LEVELS), text(10), rng.randint(0, 10 ** 6), msg, args, exc_info,
                               func=text(5), sinfo=sinfo)
    record.threadName = text(5)
    record.processName = text(5)
    for _ in range(rng.randint(0, 4)):
        record.__dict__['x_' + str(rng.randrange(100))] = value()
    handler.handle(record)
    text_out = formatter.format(record)
    expected.append(text_out.encode('utf-8', 'backslashreplace').decode('utf-8'))
handler.close()
with open(out, 'w') as f:
    json.dump(expected, f)
if failures:
    sys.exit('%d records failed to send' % len(failures))

#!/usr/bin/env python3
"""Does CPython's own Unpickler accept these pickles? One hex payload a line on stdin, one verdict a line out.

usage: python3 cpython_oracle.py < payloads.hex
Verdicts: `ok` (pickle.loads would return a value), `refused <ExceptionType>`, or `c-only <ExceptionType>` (the C
reader returns a value, pickle.py refuses: a quirk of the C reader, not a pickle). Nothing is imported or run:
every class the pickle names but a few pure stdlib constructors resolves to an inert stub (find_class), memory is capped and each payload has a
2 s alarm. Hashing a shared tuple used as a key ("billion laughs" as a dict key) runs in C where no alarm
reaches it: the caller kills us then, counts that payload as refused (CPython never finishes), and goes on.
"""
import importlib, io, pickle, resource, signal, sys
from _compat_pickle import IMPORT_MAPPING, NAME_MAPPING

resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


class Stub:
    def __init__(self, *args, **kwargs):
        pass

    def __setstate__(self, state):
        pass


# The callables our decoder models faithfully: CPython gets the real ones (pure stdlib constructors), so an
# argument they refuse is refused on both sides. Every other name is the stub.
ALLOWED = {('collections', 'OrderedDict'), ('builtins', 'set'), ('builtins', 'frozenset'), ('builtins', 'bytes'),
           ('builtins', 'bytearray'), ('decimal', 'Decimal'), ('datetime', 'datetime'), ('datetime', 'date'),
           ('datetime', 'time'), ('datetime', 'timedelta'), ('datetime', 'timezone'), ('_codecs', 'encode'),
           ('copyreg', '_reconstructor')}


def find_class(self, module, name):
    module, name = NAME_MAPPING.get((module, name), (IMPORT_MAPPING.get(module, module), name))
    if (module, name) in ALLOWED:
        return getattr(importlib.import_module(module), name)
    return Stub


class Inert(pickle.Unpickler):  # the C reader, _pickle
    find_class = find_class


class InertPy(pickle._Unpickler):  # pickle.py, the reference the C reader mirrors
    find_class = find_class


class Timeout(Exception):
    pass


busy = False


def alarm(signum, frame):
    if busy:
        raise Timeout()


signal.signal(signal.SIGALRM, alarm)
for line in sys.stdin:
    payload = bytes.fromhex(line.strip())
    verdict = ''
    try:
        busy = True
        signal.alarm(2)
        try:
            Inert(io.BytesIO(payload)).load()
            verdict = 'ok'
            # The C reader has quirks of its own (it parses number text as a C string, so text after a NUL is
            # skipped; a line may run past a FRAME's end): what pickle.py refuses is refused.
            InertPy(io.BytesIO(payload)).load()
        except BaseException as e:  # the verdict is the exception type, whatever it is
            verdict = ('c-only ' if verdict == 'ok' else 'refused ') + type(e).__name__
        finally:
            busy = False
            signal.alarm(0)
    except Timeout:
        verdict = 'refused Timeout'
    sys.stdout.write(verdict + '\n')
    sys.stdout.flush()  # the caller reads how far we got when it has to kill a hang

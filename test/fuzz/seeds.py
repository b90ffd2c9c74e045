#!/usr/bin/env python3
"""Seed corpus for the decoder fuzzer: genuine CPython pickles, written as `name<TAB>hex` lines on stdout.

usage: python3 seeds.py
Made afresh at every fuzz start by the CPython on this machine (the one the clients run), so the seeds follow
its pickler; nothing binary is committed. Seeds: SocketHandler.makePickle of LogRecords (what every client
sends), pickle.dumps at protocols 0-5 of the same dicts and of assorted values, and the opcodes CPython
writes only on request: out-of-band buffers (protocol 5), BYTEARRAY8, EXT1/2/4 codes and persistent ids.
"""
import copyreg, datetime, decimal, io, logging, logging.handlers, pickle, sys
from collections import OrderedDict


class Widget:
    def __init__(self):
        self.size = 3
        self.label = 'knob'


class Slotted:
    __slots__ = ('a', 'b')

    def __init__(self):
        self.a = 1
        self.b = [2]


def rec(msg='hello %s', args=('world',), level=logging.INFO, exc_info=None, sinfo=None, **extra):
    r = logging.LogRecord('app.fuzz', level, '/srv/app/mod.py', 12, msg, args, exc_info, func='handler', sinfo=sinfo)
    r.__dict__.update(extra)
    return r


handler = logging.handlers.SocketHandler('localhost', None)
seeds = []


def add(name, payload):
    seeds.append((name, payload))


records = {'plain': rec(), 'unicode': rec(msg='héllo wörld ✓ 🎉 %s\n\tline two', args=('ünï',)),
           'stack': rec(sinfo='Stack (most recent call last):\n  File "app.py", line 3, in <module>\n    main()'),
           'extras': rec(widget=Widget(), when=datetime.datetime(2026, 11, 25, 22, 49, 45, 896000), raw=b'\x00\xffbytes',
                         big=2**70, negbig=-2**70, tid=2**63 + 5, tags={'a', 'b'}, frozen=frozenset({1.5}),
                         price=decimal.Decimal('1.10'), day=datetime.date(2026, 1, 2), t=datetime.time(3, 4, 5, 6),
                         delta=datetime.timedelta(days=-1, seconds=5), od=OrderedDict([('b', 1)]),
                         nested={'l': [1, (2, 'three'), {'four': [5.5, float('nan'), float('-inf'), -0.0]}], 't': ()},
                         kind=int)}
try:
    1 / 0
except ZeroDivisionError:
    records['exc_info'] = rec(level=logging.ERROR, exc_info=sys.exc_info())
for name, r in records.items():
    add('makePickle.' + name, handler.makePickle(r)[4:])
    d = dict(r.__dict__)
    d['exc_info'] = None  # a traceback cannot be pickled; makePickle drops it the same way
    for proto in range(6):
        add('record_dict.%s.p%d' % (name, proto), pickle.dumps(d, proto))

shared = ['shared', 1]
cyclic = [1]
cyclic.append(cyclic)
values = {
    'ints': [0, 1, -1, 255, 256, 65535, 65536, -129, 2**31, -2**31 - 1, 2**53 + 1, 2**63 + 5, -2**70, 10**40],
    'floats': [0.5, -2.25, 1e300, 5e-324, float('inf'), float('-inf'), float('nan'), -0.0],
    'text': ['', 'café', '€ ✓ 🎉', 'new\nline', 'nul\x00', 'lone \udcff', 'x' * 300],
    'bytes': [b'', b'\x00\xfe\xff', bytearray(b'ba'), b'y' * 300],
    'containers': [[], (), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4), {}, {(1, 'a'): 'tuple key'}, shared, shared, cyclic],
    'sets': [set(), {1, 2}, frozenset(), frozenset({'x'})],
    'temporal': [datetime.datetime(2026, 11, 25, 22, 49, 45, 896000, tzinfo=datetime.timezone(datetime.timedelta(hours=-5))),
                 datetime.timedelta(days=3, microseconds=7), decimal.Decimal('-Infinity')],
    'objects': [Widget(), OrderedDict([('a', 2)]), int, logging.Logger],
}
for proto in range(6):
    add('values.p%d' % proto, pickle.dumps(values, proto))
    for key, v in values.items():
        add('values.%s.p%d' % (key, proto), pickle.dumps({'msg': key, 'value': v}, proto))
    if proto >= 2:  # a __slots__ class without __getstate__ pickles from protocol 2 on
        add('values.slots.p%d' % proto, pickle.dumps({'msg': 'slots', 'value': Slotted()}, proto))

# Protocol 5: out-of-band buffers (NEXT_BUFFER, READONLY_BUFFER) and in-band bytearrays (BYTEARRAY8).
oob = {'msg': 'oob', 'rw': pickle.PickleBuffer(bytearray(b'writable')), 'ro': pickle.PickleBuffer(b'readonly')}
add('proto5.out_of_band', pickle.dumps(oob, 5, buffer_callback=lambda b: None))
add('proto5.in_band', pickle.dumps(oob, 5))
add('proto5.bytearray8', pickle.dumps({'msg': 'ba', 'b': bytearray(b'\x00' * 40)}, 5))

# EXT1/EXT2/EXT4: codes CPython writes only for classes registered with copyreg.add_extension.
for module, name, code in (('collections', 'OrderedDict', 200), ('decimal', 'Decimal', 40000), ('datetime', 'date', 70000)):
    copyreg.add_extension(module, name, code)
for proto in (2, 3, 4):
    add('ext.p%d' % proto, pickle.dumps({'msg': 'ext', 'od': OrderedDict([('k', 1)]), 'dec': decimal.Decimal('2.5'),
                                         'day': datetime.date(2026, 1, 1)}, proto))


class PersistentPickler(pickle.Pickler):
    def persistent_id(self, obj):
        return 'widget-%d' % obj.size if isinstance(obj, Widget) else None


for proto in (0, 1, 2, 4):
    f = io.BytesIO()
    PersistentPickler(f, proto).dump({'msg': 'persid', 'w': Widget(), 'x': [1, 2]})
    add('persid.p%d' % proto, f.getvalue())

for name, payload in seeds:
    sys.stdout.write('%s\t%s\n' % (name, payload.hex()))

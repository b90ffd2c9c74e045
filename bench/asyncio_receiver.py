#!/usr/bin/env python3
"""An asyncio receiver, as one would write it today: asyncio.start_server, StreamReader.readexactly for the
length and the pickle, pickle.loads, logging.makeLogRecord, a logging.Formatter, and buffered writes to one
file (flushed when a connection ends and every 50 ms, so a record waits at most that long for the disk).

usage: asyncio_receiver.py PORT FILE
Prints "listening PORT" once it accepts connections; runs until killed.
"""
import asyncio
import logging
import pickle
import struct
import sys

FLUSH_EVERY_S = 0.05


async def main():
    port, path = int(sys.argv[1]), sys.argv[2]
    formatter = logging.Formatter("%(asctime)s %(name)-12s %(levelname)-8s %(message)s")
    out = open(path, "a", encoding="utf-8", buffering=1 << 16)
    unpack = struct.Struct(">L").unpack

    async def handle(reader, writer):
        try:
            while True:
                (size,) = unpack(await reader.readexactly(4))
                record = logging.makeLogRecord(pickle.loads(await reader.readexactly(size)))
                out.write(formatter.format(record) + "\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            out.flush()
            writer.close()

    async def flusher():
        while True:
            await asyncio.sleep(FLUSH_EVERY_S)
            out.flush()

    server = await asyncio.start_server(handle, "127.0.0.1", port)
    print("listening %d" % server.sockets[0].getsockname()[1], flush=True)
    flushing = asyncio.ensure_future(flusher())
    async with server:
        await server.serve_forever()
    flushing.cancel()


if __name__ == "__main__":
    asyncio.run(main())

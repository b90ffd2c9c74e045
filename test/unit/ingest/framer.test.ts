import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FrameError } from '../../../src/errors.js'
import { Framer } from '../../../src/ingest/framer.js'

function frame(text: string): Buffer {
  const body = Buffer.from(text)
  const header = Buffer.alloc(4)
  header.writeUInt32BE(body.length)
  return Buffer.concat([header, body])
}

/** Frames as text, and a skipped oversize frame as `skipped <length>`. */
function collect(framer: Framer, chunks: Buffer[]): string[] {
  const out: string[] = []
  for (const chunk of chunks) framer.push(chunk, { frame: (b, s, e) => out.push(b.toString('utf8', s, e)), skipped: (n) => out.push(`skipped ${n}`) })
  return out
}

describe('Framer', () => {
  const stream = Buffer.concat([frame('first'), frame('second record'), frame('x'.repeat(1000))])
  const expected = ['first', 'second record', 'x'.repeat(1000)]

  it('yields several frames packed into one read', () => {
    assert.deepEqual(collect(new Framer(4096), [stream]), expected)
  })

  it('yields the same frames delivered one byte at a time', () => {
    const bytes = [...stream].map((b) => Buffer.from([b]))
    assert.deepEqual(collect(new Framer(4096), bytes), expected)
  })

  it('yields the same frames for every split point of the stream', () => {
    for (let cut = 1; cut < stream.length; cut++) {
      assert.deepEqual(collect(new Framer(4096), [stream.subarray(0, cut), stream.subarray(cut)]), expected, `cut at ${cut}`)
    }
  })

  it('reports a partial frame (header or body) as in progress, for truncation at EOF', () => {
    const framer = new Framer(4096)
    assert.equal(framer.inFrame, false)
    collect(framer, [stream.subarray(0, 2)])
    assert.equal(framer.inFrame, true)
    collect(framer, [stream.subarray(2, 7)])
    assert.equal(framer.inFrame, true)
    collect(framer, [stream.subarray(7, frame('first').length)])
    assert.equal(framer.inFrame, false)
  })

  it('rejects a length beyond any record as soon as the 4-byte prefix is complete, before the body arrives', () => {
    const framer = new Framer(1024)
    const header = Buffer.from([0x80, 0, 0, 0]) // 2 GiB declared
    assert.throws(() => collect(framer, [header]), (err: unknown) => err instanceof FrameError && err.code === 'FRAME_LENGTH_INVALID' && /2147483648 bytes/.test(err.message))
    assert.throws(() => collect(new Framer(1024), [Buffer.from([0x04, 0, 0, 1])]), { code: 'FRAME_LENGTH_INVALID' }) // 64 MiB + 1
  })

  it('accepts a frame of exactly the limit and reads past one byte more, keeping the framing', () => {
    assert.deepEqual(collect(new Framer(5), [frame('12345')]), ['12345'])
    assert.deepEqual(collect(new Framer(5), [frame('123456'), frame('next')]), ['skipped 6', 'next'])
  })

  it('reads past an oversize frame at every split point and byte by byte, without holding it', () => {
    const stream = Buffer.concat([frame('a'), frame('x'.repeat(300)), frame('b')])
    for (let cut = 1; cut < stream.length; cut++) {
      assert.deepEqual(collect(new Framer(100), [stream.subarray(0, cut), stream.subarray(cut)]), ['a', 'skipped 300', 'b'], `cut at ${cut}`)
    }
    const framer = new Framer(100)
    const out = collect(framer, [...stream.subarray(0, 20)].map((b) => Buffer.from([b])))
    assert.deepEqual(out, ['a'])
    assert.equal(framer.inFrame, true, 'a half-skipped frame is still a frame: EOF now is a truncation')
    assert.deepEqual(collect(framer, [stream.subarray(20)]), ['skipped 300', 'b'])
  })

  it('reads past the largest plausible frame in 64 KiB chunks without allocating it', () => {
    const framer = new Framer(1024)
    const header = Buffer.alloc(4)
    header.writeUInt32BE(64 * 1024 * 1024)
    const out = collect(framer, [header])
    const chunk = Buffer.alloc(64 * 1024)
    const before = process.memoryUsage().arrayBuffers
    for (let i = 0; i < 1024; i++) out.push(...collect(framer, [chunk]))
    assert.deepEqual(out, [`skipped ${64 * 1024 * 1024}`])
    assert.ok(process.memoryUsage().arrayBuffers - before < 8 * 1024 * 1024)
  })

  it('holds what has arrived of a partial frame, not what its prefix declares', () => {
    const framer = new Framer(2 * 1024 * 1024)
    const body = Buffer.from(Array.from({ length: 1024 * 1024 }, (_, i) => i % 251))
    const header = Buffer.alloc(4)
    header.writeUInt32BE(body.length)
    const out: Buffer[] = []
    const sink = { frame: (b: Buffer, s: number, e: number) => out.push(Buffer.from(b.subarray(s, e))), skipped: () => assert.fail('not oversize') }
    framer.push(Buffer.concat([header, body.subarray(0, 10)]), sink)
    // A peer must send bytes to make the server hold them: 10 bytes of a 1 MiB frame hold 4 KiB at most.
    assert.ok(framer.heldBytes <= 4 * 1024, `holds ${framer.heldBytes} bytes for 10 that arrived`)
    for (let at = 10; at < body.length; at += 1000) {
      framer.push(body.subarray(at, Math.min(at + 1000, body.length)), sink)
      assert.ok(framer.heldBytes <= Math.max(4 * 1024, 2 * (at + 1000)), `holds ${framer.heldBytes} after ${at + 1000}`)
    }
    assert.equal(out.length, 1)
    assert.ok(out[0]!.equals(body))
    assert.equal(framer.heldBytes, 0)
    assert.equal(framer.framesDone, 1)
  })

  it('rejects a zero length', () => {
    assert.throws(() => collect(new Framer(10), [Buffer.alloc(4)]), { code: 'FRAME_EMPTY' })
  })

  it('delivers the good frames before a bad one in the same read', () => {
    const out: string[] = []
    const framer = new Framer(100)
    const sink = { frame: (b: Buffer, s: number, e: number) => out.push(b.toString('utf8', s, e)), skipped: () => assert.fail('nothing to skip') }
    assert.throws(() => framer.push(Buffer.concat([frame('ok'), Buffer.from([0xff, 0xff, 0xff, 0xff])]), sink), { code: 'FRAME_LENGTH_INVALID' })
    assert.deepEqual(out, ['ok'])
  })

  it('refuses a nonsensical limit at construction', () => {
    assert.throws(() => new Framer(0), RangeError)
    assert.throws(() => new Framer(64 * 1024 * 1024 + 1), RangeError)
  })

  describe('hand-over: snapshot() in one framer, then the rest of the stream in a fresh one', () => {
    const big = 'y'.repeat(300)
    const oversize = frame('z'.repeat(5000))
    const stream = Buffer.concat([frame('first'), frame('second record'), oversize, frame(big), frame('last')])
    const expected = ['first', 'second record', 'skipped 5000', big, 'last']

    it('yields the same frames, exactly once, for every split point of the stream', () => {
      for (let cut = 0; cut <= stream.length; cut++) {
        const before = new Framer(4096)
        const out = collect(before, [stream.subarray(0, cut)])
        const { pending, skipLeft, skipLength } = before.snapshot()
        const after = new Framer(4096)
        if (skipLeft > 0) after.resumeSkip(skipLeft, skipLength)
        out.push(...collect(after, [pending, stream.subarray(cut)]))
        assert.deepEqual(out, expected, `cut at ${cut}`)
      }
    })

    it('holds nothing between frames', () => {
      const framer = new Framer(4096)
      collect(framer, [frame('whole')])
      assert.deepEqual(framer.snapshot(), { pending: Buffer.alloc(0), skipLeft: 0, skipLength: 0 })
    })

    it('resumeSkip() refuses a framer already inside a frame, and impossible counts', () => {
      const framer = new Framer(4096)
      collect(framer, [Buffer.from([0, 0])])
      assert.throws(() => framer.resumeSkip(1, 2), RangeError)
      assert.throws(() => new Framer(4096).resumeSkip(3, 2), RangeError)
    })
  })
})


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

function collect(framer: Framer, chunks: Buffer[]): string[] {
  const out: string[] = []
  for (const chunk of chunks) framer.push(chunk, (f) => out.push(f.toString()))
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

  it('rejects an oversize length as soon as the 4-byte prefix is complete, before the body arrives', () => {
    const framer = new Framer(1024)
    const header = Buffer.from([0x80, 0, 0, 0]) // 2 GiB declared
    assert.throws(() => collect(framer, [header]), (err: unknown) => err instanceof FrameError && err.code === 'FRAME_TOO_LARGE' && /2147483648 bytes/.test(err.message))
  })

  it('accepts a frame of exactly the limit and rejects one byte more', () => {
    assert.deepEqual(collect(new Framer(5), [frame('12345')]), ['12345'])
    assert.throws(() => collect(new Framer(5), [frame('123456')]), { code: 'FRAME_TOO_LARGE' })
  })

  it('rejects a zero length', () => {
    assert.throws(() => collect(new Framer(10), [Buffer.alloc(4)]), { code: 'FRAME_EMPTY' })
  })

  it('delivers the good frames before a bad one in the same read', () => {
    const out: string[] = []
    const framer = new Framer(100)
    assert.throws(() => framer.push(Buffer.concat([frame('ok'), Buffer.from([0xff, 0xff, 0xff, 0xff])]), (f) => out.push(f.toString())), { code: 'FRAME_TOO_LARGE' })
    assert.deepEqual(out, ['ok'])
  })

  it('refuses a nonsensical limit at construction', () => {
    assert.throws(() => new Framer(0), RangeError)
  })
})

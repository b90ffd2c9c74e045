// The decode threads against the event loop's own decoding: genuine CPython frames (bench/make_frames.py's mix of
// loggers, args, tracebacks, extras, non-ASCII), the team's hostile frames and frames read past, batched as reads
// are, go through real worker threads (the bundle the server runs) and must come back exactly as decodeFrameAt and
// the formatter make them on the loop: the same lines, levels and refusals, entry by entry. A thread that dies
// with reads in flight loses none of them.
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { makeFrames } from '../../../bench/frames.js'
import type { DiagnosticCode } from '../../../src/diagnostic-codes.js'
import { DecodePool } from '../../../src/decode-threads/pool.js'
import { createFormatter, type FormatOptions } from '../../../src/format/formatter.js'
import { decodeFrameAt, rejection } from '../../../src/ingest/decode-frame.js'
import { FrameBatchBuilder, ownMemory, type BatchOutcome, type FrameBatch } from '../../../src/ingest/frame-batch.js'
import type { LogRecord } from '../../../src/record.js'
import { runPython } from '../../support/python.js'
import { hostileFramesScript, repoRoot } from '../../support/server.js'

const workerFile = path.join(repoRoot, 'dist/src/decode-worker.cjs')
const FORMAT: FormatOptions = { style: 'text', format: '%(asctime)s %(client)-15s %(name)-12s %(levelname)-8s %(message)s', datefmt: null, utc: false, escape: true }
const RECEIVED = 1_764_547_200.25

/** One read's worth: whole frames (prefix included) and, where `null`, a frame read past for its size. */
type Read = Array<Buffer | null>

/** What the loop itself makes of a read, entry by entry: a line, or [code, why]. */
function onTheLoop(read: Read, format: (r: LogRecord) => string): Array<string | [string, string] | 'skipped'> {
  return read.map((frame) => {
    if (frame === null) return 'skipped'
    try {
      const outcome = decodeFrameAt(frame, 4, frame.length, 'peer-1', RECEIVED)
      return 'record' in outcome ? `${format(outcome.record)}\n` : [outcome.code, outcome.message]
    } catch (err) {
      const { code, message } = rejection(err)
      return [code, message]
    }
  })
}

/** The same, from a thread's outcome. */
function fromThread(read: Read, outcome: BatchOutcome): Array<string | [string, string] | 'skipped'> {
  const text = Buffer.from(outcome.bytes)
  const refused = new Map(outcome.refused.map(([entry, code, why]) => [entry, [code, why] as [string, string]]))
  return read.map((frame, i) => {
    if (frame === null) return 'skipped'
    const r = refused.get(i)
    if (r) return r
    return text.toString('utf8', i === 0 ? 0 : outcome.lineEnds[i - 1]!, outcome.lineEnds[i]!)
  })
}

function batchOf(pool: DecodePool, read: Read): FrameBatch {
  const whole = Buffer.concat(read.map((f) => f ?? Buffer.alloc(0)))
  const builder = new FrameBatchBuilder((capacity) => pool.memory(capacity), whole)
  // Frames as the framer hands them: offsets into the read, their prefixes between them.
  let at = 0
  for (const frame of read) {
    if (frame === null) builder.skipped(2_000_000)
    else {
      builder.frame(whole, at + 4, at + frame.length)
      at += frame.length
    }
  }
  return builder.build('peer-1', RECEIVED)
}

function decodeAll(pool: DecodePool, reads: Read[]): Promise<BatchOutcome[]> {
  return Promise.all(reads.map((read) => new Promise<BatchOutcome>((resolve) => pool.decode(batchOf(pool, read), (outcome, finish) => {
    // Copy out before the shared memory is given back, as the file does at release.
    resolve({ ...outcome, bytes: Uint8Array.from(outcome.bytes) })
    finish()
  }))))
}

describe('decode threads', () => {
  let genuine: Buffer[] = []
  let hostile: Buffer[] = []
  const reported: Array<[DiagnosticCode, string]> = []
  const diagnostics = { report: (code: DiagnosticCode, detail: string) => reported.push([code, detail]), reportLimited() {} }
  const dir = mkdtempSync(path.join(tmpdir(), 'loggingserver-hostile-'))

  before(async () => {
    genuine = await makeFrames(3000)
    runPython(`import runpy, sys; sys.argv = ['make_frames.py', ${JSON.stringify(dir)}]; runpy.run_path(${JSON.stringify(hostileFramesScript())}, run_name='__main__')`)
    hostile = readdirSync(dir).filter((f) => f.endsWith('.frame')).sort().map((f) => readFileSync(path.join(dir, f))).filter((f) => f.length >= 5 && f.length <= 1_000_000 && f.readUInt32BE(0) === f.length - 4)
    assert.ok(hostile.length > 10, `hostile frames: ${hostile.length}`)
  })
  after(() => rmSync(dir, { recursive: true, force: true }))
  /** The counts of the pool withPool made last: reads and records the threads took. */
  let handedOver = { running: 0, reads: 0, records: 0 }

  /** Reads of 1 to 150 entries: genuine frames with hostile ones and frames read past dealt in. */
  function reads(): Read[] {
    const out: Read[] = []
    let g = 0
    let h = 0
    for (let n = 0; g < genuine.length; n++) {
      const read: Read = []
      const size = 1 + ((n * 37) % 150)
      for (let i = 0; i < size && g < genuine.length; i++) {
        if (i % 23 === 5 && h < hostile.length * 3) read.push(hostile[h++ % hostile.length]!)
        else if (i % 61 === 7) read.push(null)
        else read.push(genuine[g++]!)
      }
      out.push(read)
    }
    return out
  }

  /** A pool of `threads` threads taking every read (however many bytes are in flight, unless `maxInFlightBytes`
   *  says), once all of them are up; closed after `use`. */
  async function withPool(threads: number, use: (pool: DecodePool) => Promise<void> | void, maxInFlightBytes = Infinity, maxQueuedBytes = Infinity): Promise<void> {
    const counts = { running: 0, reads: 0, records: 0 }
    const pool = new DecodePool({ threads, workerFile, format: FORMAT, diagnostics, when: 'always', maxInFlightBytes, maxQueuedBytes, counts })
    handedOver = counts
    try {
      const online = (): number => (pool as unknown as { threads: Array<{ online: boolean }> }).threads.filter((t) => t.online).length
      while (online() < threads) await new Promise((r) => setTimeout(r, 5))
      await use(pool)
    } finally {
      pool.close()
    }
  }

  it('decode and format every entry exactly as the event loop does', async () => {
    await withPool(2, async (pool) => {
      const all = reads()
      const outcomes = await decodeAll(pool, all)
      const format = createFormatter(FORMAT)
      let lines = 0
      let refusals = 0
      for (let i = 0; i < all.length; i++) {
        const expected = onTheLoop(all[i]!, format)
        assert.deepEqual(fromThread(all[i]!, outcomes[i]!), expected, `read ${i}`)
        lines += expected.filter((e) => typeof e === 'string' && e !== 'skipped').length
        refusals += expected.filter((e) => Array.isArray(e)).length
        const levels = all[i]!.map((_, j) => outcomes[i]!.levelNames[outcomes[i]!.levelIndex[j]!])
        all[i]!.forEach((frame, j) => {
          if (frame === null || Array.isArray(expected[j])) return
          const outcome = decodeFrameAt(frame, 4, frame.length, 'peer-1', RECEIVED)
          assert.ok('record' in outcome)
          assert.equal(levels[j], outcome.record.levelname)
          assert.equal(outcomes[i]!.levelnos[j], outcome.record.levelno)
        })
      }
      assert.ok(lines >= genuine.length, 'every genuine record (and the hostile frames that are records with inert values)')
      assert.ok(refusals > 10, `hostile frames refused: ${refusals}`)
      assert.deepEqual(reported, [])
    })
  })

  it('decodes on the loop, as the threads would, the reads that come while the bytes in flight are at the limit', async () => {
    await withPool(2, async (pool) => {
      const all = reads().slice(0, 40)
      const outcomes = await decodeAll(pool, all) // handed over at once: none is released before the last is in
      assert.equal(handedOver.reads, 1, 'the first read went to a thread: nothing was in flight before it')
      const format = createFormatter(FORMAT)
      for (let i = 0; i < all.length; i++) assert.deepEqual(fromThread(all[i]!, outcomes[i]!), onTheLoop(all[i]!, format), `read ${i}`)
      const [later] = await decodeAll(pool, [genuine.slice(0, 3)])
      assert.deepEqual(fromThread(genuine.slice(0, 3), later!), onTheLoop(genuine.slice(0, 3), format))
      assert.equal(handedOver.reads, 2, 'once released, the next read goes to a thread again')
    }, 1)
  })

  it('hands a read to a thread that has finished its work even before the loop has read its answers', async () => {
    await withPool(1, async (pool) => {
      const [first, second, third] = reads().slice(1, 4) as [Read, Read, Read]
      const outcomes: BatchOutcome[] = []
      const handOver = (read: Read, i: number): void => pool.decode(batchOf(pool, read), (outcome, finish) => {
        outcomes[i] = { ...outcome, bytes: Uint8Array.from(outcome.bytes) }
        finish()
      })
      handOver(first, 0)
      handOver(second, 1) // the thread has work queued: this one is decoded here, at once
      assert.equal(handedOver.reads, 1)
      assert.ok(outcomes[1] !== undefined && outcomes[0] === undefined)
      // The loop stays busy (no await) while the thread finishes: its answer waits unread.
      const queued = (): number => (pool as unknown as { threads: Array<{ queuedBytes: number }> }).threads[0]!.queuedBytes
      const deadline = Date.now() + 5000
      while (queued() > 0 && Date.now() < deadline) {}
      assert.equal(queued(), 0, 'the thread finished the first read')
      handOver(third, 2)
      assert.equal(handedOver.reads, 2, 'handed over though the first answer is not read yet')
      assert.equal(outcomes[0], undefined)
      while (outcomes.filter(Boolean).length < 3) await new Promise((r) => setTimeout(r, 5))
      const format = createFormatter(FORMAT)
      ;[first, second, third].forEach((read, i) => assert.deepEqual(fromThread(read, outcomes[i]!), onTheLoop(read, format), `read ${i}`))
    }, Infinity, 1)
  })

  it('formats with the layout of a reload from the reads handed over after it', async () => {
    await withPool(1, async (pool) => {
      const read: Read = genuine.slice(0, 5)
      const [before] = await decodeAll(pool, [read])
      pool.setFormat({ ...FORMAT, format: 'NEW %(levelname)s %(name)s' })
      const [afterReload] = await decodeAll(pool, [read])
      assert.deepEqual(fromThread(read, before!), onTheLoop(read, createFormatter(FORMAT)))
      assert.deepEqual(fromThread(read, afterReload!), onTheLoop(read, createFormatter({ ...FORMAT, format: 'NEW %(levelname)s %(name)s' })))
    })
  })

  it('takes no read once a reload switches the file to JSON lines (a line carries the seq only the loop knows)', async () => {
    await withPool(1, async (pool) => {
      pool.setFormat({ ...FORMAT, style: 'json' })
      assert.equal(pool.wants(1), false)
      pool.setFormat(FORMAT)
      assert.equal(pool.wants(1), true)
    })
  })

  it('takes memory for a read only when a frame completes in it, sized by what can complete', () => {
    const taken: number[] = []
    const take = (capacity: number) => (taken.push(capacity), ownMemory(capacity))
    const chunk = Buffer.alloc(1000)
    const none = new FrameBatchBuilder(take, chunk)
    none.skipped(5_000_000)
    assert.equal(none.memory, null, 'a frame read past takes nothing')
    assert.equal(none.build('p', 0).bytes.byteLength, 0)
    const spanning = new FrameBatchBuilder(take, chunk)
    const body = Buffer.alloc(3000, 1) // a frame begun in earlier reads, completed by this one
    chunk.fill(2, 10, 110)
    spanning.frame(body, 0, 3000)
    spanning.frame(chunk, 10, 110)
    assert.deepEqual(taken, [4016], 'the completed frame plus the read, and room to align their two spans')
    const batch = spanning.build('p', 0)
    assert.ok(batch.bytes.byteLength >= 3100 && batch.bytes.byteLength < 3100 + 16, String(batch.bytes.byteLength))
    const [a, b, c, d] = batch.offsets
    assert.deepEqual(Buffer.from(batch.bytes.subarray(a, b)), body)
    assert.deepEqual(Buffer.from(batch.bytes.subarray(c, d)), chunk.subarray(10, 110))
    // Each span starts where V8 copies shared memory a word at a time: at the source's offset modulo 8.
    assert.equal((batch.bytes.byteOffset + c! - (chunk.byteOffset + 10)) % 8, 0)
    assert.equal((batch.bytes.byteOffset + a! - body.byteOffset) % 8, 0)
  })

  it('decodes on the loop, at once and in order, what the threads hold when the server crashes (each read once)', async () => {
    await withPool(2, async (pool) => {
      const all = reads().slice(0, 30)
      const order: number[] = []
      const outcomes: BatchOutcome[] = []
      all.forEach((read, i) => pool.decode(batchOf(pool, read), (outcome, finish) => {
        order.push(i)
        outcomes[i] = { ...outcome, bytes: Uint8Array.from(outcome.bytes) }
        finish()
      }))
      pool.finishOnLoop() // synchronously: no thread's answer can have been read yet
      assert.deepEqual(order, all.map((_, i) => i), 'every read, in the order handed over')
      await new Promise((r) => setTimeout(r, 200)) // the threads' own answers arrive now, and are ignored
      assert.equal(order.length, all.length)
      const format = createFormatter(FORMAT)
      for (let i = 0; i < all.length; i++) assert.deepEqual(fromThread(all[i]!, outcomes[i]!), onTheLoop(all[i]!, format), `read ${i}`)
    })
  })

  it('decodes on the loop what a thread held when it died, says so, and goes on with the others', async () => {
    reported.length = 0
    await withPool(2, async (pool) => {
      const all = reads().slice(0, 40)
      const pending = decodeAll(pool, all)
      void (pool as unknown as { threads: Array<{ worker: { terminate(): Promise<number> } }> }).threads[0]!.worker.terminate()
      const outcomes = await pending
      const format = createFormatter(FORMAT)
      for (let i = 0; i < all.length; i++) assert.deepEqual(fromThread(all[i]!, outcomes[i]!), onTheLoop(all[i]!, format), `read ${i}`)
      assert.equal(pool.running, 1)
      const failed = reported.filter(([code]) => code === 'LS-DECODE-THREAD-FAILED')
      assert.equal(failed.length, 1, JSON.stringify(reported))
      assert.match(failed[0]![1], /decoded on the main thread, 1 threads left/)
      const [later] = await decodeAll(pool, [genuine.slice(0, 3)])
      assert.deepEqual(fromThread(genuine.slice(0, 3), later!), onTheLoop(genuine.slice(0, 3), format))
    })
  })
})

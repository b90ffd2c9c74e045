// Specifies BatchedWriter: batching, ordering, flush/reopen/end/flushSync, and surviving I/O errors.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import fs from 'node:fs'
import { mkdtemp, readFile, rename, rm, symlink, unlink, writeFile, mkdir } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { BatchedWriter } from '../../../src/sinks/batched-writer.js'
import { ChunkQueue } from '../../../src/sinks/chunk-queue.js'

let dir = ''
let n = 0
const file = (): string => path.join(dir, `w${++n}.log`)
const lines = (from: number, to: number): string[] => {
  const out: string[] = []
  for (let i = from; i < to; i++) out.push(`line ${i} ${'x'.repeat(i % 37)}\n`)
  return out
}

before(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'batched-writer-')) })
after(async () => { await rm(dir, { recursive: true, force: true }) })

describe('BatchedWriter', () => {
  it('turns a burst of 10,000 writes into a few fs writes, with every byte in order', async () => {
    const w = new BatchedWriter({ path: file() })
    await w.open()
    const all = lines(0, 10_000)
    for (const l of all) w.write(l)
    assert.equal(w.pendingBytes, Buffer.byteLength(all.join('')))
    assert.equal(w.pendingWrites, 10_000)
    await w.flush()
    assert.ok(w.writeCalls <= 2, `writeCalls = ${w.writeCalls}`)
    assert.equal(await readFile(w.path, 'utf8'), all.join(''))
    assert.equal(w.pendingBytes, 0)
    assert.equal(w.writesCompleted, 10_000)
    await w.end()
  })

  it('caps one write at maxWriteBytes but writes a larger entry whole', async () => {
    const w = new BatchedWriter({ path: file(), maxWriteBytes: 1000 })
    await w.open()
    const big = `${'B'.repeat(5000)}\n`
    const small = Array.from({ length: 100 }, (_, i) => `${String(i).padStart(99, '.')}\n`) // 100 bytes each
    for (const l of small) w.write(l)
    w.write(big)
    await w.flush()
    assert.equal(w.writeCalls, 11) // ten full 1000-byte writes, then the big entry on its own
    assert.equal(await readFile(w.path, 'utf8'), small.join('') + big)
    await w.end()
  })

  it('counts multi-byte characters in bytes, so size and pendingBytes match the file', async () => {
    const w = new BatchedWriter({ path: file() })
    await writeFile(w.path, 'before\n')
    await w.open()
    assert.equal(w.size, 7)
    w.write('grüße 日本 🎉\n')
    assert.equal(w.pendingBytes, Buffer.byteLength('grüße 日本 🎉\n'))
    await w.flush()
    assert.equal(w.size, fs.statSync(w.path).size)
    await w.end()
  })

  it("emits 'drain' once the backlog is on disk", async (t) => {
    t.plan(2)
    const w = new BatchedWriter({ path: file() })
    await w.open()
    w.write('a\n')
    w.write('b\n')
    await once(w, 'drain')
    t.assert.equal(w.pendingBytes, 0)
    t.assert.equal(await readFile(w.path, 'utf8'), 'a\nb\n')
    await w.end()
  })

  it('accepts writes before open() and writes them once the file is open', async () => {
    const w = new BatchedWriter({ path: path.join(dir, 'deep', 'er', 'early.log') })
    w.write('early\n')
    await w.open()
    await w.flush()
    assert.equal(await readFile(w.path, 'utf8'), 'early\n')
    await w.end()
  })

  it('reopen() after a rename puts earlier lines in the old file and later ones in the new file', async () => {
    const w = new BatchedWriter({ path: file() })
    await w.open()
    const all = lines(0, 2000)
    let reopened: Promise<void> = Promise.resolve()
    for (let i = 0; i < all.length; i++) {
      w.write(all[i]!)
      if (i === 999) {
        await rename(w.path, `${w.path}.1`) // logrotate's mv: the fd still points at the old file
        reopened = w.reopen()
      }
      if (i % 250 === 0) await new Promise(setImmediate) // let some writes happen in between
    }
    await reopened
    await w.flush()
    const old = await readFile(`${w.path}.1`, 'utf8')
    const now = await readFile(w.path, 'utf8')
    assert.ok(old.startsWith(all[0]!), 'old file starts with the first line')
    assert.ok(now.endsWith(all[1999]!), 'new file ends with the last line')
    assert.ok(now.length > 0)
    assert.equal(old + now, all.join(''))
    await w.end()
  })

  it('joins many reopen() calls into at most two reopens, without piling up listeners', async () => {
    const w = new BatchedWriter({ path: file() })
    await w.open()
    w.write('a\n')
    const all = Array.from({ length: 50 }, () => w.reopen())
    assert.ok(w.listenerCount('ready') <= 1)
    w.write('b\n')
    await Promise.all(all)
    await w.flush()
    assert.equal(await readFile(w.path, 'utf8'), 'a\nb\n')
    await w.end()
  })

  it('end() writes everything, closes, and refuses later writes', async () => {
    const w = new BatchedWriter({ path: file() })
    await w.open()
    const all = lines(0, 500)
    for (const l of all) w.write(l)
    await w.end()
    assert.equal(w.currentState, 'closed')
    assert.equal(await readFile(w.path, 'utf8'), all.join(''))
    assert.throws(() => w.write('late\n'), /after end/)
    await w.end() // idempotent
  })

  it('flushSync() writes the whole backlog synchronously', async () => {
    const w = new BatchedWriter({ path: file() })
    await w.open()
    const all = lines(0, 300)
    for (const l of all) w.write(l)
    w.flushSync()
    assert.equal(w.pendingBytes, 0)
    assert.equal(fs.readFileSync(w.path, 'utf8'), all.join(''))
    w.write('after\n')
    await w.end()
    assert.equal(fs.readFileSync(w.path, 'utf8'), all.join('') + 'after\n')
  })

  it('keeps the data and retries while the parent path is a regular file, then recovers by itself', async (t) => {
    t.plan(5)
    const parent = path.join(dir, 'not-a-dir')
    await writeFile(parent, 'in the way')
    const w = new BatchedWriter({ path: path.join(parent, 'central.log') })
    const failed = once(w, 'error-state')
    const opened = w.open()
    const all = lines(0, 1000)
    for (const l of all) w.write(l)
    const [err] = (await failed) as [NodeJS.ErrnoException]
    t.assert.match(String(err.code), /^(ENOTDIR|EEXIST)$/)
    t.assert.equal(w.healthy, false)
    t.assert.equal(w.pendingBytes, Buffer.byteLength(all.join('')))
    const recovered = once(w, 'recovered')
    await unlink(parent)
    await mkdir(parent) // now open() can succeed on the next retry
    await recovered
    await opened
    await w.flush()
    t.assert.equal(w.healthy, true)
    t.assert.equal(await readFile(w.path, 'utf8'), all.join(''))
    await w.end()
  })

  it('keeps the data when writes fail (ENOSPC on /dev/full) and writes it to the file reopened after repair', async (t) => {
    t.plan(3)
    const p = file()
    await symlink('/dev/full', p)
    const w = new BatchedWriter({ path: p })
    await w.open()
    const failed = once(w, 'error-state')
    const all = lines(0, 1000)
    for (const l of all) w.write(l)
    const [err] = (await failed) as [NodeJS.ErrnoException]
    t.assert.equal(err.code, 'ENOSPC')
    const recovered = once(w, 'recovered')
    await unlink(p) // the operator frees the path; SIGHUP → reopen()
    await w.reopen()
    await recovered
    await w.flush()
    t.assert.equal(w.isRegularFile, true)
    t.assert.equal(await readFile(p, 'utf8'), all.join(''))
    await w.end()
  })
})

describe('ChunkQueue', () => {
  it('packs entries into buckets of at most maxBytes, counting entries, in order', () => {
    const q = new ChunkQueue(10)
    for (const s of ['abcd', 'efgh', 'ij', 'k', 'LONGER-THAN-TEN', 'z']) assert.equal(q.push(s), s.length)
    const out: Array<[string, number]> = []
    for (let c = q.shift(); c !== null; c = q.shift()) out.push([c.buf.toString(), c.count])
    assert.deepEqual(out, [['abcdefghij', 3], ['k', 1], ['LONGER-THAN-TEN', 1], ['z', 1]])
    assert.equal(q.length, 0)
  })
  it('encodes UTF-8 once, measuring only near a bucket\'s end, and never writes over a bucket it handed out', () => {
    const q = new ChunkQueue(16)
    assert.equal(q.push('grüße'), 7) // 5 units: room for 15 bytes, so it is encoded without measuring first
    const first = q.shift()!
    assert.equal(first.buf.toString(), 'grüße')
    assert.equal(q.push('日本'), 6) // into the 9 bytes left after the handed-out 'grüße'
    assert.equal(q.push('🎉x'), 5) // 3 units may take 9 bytes: measured, 5 do not fit the 3 left, so a new pool
    const out: string[] = []
    for (let c = q.shift(); c !== null; c = q.shift()) out.push(c.buf.toString())
    assert.deepEqual(out, ['日本', '🎉x'])
    assert.equal(first.buf.toString(), 'grüße') // its bytes were not reused
    // An empty entry is still an entry: it is counted in a bucket of its own count, not in the next one's.
    assert.equal(q.push(''), 0)
    assert.deepEqual(q.shift(), { buf: Buffer.alloc(0), count: 1 })
    assert.equal(q.shift(), null)
    // A lone surrogate takes 3 bytes (U+FFFD), as Buffer.byteLength counts it.
    assert.equal(q.push('a\ud800b'), Buffer.byteLength('a\ud800b'))
  })
  it('fills a pool again once every bucket of it is written, never while one is still to be written', () => {
    const q = new ChunkQueue(10)
    q.push('abc')
    const a1 = q.shift()! // pool A, partly filled
    q.push('defgh') // A[3, 8)
    q.push('ijk') // 2 bytes left in A: A is sealed, pool B
    q.written(a1.buf)
    const a2 = q.shift()!
    assert.equal(a2.buf.toString(), 'defgh')
    assert.equal(a2.buf.buffer, a1.buf.buffer)
    q.push('lmnopqrs') // 8 bytes do not fit B's 7 left: B is sealed, and A still has a2 to write, so pool C
    const b = q.shift()!
    assert.equal(b.buf.toString(), 'ijk')
    const c = q.shift()!
    assert.equal(c.buf.toString(), 'lmnopqrs')
    assert.notEqual(c.buf.buffer, a1.buf.buffer, 'A was not taken while a2 was still to be written')
    assert.equal(a2.buf.toString(), 'defgh')
    q.written(a2.buf) // A's last bucket: A is the spare
    q.written(b.buf) // B's last bucket: B is the spare (one is kept)
    q.push('stuvw') // C has 2 left: C is sealed, the spare filled again
    const d = q.shift()!
    assert.equal(d.buf.toString(), 'stuvw')
    assert.equal(d.buf.buffer, b.buf.buffer)
    assert.equal(c.buf.toString(), 'lmnopqrs', 'C, not yet written, kept its bytes')
    // A bucket of its own (an entry over maxBytes) is never a pool.
    q.push('LONGER-THAN-TEN')
    const own = q.shift()!
    q.written(own.buf)
    q.push('0123456789')
    q.push('x')
    assert.notEqual(q.shift()!.buf.buffer, own.buf.buffer)
  })
  it('does not fill a pool again while a bucket of it waits behind a bucket of its own', () => {
    const q = new ChunkQueue(16)
    q.push('AAAA\n')
    const p1 = q.shift()! // pool P, being written
    q.push('XXXXXXXXXXXXXXXXXXXX\n') // over 16 bytes: a bucket of its own, queued after P1
    q.push('BBBB\n') // back into P
    q.push('CCCCCCCCCCCC\n') // P has 6 bytes left: P2 ('BBBB') sealed behind the own bucket, pool Q
    q.written(p1.buf) // P's first bucket written; P2, behind the own bucket, is still queued
    q.push('DDDDDDDDDDDDDDD\n') // Q is full: a pool is needed, and it must not be P
    const rest: string[] = []
    for (let c = q.shift(); c !== null; c = q.shift()) rest.push(c.buf.toString())
    assert.deepEqual(rest, ['XXXXXXXXXXXXXXXXXXXX\n', 'BBBB\n', 'CCCCCCCCCCCC\n', 'DDDDDDDDDDDDDDD\n'])
  })
  it('rejects a non-positive bucket size', () => {
    assert.throws(() => new ChunkQueue(0), RangeError)
  })
})

// Specifies CentralFile: records in order across size and time rotations (with gzip), SIGHUP reopen,
// end() and the stats snapshot.
import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { gunzipSync } from 'node:zlib'
import { after, before, describe, it } from 'node:test'
import { toLogRecord, type LogRecord } from '../../../src/record.js'
import { CentralFile, type RotationOptions } from '../../../src/sinks/central-file.js'
import { rotatedSuffix, computeRollover } from '../../../src/sinks/rotation.js'

let dir = ''
before(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'central-file-')) })
after(async () => { await rm(dir, { recursive: true, force: true }) })

const NONE: RotationOptions = { maxBytes: 0, backupCount: 0, when: null, interval: 1, utc: false, compress: false }
const record = (msg: string): LogRecord => toLogRecord(new Map([['msg', msg]]), '127.0.0.1', 0)
const format = (r: LogRecord): string => r.msg
/** 49 characters + '\n' = 50 bytes per entry. */
const msgs = (from: number, to: number): string[] =>
  Array.from({ length: to - from }, (_, i) => `record ${String(from + i).padStart(6, '0')} `.padEnd(49, '-'))

async function freshDir(): Promise<string> {
  return mkdtemp(path.join(dir, 'case-'))
}

describe('CentralFile', () => {
  it('rotates by size into .1….3 between records: none exceeds maxBytes, nothing lost, order kept', async () => {
    const p = path.join(await freshDir(), 'central.log')
    const f = new CentralFile({ path: p, format, rotation: { ...NONE, maxBytes: 1000, backupCount: 3 } })
    await f.open()
    const all = msgs(0, 70) // 19 entries fit below 1000 bytes (>= rolls over): 19 + 19 + 19 + 13
    for (const m of all) f.write(record(m)) // one burst: most records arrive while rotations run
    await f.end()
    const names = (await readdir(path.dirname(p))).sort()
    assert.deepEqual(names, ['central.log', 'central.log.1', 'central.log.2', 'central.log.3'])
    let joined = ''
    for (const n of ['central.log.3', 'central.log.2', 'central.log.1', 'central.log']) {
      const text = await readFile(path.join(path.dirname(p), n), 'utf8')
      assert.ok(Buffer.byteLength(text) < 1000, `${n} has ${Buffer.byteLength(text)} bytes`)
      joined += text
    }
    assert.equal(joined, all.map((m) => `${m}\n`).join(''))
    assert.equal(f.stats().rotations, 3)
  })

  it("rotates inside a decode thread's run exactly where it rotates between records written one by one", async () => {
    /** The files' contents, oldest first, after `write` fed `all` and the file ended. */
    const filesAfter = async (maxBytes: number, write: (f: CentralFile, lines: string[]) => void): Promise<string[]> => {
      const p = path.join(await freshDir(), 'central.log')
      const f = new CentralFile({ path: p, format, rotation: { ...NONE, maxBytes, backupCount: 9 } })
      await f.open()
      write(f, msgs(0, 70))
      await f.end()
      const names = (await readdir(path.dirname(p))).sort((a, b) => (b.length - a.length) || b.localeCompare(a))
      return Promise.all(names.map((n) => readFile(path.join(path.dirname(p), n), 'utf8')))
    }
    /** Runs of 7 lines, as a thread's reads would come. */
    const asRuns = (f: CentralFile, lines: string[]): void => {
      for (let i = 0; i < lines.length; i += 7) {
        const part = lines.slice(i, i + 7).map((l) => `${l}\n`)
        const ends: number[] = []
        part.reduce((at, l) => (ends.push(at + Buffer.byteLength(l)), at + Buffer.byteLength(l)), 0)
        f.writeRun({ count: part.length, received: 0, bytes: Buffer.from(part.join('')), lineEnd: (k) => ends[k]! })
      }
    }
    const oneByOne = (f: CentralFile, lines: string[]): void => lines.forEach((l) => f.write(record(l)))
    // 1000: rotations fall inside runs; 120: an empty file takes its first record, then rotates at the second.
    for (const maxBytes of [1000, 120, 100_000]) assert.deepEqual(await filesAfter(maxBytes, asRuns), await filesAfter(maxBytes, oneByOne), `maxBytes ${maxBytes}`)
  })

  it('keeps backupCount files, deleting the oldest, with the newest records contiguous', async () => {
    const p = path.join(await freshDir(), 'central.log')
    const f = new CentralFile({ path: p, format, rotation: { ...NONE, maxBytes: 1000, backupCount: 2 } })
    await f.open()
    const all = msgs(0, 200)
    for (const m of all) f.write(record(m))
    await f.end()
    assert.deepEqual((await readdir(path.dirname(p))).sort(), ['central.log', 'central.log.1', 'central.log.2'])
    let joined = ''
    for (const n of ['.2', '.1', '']) joined += await readFile(p + n, 'utf8')
    assert.ok(all.map((m) => `${m}\n`).join('').endsWith(joined))
    assert.equal(joined.split('\n').length - 1, 19 * 2 + (200 % 19))
  })

  it('gives an entry larger than maxBytes a file of its own', async () => {
    const p = path.join(await freshDir(), 'central.log')
    const f = new CentralFile({ path: p, format, rotation: { ...NONE, maxBytes: 100, backupCount: 5 } })
    await f.open()
    f.write(record('small'))
    f.write(record('L'.repeat(300)))
    f.write(record('after'))
    await f.end()
    assert.equal(await readFile(`${p}.2`, 'utf8'), 'small\n')
    assert.equal(await readFile(`${p}.1`, 'utf8'), `${'L'.repeat(300)}\n`)
    assert.equal(await readFile(p, 'utf8'), 'after\n')
  })

  it('gzips rotated files after the rename; they gunzip to the exact bytes', async () => {
    const p = path.join(await freshDir(), 'central.log')
    const f = new CentralFile({ path: p, format, rotation: { ...NONE, maxBytes: 1000, backupCount: 3, compress: true } })
    await f.open()
    const all = msgs(0, 70)
    for (const m of all) f.write(record(`${m.slice(0, 40)}ü${m.slice(41)}`.slice(0, 48)))
    await f.end()
    assert.deepEqual((await readdir(path.dirname(p))).sort(),
      ['central.log', 'central.log.1.gz', 'central.log.2.gz', 'central.log.3.gz'])
    let joined = ''
    for (const n of ['.3.gz', '.2.gz', '.1.gz']) joined += gunzipSync(await readFile(p + n)).toString('utf8')
    joined += await readFile(p, 'utf8')
    assert.equal(joined, all.map((m) => `${`${m.slice(0, 40)}ü${m.slice(41)}`.slice(0, 48)}\n`).join(''))
  })

  it('rotates by time on the first record after rolloverAt, naming the file for the start of the interval', async () => {
    const d = await freshDir()
    const p = path.join(d, 'timed.log')
    await writeFile(p, 'from yesterday\n')
    const mtime = Math.trunc(Date.now() / 1000) - 3 * 86400
    await utimes(p, mtime, mtime) // CPython counts the first interval from the file's mtime
    await writeFile(`${p}.2000-01-01_00-00-00`, 'ancient\n') // matches the 'S' extMatch
    const f = new CentralFile({ path: p, format, rotation: { ...NONE, when: 'S', interval: 10, backupCount: 1 } })
    await f.open()
    f.write(record('one'))
    f.write(record('two'))
    await f.end()
    const suffix = rotatedSuffix(computeRollover(mtime, 'S', 10, false), mtime + 10, 'S', 10, false)
    assert.deepEqual((await readdir(d)).sort(), ['timed.log', `timed.log.${suffix}`]) // the 2000 one pruned
    assert.equal(await readFile(`${p}.${suffix}`, 'utf8'), 'from yesterday\n')
    assert.equal(await readFile(p, 'utf8'), 'one\ntwo\n')
  })

  it('rotates by size and time together without losing records', async () => {
    const d = await freshDir()
    const p = path.join(d, 'both.log')
    await writeFile(p, 'old\n')
    const mtime = Math.trunc(Date.now() / 1000) - 86400
    await utimes(p, mtime, mtime)
    const f = new CentralFile({ path: p, format, rotation: { ...NONE, maxBytes: 500, backupCount: 9, when: 'H', interval: 1 } })
    await f.open()
    const all = msgs(0, 30)
    for (const m of all) f.write(record(m))
    await f.end()
    const names = (await readdir(d)).sort()
    assert.equal(names.length, 1 + 1 + 3) // live, one dated, .1….3
    assert.equal(f.stats().rotations, 4)
    let joined = ''
    for (const n of ['.3', '.2', '.1', '']) joined += await readFile(p + n, 'utf8')
    assert.equal(joined, all.map((m) => `${m}\n`).join(''))
  })

  it('reopen() (SIGHUP) continues in a new file after an external rename, without renaming itself', async () => {
    const p = path.join(await freshDir(), 'hup.log')
    const f = new CentralFile({ path: p, format, rotation: NONE })
    await f.open()
    f.write(record('before'))
    await f.flush()
    await rename(p, `${p}.old`)
    await f.reopen()
    f.write(record('after'))
    await f.end()
    assert.equal(await readFile(`${p}.old`, 'utf8'), 'before\n')
    assert.equal(await readFile(p, 'utf8'), 'after\n')
  })

  it('reports backlog, records written and health in stats(), and drains', async (t) => {
    t.plan(4)
    const p = path.join(await freshDir(), 'stats.log')
    const f = new CentralFile({ path: p, format, rotation: NONE })
    await f.open()
    for (const m of msgs(0, 10)) f.write(record(m))
    const s = f.stats()
    t.assert.deepEqual([s.backlogRecords, s.backlogBytes, s.recordsWritten], [10, 500, 0])
    await new Promise<void>((resolve) => f.once('drain', resolve))
    t.assert.deepEqual(f.stats(), {
      path: p, sizeBytes: 500, rotations: 0, backlogRecords: 0, backlogBytes: 0, healthy: true, lastError: null, recordsWritten: 10,
    })
    f.write(record('last'))
    f.flushSync()
    t.assert.equal(f.stats().backlogBytes, 0)
    await f.end()
    t.assert.equal((await readFile(p, 'utf8')).split('\n').length, 12)
  })

  it('reports an I/O failure as unhealthy with lastError, then recovers with every record', async (t) => {
    t.plan(4)
    const d = await freshDir()
    const blocker = path.join(d, 'sub')
    await writeFile(blocker, '') // a regular file where the directory should be: open() fails even for root
    const codes: string[] = []
    const f = new CentralFile({
      path: path.join(blocker, 'c.log'), format, rotation: NONE,
      diagnostics: { report: (code) => codes.push(code), reportLimited: (code) => codes.push(code) },
    })
    const opened = f.open()
    f.write(record('kept'))
    await new Promise<void>((resolve) => f.once('error-state', () => resolve()))
    t.assert.equal(f.stats().healthy, false)
    t.assert.match(f.stats().lastError ?? '', /^(ENOTDIR|EEXIST)/)
    await rm(blocker)
    await opened
    await f.end()
    t.assert.equal(await readFile(path.join(blocker, 'c.log'), 'utf8'), 'kept\n')
    t.assert.deepEqual(codes, ['LS-WRITE-FAILED', 'LS-WRITE-RECOVERED'])
  })
})

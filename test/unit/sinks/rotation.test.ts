// Specifies the rotation policy against CPython's own handlers (python3 is the oracle), and the
// rename chain / gzip on real files.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { gunzipSync } from 'node:zlib'
import { after, before, describe, it } from 'node:test'
import {
  checkRotation, computeRollover, gzipFile, nextRolloverAt, rotateBySize, rotateByTime, rotatedSuffix,
  sizeRolloverDue, timedFilesToDelete, type When,
} from '../../../src/sinks/rotation.js'

let dir = ''
before(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'rotation-')) })
after(async () => { await rm(dir, { recursive: true, force: true }) })

/** Runs CPython with TZ fixed; throws with its stderr on failure. */
function python(script: string, tz: string, args: string[] = []): string {
  const r = spawnSync('python3', ['-c', script, ...args], { env: { ...process.env, TZ: tz }, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`python3 exited with ${r.status}: ${r.stderr}`)
  return r.stdout
}

// computeRollover(now), then doRollover() at first+after with time.time() patched: the rotated name's
// suffix and the next rolloverAt, exactly as the handler would produce them.
const ORACLE = `
import json, sys, time, logging.handlers
cases = json.loads(sys.argv[1]); base = sys.argv[2]; out = []; real = time.time
for c in cases:
    h = logging.handlers.TimedRotatingFileHandler(base, when=c['when'], interval=c['interval'], utc=c['utc'], delay=True)
    first = h.computeRollover(c['now']); h.rolloverAt = first
    names = []; h.rotate = lambda s, d: names.append(d)
    later = first + c['after']; time.time = lambda: later
    h.doRollover(); time.time = real
    out.append({'first': first, 'suffix': names[0][len(base) + 1:], 'next': h.rolloverAt})
print(json.dumps(out))
`

const WHENS: When[] = ['S', 'M', 'H', 'D', 'midnight', 'W0', 'W1', 'W2', 'W3', 'W4', 'W5', 'W6']
/** Ordinary times plus both 2024 DST changes in Europe/Berlin and America/New_York. */
const NOWS = [
  1_700_000_000, 1_704_067_199, 1_711_846_800 - 7200, 1_711_846_800 + 1800, 1_711_846_800 - 3 * 86400,
  1_729_990_800 - 3600, 1_729_990_800 - 5 * 86400 + 123, 1_710_054_000 - 4000, 1_730_613_600 - 2 * 86400, 1_720_000_000,
]

describe('computeRollover(), nextRolloverAt() and rotatedSuffix()', () => {
  for (const tz of ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata']) {
    it(`match CPython's TimedRotatingFileHandler in TZ=${tz}`, () => {
      const cases: Array<{ when: When; interval: number; utc: boolean; now: number; after: number }> = []
      let k = 0
      for (const when of WHENS) {
        for (const interval of [1, 2, 3]) {
          for (const utc of [false, true]) {
            for (const now of NOWS) cases.push({ when, interval, utc, now, after: [0, 1, 3601, 90_000, 700_000][k++ % 5]! })
          }
        }
      }
      const expected = JSON.parse(python(ORACLE, tz, [JSON.stringify(cases), path.join(dir, 'oracle.log')])) as
        Array<{ first: number; suffix: string; next: number }>
      const saved = process.env['TZ']
      process.env['TZ'] = tz // Node re-reads the zone when TZ is assigned
      try {
        const actual = cases.map((c) => {
          const first = computeRollover(c.now, c.when, c.interval, c.utc)
          const now = first + c.after
          return {
            first,
            suffix: rotatedSuffix(first, now, c.when, c.interval, c.utc),
            next: nextRolloverAt(now, c.when, c.interval, c.utc),
          }
        })
        for (let i = 0; i < cases.length; i++) assert.deepEqual(actual[i], expected[i], JSON.stringify(cases[i]))
      } finally {
        if (saved === undefined) delete process.env['TZ']
        else process.env['TZ'] = saved
      }
    })
  }
})

describe('sizeRolloverDue()', () => {
  it('rolls over when size + entry reaches maxBytes, as RotatingFileHandler.shouldRollover (>=)', () => {
    assert.equal(sizeRolloverDue(90, 9, 100, 1), false)
    assert.equal(sizeRolloverDue(90, 10, 100, 1), true)
    assert.equal(sizeRolloverDue(90, 500, 100, 3), true)
  })
  it('never rolls over an empty file (gh-116263), so an oversized entry gets a file of its own', () => {
    assert.equal(sizeRolloverDue(0, 500, 100, 3), false)
  })
  it('never rolls over when maxBytes or backupCount is 0, as CPython documents', () => {
    assert.equal(sizeRolloverDue(1e9, 10, 0, 3), false)
    assert.equal(sizeRolloverDue(1e9, 10, 100, 0), false)
  })
})

describe('checkRotation()', () => {
  const ok = { maxBytes: 0, backupCount: 0, when: null, interval: 1, utc: false, compress: false }
  it('accepts sane options and names the bad value otherwise', () => {
    checkRotation(ok)
    assert.throws(() => checkRotation({ ...ok, maxBytes: -1 }), /maxBytes: -1/)
    assert.throws(() => checkRotation({ ...ok, interval: 0 }), /interval: 0/)
    assert.throws(() => checkRotation({ ...ok, when: 'W7' as When }), /when: W7/)
  })
})

describe('timedFilesToDelete()', () => {
  it("selects the same files as CPython's getFilesToDelete", async () => {
    const sub = await mkdtemp(path.join(dir, 'prune-'))
    const names = [
      'app.log', 'app.log.2024-01-01', 'app.log.2024-01-02.gz', 'app.log.2024-01-03', 'app.log.2024-01-04',
      'app.log.1', 'app.log.2024-01-05_10', 'other.log.2024-01-01', 'app.log.2023-12-31.gz', 'app.logx.2024-01-01',
    ]
    for (const n of names) await writeFile(path.join(sub, n), '')
    for (const [when, keep] of [['D', 2], ['midnight', 1], ['W3', 10], ['H', 1], ['M', 1]] as Array<[When, number]>) {
      const script = `
import json, sys, os, logging.handlers
h = logging.handlers.TimedRotatingFileHandler(sys.argv[1], when=sys.argv[2], backupCount=int(sys.argv[3]), delay=True)
print(json.dumps(sorted(os.path.basename(p) for p in h.getFilesToDelete())))`
      const expected = JSON.parse(python(script, 'UTC', [path.join(sub, 'app.log'), when, String(keep)])) as string[]
      const actual = timedFilesToDelete('app.log', await readdir(sub), when, keep).sort()
      assert.deepEqual(actual, expected, `when=${when} backupCount=${keep}`)
    }
  })
})

describe('rotateBySize()', () => {
  it('shifts .1…N-1 up (plain or .gz), drops the oldest and moves the live file to .1', async () => {
    const sub = await mkdtemp(path.join(dir, 'chain-'))
    const p = path.join(sub, 'c.log')
    await writeFile(p, 'live')
    await writeFile(`${p}.1.gz`, 'one')
    await writeFile(`${p}.2`, 'two')
    await writeFile(`${p}.3.gz`, 'three')
    assert.equal(await rotateBySize(p, 3), `${p}.1`)
    assert.deepEqual((await readdir(sub)).sort(), ['c.log.1', 'c.log.2.gz', 'c.log.3'])
    assert.equal(await readFile(`${p}.1`, 'utf8'), 'live')
    assert.equal(await readFile(`${p}.2.gz`, 'utf8'), 'one')
    assert.equal(await readFile(`${p}.3`, 'utf8'), 'two')
  })
})

describe('rotateByTime()', () => {
  it('renames to path.SUFFIX and keeps only the newest backupCount dated files', async () => {
    const sub = await mkdtemp(path.join(dir, 'timed-'))
    const p = path.join(sub, 't.log')
    await writeFile(p, 'today')
    await writeFile(`${p}.2024-01-01.gz`, '')
    await writeFile(`${p}.2024-01-02`, '')
    assert.equal(await rotateByTime(p, '2024-01-03', 'D', 2), `${p}.2024-01-03`)
    assert.deepEqual((await readdir(sub)).sort(), ['t.log.2024-01-02', 't.log.2024-01-03'])
    assert.equal(await readFile(`${p}.2024-01-03`, 'utf8'), 'today')
  })
})

describe('gzipFile()', () => {
  it('replaces a file by its .gz, which gunzips to the exact bytes', async () => {
    const p = path.join(dir, 'z.log.1')
    const bytes = Buffer.from(Array.from({ length: 5000 }, (_, i) => `line ${i} äö\n`).join(''))
    await writeFile(p, bytes)
    assert.equal(await gzipFile(p), `${p}.gz`)
    assert.deepEqual(gunzipSync(await readFile(`${p}.gz`)), bytes)
    await assert.rejects(readFile(p), { code: 'ENOENT' })
  })
})

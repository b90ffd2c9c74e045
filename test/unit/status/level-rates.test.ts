import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { LevelRates, MAX_CUSTOM_LEVELS, OTHER_LEVELS_NAME, RATE_WINDOW_SECONDS, type LevelRatesWindow } from '../../../src/status/level-rates.js'

/** A whole second well away from the epoch, as the server's clock would give. */
const T0 = 1_764_000_000

function record(levelno: number, received: number, levelname = `Level ${levelno}`) {
  return { levelno, levelname, received }
}

function counts(w: LevelRatesWindow, name: string): number[] | undefined {
  return w.series.find((s) => s.name === name)?.counts
}

function total(w: LevelRatesWindow, name: string): number {
  return (counts(w, name) ?? []).reduce((a, b) => a + b, 0)
}

describe('LevelRates', () => {
  it('counts each second by level, and a new second starts a new bucket', () => {
    const rates = new LevelRates(T0 * 1000)
    for (let i = 0; i < 3; i++) rates.record(record(20, T0 + 0.1, 'INFO'))
    rates.record(record(40, T0 + 0.99, 'ERROR'))
    rates.record(record(20, T0 + 1.0, 'INFO'))
    rates.record(record(50, T0 + 2.5, 'CRITICAL'))
    const w = rates.window(3, (T0 + 3.2) * 1000)
    assert.equal(w.seconds, 3)
    assert.equal(w.end, T0 + 2)
    assert.deepEqual(counts(w, 'INFO'), [3, 1, 0])
    assert.deepEqual(counts(w, 'ERROR'), [1, 0, 0])
    assert.deepEqual(counts(w, 'CRITICAL'), [0, 0, 1])
    assert.deepEqual(counts(w, 'DEBUG'), [0, 0, 0])
  })

  it('leaves the second under way out of the window (it would always look low)', () => {
    const rates = new LevelRates(T0 * 1000)
    rates.record(record(20, T0 + 0.5, 'INFO'))
    assert.equal(total(rates.window(RATE_WINDOW_SECONDS, (T0 + 0.9) * 1000), 'INFO'), 0)
    assert.deepEqual(counts(rates.window(2, (T0 + 1.1) * 1000), 'INFO'), [0, 1])
  })

  it('shows seconds without records as zeros, also across a gap of many seconds', () => {
    const rates = new LevelRates(T0 * 1000)
    rates.record(record(30, T0, 'WARNING'))
    rates.record(record(30, T0 + 100, 'WARNING'))
    rates.record(record(30, T0 + 100.5, 'WARNING'))
    const c = counts(rates.window(RATE_WINDOW_SECONDS, (T0 + 101) * 1000), 'WARNING')!
    assert.equal(c.length, RATE_WINDOW_SECONDS)
    assert.equal(c[RATE_WINDOW_SECONDS - 101], 1)
    assert.equal(c[RATE_WINDOW_SECONDS - 1], 2)
    assert.equal(c.reduce((a, b) => a + b, 0), 3)
  })

  it('keeps exactly 15 minutes: a second 900 s back is the oldest shown, 901 s back is gone', () => {
    const rates = new LevelRates(T0 * 1000)
    rates.record(record(10, T0, 'DEBUG'))
    rates.record(record(20, T0 + 1, 'INFO'))
    let w = rates.window(RATE_WINDOW_SECONDS, (T0 + 900.5) * 1000)
    assert.equal(w.end, T0 + 899)
    assert.equal(counts(w, 'DEBUG')![0], 1)
    assert.equal(counts(w, 'INFO')![1], 1)
    w = rates.window(RATE_WINDOW_SECONDS, (T0 + 901) * 1000)
    assert.equal(total(w, 'DEBUG'), 0)
    assert.equal(counts(w, 'INFO')![0], 1)
    // A later record does not bring back what rolled out.
    rates.record(record(20, T0 + 902, 'INFO'))
    w = rates.window(RATE_WINDOW_SECONDS, (T0 + 903) * 1000)
    assert.equal(total(w, 'DEBUG'), 0)
    assert.equal(total(w, 'INFO'), 1)
  })

  it('forgets everything after a silence longer than the window', () => {
    const rates = new LevelRates(T0 * 1000)
    for (let s = 0; s < RATE_WINDOW_SECONDS; s++) rates.record(record(20, T0 + s, 'INFO'))
    assert.equal(total(rates.window(RATE_WINDOW_SECONDS, (T0 + RATE_WINDOW_SECONDS) * 1000), 'INFO'), RATE_WINDOW_SECONDS)
    rates.record(record(40, T0 + 5000, 'ERROR'))
    const w = rates.window(RATE_WINDOW_SECONDS, (T0 + 5001) * 1000)
    assert.equal(total(w, 'INFO'), 0)
    assert.equal(counts(w, 'ERROR')!.at(-1), 1)
    assert.equal(total(w, 'ERROR'), 1)
  })

  it('counts a record stamped in an earlier second of the window in that second', () => {
    const rates = new LevelRates((T0 + 10) * 1000)
    rates.record(record(20, T0 + 5, 'INFO'))
    assert.deepEqual(counts(rates.window(6, (T0 + 11) * 1000), 'INFO'), [1, 0, 0, 0, 0, 0])
  })

  it('counts a record stamped before the window (the clock stepped back) in the newest second, not nowhere', () => {
    const rates = new LevelRates((T0 + 3600) * 1000)
    rates.record(record(40, T0, 'ERROR'))
    assert.deepEqual(counts(rates.window(2, (T0 + 3601) * 1000), 'ERROR'), [0, 1])
  })

  it('lists CPython\'s five levels always, lowest first, and custom numbers only once seen, in level order', () => {
    const rates = new LevelRates(T0 * 1000)
    assert.deepEqual(rates.window(1, (T0 + 1) * 1000).series.map((s) => [s.levelno, s.name]), [[10, 'DEBUG'], [20, 'INFO'], [30, 'WARNING'], [40, 'ERROR'], [50, 'CRITICAL']])
    rates.record(record(25, T0, 'NOTICE'))
    rates.record(record(5, T0, 'TRACE'))
    rates.record(record(0, T0, 'NOTSET'))
    rates.record(record(25, T0, 'SOMETHING ELSE')) // same number: same series, the first name stays
    const w = rates.window(1, (T0 + 1) * 1000)
    assert.deepEqual(w.series.map((s) => [s.levelno, s.name, s.counts[0]]), [
      [0, 'NOTSET', 1], [5, 'TRACE', 1], [10, 'DEBUG', 0], [20, 'INFO', 0], [25, 'NOTICE', 2], [30, 'WARNING', 0], [40, 'ERROR', 0], [50, 'CRITICAL', 0],
    ])
  })

  it('counts the standard levels by number, whatever name the client sent', () => {
    const rates = new LevelRates(T0 * 1000)
    rates.record(record(40, T0, 'BOOM'))
    assert.equal(total(rates.window(1, (T0 + 1) * 1000), 'ERROR'), 1)
    assert.equal(counts(rates.window(1, (T0 + 1) * 1000), 'BOOM'), undefined)
  })

  it(`puts custom numbers past ${MAX_CUSTOM_LEVELS} and non-numbers into "${OTHER_LEVELS_NAME}", and bounds a custom name`, () => {
    const rates = new LevelRates(T0 * 1000)
    for (let n = 1; n <= MAX_CUSTOM_LEVELS + 3; n++) rates.record(record(100 + n, T0, `L${n}`.padEnd(200, 'x')))
    rates.record(record(Number.NaN, T0, 'NaN'))
    rates.record(record(Number.POSITIVE_INFINITY, T0, 'inf'))
    const w = rates.window(1, (T0 + 1) * 1000)
    const custom = w.series.filter((s) => s.levelno !== null && s.levelno > 100)
    assert.equal(custom.length, MAX_CUSTOM_LEVELS)
    assert.ok(custom.every((s) => s.name.length <= 40 && s.name.startsWith('L')))
    const other = w.series.at(-1)!
    assert.deepEqual([other.levelno, other.name, other.counts], [null, OTHER_LEVELS_NAME, [5]])
  })

  it('reuses a custom level\'s column once its records have left the window, never sooner', () => {
    const rates = new LevelRates(T0 * 1000)
    for (let n = 1; n <= MAX_CUSTOM_LEVELS; n++) rates.record(record(100 + n, T0, `L${n}`))
    rates.record(record(200, T0 + RATE_WINDOW_SECONDS, 'LATE')) // T0 still in the window: no column free
    let w = rates.window(RATE_WINDOW_SECONDS, (T0 + RATE_WINDOW_SECONDS + 1) * 1000)
    assert.equal(total(w, OTHER_LEVELS_NAME), 1)
    assert.equal(counts(w, 'LATE'), undefined)
    rates.record(record(200, T0 + RATE_WINDOW_SECONDS + 1, 'LATE')) // T0 has rolled out: L1…L8 columns are free
    w = rates.window(RATE_WINDOW_SECONDS, (T0 + RATE_WINDOW_SECONDS + 2) * 1000)
    assert.deepEqual(counts(w, 'LATE')!.slice(-2), [0, 1])
    assert.equal(total(w, 'LATE'), 1)
    assert.equal(w.series.filter((s) => s.name.startsWith('L') && s.name !== 'LATE').length, 0)
    assert.equal(total(w, OTHER_LEVELS_NAME), 1)
  })

  it('refuses a window outside 1…900 seconds', () => {
    const rates = new LevelRates(T0 * 1000)
    for (const bad of [0, -1, 901, 1.5, Number.NaN]) assert.throws(() => rates.window(bad), RangeError)
  })
})

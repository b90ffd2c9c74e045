import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Histogram, Registry } from 'prom-client'
import { TallyHistogram } from '../../../src/status/tally-histogram.js'

/** The same values into a TallyHistogram and a plain prom-client Histogram: the expositions must be equal. */
async function both(buckets: number[], values: number[], scrapeEvery = Infinity): Promise<[string, string]> {
  const config = { name: 'h', help: 'a histogram', buckets }
  const tally = new TallyHistogram(config)
  const plain = new Histogram({ ...config, registers: [] })
  const [a, b] = [new Registry(), new Registry()]
  a.registerMetric(tally)
  b.registerMetric(plain)
  for (let i = 0; i < values.length; i++) {
    tally.observe(values[i]!)
    plain.observe(values[i]!)
    if ((i + 1) % scrapeEvery === 0) assert.equal(await a.metrics(), await b.metrics(), `after ${i + 1} values`)
  }
  assert.deepEqual(await tally.get(), await plain.get())
  return [await a.metrics(), await b.metrics()]
}

describe('TallyHistogram', () => {
  it('exposes exactly what prom-client\'s Histogram does for the same frame sizes', async () => {
    const sizes = Array.from({ length: 5000 }, (_, i) => (i * 7919) % 5_000_000)
    const [tally, plain] = await both([128, 256, 512, 1024, 2048, 4096, 16384, 65536, 262144, 1048576, 4194304], sizes, 777)
    assert.equal(tally, plain)
    assert.match(tally, /h_bucket\{le="128"\} \d+/)
    assert.match(tally, /h_count 5000/)
  })

  it('sums fractional durations in the same order, so even the last digit of _sum agrees', async () => {
    const seconds = Array.from({ length: 3000 }, (_, i) => ((i * 104729) % 100_000) / 7_000_003 + (i % 97 === 0 ? 200 : 0))
    const [tally, plain] = await both([0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120], seconds, 1000)
    assert.equal(tally, plain)
  })

  it('shows zeros before the first value, values on a bound in that bucket, and starts again after reset()', async () => {
    const [empty, plainEmpty] = await both([1, 2], [])
    assert.equal(empty, plainEmpty)
    assert.match(empty, /h_count 0/)
    const [edges, plainEdges] = await both([1, 2], [1, 2, 2.0000001, 0])
    assert.equal(edges, plainEdges)
    const h = new TallyHistogram({ name: 'r', help: 'r', buckets: [1] })
    h.observe(0.5)
    h.reset()
    h.observe(3)
    const values = (await h.get()).values
    assert.deepEqual(values.map((v) => [v.metricName, v.value]), [['r_bucket', 0], ['r_bucket', 1], ['r_sum', 3], ['r_count', 1]])
  })

  it('ignores a non-finite value instead of throwing on the hot path', async () => {
    const h = new TallyHistogram({ name: 'n', help: 'n', buckets: [1] })
    h.observe(Number.NaN)
    h.observe(Infinity)
    h.observe(1)
    const count = (await h.get()).values.find((v) => v.metricName === 'n_count')
    assert.equal(count?.value, 1)
  })
})

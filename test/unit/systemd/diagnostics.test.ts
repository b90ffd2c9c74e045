import assert from 'node:assert/strict'
import { fstatSync } from 'node:fs'
import { describe, it } from 'node:test'
import { Diagnostics } from '../../../src/systemd/diagnostics.js'

function capture(env: NodeJS.ProcessEnv, level: 'debug' | 'info' = 'info') {
  const lines: string[] = []
  return { d: new Diagnostics(level, (text) => lines.push(...text.trimEnd().split('\n')), env), lines }
}

describe('Diagnostics', () => {
  const st = fstatSync(2, { bigint: true })
  const journal = { JOURNAL_STREAM: `${st.dev}:${st.ino}` }

  it('prefixes every line with its syslog priority when stderr is the journal stream', () => {
    const { d, lines } = capture(journal)
    d.error('disk full')
    d.warning('bad frame\nsecond line')
    d.info('started')
    assert.deepEqual(lines, ['<3>disk full', '<4>bad frame', '<4>second line', '<6>started'])
  })

  it('writes timestamped plain lines in a terminal, or when JOURNAL_STREAM belongs to another stream', () => {
    for (const env of [{}, { JOURNAL_STREAM: '1:2' }]) {
      const { d, lines } = capture(env)
      d.warning('bad frame')
      assert.match(lines[0]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z WARNING bad frame$/)
    }
  })

  it('drops messages below its threshold', () => {
    const { d, lines } = capture(journal)
    d.debug('noise')
    d.setThreshold('debug')
    d.debug('now shown')
    assert.deepEqual(lines, ['<7>now shown'])
  })

  it('rate-limits messages a peer can provoke, then says how many it suppressed', () => {
    const { d, lines } = capture(journal)
    for (let i = 0; i < 25; i++) d.limited('warning', `bad frame ${i}`, 1000)
    d.limited('warning', 'later', 12_000)
    assert.equal(lines.length, 12)
    assert.equal(lines[9], '<4>bad frame 9')
    assert.equal(lines[10], '<4>15 similar messages suppressed in the last 10 s')
    assert.equal(lines[11], '<4>later')
  })
})

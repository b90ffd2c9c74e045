import assert from 'node:assert/strict'
import { fstatSync } from 'node:fs'
import { describe, it } from 'node:test'
import { StderrDiagnostics, type DiagnosticLevel } from '../../../src/systemd/diagnostics.js'

function capture(env: NodeJS.ProcessEnv, level: DiagnosticLevel = 'info', now = () => 1000) {
  const lines: string[] = []
  return { d: new StderrDiagnostics(level, (text) => lines.push(...text.trimEnd().split('\n')), env, now), lines }
}

describe('StderrDiagnostics', () => {
  const st = fstatSync(2, { bigint: true })
  const journal = { JOURNAL_STREAM: `${st.dev}:${st.ino}` }

  it('prefixes every line with its syslog priority from the catalogue, and its code, when stderr is the journal', () => {
    const { d, lines } = capture(journal)
    d.report('LS-WRITE-FAILED', 'disk full')
    d.report('LS-FRAME-EMPTY', 'bad frame\nsecond line')
    d.report('LS-STARTED', 'started')
    d.report('LS-INTERNAL-ERROR', 'boom')
    assert.deepEqual(lines, [
      '<3>[LS-WRITE-FAILED] disk full',
      '<4>[LS-FRAME-EMPTY] bad frame',
      '<4>[LS-FRAME-EMPTY] second line',
      '<6>[LS-STARTED] started',
      '<2>[LS-INTERNAL-ERROR] boom',
    ])
  })

  it('writes timestamped plain lines in a terminal, or when JOURNAL_STREAM belongs to another stream', () => {
    for (const env of [{}, { JOURNAL_STREAM: '1:2' }]) {
      const { d, lines } = capture(env)
      d.report('LS-FRAME-EMPTY', 'bad frame')
      assert.match(lines[0]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z WARNING \[LS-FRAME-EMPTY\] bad frame$/)
    }
  })

  it('drops messages below its threshold, never critical ones', () => {
    const { d, lines } = capture(journal, 'error')
    d.report('LS-LOG-CLIENT-GONE', 'noise')
    d.report('LS-INTERNAL-ERROR', 'shown')
    d.setThreshold('debug')
    d.report('LS-LOG-CLIENT-GONE', 'now shown')
    assert.deepEqual(lines, ['<2>[LS-INTERNAL-ERROR] shown', '<7>[LS-LOG-CLIENT-GONE] now shown'])
  })

  it('rate-limits messages a peer can provoke, then says how many it suppressed', () => {
    let now = 1000
    const { d, lines } = capture(journal, 'info', () => now)
    for (let i = 0; i < 25; i++) d.reportLimited('LS-FRAME-EMPTY', `bad frame ${i}`)
    now = 12_000
    d.reportLimited('LS-FRAME-EMPTY', 'later')
    assert.equal(lines.length, 12)
    assert.equal(lines[9], '<4>[LS-FRAME-EMPTY] bad frame 9')
    assert.equal(lines[10], '<4>[LS-MESSAGES-SUPPRESSED] 15 similar messages suppressed in the last 10 s')
    assert.equal(lines[11], '<4>[LS-FRAME-EMPTY] later')
  })
})

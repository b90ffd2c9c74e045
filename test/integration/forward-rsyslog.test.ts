// Forwarding (issue 11, item 3) against a real rsyslogd started by the test: records from CPython's
// SocketHandler reach rsyslog's file over tcp, relp and udp with the right fields; across an rsyslogd restart
// mid-stream RELP loses nothing (duplicates counted) while TCP's loss is measured and accounted for; a target
// that is down costs counted drops, never the central file.
import assert from 'node:assert/strict'
import { readFileSync, rmSync } from 'node:fs'
import { after, describe, it } from 'node:test'
import { runClient } from '../support/python.js'
import { startRsyslog, type ReceivedLine, type Rsyslog } from '../support/rsyslog.js'
import { reported, startServer, tempDir, waitFor, type RunningServer } from '../support/server.js'

const servers: RunningServer[] = []
const rsyslogs: Rsyslog[] = []
const dirs: string[] = []
after(async () => {
  servers.forEach((s) => s.cleanup())
  for (const r of rsyslogs) await r.stop()
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }))
})

async function rsyslog(): Promise<Rsyslog> {
  const dir = tempDir('loggingserver-rsyslog-')
  dirs.push(dir)
  const r = await startRsyslog(dir)
  rsyslogs.push(r)
  return r
}

async function server(targets: string[], extra = ''): Promise<RunningServer> {
  const s = await startServer(`forward:\n${targets.map((t) => `  - {${t}}`).join('\n')}\n${extra}`)
  servers.push(s)
  return s
}

/** `name{target="url"} value` of /metrics. */
async function forwardMetric(s: RunningServer, name: string, url: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${s.webPort}/metrics`)).text()
  const m = new RegExp(`^loggingserver_forward_${name}\\{target="${url.replace(/[/.]/g, '\\$&')}"\\} (\\S+)$`, 'm').exec(text)
  assert.ok(m, `loggingserver_forward_${name} for ${url} in /metrics`)
  return Number(m[1])
}

/** Indexes i of "TAG i" messages received through `input`, with repeats. */
function indexes(lines: ReceivedLine[], input: string, tag: string): number[] {
  return lines.filter((l) => l.input === input && l.msg.startsWith(`${tag} `)).map((l) => Number(l.msg.slice(tag.length + 1)))
}

function centralCount(s: RunningServer, tag: string): number {
  return readFileSync(s.file, 'utf8').split('\n').filter((l) => new RegExp(` ${tag} \\d+$`).test(l)).length
}

describe('forward to rsyslogd', () => {
  it('delivers records from SocketHandlers with severity, host, app-name, msgid, structured data and text (tcp, relp, udp)', async () => {
    const r = await rsyslog()
    const s = await server([`url: "tcp://127.0.0.1:${r.ports.tcp}"`, `url: "relp://127.0.0.1:${r.ports.relp}"`, `url: "udp://127.0.0.1:${r.ports.udp}", facility: local3`])
    await Promise.all([
      runClient(s.logPort, 30, 'fwdinfo'),
      runClient(s.logPort, 20, 'fwderror', ['--level', 'ERROR']),
      runClient(s.logPort, 10, 'fwddebug', ['--level', 'DEBUG', '--exc-every', '5']),
    ])
    await waitFor(() => ['imtcp', 'imrelp', 'imudp'].every((input) => r.lines().filter((l) => l.input === input).length >= 60), 30_000, 'rsyslog to receive 60 records per input')
    const lines = r.lines()
    for (const input of ['imtcp', 'imrelp', 'imudp']) {
      const got = lines.filter((l) => l.input === input)
      assert.equal(got.length, 60, `${input}: ${got.length}`)
      const error = got.find((l) => l.msg === 'fwderror 7')
      assert.ok(error, `${input}: "fwderror 7"`)
      assert.equal(error.severity, 3)
      assert.equal(error.facility, input === 'imudp' ? 19 : 1)
      assert.equal(error.hostname, '127.0.0.1')
      assert.equal(error.appName, 'client.fwderror')
      assert.equal(error.msgId, 'ERROR')
      assert.match(error.procId, /^\d+$/)
      assert.match(error.structuredData, /^\[python@32473 module="client" funcName="<module>" lineno="\d+" process="\d+" thread="\d+"\]$/)
      assert.equal(got.filter((l) => l.appName === 'client.fwdinfo' && l.severity === 6 && l.msgId === 'INFO').length, 30)
      // log.exception() logs at ERROR; the traceback follows the message (rsyslog shows each LF as #012).
      const exc = got.find((l) => l.msg.startsWith('fwddebug 5'))
      assert.ok(exc && exc.severity === 3 && /^fwddebug 5#012Traceback \(most recent call last\):#012.*ValueError: boom 5$/.test(exc.msg), exc?.msg)
      assert.equal(got.filter((l) => l.appName === 'client.fwddebug' && l.severity === 7).length, 8)
    }
    // rsyslog writes a record to its file before its acknowledgement reaches us: wait for the last ones.
    const relp = `relp://127.0.0.1:${r.ports.relp}`
    await waitFor(async () => (await forwardMetric(s, 'acked_total', relp)) >= 60, 10_000, 'the RELP acknowledgements')
    assert.equal(await forwardMetric(s, 'acked_total', relp), 60)
    assert.equal(await forwardMetric(s, 'up', `tcp://127.0.0.1:${r.ports.tcp}`), 1)
    // A stop with every target connected and nothing left over: each says so, with its counters.
    assert.equal(await s.stop(), 0)
    const stopped = reported(s.stderr(), 'LS-FORWARD-STOPPED')
    assert.equal(stopped.length, 3, s.stderr())
    assert.ok(stopped.some((l) => l.includes(`relp://127.0.0.1:${r.ports.relp}: stopped with nothing queued (60 sent, 60 acknowledged, 0 re-sent, 0 dropped)`)), stopped.join('\n'))
    assert.deepEqual(reported(s.stderr(), 'LS-FORWARD-LOST-AT-STOP'), [])
  })

  it('over RELP every record survives an rsyslogd restart mid-stream; over TCP the loss is measured and accounted for', async (t) => {
    const r = await rsyslog()
    const relp = `relp://127.0.0.1:${r.ports.relp}`
    const tcp = `tcp://127.0.0.1:${r.ports.tcp}`
    const s = await server([`url: "${relp}"`, `url: "${tcp}"`])
    const N = 8000
    const client = runClient(s.logPort, N, 'restart', ['--pause-every', '50', '--pause', '0.02'])
    // A clean stop (imrelp sends serverclose), then a crash (SIGKILL: the session just breaks, acks in flight are lost).
    const stops: string[] = []
    for (const [signal, at] of [['SIGTERM', 1000], ['SIGKILL', 3000]] as const) {
      await waitFor(() => new Set(indexes(r.lines(), 'imrelp', 'restart')).size >= at, 60_000, `rsyslog to receive ${at} records over RELP`)
      await r.stop(signal)
      const got = new Set(indexes(r.lines(), 'imrelp', 'restart')).size
      assert.ok(got < N, `rsyslogd was stopped mid-stream (${got} of ${N} in)`)
      stops.push(`${signal} at ${got}`)
      await new Promise((resolve) => setTimeout(resolve, 1000))
      await r.start()
    }
    await client
    await waitFor(() => new Set(indexes(r.lines(), 'imrelp', 'restart')).size >= N, 60_000, `all ${N} records over RELP`)
    assert.equal(centralCount(s, 'restart'), N, 'the central file has every record')

    const relpGot = indexes(r.lines(), 'imrelp', 'restart')
    const relpUnique = new Set(relpGot).size
    assert.equal(relpUnique, N)
    const duplicates = relpGot.length - relpUnique
    // TCP: what was written into the connection rsyslogd dropped is gone. Every record is accounted for as
    // sent or dropped by the target, and what rsyslog did not get is the measured loss.
    await waitFor(async () => (await forwardMetric(s, 'queued_records', tcp)) === 0, 30_000, 'the tcp queue to empty')
    const tcpUnique = new Set(indexes(r.lines(), 'imtcp', 'restart')).size
    const tcpSent = await forwardMetric(s, 'sent_total', tcp)
    const tcpDropped = await forwardMetric(s, 'dropped_total', tcp)
    assert.equal(tcpSent + tcpDropped, N)
    assert.ok(tcpUnique <= N)
    const resent = await forwardMetric(s, 'resent_total', relp)
    t.diagnostic(`rsyslogd stopped by ${stops.join(', then ')} of ${N}; relp: ${relpUnique} unique, ${duplicates} duplicates, ${resent} re-sent; tcp: ${tcpUnique} received, ${N - tcpUnique} lost (${tcpSent} sent, ${tcpDropped} dropped)`)
    assert.ok(duplicates <= resent, `${duplicates} duplicates, ${resent} re-sent`)
    assert.equal(await forwardMetric(s, 'dropped_total', relp), 0)
    assert.ok(reported(s.stderr(), 'LS-FORWARD-DOWN').some((l) => l.includes(relp)))
    assert.ok(reported(s.stderr(), 'LS-FORWARD-UP').filter((l) => l.includes(relp)).length >= 2)
  })

  it('a target that is down fills its bounded queue: drops are counted and reported, the log port and file are unaffected', async () => {
    const r = await rsyslog()
    await r.stop() // its port is free now: nothing listens there
    const relp = `relp://127.0.0.1:${r.ports.relp}`
    const s = await server([`url: "${relp}", queue_bytes: 20000`])
    await runClient(s.logPort, 500, 'down')
    await waitFor(() => centralCount(s, 'down') === 500, 30_000, 'the central file to have 500 records')
    const queued = await forwardMetric(s, 'queued_records', relp)
    const dropped = await forwardMetric(s, 'dropped_total', relp)
    assert.equal(queued + dropped, 500)
    assert.ok(dropped > 0 && queued > 0, `${queued} queued, ${dropped} dropped`)
    assert.ok((await forwardMetric(s, 'queued_bytes', relp)) <= 20000)
    assert.equal(await forwardMetric(s, 'up', relp), 0)
    assert.ok(reported(s.stderr(), 'LS-FORWARD-DOWN').length >= 1)
    assert.match(reported(s.stderr(), 'LS-FORWARD-DROPPED')[0] ?? '', /queue full .* records dropped for this target/)
    // At the stop what is queued is reported lost (the target is down), and the stop is not held up by it.
    const began = Date.now()
    assert.equal(await s.stop(), 0)
    assert.ok(Date.now() - began < 10_000)
    assert.match(reported(s.stderr(), 'LS-FORWARD-LOST-AT-STOP')[0] ?? '', new RegExp(`${queued} records still queued`))
  })
})

// The core promise, end to end: records from real CPython SocketHandlers land whole, in order, in one file.
import assert from 'node:assert/strict'
import { readFileSync, renameSync, readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import { gunzipSync } from 'node:zlib'
import { parse, stringify } from 'yaml'
import { runClient, runPythonAsync } from '../support/python.js'
import { getJson, reported, startServer, waitFor, type RunningServer } from '../support/server.js'

const LINE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} 127\.0\.0\.1 +client\.(\S+) +(DEBUG|INFO|WARNING|ERROR|CRITICAL) +(\S+) (\d+)$/

/** Parses central-file text into { tag → sequence numbers in file order }, failing on any malformed line. */
function sequences(text: string): Map<string, number[]> {
  const byTag = new Map<string, number[]>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('\t')) continue // a continuation line (traceback): file.escape's mark
    const m = LINE.exec(line)
    assert.ok(m, `malformed or interleaved line: ${JSON.stringify(line)}`)
    assert.equal(m[1], m[3])
    const list = byTag.get(m[3]!) ?? []
    list.push(Number(m[4]))
    byTag.set(m[3]!, list)
  }
  return byTag
}

function assertComplete(byTag: Map<string, number[]>, tags: string[], count: number): void {
  assert.deepEqual([...byTag.keys()].sort(), [...tags].sort())
  for (const tag of tags) {
    const seen = byTag.get(tag)!
    assert.equal(seen.length, count, `${tag}: ${seen.length} of ${count} records`)
    assert.ok(seen.every((n, i) => n === i), `${tag}: records out of order`)
  }
}

describe('central file', () => {
  const servers: RunningServer[] = []
  after(() => servers.forEach((s) => s.cleanup()))

  it('holds exactly 16,000 whole lines from 8 processes × 2,000 records, each process in order, after SIGTERM at once', async () => {
    const server = await startServer()
    servers.push(server)
    const tags = Array.from({ length: 8 }, (_, i) => `p${i}`)
    await Promise.all(tags.map((tag) => runClient(server.logPort, 2000, tag)))
    assert.equal(await server.stop('SIGTERM'), 0)
    const byTag = sequences(readFileSync(server.file, 'utf8'))
    assertComplete(byTag, tags, 2000)
    assert.deepEqual(reported(server.stderr(), 'LS-STOPPED'), ['stopped: 16000 records received, 16000 written'])
  })

  it('appends tracebacks on the lines after their record, as Python does, each line behind a TAB (file.escape)', async () => {
    const server = await startServer()
    servers.push(server)
    await runClient(server.logPort, 30, 'exc', ['--exc-every', '10'])
    assert.equal(await server.stop(), 0)
    const text = readFileSync(server.file, 'utf8')
    assertComplete(sequences(text), ['exc'], 30)
    assert.equal(text.match(/^\tTraceback \(most recent call last\):$/gm)?.length, 3)
    assert.match(text, /ERROR +exc 10\n\tTraceback \(most recent call last\):\n(\t  .*\n)+\tValueError: boom 10\n/)
  })

  it('writes to a new file after mv + SIGHUP, and the two files together hold every record', async () => {
    const server = await startServer()
    servers.push(server)
    await runClient(server.logPort, 1000, 'before')
    await waitFor(async () => ((await getJson(server.webPort, '/api/status')).body as { file: { recordsWritten: number } }).file.recordsWritten === 1000, 5000, '1000 records written')
    renameSync(server.file, server.file + '.moved')
    server.child.kill('SIGHUP')
    await waitFor(() => reported(server.stderr(), 'LS-RELOAD').length > 0, 5000, 'SIGHUP handled')
    // Records sent concurrently with the reopen must land in one file or the other, never nowhere.
    await Promise.all([runClient(server.logPort, 1000, 'after'), runClient(server.logPort, 1000, 'during')])
    assert.equal(await server.stop(), 0)
    const old = sequences(readFileSync(server.file + '.moved', 'utf8'))
    const fresh = sequences(readFileSync(server.file, 'utf8'))
    assert.equal(old.get('before')?.length, 1000)
    assert.equal(fresh.get('before'), undefined)
    const merged = new Map<string, number[]>()
    for (const map of [old, fresh]) for (const [tag, list] of map) merged.set(tag, [...(merged.get(tag) ?? []), ...list])
    assertComplete(merged, ['before', 'after', 'during'], 1000)
  })

  it('rotates by size under load into .1 … .N without losing or reordering a record', async () => {
    const server = await startServer('file:\n  max_bytes: 200000\n  backup_count: 20\n')
    servers.push(server)
    const tags = ['r0', 'r1', 'r2', 'r3']
    await Promise.all(tags.map((tag) => runClient(server.logPort, 5000, tag)))
    assert.equal(await server.stop(), 0)
    const names = readdirSync(server.dir).filter((n) => n.startsWith('central.log')).sort()
    const backups = names.filter((n) => /^central\.log\.\d+$/.test(n))
    assert.ok(backups.length >= 5, `expected several backups, got ${names.join(', ')}`)
    // Oldest first: .N … .1, then the live file.
    const ordered = [...backups.sort((a, b) => Number(b.split('.').pop()) - Number(a.split('.').pop())), 'central.log']
    let text = ''
    for (const name of ordered) {
      const part = readFileSync(path.join(server.dir, name), 'utf8')
      assert.ok(Buffer.byteLength(part) <= 200000, `${name} is over max_bytes`)
      text += part
    }
    assertComplete(sequences(text), tags, 5000)
  })

  it('applies a new format on SIGHUP, and warns about keys that need a restart', async () => {
    const server = await startServer('file:\n  format: "OLD %(levelname)s %(message)s"\n')
    servers.push(server)
    await runClient(server.logPort, 3, 'one')
    await waitFor(async () => ((await getJson(server.webPort, '/api/status')).body as { file: { recordsWritten: number } }).file.recordsWritten === 3, 5000, '3 records written')
    const configPath = path.join(server.dir, 'loggingserver.yaml')
    const config = parse(readFileSync(configPath, 'utf8')) as { file: Record<string, unknown> }
    config.file['format'] = 'NEW %(name)s|%(message)s'
    config.file['max_bytes'] = 100000
    writeFileSync(configPath, stringify(config))
    server.child.kill('SIGHUP')
    await waitFor(() => reported(server.stderr(), 'LS-RELOAD-NEEDS-RESTART').length > 0, 5000, 'SIGHUP handled')
    assert.match(reported(server.stderr(), 'LS-RELOAD-NEEDS-RESTART')[0]!, /\bfile\.max_bytes\b/)
    await runClient(server.logPort, 2, 'two')
    assert.equal(await server.stop(), 0)
    assert.equal(readFileSync(server.file, 'utf8'), 'OLD INFO one 0\nOLD INFO one 1\nOLD INFO one 2\nNEW client.two|two 0\nNEW client.two|two 1\n')
  })

  it('keeps running on its old config when the reloaded file is invalid, and says why', async () => {
    const server = await startServer('file:\n  format: "%(levelname)s %(message)s"\n')
    servers.push(server)
    const configPath = path.join(server.dir, 'loggingserver.yaml')
    writeFileSync(configPath, readFileSync(configPath, 'utf8').replace('%(levelname)s %(message)s', '%(nosuch)s'))
    server.child.kill('SIGHUP')
    await waitFor(() => reported(server.stderr(), 'LS-RELOAD-REFUSED').length > 0, 5000, 'reload error')
    assert.match(reported(server.stderr(), 'LS-RELOAD-REFUSED')[0]!, /loggingserver\.yaml:\d+: file\.format: .*nosuch/)
    await runClient(server.logPort, 1, 'still')
    assert.equal(await server.stop(), 0)
    assert.equal(readFileSync(server.file, 'utf8'), 'INFO still 0\n')
  })

  it('loses nothing when the backlog bound makes it pause and resume the sockets over and over', async () => {
    const server = await startServer('log:\n  max_backlog_bytes: 2000\n')
    servers.push(server)
    const tags = ['b0', 'b1', 'b2', 'b3']
    await Promise.all(tags.map((tag) => runClient(server.logPort, 3000, tag)))
    assert.equal(await server.stop(), 0)
    assertComplete(sequences(readFileSync(server.file, 'utf8')), tags, 3000)
  })

  it('tells clients on different hosts apart by address in %(client)s and in the stats', async () => {
    const server = await startServer('file:\n  format: "%(client)s %(name)s %(message)s"\n')
    servers.push(server)
    // Three "hosts": SocketHandlers bound to different loopback source addresses.
    const script = String.raw`
import logging, logging.handlers, socket, sys
class From(logging.handlers.SocketHandler):
    def __init__(self, source, port):
        super().__init__('127.0.0.1', port); self.source = source
    def makeSocket(self, timeout=1):
        return socket.create_connection(self.address, timeout=timeout, source_address=(self.source, 0))
for source in ('127.0.0.2', '127.0.0.3', '127.0.0.4'):
    h = From(source, int(sys.argv[1]))
    log = logging.getLogger('host.' + source); log.propagate = False; log.addHandler(h)
    for i in range(5): log.warning('from %s %d', source, i)
    h.close()`
    await runPythonAsync(script, [String(server.logPort)])
    const status = (await getJson(server.webPort, '/api/status')).body as { clients: { client: string; records: number; levels: Record<string, number> }[] }
    assert.equal(await server.stop(), 0)
    const lines = readFileSync(server.file, 'utf8').trimEnd().split('\n')
    assert.equal(lines.length, 15)
    for (const line of lines) {
      const m = /^(127\.0\.0\.\d) host\.(127\.0\.0\.\d) from (127\.0\.0\.\d) \d$/.exec(line)
      assert.ok(m && m[1] === m[2] && m[2] === m[3], line)
    }
    const byClient = status.clients.map((c) => [c.client, c.records, c.levels['WARNING']]).sort()
    assert.deepEqual(byClient, [['127.0.0.2', 5, 5], ['127.0.0.3', 5, 5], ['127.0.0.4', 5, 5]])
  })

  it('rotates by time with gzip under load: every record is in the dated .gz files or the live one, in order', async () => {
    const server = await startServer('file:\n  when: S\n  interval: 1\n  backup_count: 100\n  compress: true\n')
    servers.push(server)
    const tags = ['t0', 't1']
    await Promise.all(tags.map((tag) => runClient(server.logPort, 3000, tag, ['--pause-every', '300', '--pause', '0.25'])))
    assert.equal(await server.stop(), 0)
    const rotated = readdirSync(server.dir).filter((n) => /^central\.log\.\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d(\.gz)?$/.test(n)).sort()
    assert.ok(rotated.length >= 2, `expected several dated files, got ${readdirSync(server.dir).join(', ')}`)
    await waitFor(() => readdirSync(server.dir).every((n) => !/^central\.log\.\d.*\d$/.test(n)), 5000, 'gzip of every rotated file')
    let text = ''
    for (const name of readdirSync(server.dir).filter((n) => n.endsWith('.gz')).sort()) text += gunzipSync(readFileSync(path.join(server.dir, name))).toString('utf8')
    text += readFileSync(server.file, 'utf8')
    assertComplete(sequences(text), tags, 3000)
  })
})

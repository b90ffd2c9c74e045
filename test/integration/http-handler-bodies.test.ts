// HTTPHandler bodies being received count against log.max_partial_bytes, as half-received frames on the log port
// do: web.http_handler_max_bytes bounds one body, not the sum, and 200 peers each holding 99 % of a 1 MiB
// body held 250 MB (measured). Past the bound a new body is refused at once (503, counted), and a record
// from CPython's own HTTPHandler lands again as soon as the held bodies are gone.
import assert from 'node:assert/strict'
import net from 'node:net'
import { after, before, describe, it } from 'node:test'
import { runPythonAsync } from '../support/python.js'
import { startServer, waitFor, type RunningServer } from '../support/server.js'

const BODY = 1024 * 1024 - 100
const BUDGET = 4 * 1024 * 1024
const HOLDERS = 6

/** Sends the headers and all but the last byte of a BODY-byte form, then holds it; resolves with the status line, if any. */
function holdBody(port: number): { socket: net.Socket; answer: Promise<string> } {
  const socket = net.connect(port, '127.0.0.1')
  let text = ''
  const answer = new Promise<string>((resolve) => {
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')))
    socket.on('close', () => resolve(text.split('\r\n')[0] ?? ''))
    socket.on('error', () => {})
  })
  socket.write(`POST /log HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${BODY}\r\n\r\n`)
  socket.write(Buffer.from('msg=' + 'x'.repeat(BODY - 5)))
  return { socket, answer }
}

describe('HTTPHandler bodies in flight', () => {
  let server: RunningServer
  before(async () => {
    server = await startServer(`log: {max_partial_bytes: ${BUDGET}}\nweb: {http_handler_path: /log, http_handler_max_bytes: ${BODY}}\n`)
  })
  after(() => server.cleanup())

  it('refuses a body past log.max_partial_bytes of bodies being received (503, counted), and takes records again after', async () => {
    const held = Array.from({ length: HOLDERS }, () => holdBody(server.webPort))
    const answered: string[] = []
    held.forEach((h) => void h.answer.then((line) => answered.push(line)))
    await waitFor(() => answered.length >= 2, 5000, 'the bodies past 4 MiB to be refused').catch(() => {})
    await new Promise((resolve) => setTimeout(resolve, 300))
    assert.deepEqual(answered, ['HTTP/1.1 503 Service Unavailable', 'HTTP/1.1 503 Service Unavailable'], 'the two bodies past 4 MiB are refused, the four within it are held')
    const status = (await (await fetch(`http://127.0.0.1:${server.webPort}/api/status`)).json()) as { rejected: Record<string, number> }
    assert.equal(status.rejected['http_too_large'], 2)
    held.forEach((h) => h.socket.destroy())
    await Promise.all(held.map((h) => h.answer)) // closed: the server saw the aborts and gave their room back
    await new Promise((resolve) => setTimeout(resolve, 200))
    await runPythonAsync(
      `import logging, logging.handlers, sys
log = logging.getLogger('bodies.after'); log.propagate = False
log.addHandler(logging.handlers.HTTPHandler(f'127.0.0.1:{sys.argv[1]}', '/log', method='POST'))
log.warning('after the %s', 'holders')`,
      [String(server.webPort)],
    )
    await waitFor(async () => {
      const res = await fetch(`http://127.0.0.1:${server.webPort}/api/records?logger=bodies.after`)
      return ((await res.json()) as { records: { message: string }[] }).records.some((r) => r.message === 'after the holders')
    }, 5000, 'the record after the holders')
  })
})

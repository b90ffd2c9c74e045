// Hostile connections beside a genuine client (issue 10, item 2): many idle connections, many that declare a
// 1 MiB frame and send half of it, and slowloris peers trickling a byte a second. Meanwhile a real CPython
// SocketHandler sends numbered records at a steady rate; each one's send-to-disk latency is its `created`
// time against the moment a tail of the central file first sees it. Used by the integration slice
// (test/integration/hostile-load.test.ts) and the full run (`npm run load:hostile`, bench/hostile-load.ts).
import { openSync, readSync, closeSync, readFileSync } from 'node:fs'
import net from 'node:net'
import { runPythonAsync } from './python.js'
import type { RunningServer } from './server.js'

export interface HostileLoadOptions {
  idle: number
  halfFrames: number
  /** Declared frame length of each half frame; half of it is sent. */
  halfFrameBytes: number
  slowloris: number
  records: number
  recordsPerSecond: number
}

export interface HostileLoadResult {
  recordsSent: number
  recordsLanded: number
  /** Records seen in the file more than once. */
  duplicates: number
  latencyMs: { p50: number; p99: number; max: number }
  /** Peak resident memory of the server process (VmHWM), MiB. */
  peakRssMiB: number
  /** Hostile connections the server had closed by the end (it should close none of the idle ones). */
  idleClosed: number
  halfFramesClosed: number
  slowlorisClosed: number
}

/** The config a hostile-load server needs: `%(created)f` lets the tail time each record. */
export const HOSTILE_LOAD_CONFIG = "file: {format: '%(created)f %(message)s'}"

const PROBE = /^(\d+\.\d+) probe (\d+)$/

export async function runHostileLoad(server: RunningServer, options: HostileLoadOptions): Promise<HostileLoadResult> {
  const opened: { socket: net.Socket; closed: boolean }[][] = [[], [], []]
  const open = async (kind: 0 | 1 | 2, count: number, first: (socket: net.Socket) => void): Promise<void> => {
    // Batches, so the accept queue (backlog 511) never overflows into SYN retries.
    for (let done = 0; done < count; ) {
      const batch = Math.min(200, count - done)
      await Promise.all(
        Array.from({ length: batch }, () => connect(server.logPort).then((socket) => {
          const entry = { socket, closed: false }
          socket.on('close', () => (entry.closed = true))
          opened[kind]!.push(entry)
          first(socket)
        })),
      )
      done += batch
    }
  }
  const header = (length: number): Buffer => {
    const b = Buffer.alloc(4)
    b.writeUInt32BE(length)
    return b
  }
  const tickers: NodeJS.Timeout[] = []
  try {
    await open(0, options.idle, () => {})
    const half = Buffer.concat([header(options.halfFrameBytes), Buffer.alloc(options.halfFrameBytes / 2, 0x80)])
    await open(1, options.halfFrames, (socket) => socket.write(half))
    await open(2, options.slowloris, (socket) => {
      socket.write(header(options.halfFrameBytes))
      tickers.push(setInterval(() => socket.write(Buffer.from([0x80])), 1000))
    })

    const tail = new FileTail(server.file)
    const arrived = new Map<number, number>()
    let duplicates = 0
    const latencies: number[] = []
    const poll = (): void => {
      const now = Date.now() / 1000
      for (const line of tail.lines()) {
        const m = PROBE.exec(line)
        if (!m) continue
        const seq = Number(m[2])
        if (arrived.has(seq)) duplicates++
        else {
          arrived.set(seq, now)
          latencies.push((now - Number(m[1])) * 1000)
        }
      }
    }
    const poller = setInterval(poll, 20)
    await runPythonAsync(PROBE_CLIENT, [String(server.logPort), String(options.records), String(options.recordsPerSecond)])
    const deadline = Date.now() + 10_000
    while (arrived.size < options.records && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    clearInterval(poller)
    poll()
    latencies.sort((a, b) => a - b)
    const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN
    const closed = (kind: number): number => opened[kind]!.filter((e) => e.closed).length
    return {
      recordsSent: options.records,
      recordsLanded: arrived.size,
      duplicates,
      latencyMs: { p50: at(0.5), p99: at(0.99), max: latencies.at(-1) ?? NaN },
      peakRssMiB: peakRssMiB(server.child.pid!),
      idleClosed: closed(0),
      halfFramesClosed: closed(1),
      slowlorisClosed: closed(2),
    }
  } finally {
    for (const t of tickers) clearInterval(t)
    for (const e of opened.flat()) e.socket.destroy()
  }
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.off('error', reject)
      socket.on('error', () => {})
      socket.resume()
      resolve(socket)
    })
    socket.once('error', reject)
  })
}

function peakRssMiB(pid: number): number {
  const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
  return kb === undefined ? NaN : Math.round(Number(kb) / 1024)
}

/** Reads whole lines appended to a file since the last call. */
class FileTail {
  private offset = 0
  private rest = ''
  constructor(private readonly path: string) {}

  lines(): string[] {
    let fd: number
    try {
      fd = openSync(this.path, 'r')
    } catch {
      return []
    }
    try {
      const chunk = Buffer.alloc(1 << 20)
      let text = ''
      for (;;) {
        const n = readSync(fd, chunk, 0, chunk.length, this.offset)
        if (n === 0) break
        this.offset += n
        text += chunk.toString('utf8', 0, n)
      }
      const parts = (this.rest + text).split('\n')
      this.rest = parts.pop() ?? ''
      return parts
    } finally {
      closeSync(fd)
    }
  }
}

/** A genuine SocketHandler at a steady rate; every failed send fails the run. */
const PROBE_CLIENT = `
import logging, logging.handlers, sys, time
port, count, rate = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
handler = logging.handlers.SocketHandler('127.0.0.1', port)
failed = []
handler.handleError = lambda record: failed.append(record)
log = logging.getLogger('probe')
log.propagate = False
log.addHandler(handler)
start = time.monotonic()
for i in range(count):
    due = start + i / rate
    wait = due - time.monotonic()
    if wait > 0:
        time.sleep(wait)
    log.warning('probe %d', i)
handler.close()
if failed:
    sys.exit('%d records failed to send' % len(failed))
`

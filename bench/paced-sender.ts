// The sending side of "many small clients", run in worker threads so that sending never delays the bench's
// reading of the file (nor the reverse). Worker w of W owns every W-th record (rid ≡ w mod W) and its share
// of the connections; it writes each record alone, on its connections in turn, when the clock says it is due,
// and notes the wall time of each write in a SharedArrayBuffer the main thread reads.
import { parentPort, workerData } from 'node:worker_threads'
import { withRid } from './frames.js'
import { connectAll } from './sender.js'

export interface PacedSenderData {
  port: number
  connections: number
  /** Records per second for this worker. */
  rate: number
  records: number
  worker: number
  workers: number
  templates: Buffer[]
  /** Float64Array over it: process.hrtime ms of each record's write, by rid. */
  sentAt: SharedArrayBuffer
}

export type ToSender = { start: number } | 'end'
export type FromSender = 'ready' | { lastSentAt: number }

// One monotonic clock for every thread: a worker's performance.now() + timeOrigin is not comparable with the
// main thread's (Node counts a worker's now() from the worker's start).
const wallNow = (): number => Number(process.hrtime.bigint()) / 1e6

if (parentPort !== null) {
  const data = workerData as PacedSenderData
  const port = parentPort
  const sentAt = new Float64Array(data.sentAt)
  const templates = data.templates.map((t) => Buffer.from(t))
  const sockets = await connectAll(data.port, data.connections)
  for (const socket of sockets) socket.on('error', () => {}).resume()
  port.postMessage('ready' satisfies FromSender)
  port.on('message', (message: ToSender) => {
    if (message === 'end') {
      for (const socket of sockets) socket.end()
      port.close()
      return
    }
    const start = message.start
    let k = 0 // this worker's k-th record is rid k * workers + worker
    const timer = setInterval(() => {
      const due = Math.floor(((wallNow() - start) / 1000) * data.rate)
      for (let rid = k * data.workers + data.worker; k < due && rid < data.records; k++, rid += data.workers) {
        sentAt[rid] = wallNow()
        sockets[k % sockets.length]!.write(withRid(templates[rid % templates.length]!, rid))
      }
      if (k * data.workers + data.worker >= data.records) {
        clearInterval(timer)
        port.postMessage({ lastSentAt: wallNow() } satisfies FromSender)
      }
    }, 2)
  })
}

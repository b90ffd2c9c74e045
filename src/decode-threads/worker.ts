// A decode thread (log.decode_threads): takes one read's frames at a time from the event loop, decodes and
// formats them exactly as the loop would (decodeBatch), and sends back the lines and what counting needs.
// Bundled by itself (scripts/bundle.mjs → dist/src/decode-worker.cjs) and started from that text, read at start.
import { parentPort, workerData } from 'node:worker_threads'
import type { FrameBatch } from '../ingest/frame-batch.js'
import { decodeWith, formattingOf } from './formatting.js'
import type { ThreadStart, ToThread } from './messages.js'

const port = parentPort
if (port === null) throw new Error('decode-worker runs as a worker thread only')
const start = workerData as ThreadStart
let formatting = formattingOf(start.format)

port.on('message', (message: ToThread) => {
  if (message.kind === 'format') {
    formatting = formattingOf(message.format)
    return
  }
  const outcome = decodeWith(message.batch as FrameBatch, formatting, message.out)
  // Shared memory is shared, not moved; the rest is this thread's own and moves without a copy.
  const moved = [outcome.lineEnds.buffer, outcome.levelnos.buffer, outcome.levelIndex.buffer] as ArrayBuffer[]
  if (!(outcome.bytes.buffer instanceof SharedArrayBuffer)) moved.push(outcome.bytes.buffer)
  port.postMessage({ id: message.id, outcome }, moved)
  Atomics.add(start.done, start.slot, message.batch.bytes.byteLength)
})

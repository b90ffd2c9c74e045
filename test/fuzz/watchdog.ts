// A hang cannot be timed from inside a loop that never returns: a worker thread watches a heartbeat the
// fuzz loop writes into shared memory with each input (and the input's bytes), and if it stalls, prints the
// seed, the input number and its bytes in hex, and kills the process (a worker's exit ends only itself).
import { Worker } from 'node:worker_threads'

const MAX_INPUT_BYTES = 1 << 20

export class Watchdog {
  private readonly beat = new Int32Array(new SharedArrayBuffer(8)) // [input number, input length]
  private readonly bytes = new Uint8Array(new SharedArrayBuffer(MAX_INPUT_BYTES))
  private readonly worker: Worker

  constructor(seed: number, stallMs: number) {
    this.worker = new Worker(WATCHER, { eval: true, workerData: { beat: this.beat, bytes: this.bytes, seed, stallMs } })
    this.worker.unref()
  }

  /** Called before each input is run. */
  input(n: number, stream: Uint8Array): void {
    const length = Math.min(stream.length, MAX_INPUT_BYTES)
    this.bytes.set(stream.subarray(0, length))
    Atomics.store(this.beat, 1, length)
    Atomics.store(this.beat, 0, n)
  }

  stop(): Promise<number> {
    return this.worker.terminate()
  }
}

const WATCHER = `
const { workerData } = require('node:worker_threads')
const { writeSync } = require('node:fs')
const { beat, bytes, seed, stallMs } = workerData
let last = -1
let since = Date.now()
setInterval(() => {
  const n = Atomics.load(beat, 0)
  if (n !== last) { last = n; since = Date.now(); return }
  if (n <= 0 || Date.now() - since < stallMs) return
  const hex = Buffer.from(bytes.subarray(0, Atomics.load(beat, 1))).toString('hex')
  writeSync(2, 'FAILED: HANG: input #' + n + ' (seed ' + seed + ') still running after ' + stallMs + ' ms; stream (hex): ' + hex + '\\n')
  process.kill(process.pid, 'SIGKILL')
}, 250)
`

// The I/O ceiling: a Node receiver that parses nothing. It cuts what arrives at frame boundaries (reading
// only the 4-byte lengths, so connections never interleave inside a frame) and appends the bytes to one file.
// With --discard it only counts bytes: the sink the sender alone is measured against.
// usage: node dist/bench/raw-sink.js (--file PATH | --discard)   prints "listening PORT"; runs until killed
import { createWriteStream } from 'node:fs'
import net from 'node:net'
import { parseArgs } from 'node:util'

const { values } = parseArgs({ options: { file: { type: 'string' }, discard: { type: 'boolean', default: false } } })
if (values.file === undefined && !values.discard) throw new Error('raw-sink: give --file PATH or --discard')

const out = values.file === undefined ? null : createWriteStream(values.file, { flags: 'a', highWaterMark: 1 << 20 })
const sockets = new Set<net.Socket>()
let paused = false

/** Length of the whole frames at the start of `bytes`. */
function wholeFrames(bytes: Buffer): number {
  let at = 0
  while (at + 4 <= bytes.length) {
    const end = at + 4 + bytes.readUInt32BE(at)
    if (end > bytes.length) break
    at = end
  }
  return at
}

out?.on('drain', () => {
  paused = false
  for (const socket of sockets) socket.resume()
})

const server = net.createServer((socket) => {
  sockets.add(socket)
  let pending: Buffer | null = null
  socket.on('data', (chunk: Buffer) => {
    if (out === null) return
    const bytes: Buffer = pending === null ? chunk : Buffer.concat([pending, chunk])
    const whole = wholeFrames(bytes)
    pending = whole === bytes.length ? null : bytes.subarray(whole)
    if (whole > 0 && !out.write(bytes.subarray(0, whole)) && !paused) {
      paused = true
      for (const s of sockets) s.pause()
    }
  })
  socket.on('end', () => socket.end())
  socket.on('error', () => {})
  socket.on('close', () => sockets.delete(socket))
})
server.listen(0, '127.0.0.1', () => {
  const address = server.address() as net.AddressInfo
  process.stdout.write(`listening ${address.port}\n`)
})

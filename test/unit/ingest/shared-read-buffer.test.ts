// The shared read buffer on real loopback sockets: it is engaged on the Node this runs on (a Node that moved the
// fields would only be slower, so this is where that shows), each connection gets its own bytes in order while
// many write at once, pausing still stops reads, and the end of the stream and the idle timeout still come.
import assert from 'node:assert/strict'
import net from 'node:net'
import tls from 'node:tls'
import { after, describe, it } from 'node:test'
import { readIntoSharedBuffer } from '../../../src/ingest/shared-read-buffer.js'

/** A loopback server whose accepted sockets go to `accepted`; closed after `use`. */
async function withServer(accepted: (socket: net.Socket) => void, use: (port: number) => Promise<void>): Promise<void> {
  const server = net.createServer(accepted)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    await use((server.address() as net.AddressInfo).port)
  } finally {
    await new Promise((resolve) => server.close(resolve))
  }
}

function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      if (check()) resolve()
      else if (Date.now() > deadline) reject(new Error(`timed out waiting for ${what}`))
      else setTimeout(poll, 5)
    }
    poll()
  })
}

describe('shared read buffer', () => {
  it('gives every connection its own bytes, in order, through one buffer, while 8 clients write at once', async () => {
    const received = new Map<number, Buffer[]>()
    const buffers = new Set<ArrayBufferLike>()
    let engaged = 0
    const ended: number[] = []
    await withServer((socket) => {
      const id = received.size
      received.set(id, [])
      const ok = readIntoSharedBuffer(socket, (chunk) => {
        buffers.add(chunk.buffer)
        received.get(id)!.push(Buffer.from(chunk)) // copied: the chunk is valid only during the call
      })
      if (ok) engaged++
      socket.on('end', () => {
        ended.push(id)
        socket.end()
      })
    }, async (port) => {
      // Each client's stream is distinct at every byte position, so a chunk handed to the wrong connection,
      // or overwritten before it was taken, shows.
      const streams = Array.from({ length: 8 }, (_, c) => Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7 + c * 31 + (i >> 8)) & 0xff)))
      await Promise.all(streams.map((data) => new Promise<void>((resolve, reject) => {
        const client = net.connect(port, '127.0.0.1', () => {
          // Written in pieces of different sizes, so reads of the connections interleave.
          for (let at = 0; at < data.length; at += 4096 + (at % 5000)) client.write(data.subarray(at, Math.min(data.length, at + 4096 + (at % 5000))))
          client.end()
        })
        client.on('error', reject)
        client.on('close', () => resolve())
        client.resume()
      })))
      await until(() => ended.length === 8, 'every end')
      assert.equal(engaged, 8, 'every accepted plain socket reads into the shared buffer on this Node')
      assert.equal(buffers.size, 1, 'one buffer for every read of every connection')
      const got = [...received.values()].map((chunks) => Buffer.concat(chunks))
      // Accept order is not connect order: match each received stream to the client that sent it.
      for (const data of streams) assert.ok(got.some((g) => g.equals(data)), 'a client stream arrived whole and in order')
    })
  })

  it('stops reading while the socket is paused and reads on once resumed; the idle timeout still fires', async () => {
    let bytes = 0
    let socketHere: net.Socket | null = null
    let timedOut = false
    await withServer((socket) => {
      socketHere = socket
      assert.equal(readIntoSharedBuffer(socket, (chunk) => (bytes += chunk.length)), true)
      socket.setTimeout(300)
      socket.on('timeout', () => (timedOut = true))
    }, async (port) => {
      const client = net.connect(port, '127.0.0.1')
      client.resume()
      after(() => {
        client.destroy()
        socketHere?.destroy()
      })
      await until(() => socketHere !== null, 'the connection')
      client.write(Buffer.alloc(1000, 1))
      await until(() => bytes === 1000, 'the first bytes')
      socketHere!.pause()
      client.write(Buffer.alloc(1000, 2))
      await new Promise((r) => setTimeout(r, 100))
      assert.equal(bytes, 1000, 'nothing read while paused')
      socketHere!.resume()
      await until(() => bytes === 2000, 'the bytes sent while paused')
      await until(() => timedOut, 'the idle timeout', 2000)
      client.destroy()
      socketHere!.destroy()
    })
  })

  it('keeps a socket paused before it was switched paused: no read until it is resumed', async () => {
    let bytes = 0
    let socketHere: net.Socket | null = null
    await withServer((socket) => {
      socketHere = socket
      socket.pause() // as flow control pauses a connection accepted while the file is behind
      assert.equal(readIntoSharedBuffer(socket, (chunk) => (bytes += chunk.length)), true)
    }, async (port) => {
      const client = net.connect(port, '127.0.0.1')
      client.resume()
      try {
        await until(() => socketHere !== null, 'the connection')
        client.write(Buffer.alloc(5000, 1))
        await new Promise((r) => setTimeout(r, 150))
        assert.equal(bytes, 0, 'nothing read while paused')
        socketHere!.resume()
        await until(() => bytes === 5000, 'the bytes, once resumed')
      } finally {
        client.destroy()
        socketHere?.destroy()
      }
    })
  })

  it('leaves a TLS socket to its data events (its chunks are decrypted records, not reads)', () => {
    const socket = new tls.TLSSocket(new net.Socket())
    assert.equal(readIntoSharedBuffer(socket, () => {}), false)
    socket.destroy()
  })
})

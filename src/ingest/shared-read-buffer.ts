// Every plain log connection reads into one buffer, reused read after read. By default Node allocates a fresh
// 64 KiB buffer for each read: a malloc, an ArrayBuffer and external memory that V8 counts towards its next full
// collection. At a few thousand reads a second that kept four GC threads marking and cost the event loop a tenth
// of its time (blast, A/B in one run: one client 430k → 475k records/s and 4.2 → 3.8 CPU-s per million records;
// 32 clients 413k → 422k, the event loop's own CPU 5 % less).
// One buffer serves every connection because the event loop reads one socket at a time and hands each read to
// its connection before the next read: a connection must be done with a chunk when its callback returns (the
// framer copies the part of a frame it keeps, a batch copies its frames at the end of the read).
// Node's documented `onread` option (net.Socket, net.connect) is exactly this, but a server's accepted sockets
// are made by Node without options: this sets the same two fields that option sets, found by their symbols'
// descriptions, and leaves the socket to 'data' events where they are not there (another Node).
import type { Socket } from 'node:net'
import { TLSSocket } from 'node:tls'

/** As large as a read Node makes by default, so reads stay as large. */
const READ_BUFFER_BYTES = 64 * 1024

let shared: Buffer | null = null

interface UserBufferHandle {
  useUserBuffer(buffer: Uint8Array): void
}

/**
 * From now on the socket's reads land in the shared buffer and go to `receive` (the chunk is valid only during
 * the call); false: not possible here (TLS, a Node without the fields, bytes already buffered), and nothing was
 * changed: the caller listens for 'data'.
 */
export function readIntoSharedBuffer(socket: Socket, receive: (chunk: Buffer) => void): boolean {
  // A TLS socket's chunks are decrypted records, not reads: its handle is not where they come from.
  if (socket instanceof TLSSocket) return false
  const handle = (socket as unknown as { _handle?: Partial<UserBufferHandle> | null })._handle
  if (handle == null || typeof handle.useUserBuffer !== 'function') return false
  // Bytes the stream already holds would come as 'data' after reads that come through the buffer: out of order.
  if (socket.readableLength > 0) return false
  const symbols = Object.getOwnPropertySymbols(socket)
  const kBuffer = symbols.find((s) => s.description === 'kBuffer')
  const kBufferCb = symbols.find((s) => s.description === 'kBufferCb')
  if (kBuffer === undefined || kBufferCb === undefined) return false
  const fields = socket as unknown as Record<symbol, unknown>
  if (fields[kBuffer] != null || fields[kBufferCb] != null) return false
  shared ??= Buffer.allocUnsafe(READ_BUFFER_BYTES)
  fields[kBuffer] = shared
  // Node passes the buffer the bytes are in and how many there are; returning false would pause the socket.
  fields[kBufferCb] = (bytes: number, buffer: Buffer): void => receive(buffer.subarray(0, bytes))
  handle.useUserBuffer(shared)
  // A stream paused before (flow control's pause of every socket, say) had only stopped taking chunks, not reading
  // from the kernel; with the buffer, Node's pause() stops the reads themselves: pause again so it does.
  if (socket.isPaused()) socket.pause()
  return true
}

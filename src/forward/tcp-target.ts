// tcp://: RFC 5424 messages with RFC 6587 octet counting (`LEN SP MSG`), as rsyslog's imtcp and syslog-ng's
// syslog() source read them. At-most-once: what the kernel holds when the receiver dies is lost.
import type net from 'node:net'
import { SocketTarget, until } from './socket-target.js'

export function octetCounted(message: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${message.length} `, 'ascii'), message])
}

export class TcpTarget extends SocketTarget {
  protected opened(_socket: net.Socket): void {
    this.connected()
  }

  protected received(_chunk: Buffer): void {
    // A syslog receiver sends nothing back; ignore whatever arrives.
  }

  protected pump(): void {
    this.writeQueued(octetCounted)
  }

  protected async flush(deadline: number): Promise<void> {
    await until(() => this.socket === null || (this.queue.length === 0 && this.socket.writableLength === 0), deadline)
    const socket = this.socket
    if (socket === null) return
    socket.end()
    await until(() => socket.closed, deadline)
  }
}

// udp://: one RFC 5424 message per datagram (RFC 5426), cut to the target's max_message_bytes and never past
// 65,507 bytes (IPv4's largest UDP payload). At-most-once: a receiver that is down, or a kernel buffer
// that overflows, loses datagrams without anyone knowing; only refusals the kernel reports are seen.
import dgram from 'node:dgram'
import { isIPv6 } from 'node:net'
import { until } from './socket-target.js'
import { ForwardTarget } from './target.js'

/** Sends handed to the kernel and not yet completed, at most: the rest wait in our (bounded) queue. */
const IN_FLIGHT_MAX = 64

export class UdpTarget extends ForwardTarget {
  private socket: dgram.Socket | null = null
  private inFlight = 0

  protected connect(): void {
    const socket = dgram.createSocket(isIPv6(this.where.host) ? 'udp6' : 'udp4')
    this.socket = socket
    socket.on('error', (err) => {
      if (this.socket !== socket) return
      this.socket = null
      socket.close()
      this.failed(err.message)
    })
    // connect() resolves the host once and lets the kernel report ICMP refusals on later sends.
    socket.connect(this.where.port, this.where.host, () => {
      if (this.socket === socket) this.connected()
    })
  }

  protected pump(): void {
    const socket = this.socket
    if (socket === null || this.state !== 'connected') return
    while (this.queue.length > 0 && this.inFlight < IN_FLIGHT_MAX) {
      const message = this.queue.shift()!
      this.inFlight++
      this.sent++
      socket.send(message, (err) => {
        this.inFlight--
        // ECONNREFUSED: an ICMP port unreachable for an earlier datagram; the record is gone either way.
        if (err) this.lastError = err.message
        if (this.socket === socket) this.pump()
      })
    }
  }

  protected async flush(deadline: number): Promise<void> {
    await until(() => this.socket === null || (this.queue.length === 0 && this.inFlight === 0), deadline)
  }

  protected shutdown(): void {
    const socket = this.socket
    this.socket = null
    socket?.close()
  }
}

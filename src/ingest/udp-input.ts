// The UDP input (`log.udp_port`): CPython's DatagramHandler sends each record as one datagram holding the
// same frame SocketHandler writes on a stream (4-byte big-endian length + pickle). Same decoder, records and
// dispatcher as the log port; a bad datagram is counted and dropped, never more. UDP cannot be paused, so a
// datagram that comes while the central file is past its backlog is dropped and counted, not held.
import dgram from 'node:dgram'
import type { Config } from '../config/schema.js'
import type { Diagnostics } from '../diagnostic-codes.js'
import type { Dispatcher } from '../dispatcher.js'
import type { RejectCode } from '../errors.js'
import { PeerAllow } from '../peer-allow.js'
import type { Stats } from '../status/stats.js'
import type { Telemetry } from '../status/telemetry.js'
import { bindDatagram, type DatagramListening } from '../systemd/listeners.js'
import { decodeFrame } from './decode-frame.js'
import { InputCounters } from './input-status.js'
import type { InputStatusJson } from '../status/io-status.js'
import { PlaceholderLimiter } from './placeholder.js'
import { refuseRecord } from './refusal.js'
import { UdpDrops } from './udp-drops.js'

type LogConfig = Config['log']

export interface UdpInputParts {
  dispatcher: Dispatcher
  stats: Stats
  telemetry: Telemetry
  diagnostics: Diagnostics
}

/** The 4-byte length prefix DatagramHandler.makePickle puts before the pickle (struct.pack(">L", …)). */
const PREFIX_BYTES = 4

export class UdpInput {
  private readonly counters = new InputCounters()
  private readonly placeholders = new PlaceholderLimiter()
  private allow: PeerAllow | null = null
  private maxFrameBytes = 0
  private listening: DatagramListening | null = null
  private drops: UdpDrops | null = null

  private constructor(private readonly parts: UdpInputParts, config: LogConfig) {
    this.reconfigure(config)
  }

  /** Binds `log.host:udp_port`, or adopts systemd's "udp" fds; null when neither is asked for. Rejects with the bind error. */
  static async open(parts: UdpInputParts, config: LogConfig, inherited: Map<string, number[]> | null): Promise<UdpInput | null> {
    if (config.udp_port === null && !inherited?.has('udp')) return null
    const input = new UdpInput(parts, config)
    input.listening = await bindDatagram({ name: 'udp', host: config.host, port: config.udp_port ?? 0 }, inherited, (type) => input.socket(type))
    input.drops = UdpDrops.find(input.listening.sockets.map((s) => s.address().port))
    return input
  }

  /** log.allow and log.max_frame_bytes, for datagrams from now on (the port needs a restart). */
  reconfigure(config: LogConfig): void {
    this.allow = PeerAllow.from(config.allow)
    this.maxFrameBytes = config.max_frame_bytes
  }

  /** For the startup line. */
  get port(): { role: string; description: string; activated: boolean } {
    const { description = '?', activated = false } = this.listening ?? {}
    return { role: 'udp', description, activated }
  }

  status(): InputStatusJson {
    const { records, rejected } = this.counters
    return { kind: 'udp', address: this.port.description, records, rejected, open: null }
  }

  /**
   * Datagrams the kernel dropped on these sockets since they opened (their receive buffers were full): the
   * server never sees them, so this is the only trace (Linux /proc/net/udp{,6} "drops"); null where unreadable.
   */
  kernelDrops(): number | null {
    return this.drops?.count() ?? null
  }

  /** Stops receiving: each datagram was dispatched as it came, so nothing is left to drain. */
  close(): void {
    for (const socket of this.listening?.sockets ?? []) socket.close()
  }

  private socket(type: dgram.SocketType): dgram.Socket {
    const socket = dgram.createSocket(type)
    socket.on('message', (datagram, from) => this.receive(datagram, from.address))
    // A receive error (ICMP-induced ECONNREFUSED and the like) concerns one datagram, never the input.
    socket.on('error', (err: NodeJS.ErrnoException) => this.parts.diagnostics.report('LS-LOG-CLIENT-GONE', `UDP log socket: ${err.code ?? err.message}`))
    return socket
  }

  private receive(datagram: Buffer, address: string): void {
    const { stats, diagnostics, dispatcher, telemetry } = this.parts
    // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d: records name them as the IPv4 address they are.
    const peer = address.startsWith('::ffff:') ? address.slice(7) : address
    if (this.allow !== null && !this.allow.allows(address)) {
      this.counters.rejected++
      stats.reject('NOT_ALLOWED')
      diagnostics.reportLimited('LS-NOT-ALLOWED', `log datagram from ${peer} dropped: not in log.allow`)
      return
    }
    stats.bytesReceived += datagram.length
    if (dispatcher.backpressure) return this.drop(peer, 'DATAGRAM_BACKLOG', `${datagram.length} bytes while the central file is past log.max_backlog_bytes`)
    if (datagram.length <= PREFIX_BYTES) return this.drop(peer, 'DATAGRAM_MALFORMED', `${datagram.length} bytes: no room for a length prefix and a pickle`)
    const declared = datagram.readUInt32BE(0)
    const payload = datagram.subarray(PREFIX_BYTES)
    if (declared !== payload.length) return this.drop(peer, 'DATAGRAM_MALFORMED', `its length prefix says ${declared} bytes, ${payload.length} followed`)
    telemetry.frameBytes.observe(payload.length)
    if (payload.length > this.maxFrameBytes) return this.refuse(peer, 'FRAME_TOO_LARGE', payload.length, `over log.max_frame_bytes (${this.maxFrameBytes})`)
    const started = performance.now()
    let outcome: ReturnType<typeof decodeFrame>
    try {
      outcome = decodeFrame(payload, peer, Date.now() / 1000)
    } catch (err) {
      // A decoder bug on odd input: still only this datagram's problem.
      return this.refuse(peer, 'UNPICKLE_FAILED', payload.length, String(err))
    }
    if ('record' in outcome) {
      dispatcher.accept(outcome.record)
      this.counters.records++
      telemetry.ingestSeconds.observe((performance.now() - started) / 1000)
    } else this.refuse(peer, outcome.code, payload.length, outcome.message)
  }

  /** Not a record at all (or no room for one): counted and reported, no placeholder. */
  private drop(peer: string, code: RejectCode, why: string): void {
    this.counters.rejected++
    this.parts.stats.reject(code)
    this.parts.diagnostics.reportLimited(code === 'DATAGRAM_BACKLOG' ? 'LS-DATAGRAM-BACKLOG' : 'LS-DATAGRAM-MALFORMED', `log datagram from ${peer} dropped: ${why}`)
  }

  /** A framed record refused: a placeholder takes its place in the file, as on the log port. */
  private refuse(peer: string, code: RejectCode, bytes: number, why: string): void {
    this.counters.rejected++
    refuseRecord({ ...this.parts, placeholders: this.placeholders }, peer, code, bytes, why, 'datagram dropped')
  }
}

// The TLS port's handshakes, taken out of log-port.ts: a tls.Server that never listens itself gets each
// admitted socket for its handshake (bounded in time, client certificate checked here), and only a secured
// socket becomes a Connection. A stop waits for the handshakes in progress, since their clients may have sent
// records already.
import type net from 'node:net'
import tls from 'node:tls'
import type { Diagnostics } from '../diagnostic-codes.js'
import { ConfigError } from '../errors.js'
import type { Config } from '../config/schema.js'
import type { Stats } from '../status/stats.js'
import { peerAddress } from './connection.js'
import { readTlsFiles } from './tls-options.js'

type TlsConfig = NonNullable<Config['log']['tls']>

/** A TLS peer must finish its handshake within this (or log.frame_timeout_seconds, if shorter): silence holds a socket. */
const HANDSHAKE_MAX_MS = 10_000

export class TlsHandshakes {
  /**
   * TLS sockets in their handshake, by peer address and port (the TLS socket Node makes reports the same),
   * each with what to call once it is settled: secure (then a Connection) or closed.
   */
  private readonly pending = new Map<string, () => void>()
  /** The raw sockets of those handshakes, by the same key. */
  private readonly sockets = new Map<string, net.Socket>()
  private readonly server: tls.Server

  /** `refused`: called for each socket refused here (the port's own count); `secured` makes the Connection. */
  constructor(
    private readonly config: TlsConfig,
    frameTimeoutSeconds: number,
    private readonly parts: { stats: Stats; diagnostics: Diagnostics },
    secured: (socket: tls.TLSSocket) => void,
    refused: () => void,
  ) {
    this.server = createTlsServer(config, frameTimeoutSeconds)
    const refuse = (socket: tls.TLSSocket, why: string): void => {
      refused()
      parts.stats.reject('TLS_HANDSHAKE')
      parts.diagnostics.reportLimited('LS-TLS-HANDSHAKE', `TLS log connection from ${peerAddress(socket)} refused: ${why}`)
      socket.destroy()
    }
    this.server.on('tlsClientError', (err: NodeJS.ErrnoException, socket) => {
      const settled = this.pending.get(socketKey(socket))
      refuse(socket, err.code ?? err.message)
      settled?.()
    })
    this.server.on('secureConnection', (socket: tls.TLSSocket) => {
      const settled = this.pending.get(socketKey(socket))
      if (config.require_client_cert && !socket.authorized) refuse(socket, `client certificate not accepted: ${String(socket.authorizationError ?? 'none sent')}`)
      else secured(socket)
      settled?.()
    })
  }

  /** An admitted socket from the TLS port: its handshake starts. */
  start(socket: net.Socket): void {
    const key = socketKey(socket)
    const settled = (): void => {
      this.pending.delete(key)
      this.sockets.delete(key)
    }
    this.pending.set(key, settled)
    this.sockets.set(key, socket)
    socket.once('close', () => this.pending.get(key)?.())
    this.server.emit('connection', socket)
  }

  /** At a stop: a peer that has not sent a byte has sent no record either, so it is closed, not waited for. */
  closeSilent(): void {
    for (const socket of this.sockets.values()) if (socket.bytesRead === 0) socket.destroy()
  }

  /** Resolves once every handshake in progress now has settled. */
  settled(): Promise<void> {
    return Promise.all(
      [...this.pending].map(
        ([key, settled]) =>
          new Promise<void>((resolve) =>
            this.pending.set(key, () => {
              settled()
              resolve()
            }),
          ),
      ),
    ).then(() => undefined)
  }

  /**
   * SIGHUP: re-reads the certificate files, for connections made afterwards. A file that cannot be used is
   * reported and the certificates in use are kept.
   */
  reloadCertificates(): void {
    try {
      this.server.setSecureContext(readTlsFiles(this.config))
    } catch (err) {
      const detail = err instanceof ConfigError ? err.problems.join('; ') : (err as Error).message
      this.parts.diagnostics.report('LS-RELOAD-REFUSED', `reload: keeping the TLS certificates in use: ${detail}`)
    }
  }
}

/**
 * Client certificates are checked by the caller, not by Node's `rejectUnauthorized`: that closes the socket
 * without any event, and a refused client must be counted and reported like any other.
 */
function createTlsServer(config: TlsConfig, frameTimeoutSeconds: number): tls.Server {
  return tls.createServer({
    ...readTlsFiles(config),
    requestCert: config.require_client_cert,
    rejectUnauthorized: false,
    minVersion: 'TLSv1.2',
    maxVersion: config.max_version,
    handshakeTimeout: Math.min(HANDSHAKE_MAX_MS, frameTimeoutSeconds * 1000),
  })
}

function socketKey(socket: net.Socket): string {
  return `${socket.remoteAddress ?? ''}|${socket.remotePort ?? ''}`
}

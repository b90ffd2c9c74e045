// The status port as one thing with a lifecycle: its listening sockets (systemd's or our own) and the Koa app
// behind them, rebuilt on reload so web.* settings (auth, CSS file, datefmt) apply; open SSE streams finish
// on the app they started on.
import http from 'node:http'
import type { Duplex } from 'node:stream'
import type { Config } from '../config/schema.js'
import { addressOf, listen, type Listening } from '../systemd/listeners.js'
import type { Diagnostics } from '../diagnostic-codes.js'
import { createApp } from './app.js'
import { answerClientError } from './http-handler-route.js'
import { Admission, CONNECTIONS_CHECK_MS, HEADERS_TIMEOUT_MS, HEAVY_RESPONSES, REQUEST_TIMEOUT_MS, streamLimits, type WebAdmissions } from './limits.js'
import { MetricsExposition } from './metrics.js'
import type { ServerView } from './server-view.js'

/** Keys of `web:` a reload applies; enabled, host, port and the ring's size need a restart. */
export const WEB_RELOADABLE = ['refresh_seconds', 'css_file', 'auth', 'max_streams', 'metrics_max_clients', 'http_handler_auth', 'http_handler_max_bytes'] as const

/**
 * Koa's respond() asks whether a body is a `Response`, and Node 20 loads fetch's undici (about 15 ms) the first
 * time anything touches that global: the status page's first answer took 53 ms on an idle server. Touching it
 * once the server is up moves that load off the first request.
 */
export function loadLazyGlobals(): void {
  void globalThis.Response
}

export class WebPort {
  private handle: (req: http.IncomingMessage, res: http.ServerResponse) => void
  private listening: Listening = { servers: [], description: 'not listening', activated: false }

  /** Kept across app rebuilds: streams and responses still open on the old app go on counting. */
  private readonly admissions: WebAdmissions
  /** One per process: prom-client's default collectors start timers of their own. */
  private readonly metrics: MetricsExposition

  private constructor(private readonly view: ServerView, private readonly log: Diagnostics) {
    this.admissions = {
      heavy: new Admission('record requests', HEAVY_RESPONSES),
      streams: new Admission('live streams', streamLimits(view.config.web.max_streams)),
    }
    this.metrics = new MetricsExposition(view.telemetry)
    this.handle = createApp(view, log, this.admissions, this.metrics).callback()
  }

  /** Listens on systemd's `web` sockets when inherited, else binds web.host:port; rejects with the bind error. */
  static async open(view: ServerView, log: Diagnostics, inherited: Map<string, number[]> | null): Promise<WebPort> {
    const port = new WebPort(view, log)
    const { host, port: number } = view.config.web
    const options = { headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, connectionsCheckingInterval: CONNECTIONS_CHECK_MS }
    port.listening = await listen({ name: 'web', host, port: number }, inherited, () => {
      const server = http.createServer(options, (req, res) => port.handle(req, res))
      const input = view.httpInput
      if (input) server.on('clientError', (err: Error & { code?: string }, socket: Duplex) => answerClientError(err, socket, input))
      return server
    })
    return port
  }

  /** `http://host:port/` of each socket, for the startup line. */
  /** Where the status port listens, as the startup line names it. */
  get port(): { role: string; description: string; activated: boolean } {
    return { role: 'web', description: this.listening.description, activated: this.listening.activated }
  }

  get urls(): string[] {
    return this.listening.servers.map((s) => `http://${addressOf(s)}/`)
  }

  /** The view's config has just been replaced by a reload. */
  reconfigure(config: Readonly<Config>): void {
    this.view.config = config
    this.admissions.streams.limits = streamLimits(config.web.max_streams)
    this.view.telemetry.clients.maxClients = config.web.metrics_max_clients
    this.handle = createApp(this.view, this.log, this.admissions, this.metrics).callback()
  }

  /** Stops accepting and drops every connection: pages reconnect to the next instance on their own. */
  close(): void {
    for (const server of this.listening.servers) {
      server.close()
      ;(server as http.Server).closeAllConnections()
    }
  }
}

// What each way in and each forward target reports for the status page (issue 11, item 5), declared once for
// the rooms that fill them (ingest, http-input, forward: types only). web/api-contract.ts declares the same
// shapes again because the page's compile unit imports nothing; server.ts hands these to the view, so
// TypeScript checks the two declarations against each other there.

/** One way in (log TCP port, TLS port, unix socket, UDP port, HTTP handler path). */
export interface InputStatusJson {
  kind: 'tcp' | 'tls' | 'unix' | 'udp' | 'http'
  /** Where it listens: "127.0.0.1:9020", "/run/loggingserver/log.sock", "POST /log on 127.0.0.1:9021". */
  address: string
  /** Records accepted through this input since start. */
  records: number
  /** Frames, datagrams, connections or requests refused (all reasons). */
  rejected: number
  /** Open connections (null for connectionless inputs: udp, http). */
  open: number | null
}

/** One forward target. */
export interface ForwardStatusJson {
  url: string
  state: 'connected' | 'connecting' | 'backoff' | 'closed'
  queuedRecords: number
  queuedBytes: number
  queueBytesMax: number
  /** Records written to the socket, re-sends included. */
  sent: number
  /** RELP only: acknowledged by the receiver; null for tcp/udp. */
  acked: number | null
  /** RELP: written again after a reconnect because no acknowledgement had come. */
  resent: number
  /** Refused because the queue was full (never silent: counted here, in /metrics and reported). */
  dropped: number
  lastError: string | null
}

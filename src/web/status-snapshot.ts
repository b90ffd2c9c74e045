// Every statistic of the status page at one instant: the body of /api/status and the source of /metrics.
import type { ClientStats } from '../status/stats.js'
import type { CentralFileJson, ClientJson, ForwardStatusJson, InputStatusJson, StatusSnapshot } from './api-contract.js'
import type { FileView, ServerView } from './server-view.js'

/** The page's clients table shows the busiest 50 (issue 3). */
export const TOP_CLIENTS = 50

/** Field by field: a field the sink adds reaches the API only once the contract names it. */
function centralFileJson(f: FileView): CentralFileJson {
  return {
    path: f.path,
    sizeBytes: f.sizeBytes,
    rotations: f.rotations,
    backlogRecords: f.backlogRecords,
    backlogBytes: f.backlogBytes,
    healthy: f.healthy,
    lastError: f.lastError,
    recordsWritten: f.recordsWritten,
  }
}

function clientJson(c: ClientStats): ClientJson {
  return { client: c.client, records: c.records, lastSeen: new Date(c.lastSeen * 1000).toISOString(), levels: { ...c.levels } }
}

/** Field by field, as the file: a provider's extra fields stay out of the API. */
function inputJson(i: InputStatusJson): InputStatusJson {
  return { kind: i.kind, address: i.address, records: i.records, rejected: i.rejected, open: i.open }
}

function forwardJson(f: ForwardStatusJson): ForwardStatusJson {
  return {
    url: f.url,
    state: f.state,
    queuedRecords: f.queuedRecords,
    queuedBytes: f.queuedBytes,
    queueBytesMax: f.queueBytesMax,
    sent: f.sent,
    acked: f.acked,
    resent: f.resent,
    dropped: f.dropped,
    lastError: f.lastError,
  }
}

export function statusSnapshot(view: ServerView, streamClients: number, now = Date.now()): StatusSnapshot {
  const { stats, ring, config } = view
  return {
    version: view.version,
    startedAt: new Date(stats.startedAt).toISOString(),
    uptimeSeconds: Math.floor((now - stats.startedAt) / 1000),
    recordsReceived: stats.recordsReceived,
    recordsByLevel: Object.fromEntries(stats.byLevel),
    ratePerSecond10s: stats.rate(10, now),
    ratePerSecond1m: stats.rate(60, now),
    bytesReceived: stats.bytesReceived,
    connectionsOpen: stats.connectionsOpen,
    connectionsTotal: stats.connectionsTotal,
    clientsTracked: stats.clients.size,
    clientsForgotten: stats.clientsForgotten,
    clients: stats.topClients(TOP_CLIENTS).map(clientJson),
    rejected: Object.fromEntries([...stats.rejected].map(([code, n]) => [code.toLowerCase(), n])),
    rejectedTotal: stats.rejectedTotal,
    file: centralFileJson(view.file()),
    backpressure: view.backpressure(),
    ring: { size: ring.size, capacity: ring.capacity, lastSeq: ring.last()?.seq ?? 0 },
    streamClients,
    config: { ...view.configState() },
    inputs: view.inputs.flatMap((list) => list().map(inputJson)),
    forward: view.forward.flatMap((list) => list().map(forwardJson)),
    page: {
      refreshSeconds: config.web.refresh_seconds,
      recentRecords: config.web.recent_records,
      datefmt: config.file.datefmt,
      utc: config.file.utc,
    },
  }
}

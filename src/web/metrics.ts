// /metrics with prom-client: its default process and Node collectors (CPU, memory, open fds and their limit,
// event-loop lag, heap, GC), our histograms from status/telemetry.ts, and the status page's counters and
// gauges, read from one snapshot per scrape. Counters stay counters (Prometheus computes rates itself), so
// the page's windowed rate is not exported. One registry per process: the default collectors start timers.
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client'
import { REJECT_CODES } from '../errors.js'
import type { ForwardStatusJson } from './api-contract.js'
import type { Telemetry } from '../status/telemetry.js'
import type { StatusSnapshot } from './api-contract.js'

export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE

type Labels = Record<string, string>

export class MetricsExposition {
  private readonly registry = new Registry()
  /** The snapshot of the latest scrape; every collector reads this one, so a scrape is one instant. */
  private current: StatusSnapshot | null = null

  constructor(telemetry: Telemetry) {
    const { registry } = this
    collectDefaultMetrics({ register: registry })
    // Gauges named *_total break Prometheus's naming rules (`promtool check metrics` fails on them), and a
    // count of libuv handles tells an operator nothing open fds do not.
    for (const misnamed of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(misnamed)
    for (const h of [telemetry.frameBytes, telemetry.ingestSeconds, telemetry.writeLatency, telemetry.recordsResponseSeconds]) registry.registerMetric(h)

    type Read = (s: StatusSnapshot) => number | [Labels, number][]
    const samples = (read: Read): [Labels, number][] => {
      if (this.current === null) throw new Error('metrics collected outside render()')
      const v = read(this.current)
      return typeof v === 'number' ? [[{}, v]] : v
    }
    const gauge = (name: string, help: string, read: Read, labelNames: string[] = []): void => {
      new Gauge({
        name, help, labelNames, registers: [registry],
        collect() {
          this.reset()
          for (const [labels, value] of samples(read)) this.set(labels, value)
        },
      })
    }
    // A mirrored counter: reset and set to the running total at each scrape (our totals never go backwards).
    const counter = (name: string, help: string, read: Read, labelNames: string[] = []): void => {
      new Counter({
        name, help, labelNames, registers: [registry],
        collect() {
          this.reset()
          for (const [labels, value] of samples(read)) this.inc(labels, value)
        },
      })
    }

    gauge('loggingserver_build_info', 'Version of the running server (always 1).', (s) => [[{ version: s.version }, 1]], ['version'])
    gauge('loggingserver_start_time_seconds', 'Start time of the server, seconds since the epoch.', (s) => Date.parse(s.startedAt) / 1000)
    gauge('loggingserver_uptime_seconds', 'Seconds since the server started.', (s) => s.uptimeSeconds)
    counter('loggingserver_records_received_total', 'Records received on the log port.', (s) => s.recordsReceived)
    counter('loggingserver_records_by_level_total', 'Records received, by level name.', (s) => Object.entries(s.recordsByLevel).map(([level, n]) => [{ level }, n]), ['level'])
    counter('loggingserver_bytes_received_total', 'Bytes received on the log port.', (s) => s.bytesReceived)
    gauge('loggingserver_connections_open', 'Log connections open now.', (s) => s.connectionsOpen)
    gauge('loggingserver_connections', 'Log connections open now, by state: reading, or paused because the central file is behind.',
      (s) => [[{ state: 'reading' }, s.backpressure ? 0 : s.connectionsOpen], [{ state: 'paused' }, s.backpressure ? s.connectionsOpen : 0]], ['state'])
    counter('loggingserver_connections_total', 'Log connections accepted since start.', (s) => s.connectionsTotal)
    gauge('loggingserver_clients', 'Distinct client hosts tracked by the status page.', (s) => s.clientsTracked)
    // Every reason is listed, also at 0, so rate() works from the first rejection on.
    counter('loggingserver_frames_rejected_total', 'Frames and connections refused, by reason.',
      (s) => REJECT_CODES.map((code) => [{ reason: code.toLowerCase() }, s.rejected[code.toLowerCase()] ?? 0]), ['reason'])
    gauge('loggingserver_file_size_bytes', 'Size of the central file.', (s) => s.file.sizeBytes)
    counter('loggingserver_file_rotations_total', 'Rotations of the central file since start.', (s) => s.file.rotations)
    counter('loggingserver_file_records_written_total', 'Records written to the central file.', (s) => s.file.recordsWritten)
    gauge('loggingserver_file_backlog_records', 'Records received but not yet written.', (s) => s.file.backlogRecords)
    gauge('loggingserver_file_backlog_bytes', 'Bytes received but not yet written.', (s) => s.file.backlogBytes)
    gauge('loggingserver_file_healthy', '1 while the central file is writable, 0 while writes fail.', (s) => (s.file.healthy ? 1 : 0))
    gauge('loggingserver_config_valid', '1 while the config file is valid, 0 while the server runs on the last valid configuration instead.', (s) => (s.config.valid ? 1 : 0))
    gauge('loggingserver_backpressure', '1 while the log sockets are paused because the file is behind.', (s) => (s.backpressure ? 1 : 0))
    gauge('loggingserver_decode_threads', 'Decode threads running now (log.decode_threads; they start at the first large read while the event loop is busy).', () => telemetry.decodeThreads.running)
    counter('loggingserver_decode_thread_reads_total', 'Reads from log connections decoded and formatted on a decode thread.', () => telemetry.decodeThreads.reads)
    counter('loggingserver_decode_thread_records_total', 'Records decoded and formatted on a decode thread.', () => telemetry.decodeThreads.records)
    gauge('loggingserver_recent_records', 'Records held for the status page.', (s) => s.ring.size)
    gauge('loggingserver_stream_clients', 'Status pages connected to the live stream.', (s) => s.streamClients)
    counter('loggingserver_client_records_total', 'Records received per client, from first sight until restart (past web.metrics_max_clients, under client="other").',
      () => [...telemetry.clients.entries()].map(([client, e]) => [{ client }, e.records]), ['client'])
    gauge('loggingserver_client_last_seen_timestamp_seconds', 'When each client\'s last record arrived, seconds since the epoch.',
      () => [...telemetry.clients.entries()].map(([client, e]) => [{ client }, e.lastSeen]), ['client'])

    // Each way in (the page's inputs panel), labelled by kind and address: a short, fixed list from the config.
    const perInput = (value: (i: StatusSnapshot['inputs'][number]) => number | null) => (s: StatusSnapshot): [Labels, number][] =>
      s.inputs.flatMap((i) => { const v = value(i); return v === null ? [] : [[{ kind: i.kind, address: i.address }, v] as [Labels, number]] })
    counter('loggingserver_input_records_total', 'Records accepted through each input (tcp, tls, unix, udp, http).', perInput((i) => i.records), ['kind', 'address'])
    counter('loggingserver_input_rejected_total', 'Frames, datagrams, connections or requests each input refused (every reason; loggingserver_frames_rejected_total has them by reason).', perInput((i) => i.rejected), ['kind', 'address'])
    gauge('loggingserver_input_connections', 'Open connections on each connection-based input (tcp, tls, unix).', perInput((i) => i.open), ['kind', 'address'])

    // Forward targets, labelled by their URL (a short, fixed list from the config).
    const perTarget = (value: (t: ForwardStatusJson) => number | null) => (s: StatusSnapshot): [Labels, number][] =>
      s.forward.flatMap((t) => { const v = value(t); return v === null ? [] : [[{ target: t.url }, v] as [Labels, number]] })
    gauge('loggingserver_forward_up', '1 while the forward target is connected (RELP: session open), 0 while connecting, backing off or closed.', perTarget((t) => (t.state === 'connected' ? 1 : 0)), ['target'])
    gauge('loggingserver_forward_queued_records', 'Records held for the forward target (RELP: including those sent but not yet acknowledged).', perTarget((t) => t.queuedRecords), ['target'])
    gauge('loggingserver_forward_queued_bytes', 'Bytes held for the forward target.', perTarget((t) => t.queuedBytes), ['target'])
    gauge('loggingserver_forward_queue_max_bytes', 'The forward target\'s queue bound (queue_bytes); past it records are dropped.', perTarget((t) => t.queueBytesMax), ['target'])
    counter('loggingserver_forward_sent_total', 'Records written to the forward target\'s socket, re-sends included.', perTarget((t) => t.sent), ['target'])
    counter('loggingserver_forward_acked_total', 'Records the RELP receiver acknowledged (RELP targets only).', perTarget((t) => t.acked), ['target'])
    counter('loggingserver_forward_resent_total', 'Records written again after a reconnect because no acknowledgement had come (RELP).', perTarget((t) => t.resent), ['target'])
    counter('loggingserver_forward_dropped_total', 'Records not forwarded because the target\'s queue was full (the central file has them).', perTarget((t) => t.dropped), ['target'])
  }

  /** The exposition for this snapshot. */
  async render(snapshot: StatusSnapshot): Promise<string> {
    // Not cleared afterwards: a concurrent scrape may still be collecting, and reads a snapshot just as fresh.
    this.current = snapshot
    return this.registry.metrics()
  }
}

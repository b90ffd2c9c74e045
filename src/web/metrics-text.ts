// /metrics in the Prometheus text exposition format 0.0.4: the counters and gauges of the status page,
// named loggingserver_*, with `_total` on counters (node_exporter's conventions).
import { REJECT_CODES } from '../errors.js'
import type { StatusSnapshot } from './api-contract.js'

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

type Labels = Record<string, string>
type Sample = [labels: Labels, value: number]

/** Label values come from the wire (level names): escape \, " and newline as the format requires. */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`)
  return parts.length ? `{${parts.join(',')}}` : ''
}

function num(v: number): string {
  if (Number.isNaN(v)) return 'NaN'
  if (v === Infinity) return '+Inf'
  if (v === -Infinity) return '-Inf'
  return String(v)
}

export function renderMetrics(s: StatusSnapshot): string {
  const out: string[] = []
  const metric = (name: string, type: 'counter' | 'gauge', help: string, samples: Sample[] | number): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
    for (const [labels, value] of typeof samples === 'number' ? [[{}, samples] as Sample] : samples) {
      out.push(`${name}${labelText(labels)} ${num(value)}`)
    }
  }
  const startSeconds = Date.parse(s.startedAt) / 1000
  metric('loggingserver_build_info', 'gauge', 'Version of the running server (always 1).', [[{ version: s.version }, 1]])
  metric('loggingserver_start_time_seconds', 'gauge', 'Start time of the server, seconds since the epoch.', startSeconds)
  metric('loggingserver_uptime_seconds', 'gauge', 'Seconds since the server started.', s.uptimeSeconds)
  metric('loggingserver_records_received_total', 'counter', 'Records received on the log port.', s.recordsReceived)
  metric('loggingserver_records_by_level_total', 'counter', 'Records received, by level name.',
    Object.entries(s.recordsByLevel).map(([level, n]): Sample => [{ level }, n]))
  metric('loggingserver_records_per_second', 'gauge', 'Records received per second, averaged over a window.', [
    [{ window: '10s' }, s.ratePerSecond10s],
    [{ window: '1m' }, s.ratePerSecond1m],
  ])
  metric('loggingserver_bytes_received_total', 'counter', 'Bytes received on the log port.', s.bytesReceived)
  metric('loggingserver_connections_open', 'gauge', 'Log connections open now.', s.connectionsOpen)
  metric('loggingserver_connections_total', 'counter', 'Log connections accepted since start.', s.connectionsTotal)
  metric('loggingserver_clients', 'gauge', 'Distinct client hosts tracked.', s.clientsTracked)
  // Every reason is listed, also at 0, so rate() works from the first rejection on.
  metric('loggingserver_frames_rejected_total', 'counter', 'Frames refused, by reason (each closes its connection).',
    REJECT_CODES.map((code): Sample => [{ reason: code.toLowerCase() }, s.rejected[code.toLowerCase()] ?? 0]))
  metric('loggingserver_file_size_bytes', 'gauge', 'Size of the central file.', s.file.sizeBytes)
  metric('loggingserver_file_rotations_total', 'counter', 'Rotations of the central file since start.', s.file.rotations)
  metric('loggingserver_file_records_written_total', 'counter', 'Records written to the central file.', s.file.recordsWritten)
  metric('loggingserver_file_backlog_records', 'gauge', 'Records received but not yet written.', s.file.backlogRecords)
  metric('loggingserver_file_backlog_bytes', 'gauge', 'Bytes received but not yet written.', s.file.backlogBytes)
  metric('loggingserver_file_healthy', 'gauge', '1 while the central file is writable, 0 while writes fail.', s.file.healthy ? 1 : 0)
  metric('loggingserver_backpressure', 'gauge', '1 while the log sockets are paused because the file is behind.', s.backpressure ? 1 : 0)
  metric('loggingserver_recent_records', 'gauge', 'Records held for the status page.', s.ring.size)
  metric('loggingserver_stream_clients', 'gauge', 'Status pages connected to the live stream.', s.streamClients)
  return out.join('\n') + '\n'
}

// What /metrics shows beyond the counters of Stats: where the time goes (histograms observed where the work is
// done) and per-client series. The histograms are prom-client's, created unregistered: the web room registers
// them in its registry, so this room knows nothing of HTTP and tests can read them directly. Those observed per
// record or per read are TallyHistograms: the same exposition at a fraction of the cost per observation.
import { Histogram } from 'prom-client'
import { ClientSeries } from './client-series.js'
import { TallyHistogram } from './tally-histogram.js'

export interface DecodeThreadCounts {
  running: number
  reads: number
  records: number
}

export class Telemetry {
  readonly frameBytes = new TallyHistogram({
    name: 'loggingserver_frame_bytes',
    help: 'Size of each record frame received on the log port (without its 4-byte length prefix).',
    buckets: [128, 256, 512, 1024, 2048, 4096, 16384, 65536, 262144, 1048576, 4194304],
  })

  readonly ingestSeconds = new TallyHistogram({
    name: 'loggingserver_ingest_batch_seconds',
    help: 'Time to decode, format and dispatch the frames of one read from a log connection (one batch); on a decode thread, its decoding and formatting.',
    buckets: [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5],
  })

  readonly writeLatency = new TallyHistogram({
    name: 'loggingserver_write_latency_seconds',
    help: 'Time from a record\'s arrival to the end of the write that put it in the central file.',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120],
  })

  readonly recordsResponseSeconds = new Histogram({
    name: 'loggingserver_api_records_response_seconds',
    help: 'Time to answer GET /api/records, until the response is sent or abandoned.',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [],
  })

  readonly clients: ClientSeries

  /** The decode threads (log.decode_threads): how many run now (0 until the first busy, large read), and the
   *  reads and records they took. Counted by the pool, exposed by /metrics. */
  readonly decodeThreads: DecodeThreadCounts = { running: 0, reads: 0, records: 0 }

  constructor(maxClients: number) {
    this.clients = new ClientSeries(maxClients)
  }
}

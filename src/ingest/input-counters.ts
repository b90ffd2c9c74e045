// Each way in counts for itself what the status page lists per input (issue 11 item 5). The shape is the API
// contract's InputStatusJson, declared again here because ingest may not know the web room: the server hands
// each input's `inputStatus()` to the page as a provider, and structural typing checks the two agree.

/** One input as /api/status lists it. */
export interface InputStatus {
  kind: 'tcp' | 'tls' | 'unix' | 'udp' | 'http'
  /** Where it listens: "127.0.0.1:9020", "/run/loggingserver/log.sock", "POST /log on 127.0.0.1:9021". */
  address: string
  records: number
  rejected: number
  /** null for connectionless inputs (udp, http). */
  open: number | null
}

/** Bumped by the input's connections: records accepted, frames and connections refused, connections open. */
export class InputCounters {
  records = 0
  rejected = 0
  open = 0

  status(kind: InputStatus['kind'], address: string): InputStatus {
    return { kind, address, records: this.records, rejected: this.rejected, open: this.open }
  }
}

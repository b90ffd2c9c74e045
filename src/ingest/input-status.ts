// What each way in reports for the status page (issue 11, item 5): the shape web/api-contract.ts declares as
// InputStatusJson, repeated here as a type so ingest needs no import from the web room (structural typing).

/** One way in (log TCP port, TLS port, unix socket, UDP port, HTTP handler path). */
export interface InputStatusJson {
  kind: 'tcp' | 'tls' | 'unix' | 'udp' | 'http'
  /** Where it listens: "127.0.0.1:9020", "/run/loggingserver/log.sock", "POST /log on 127.0.0.1:9021". */
  address: string
  /** Records accepted through this input since start. */
  records: number
  /** Frames, datagrams or connections refused (all reasons). */
  rejected: number
  /** Open connections (null for connectionless inputs: udp, http). */
  open: number | null
}

/** The counts one input keeps; its connections (or datagrams) add to them. */
export class InputCounters {
  records = 0
  rejected = 0
  open = 0
}

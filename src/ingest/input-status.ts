// The counts each way in keeps for the status page's row (status/io-status.ts's InputStatusJson).

/** The counts one input keeps; its connections (or datagrams) add to them. */
export class InputCounters {
  records = 0
  rejected = 0
  open = 0
}

// The bench's command line: every size is a flag, so a CI smoke and the published figures run the same code.
import os from 'node:os'
import { parseArgs } from 'node:util'
import { TARGET_NAMES, type TargetName } from './targets.js'

export const SECTIONS = ['blast', 'real', 'cold', 'many'] as const
export type Section = (typeof SECTIONS)[number]

export interface BenchOptions {
  records: number
  rounds: number
  connections: number[]
  targets: TargetName[]
  only: Section[]
  json: boolean
  realClients: number
  realRecords: number
  coldStarts: number
  manyConnections: number
  manyRate: number
  manySeconds: number
  manyTargets: TargetName[]
  manySenders: number
  scrapeEveryMs: number
  apiPoll: boolean
  recv4: boolean
  dir: string
  pollMs: number
}

export const USAGE = `usage: npm run bench -- [options]
  --records N            frames per blast run (200000; 1000000 for published figures)
  --rounds R             rounds, targets alternating within each; medians are reported (3)
  --connections 1,4,32   the C of each blast column
  --targets server,asyncio,cookbook,raw
  --only blast,real,cold,many   sections to run (all)
  --json                 JSON instead of Markdown
  --real-clients K --real-records N   the real-client row: K CPython SocketHandler processes, N records in
                         total (4; N as --records: a server's steady state, not its first seconds, is what a
                         long-running log host costs)
  --cold-starts N        starts per process for the cold-start medians (10)
  --many-connections K --many-rate R --many-seconds S --many-targets server --many-senders W
                         many small clients (1000, 50000, 20; W sender threads, 2)
  --scrape-every MS      scrape this server's /metrics that often during blast runs (0: never)
  --no-api-poll          do not poll /api/records during this server's blast runs
  --no-recv4             skip the published recv(4) cookbook receiver's loss runs
  --dir D                where targets write their files (the OS temp dir)
  --poll-ms MS           how often the bench reads the targets' files (10)`

const list = (s: string): string[] => s.split(',').map((x) => x.trim()).filter((x) => x !== '')

function positive(name: string, value: string): number {
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name}: expected a positive number, got ${JSON.stringify(value)}`)
  return n
}

function oneOf<T extends string>(name: string, values: string[], allowed: readonly T[]): T[] {
  for (const v of values) if (!allowed.includes(v as T)) throw new Error(`--${name}: ${JSON.stringify(v)} is not one of ${allowed.join(', ')}`)
  return values as T[]
}

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      records: { type: 'string', default: '200000' },
      rounds: { type: 'string', default: '3' },
      connections: { type: 'string', default: '1,4,32' },
      targets: { type: 'string', default: TARGET_NAMES.join(',') },
      only: { type: 'string', default: SECTIONS.join(',') },
      json: { type: 'boolean', default: false },
      'real-clients': { type: 'string', default: '4' },
      'real-records': { type: 'string' },
      'cold-starts': { type: 'string', default: '10' },
      'many-connections': { type: 'string', default: '1000' },
      'many-rate': { type: 'string', default: '50000' },
      'many-seconds': { type: 'string', default: '20' },
      'many-targets': { type: 'string', default: 'server' },
      'many-senders': { type: 'string', default: '2' },
      'scrape-every': { type: 'string', default: '0' },
      'no-api-poll': { type: 'boolean', default: false },
      'no-recv4': { type: 'boolean', default: false },
      dir: { type: 'string', default: os.tmpdir() },
      'poll-ms': { type: 'string', default: '10' },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) {
    console.log(USAGE)
    process.exit(0)
  }
  return {
    records: Math.round(positive('records', values.records)),
    rounds: Math.round(positive('rounds', values.rounds)),
    connections: list(values.connections).map((c) => Math.round(positive('connections', c))),
    targets: oneOf('targets', list(values.targets), TARGET_NAMES),
    only: oneOf('only', list(values.only), SECTIONS),
    json: values.json,
    realClients: Math.round(positive('real-clients', values['real-clients'])),
    realRecords: Math.round(positive('real-records', values['real-records'] ?? values.records)),
    coldStarts: Math.round(positive('cold-starts', values['cold-starts'])),
    manyConnections: Math.round(positive('many-connections', values['many-connections'])),
    manyRate: positive('many-rate', values['many-rate']),
    manySeconds: positive('many-seconds', values['many-seconds']),
    manyTargets: oneOf('many-targets', list(values['many-targets']), TARGET_NAMES),
    manySenders: Math.round(positive('many-senders', values['many-senders'])),
    scrapeEveryMs: Number(values['scrape-every']),
    apiPoll: !values['no-api-poll'],
    recv4: !values['no-recv4'],
    dir: values.dir,
    pollMs: positive('poll-ms', values['poll-ms']),
  }
}

// A real rsyslogd for the forwarding tests and bench: our own config in a temp dir (imtcp, imrelp and imudp on
// free loopback ports, omfile with a template that shows every RFC 5424 field), started in the foreground by
// its PID, never the system service. Not a test file: Node 20 runs only the *.test.js files we list.
import { spawn, type ChildProcess } from 'node:child_process'
import dgram from 'node:dgram'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { waitFor } from './server.js'

export const RSYSLOGD = process.env['RSYSLOGD'] ?? '/usr/sbin/rsyslogd'

export interface RsyslogPorts {
  tcp: number
  relp: number
  udp: number
}

/** One line of rsyslog's output file, as our template writes it. */
export interface ReceivedLine {
  input: string
  severity: number
  facility: number
  hostname: string
  appName: string
  procId: string
  msgId: string
  structuredData: string
  msg: string
}

export interface Rsyslog {
  ports: RsyslogPorts
  out: string
  /** Starts rsyslogd (again) on the same ports and file; resolves once its inputs accept connections. */
  start(): Promise<void>
  /** The signal (SIGTERM: a clean stop, SIGKILL: a crash) to its PID; resolves when it has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>
  lines(): ReceivedLine[]
  /** Lines in the output file (cheaper than lines() for a bench). */
  lineCount(): number
  stderr(): string
}

const SEP = '\u001f' // a unit separator: appears in none of the fields

/** Free loopback ports, found by binding port 0 (TCP for imtcp/imrelp, UDP for imudp) and closing again. */
async function freePorts(): Promise<RsyslogPorts> {
  const tcpPort = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as net.AddressInfo
        s.close(() => resolve(port))
      })
      s.on('error', reject)
    })
  const udpPort = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const s = dgram.createSocket('udp4')
      s.on('error', reject)
      s.bind(0, '127.0.0.1', () => {
        const { port } = s.address()
        s.close(() => resolve(port))
      })
    })
  return { tcp: await tcpPort(), relp: await tcpPort(), udp: await udpPort() }
}

function config(dir: string, ports: RsyslogPorts, out: string, direct: boolean): string {
  const f = ['%inputname%', '%syslogseverity%', '%syslogfacility%', '%hostname%', '%app-name%', '%procid%', '%msgid%', '%structured-data%', '%msg%'].join(SEP)
  return `
global(workDirectory="${dir}/work" maxMessageSize="64k")
# Direct: the input thread writes the file before imrelp acknowledges, so "acknowledged" means "in the file"
# (the default in-memory main queue may drop what it holds at a stop, which would be rsyslog's loss, not ours).
${direct ? 'main_queue(queue.type="Direct")' : '# the default in-memory main queue, as installed (the bench)'}
module(load="imtcp")
module(load="imrelp")
module(load="imudp")
template(name="fields" type="string" string="${f}\\n")
ruleset(name="out") { action(type="omfile" file="${out}" template="fields") }
input(type="imtcp" address="127.0.0.1" port="${ports.tcp}" ruleset="out")
input(type="imrelp" address="127.0.0.1" port="${ports.relp}" ruleset="out")
input(type="imudp" address="127.0.0.1" port="${ports.udp}" ruleset="out")
`
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.destroy()
      resolve(true)
    })
    s.on('error', () => resolve(false))
  })
}

/** `direct`: acknowledged means written (tests); false keeps rsyslog's default queue (the bench: as installed). */
export async function startRsyslog(dir: string, options: { direct?: boolean } = {}): Promise<Rsyslog> {
  mkdirSync(path.join(dir, 'work'), { recursive: true })
  const ports = await freePorts()
  const out = path.join(dir, 'rsyslog-out.log')
  const conf = path.join(dir, 'rsyslog.conf')
  writeFileSync(conf, config(dir, ports, out, options.direct ?? true))
  let child: ChildProcess | null = null
  let exited: Promise<void> = Promise.resolve()
  let err = ''
  const rsyslog: Rsyslog = {
    ports,
    out,
    async start() {
      const c = spawn(RSYSLOGD, ['-n', '-f', conf, '-i', path.join(dir, 'rsyslogd.pid')], { stdio: ['ignore', 'pipe', 'pipe'] })
      child = c
      c.stdout!.setEncoding('utf8').on('data', (d: string) => (err += d))
      c.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d))
      exited = new Promise((resolve) => c.on('exit', () => resolve()))
      let gone = false
      void exited.then(() => (gone = true))
      await waitFor(async () => {
        if (gone) throw new Error(`rsyslogd exited at start: ${err}`)
        return (await accepts(ports.tcp)) && (await accepts(ports.relp))
      }, 15_000, 'rsyslogd to listen')
    },
    async stop(signal = 'SIGTERM') {
      const c = child
      if (c === null || c.exitCode !== null || c.signalCode !== null) return
      c.kill(signal)
      await exited
    },
    lines() {
      if (!existsSync(out)) return []
      return readFileSync(out, 'utf8').split('\n').filter((l) => l !== '').map(parseLine)
    },
    lineCount() {
      if (!existsSync(out)) return 0
      const bytes = readFileSync(out)
      let n = 0
      for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) n++
      return n
    },
    stderr: () => err,
  }
  await rsyslog.start()
  return rsyslog
}

function parseLine(line: string): ReceivedLine {
  const [input, severity, facility, hostname, appName, procId, msgId, structuredData, ...msg] = line.split(SEP)
  return {
    input: input!, severity: Number(severity), facility: Number(facility), hostname: hostname!, appName: appName!,
    procId: procId!, msgId: msgId!, structuredData: structuredData!, msg: msg.join(SEP).replace(/^\ufeff/, ''),
  }
}

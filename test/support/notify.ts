// A stand-in for systemd's notify socket: an AF_UNIX datagram socket (Node has none) read by python3, every
// datagram collected as one line with " | " between its assignments. Not a test file.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { waitFor } from './server.js'

const LISTENER = `
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(1.0)
end = time.monotonic() + float(sys.argv[2])
while time.monotonic() < end:
    try:
        data = s.recv(65536)
    except socket.timeout:
        continue
    print("%.3f %s" % (time.time(), data.decode('utf-8', 'replace').replace('\\n', ' | ')), flush=True)
`

export interface NotifyListener {
  /** Give this as NOTIFY_SOCKET to the server. */
  socket: string
  /** Every datagram so far, one per line: "<epoch seconds> A=1 | B=2 | ". */
  received(): string
  stop(): void
}

/** Listens at `dir`/notify.sock for at most `seconds`. */
export async function notifyListener(dir: string, seconds = 120): Promise<NotifyListener> {
  const socket = path.join(dir, 'notify.sock')
  const child = spawn('python3', ['-c', LISTENER, socket, String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] })
  let received = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (received += d))
  await waitFor(() => existsSync(socket), 5000, 'the notify listener')
  return { socket, received: () => received, stop: () => void child.kill() }
}

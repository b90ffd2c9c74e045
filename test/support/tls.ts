// Runs test/support/tls_client.py (examples/tls_socket_handler.py's handler, or a plain SocketHandler) and
// looks at the TLS port from Node. Not a test file.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import tls from 'node:tls'
import { runPythonFile } from './python.js'
import { repoRoot } from './server.js'

export const tlsClientPy = path.join(repoRoot, 'test/support/tls_client.py')

/** Resolves when the client exits 0 (it hands every record to its handler; refused ones are dropped silently). */
export function runTlsClient(port: number, count: number, tag: string, options: string[] = []): Promise<void> {
  return runPythonFile(tlsClientPy, [String(port), String(count), tag, ...options], `tls client ${tag}`)
}

/** The CN of the certificate the TLS port presents to a new connection (verified against `ca`). */
export function serverCertName(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ port, host: '127.0.0.1', ca: readFileSync(ca), servername: 'localhost' }, () => {
      const cn = socket.getPeerCertificate().subject.CN
      socket.destroy()
      resolve(Array.isArray(cn) ? cn.join(',') : String(cn))
    })
    socket.on('error', reject)
  })
}

/** How many lines of `text` end with "TAG <i>" for i in 0..count-1, each counted once. */
export function recordsOf(text: string, tag: string, count: number): number {
  let n = 0
  for (let i = 0; i < count; i++) if (text.includes(` ${tag} ${i}\n`)) n++
  return n
}

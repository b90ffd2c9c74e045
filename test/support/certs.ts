// Test certificates made with the openssl CLI in a temp dir: two CAs, a server certificate for
// 127.0.0.1/localhost, and client certificates signed by each CA. Not a test file.
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'

export interface TestCerts {
  dir: string
  ca: string
  serverCert: string
  serverKey: string
  /** Signed by `ca`. */
  clientCert: string
  clientKey: string
  /** Signed by another CA: a stranger's certificate. */
  strangerCert: string
  strangerKey: string
}

const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })
}

function makeCa(dir: string, name: string): void {
  openssl(dir, ['req', '-x509', ...KEY, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'])
}

/** A leaf certificate `name` signed by `ca`, for `usage` (serverAuth or clientAuth); `cn` defaults to `name`. */
export function makeLeaf(dir: string, ca: string, name: string, usage: 'serverAuth' | 'clientAuth', cn = name): { cert: string; key: string } {
  const ext = path.join(dir, `${name}.ext`)
  writeFileSync(ext, [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature',
    `extendedKeyUsage=${usage}`,
    'subjectKeyIdentifier=hash',
    'authorityKeyIdentifier=keyid',
    ...(usage === 'serverAuth' ? ['subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost'] : []),
  ].join('\n') + '\n')
  openssl(dir, ['req', '-new', ...KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`])
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', ext])
  return { cert: path.join(dir, `${name}.crt`), key: path.join(dir, `${name}.key`) }
}

export function makeCerts(dir: string): TestCerts {
  makeCa(dir, 'ca')
  makeCa(dir, 'other-ca')
  const server = makeLeaf(dir, 'ca', 'server', 'serverAuth', 'localhost')
  const client = makeLeaf(dir, 'ca', 'client', 'clientAuth')
  const stranger = makeLeaf(dir, 'other-ca', 'stranger', 'clientAuth')
  return {
    dir,
    ca: path.join(dir, 'ca.crt'),
    serverCert: server.cert,
    serverKey: server.key,
    clientCert: client.cert,
    clientKey: client.key,
    strangerCert: stranger.cert,
    strangerKey: stranger.key,
  }
}

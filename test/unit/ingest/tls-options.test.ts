import assert from 'node:assert/strict'
import { rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { ConfigError } from '../../../src/errors.js'
import { readTlsFiles, type LogTlsConfig } from '../../../src/ingest/tls-options.js'
import { makeCerts, type TestCerts } from '../../support/certs.js'
import { tempDir } from '../../support/server.js'

function problems(config: LogTlsConfig): string[] {
  try {
    readTlsFiles(config)
  } catch (err) {
    assert.ok(err instanceof ConfigError)
    return [...err.problems]
  }
  assert.fail('expected a ConfigError')
}

describe('readTlsFiles()', () => {
  let certs: TestCerts
  let config: LogTlsConfig
  before(() => {
    certs = makeCerts(tempDir('loggingserver-certs-'))
    config = { host: null, port: 0, cert: certs.serverCert, key: certs.serverKey, ca: certs.ca, require_client_cert: false, max_version: 'TLSv1.2' }
  })
  after(() => rmSync(certs.dir, { recursive: true, force: true }))

  it('reads the certificate, key and CA', () => {
    const files = readTlsFiles(config)
    assert.match(files.cert.toString(), /BEGIN CERTIFICATE/)
    assert.match(files.key.toString(), /PRIVATE KEY/)
    assert.match(files.ca?.toString() ?? '', /BEGIN CERTIFICATE/)
    assert.equal(readTlsFiles({ ...config, ca: null }).ca, undefined)
  })

  it('names every file it cannot read or parse, with its key', () => {
    const garbage = path.join(certs.dir, 'garbage.pem')
    writeFileSync(garbage, 'not PEM\n')
    const missing = path.join(certs.dir, 'missing.pem')
    const found = problems({ ...config, cert: missing, key: garbage, ca: garbage })
    assert.equal(found.length, 3, found.join('\n'))
    assert.equal(found[0], `log.tls.cert: ${missing}: cannot read (ENOENT)`)
    assert.match(found[1]!, new RegExp(`^log\\.tls\\.key: ${garbage.replaceAll('.', '\\.')}: `))
    assert.match(found[2]!, new RegExp(`^log\\.tls\\.ca: ${garbage.replaceAll('.', '\\.')}: `))
  })

  it('refuses a key that does not belong to the certificate', () => {
    const found = problems({ ...config, key: certs.clientKey })
    assert.equal(found.length, 1)
    assert.ok(found[0]!.startsWith(`log.tls.key: ${certs.clientKey} does not belong to ${certs.serverCert}: `), found[0])
  })
})

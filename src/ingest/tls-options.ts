// The TLS port's certificates: read from the files `log.tls` names and checked one file at a time, so a bad
// file is named in the error, at start (a config error, exit 78) and on SIGHUP (the running ones are kept).
import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import tls from 'node:tls'
import type { Config } from '../config/schema.js'
import { ConfigError } from '../errors.js'

export type LogTlsConfig = NonNullable<Config['log']['tls']>

export interface TlsFiles {
  cert: Buffer
  key: Buffer
  ca?: Buffer
}

/** Reads and checks `config`'s files; throws a ConfigError naming each file that is unreadable or not usable. */
export function readTlsFiles(config: LogTlsConfig): TlsFiles {
  const problems: string[] = []
  const read = (key: 'cert' | 'key' | 'ca', file: string): Buffer | undefined => {
    try {
      const pem = readFileSync(file)
      // A CA file without a certificate would be taken silently and then refuse every client certificate.
      if (key === 'key') tls.createSecureContext({ key: pem }) // "unsupported", "bad decrypt"…
      else new X509Certificate(pem) // the first certificate; throws when there is none
      return pem
    } catch (err) {
      problems.push(`log.tls.${key}: ${file}: ${reason(err)}`)
      return undefined
    }
  }
  const cert = read('cert', config.cert)
  const key = read('key', config.key)
  const ca = config.ca === null ? undefined : read('ca', config.ca)
  if (cert && key) {
    try {
      tls.createSecureContext({ cert, key })
    } catch (err) {
      problems.push(`log.tls.key: ${config.key} does not belong to ${config.cert}: ${reason(err)}`)
    }
  }
  if (problems.length > 0 || !cert || !key) throw new ConfigError(problems)
  return ca ? { cert, key, ca } : { cert, key }
}

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException
  return e.code === 'ENOENT' || e.code === 'EACCES' ? `cannot read (${e.code})` : e.message.replace(/^error:[0-9A-F]+:/, '')
}

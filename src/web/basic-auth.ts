// Optional HTTP basic auth for the status port (web.auth). A successful check is cached for a few minutes
// under a SHA-256 of the header, so a page polling every 5 s costs one scrypt, not one per request.
import { createHash } from 'node:crypto'
import { parseHash, verifyPassword, type ParsedHash } from './password-hash.js'

export interface AuthConfig {
  realm: string
  users: Readonly<Record<string, string>>
}

const CACHE_MS = 5 * 60 * 1000
const CACHE_ENTRIES = 256
/**
 * scrypt runs on libuv's 4-thread pool, which the central file's writes share: a flood of bogus
 * credentials must not occupy it. One check at a time; others meanwhile are refused (401) unchecked.
 */
const MAX_CONCURRENT_CHECKS = 1

export class BasicAuth {
  readonly challenge: string
  private readonly users = new Map<string, ParsedHash>()
  /** Checked against for unknown users too, so the response time does not tell which names exist. */
  private readonly decoy: ParsedHash
  private readonly verified = new Map<string, { user: string; until: number }>()
  private checking = 0

  constructor(config: AuthConfig) {
    for (const [user, text] of Object.entries(config.users)) {
      const parsed = parseHash(text)
      if (typeof parsed === 'string') throw new TypeError(`web.auth.users.${user}: ${parsed}`)
      this.users.set(user, parsed)
    }
    const first = this.users.values().next().value
    if (first === undefined) throw new TypeError('web.auth.users: at least one user is needed')
    this.decoy = { ...first, salt: Buffer.alloc(first.salt.length, 1) }
    this.challenge = `Basic realm="${config.realm}", charset="UTF-8"`
  }

  /** The user name when `header` carries valid credentials, else null. */
  async check(header: string | undefined, now = Date.now()): Promise<string | null> {
    const m = header === undefined ? null : /^Basic +([A-Za-z0-9+/]{1,1024}={0,2}) *$/i.exec(header)
    if (!m) return null
    const key = createHash('sha256').update(m[1]!).digest('base64')
    const hit = this.verified.get(key)
    if (hit !== undefined && hit.until > now) return hit.user
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon < 0) return null
    const user = decoded.slice(0, colon)
    const known = this.users.get(user)
    if (this.checking >= MAX_CONCURRENT_CHECKS) return null
    this.checking++
    let ok: boolean
    try {
      ok = await verifyPassword(decoded.slice(colon + 1), known ?? this.decoy)
    } finally {
      this.checking--
    }
    if (!ok || known === undefined) return null
    if (this.verified.size >= CACHE_ENTRIES) this.verified.clear()
    this.verified.set(key, { user, until: now + CACHE_MS })
    return user
  }
}

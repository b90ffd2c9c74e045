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
 * credentials must not occupy it. One check at a time; a few others wait their turn (two HTTPHandler
 * senders starting together must both get in: the stock handler drops a record answered 401), and past
 * that they are refused (401) unchecked.
 */
const MAX_CONCURRENT_CHECKS = 1
const MAX_WAITING_CHECKS = 8

export class BasicAuth {
  readonly challenge: string
  private readonly users = new Map<string, ParsedHash>()
  /** Checked against for unknown users too, so the response time does not tell which names exist. */
  private readonly decoy: ParsedHash
  private readonly verified = new Map<string, { user: string; until: number }>()
  private checking = 0
  /** Checks waiting for a free slot, oldest first: each is handed the slot of the check that ends. */
  private readonly waiting: (() => void)[] = []
  private readonly pending = new Map<string, Promise<string | null>>()

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
    // The same credentials arriving together (HTTPHandler opens a connection per record) share one check,
    // instead of all but the first being refused while it runs.
    const pending = this.pending.get(key)
    if (pending !== undefined) return pending
    const checked = this.verify(m[1]!, key, now)
    this.pending.set(key, checked)
    try {
      return await checked
    } finally {
      this.pending.delete(key)
    }
  }

  private async verify(encoded: string, key: string, now: number): Promise<string | null> {
    const decoded = Buffer.from(encoded, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon < 0) return null
    const user = decoded.slice(0, colon)
    const known = this.users.get(user)
    if (this.checking < MAX_CONCURRENT_CHECKS) this.checking++
    else if (this.waiting.length < MAX_WAITING_CHECKS) await new Promise<void>((resolve) => this.waiting.push(resolve))
    else return null
    let ok: boolean
    try {
      ok = await verifyPassword(decoded.slice(colon + 1), known ?? this.decoy)
    } finally {
      const next = this.waiting.shift()
      if (next) next()
      else this.checking--
    }
    if (!ok || known === undefined) return null
    if (this.verified.size >= CACHE_ENTRIES) this.verified.clear()
    this.verified.set(key, { user, until: now + CACHE_MS })
    return user
  }
}

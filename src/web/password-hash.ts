// Password hashes for web.auth: scrypt (node:crypto) in the self-describing PHC string format
// `$scrypt$ln=15,r=8,p=1$<salt>$<hash>` (base64 without padding), as passlib writes it.
// scripts/hash-password.mjs writes the same format; a unit test keeps the two in step.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'

export interface ScryptParams {
  /** log2 of N, the CPU/memory cost. */
  ln: number
  r: number
  p: number
}

export interface ParsedHash extends ScryptParams {
  salt: Buffer
  hash: Buffer
}

/** ln=15, r=8: 32 MiB and ~50–100 ms per check (OWASP's scrypt minimum is N=2^17 at r=8, p=1 for 2023; we cache successes). */
export const DEFAULT_PARAMS: ScryptParams = { ln: 15, r: 8, p: 1 }
/** A config cannot make one check cost more than ~1 GiB or one request minutes of CPU. */
const LIMITS = { ln: [10, 20], r: [1, 32], p: [1, 16] } as const

const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{16,88})\$([A-Za-z0-9+/]{22,88})$/

/** Returns the parts of a hash string, or a sentence saying what is wrong with it. */
export function parseHash(text: string): ParsedHash | string {
  const m = PHC.exec(text)
  if (!m) return 'not a password hash of the form $scrypt$ln=15,r=8,p=1$<salt>$<hash> (make one with scripts/hash-password.mjs)'
  const [ln, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])]
  for (const [key, value] of [['ln', ln], ['r', r], ['p', p]] as const) {
    const [lo, hi] = LIMITS[key]
    if (value < lo || value > hi) return `scrypt ${key}=${value} is outside ${lo}–${hi}`
  }
  return { ln, r, p, salt: Buffer.from(m[4]!, 'base64'), hash: Buffer.from(m[5]!, 'base64') }
}

function derive(password: string, salt: Buffer, length: number, { ln, r, p }: ScryptParams): Promise<Buffer> {
  // maxmem: Node's default (32 MiB) refuses N=2^15, r=8 (128·N·r is exactly 32 MiB).
  const options: ScryptOptions = { N: 2 ** ln, r, p, maxmem: 256 * 2 ** ln * r + 1024 * 1024 }
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, length, options, (err, key) => (err ? reject(err) : resolve(key))))
}

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_PARAMS): Promise<string> {
  const salt = randomBytes(16)
  const hash = await derive(password, salt, 32, params)
  const b64 = (b: Buffer): string => withoutPadding(b.toString('base64'))
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${b64(salt)}$${b64(hash)}`
}

export async function verifyPassword(password: string, parsed: ParsedHash): Promise<boolean> {
  const key = await derive(password, parsed.salt, parsed.hash.length, parsed)
  return timingSafeEqual(key, parsed.hash)
}

/** PHC strings carry unpadded base64. (A loop, not /=+$/: that regex backtracks on long runs of '='.) */
function withoutPadding(s: string): string {
  let end = s.length
  while (end > 0 && s.charCodeAt(end - 1) === 0x3d) end--
  return s.slice(0, end)
}

// Python's numeric %-conversions (d/o/x, e/f/g) and repr(float), digit for digit. JS's toFixed and
// toExponential round exact ties away from zero; CPython's dtoa rounds them to even, so ties are fixed up.

export { floatRepr as floatStr } from '../py-value.js'

/** Digits of an integer in a radix, without sign; `x` must already be an integer value. */
export function intDigits(x: number | bigint, radix: number): string {
  if (typeof x === 'number' && Number.isSafeInteger(x)) return Math.abs(x).toString(radix)
  const b = typeof x === 'bigint' ? x : BigInt(x)
  return (b < 0n ? -b : b).toString(radix)
}

/**
 * Digits (no sign) of |x| for Python's 'f' / 'e' conversions, correctly rounded half-to-even.
 * Finite |x| only: the caller spells inf and nan.
 */
export function fixedDigits(ax: number, prec: number): string {
  if (ax >= 1e21) return BigInt(ax).toString() + (prec > 0 ? '.' + '0'.repeat(prec) : '')
  const s = ax.toFixed(prec)
  return isTie(ax, prec) ? evenDown(s) : s
}

/** `d.ddd` mantissa and decimal exponent of |x| with `prec` digits after the point, half-to-even. */
export function expDigits(ax: number, prec: number): [string, number] {
  if (ax === 0) return [prec > 0 ? '0.' + '0'.repeat(prec) : '0', 0]
  const [m = '', e = '0'] = ax.toExponential(prec).split('e')
  const exp = Number(e)
  const e0 = Number(ax.toExponential().split('e')[1])
  // A tie that carried to the next power of ten ends in 0 (even): only same-exponent results need fixing.
  if (exp === e0 && isTie(ax, prec - e0)) return [evenDown(m), exp]
  return [m, exp]
}

/** Python's `%e`: mantissa, 'e', sign, at least two exponent digits. */
export function formatExp(ax: number, prec: number, alt: boolean, upper: boolean): string {
  const [m, exp] = expDigits(ax, prec)
  return joinExp(alt && prec === 0 ? m + '.' : m, exp, upper)
}

/** Python's `%g` (PyOS_double_to_string 'g'): %e or %f by exponent, trailing zeros stripped unless '#'. */
export function formatGeneral(ax: number, precIn: number, alt: boolean, upper: boolean): string {
  const prec = precIn === 0 ? 1 : precIn
  const [m, exp] = expDigits(ax, prec - 1)
  let out: string
  if (exp >= -4 && exp < prec) {
    out = fixedDigits(ax, prec - 1 - exp)
    if (alt && !out.includes('.')) out += '.'
    return alt ? out : stripZeros(out)
  }
  out = alt ? (m.includes('.') ? m : m + '.') : stripZeros(m)
  return joinExp(out, exp, upper)
}

function joinExp(m: string, exp: number, upper: boolean): string {
  const e = Math.abs(exp)
  return `${m}${upper ? 'E' : 'e'}${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`
}

function stripZeros(s: string): string {
  if (!s.includes('.')) return s
  let end = s.length
  while (s.charCodeAt(end - 1) === 48) end--
  if (s.charCodeAt(end - 1) === 46) end--
  return s.slice(0, end)
}

/**
 * Is |x| · 10^q exactly halfway between two integers, i.e. is 2·x·10^q an odd integer? For q >= 0 that
 * holds iff x · 2^(q+1) is an odd integer (5^q is odd); scaling by a power of two is exact in binary.
 */
function isTie(ax: number, q: number): boolean {
  if (q >= 0) {
    const z = ax * 2 ** (q + 1)
    return Number.isInteger(z) && z % 2 === 1
  }
  const twice = ax * 2
  if (!Number.isInteger(twice)) return false
  const n = BigInt(twice)
  const d = 10n ** BigInt(-q)
  return n % d === 0n && (n / d) % 2n === 1n
}

/** JS rounded a tie up; if that made the last digit odd, step back one unit to the even neighbour. */
function evenDown(s: string): string {
  const last = s.charCodeAt(s.length - 1) - 48
  if (last % 2 === 0) return s
  const dot = s.indexOf('.')
  const digits = BigInt(s.replace('.', '')) - 1n
  let t = digits.toString().padStart(s.length - (dot >= 0 ? 1 : 0), '0')
  if (dot >= 0) t = t.slice(0, dot) + '.' + t.slice(dot)
  return t
}

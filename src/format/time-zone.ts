// %Z for local time: the tz database abbreviation glibc prints ("CET", "EST", "+04"). ICU has no such
// table, so use its short name when it is one, map its long name for common zones, else tzdata's "+hh[mm]".

/** ICU long names whose tzdata abbreviation ICU's en-US short name lacks (it says "GMT+1"). */
const LONG_NAMES = new Map([
  ['Central European Standard Time', 'CET'],
  ['Central European Summer Time', 'CEST'],
  ['Eastern European Standard Time', 'EET'],
  ['Eastern European Summer Time', 'EEST'],
  ['Western European Standard Time', 'WET'],
  ['Western European Summer Time', 'WEST'],
  ['British Summer Time', 'BST'],
  ['Irish Standard Time', 'IST'],
  ['Greenwich Mean Time', 'GMT'],
  ['Moscow Standard Time', 'MSK'],
  ['Israel Standard Time', 'IST'],
  ['Israel Daylight Time', 'IDT'],
  ['India Standard Time', 'IST'],
  ['Pakistan Standard Time', 'PKT'],
  ['Western Indonesia Time', 'WIB'],
  ['China Standard Time', 'CST'],
  ['Hong Kong Standard Time', 'HKT'],
  ['Philippine Standard Time', 'PST'],
  ['Japan Standard Time', 'JST'],
  ['Korean Standard Time', 'KST'],
  ['South Africa Standard Time', 'SAST'],
  ['Central Africa Time', 'CAT'],
  ['East Africa Time', 'EAT'],
  ['West Africa Standard Time', 'WAT'],
  ['Australian Eastern Standard Time', 'AEST'],
  ['Australian Eastern Daylight Time', 'AEDT'],
  ['Australian Central Standard Time', 'ACST'],
  ['Australian Central Daylight Time', 'ACDT'],
  ['Australian Western Standard Time', 'AWST'],
  ['New Zealand Standard Time', 'NZST'],
  ['New Zealand Daylight Time', 'NZDT'],
])

let cachedTz: string | undefined = '\0'
let shortNames: Intl.DateTimeFormat | undefined
let longNames: Intl.DateTimeFormat | undefined

/** The local zone's abbreviation at `epoch` (seconds); `gmtoff` is that instant's offset east of UTC. */
export function zoneAbbreviation(epoch: number, gmtoff: number): string {
  // Node re-reads TZ when process.env.TZ is assigned; Intl objects keep the zone they were made in.
  const tz = process.env['TZ']
  if (tz !== cachedTz || !shortNames || !longNames) {
    shortNames = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
    longNames = new Intl.DateTimeFormat('en-US', { timeZoneName: 'long' })
    cachedTz = tz
  }
  const date = new Date(epoch * 1000)
  const short = zonePart(shortNames, date)
  if (short !== '' && !short.startsWith('GMT+') && !short.startsWith('GMT-')) return short
  const known = LONG_NAMES.get(zonePart(longNames, date))
  if (known !== undefined) return known
  const a = Math.abs(gmtoff)
  const hh = String(Math.floor(a / 3600)).padStart(2, '0')
  const mm = Math.floor((a % 3600) / 60)
  return (gmtoff < 0 ? '-' : '+') + hh + (mm === 0 ? '' : String(mm).padStart(2, '0'))
}

function zonePart(format: Intl.DateTimeFormat, date: Date): string {
  return format.formatToParts(date).find((p) => p.type === 'timeZoneName')?.value ?? ''
}

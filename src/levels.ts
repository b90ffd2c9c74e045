// CPython's logging levels and the status page's level classes: the one level table. Read by record.ts
// (names ↔ numbers of incoming records), web/record-query.ts (`level=` filters) and the page's script.
// The page loads this very file as /js/levels.js (scripts/build-client.mjs), so it imports nothing and
// uses nothing beyond ES2023: no node, no DOM.

interface Level {
  levelno: number
  /** logging._levelToName: what CPython prints for the number. */
  name: string
  /** Further names logging._nameToLevel accepts for the same number. */
  aliases: readonly string[]
  /** The page's row and statistics class; NOTSET has none of its own and is drawn like a custom level. */
  pageClass: string | null
}

const LEVELS: readonly Level[] = [
  { levelno: 10, name: 'DEBUG', aliases: [], pageClass: 'level-debug' },
  { levelno: 20, name: 'INFO', aliases: [], pageClass: 'level-info' },
  { levelno: 30, name: 'WARNING', aliases: ['WARN'], pageClass: 'level-warning' },
  { levelno: 40, name: 'ERROR', aliases: [], pageClass: 'level-error' },
  { levelno: 50, name: 'CRITICAL', aliases: ['FATAL'], pageClass: 'level-critical' },
  { levelno: 0, name: 'NOTSET', aliases: [], pageClass: null },
]

/** Levels with a number or name Python's table does not know (addLevelName, `Level 25`): one colour. */
export const CUSTOM_LEVEL_CLASS = 'level-custom'

/** logging._levelToName. */
export const LEVEL_NAMES: ReadonlyMap<number, string> = new Map(LEVELS.map((l) => [l.levelno, l.name]))

/** logging._nameToLevel: canonical names and aliases (FATAL, WARN), upper case. */
export const LEVEL_NUMBERS: ReadonlyMap<string, number> = new Map(LEVELS.flatMap((l) => [l.name, ...l.aliases].map((n) => [n, l.levelno] as const)))

/** The levels the page colours, lowest first: the order of its "By level" card and its level filter. */
export const PAGE_LEVELS: readonly { levelno: number; name: string; pageClass: string }[] = LEVELS.flatMap((l) =>
  l.pageClass === null ? [] : [{ levelno: l.levelno, name: l.name, pageClass: l.pageClass }],
)

/** A record row's class: by number, which is what Python compares; names can be anything. */
export function levelClass(levelno: number): string {
  return PAGE_LEVELS.find((l) => l.levelno === levelno)?.pageClass ?? CUSTOM_LEVEL_CLASS
}

/** A statistics entry's class: the statistics count by name, and only a canonical name gets its colour. */
export function levelClassOfName(name: string): string {
  return PAGE_LEVELS.find((l) => l.name === name)?.pageClass ?? CUSTOM_LEVEL_CLASS
}

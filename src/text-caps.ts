// Every cap on a record's texts between the wire and the status page, in one place, because each is
// chosen against the others. The central file is never cut: it always has the whole text.
// The page loads this file as /js/text-caps.js (scripts/build-client.mjs): constants only, no imports.

/**
 * What the recent ring keeps of message, exc_text and stack_info (status/recent.ts cuts, silently): the ring's
 * memory stays recent_records × a small constant whatever clients send.
 */
export const RECENT_TEXT_CHARS = 64 * 1024

/** What the ring keeps of names, paths and the like: one line on the page. */
export const RECENT_FIELD_CHARS = 1024

/**
 * Per text in lists (/api/records, /api/stream; web/record-json.ts cuts and marks): a page of 300 rows stays
 * about a megabyte however big the records are, and a row shows what fits on a screen. The page fetches a
 * cut record whole when opened.
 */
export const LISTED_TEXT_CHARS = 4 * 1024

/**
 * Per text of one record (/api/records/:seq). The ring cut longer texts to RECENT_TEXT_CHARS without saying
 * so; one character less here makes every text the ring cut come out marked as cut.
 */
export const WHOLE_TEXT_CHARS = RECENT_TEXT_CHARS - 1

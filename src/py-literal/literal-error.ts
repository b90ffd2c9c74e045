// A text that is not a Python literal we read (or is over a budget): the caller falls back to the raw text.
export class LiteralError extends Error {}

// The decoder's budgets. Every one follows the frame: a pickle's opcodes, memo entries and containers each
// take at least one byte, so the frame's length already bounds them; what a short frame can still blow up is
// (1) the heap of the containers it builds and (2) the size of the value once shared references are expanded
// (memo fan-out, "billion laughs"). Both are measured against the frame's length with a fixed factor.
import { PyBytes, PyGlobal, PyObject, PySet, PyTuple, type PyValue } from '../py-value.js'
import { over } from './pickle-scalars.js'

export interface UnpickleLimits {
  /** Open MARKs at once, and nesting of containers in the result (also bounds every recursion here).
   *  CPython's own pickler stops at its recursion limit (1000), so no genuine record is deeper. */
  maxDepth: number
  /** Expanded size allowed per byte of frame: every value counts 1, a shared one once per appearance. */
  expansionPerByte: number
  /** Expanded size every frame may reach, however short. */
  minExpansion: number
  /** Estimated heap of the containers built, per byte of frame. */
  heapBytesPerByte: number
  /** The heap estimate every frame may reach, however short. */
  minHeapBytes: number
  /** The heap estimate no frame may exceed, whatever `log.max_frame_bytes` allows. */
  maxHeapBytes: number
}

/**
 * The factors are documented in README ("Security"). 1024 expanded values per byte admits any sharing a real
 * record has (a 2-byte memo reference to a 500-key dict is 1001 values; every renderer stops at 64 KiB, so a
 * large expansion costs no time); a 10-level billion laughs from 200 bytes needs 10^10.
 * 128 heap bytes per byte admits CPython's densest output (protocol 4 writes an empty dict in 2 bytes, `}\x94`,
 * and V8 spends ~190 bytes on an empty Map), while a hand-made flood of 1-byte dicts is refused.
 */
export const DEFAULT_UNPICKLE_LIMITS: Readonly<UnpickleLimits> = Object.freeze({
  maxDepth: 1000,
  expansionPerByte: 1024,
  minExpansion: 64 * 1024,
  heapBytesPerByte: 128,
  minHeapBytes: 1024 * 1024,
  maxHeapBytes: 256 * 1024 * 1024,
})

/** What V8 spends on each kind of value the decoder creates (measured with --expose-gc on Node 20). */
export const HEAP_COST = Object.freeze({ map: 192, mapEntry: 64, array: 48, tuple: 64, object: 80, bytes: 64 })

/**
 * The per-frame allowances. The heap is checked against the bytes read so far, not the whole frame: every
 * container of a genuine pickle follows its own opcode bytes, while a flood of 1-byte containers outruns the
 * factor within its first few thousand and is refused before it has cost megabytes.
 */
export class Budget {
  readonly maxDepth: number
  readonly maxExpanded: number
  private spent = 0
  private readonly perByte: number
  private readonly minHeap: number
  private readonly maxHeap: number

  constructor(limits: Readonly<UnpickleLimits>, frameBytes: number) {
    this.maxDepth = limits.maxDepth
    this.maxExpanded = Math.max(limits.minExpansion, limits.expansionPerByte * frameBytes)
    this.perByte = limits.heapBytesPerByte
    this.minHeap = limits.minHeapBytes
    this.maxHeap = limits.maxHeapBytes
  }

  /** Charges `bytes` of heap for a value being built once `bytesRead` bytes of the frame have been read. */
  spend(bytes: number, bytesRead: number): void {
    this.spent += bytes
    if (this.spent > this.minHeap && (this.spent > this.perByte * bytesRead || this.spent > this.maxHeap)) {
      over(`builds ${this.spent} bytes of containers from ${bytesRead} bytes (allowed: ${this.perByte} per byte, at most ${this.maxHeap})`)
    }
  }
}

/**
 * Sizes the result as a tree (depth- and size-bounded), memoizing only shared nodes, so the work is linear in
 * the distinct nodes however they are shared. A cycle (a list that contains itself) is fine: Python's repr
 * prints the inner appearance as `[...]`, and so do our renderers; here it counts 1.
 */
export class Meter {
  private sizes: Map<object, number> | null = null
  constructor(private readonly budget: Budget, private readonly shared: Set<object> | null) {}

  size(v: PyValue, depth: number): number {
    if (typeof v !== 'object' || v === null || v instanceof PyBytes || v instanceof PyGlobal) return 1
    const isContainer = v instanceof Map || Array.isArray(v) || v instanceof PyTuple || v instanceof PySet || v instanceof PyObject
    if (!isContainer) return 1
    if (depth >= this.budget.maxDepth) over(`containers nested deeper than ${this.budget.maxDepth}`)
    const sizes = this.shared !== null && this.shared.has(v) ? (this.sizes ??= new Map()) : null
    if (sizes !== null) {
      const known = sizes.get(v)
      if (known === IN_PROGRESS) return 1
      if (known !== undefined) return known
      sizes.set(v, IN_PROGRESS)
    }
    let n = 1
    const max = this.budget.maxExpanded
    const d = depth + 1
    if (v instanceof Map) {
      for (const [k, x] of v) if ((n += this.size(k, d) + this.size(x, d)) > max) break
    } else if (v instanceof PyObject) {
      n += this.size(v.args, d) + this.size(v.state, d) + 1
    } else {
      const items: readonly PyValue[] = Array.isArray(v) ? v : v.items
      for (let i = 0; i < items.length; i++) if ((n += this.size(items[i] as PyValue, d)) > max) break
    }
    // Checking inside the loops keeps the work here within ~2× the budget however the input is shared.
    if (n > max) over(`expands to more than ${max} values (shared references counted each time they appear)`)
    sizes?.set(v, n)
    return n
  }
}

const IN_PROGRESS = -1

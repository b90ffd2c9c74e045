// The dispatcher's order of arrival while decode threads work: a read handed to a thread takes its place in line,
// records accepted after it wait, and everything is released in the order it arrived, whatever order the threads
// finish in; a run's records are numbered on from the records before them.
import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { describe, it } from 'node:test'
import { Dispatcher, MAX_WAITING_RECORDS, type RecordRun, type RecordSummary } from '../../src/dispatcher.js'
import type { LogRecord } from '../../src/record.js'
import { makeRecord } from './format/record-fixtures.js'

/** What reached the file, in order: inline records by their msg, runs by their text. */
class FileSpy extends EventEmitter {
  readonly written: string[] = []
  backlogBytes = 0
  write(record: LogRecord): void {
    this.written.push(record.msg)
  }
  writeRun(run: RecordRun): void {
    this.written.push(...Buffer.from(run.bytes).toString().split('\n').slice(0, -1))
  }
}

/** A run of `names.length` records whose lines are the names. */
function run(client: string, names: string[]): RecordRun {
  const bytes = Buffer.from(names.map((n) => `${n}\n`).join(''))
  const ends: number[] = []
  let at = 0
  for (const n of names) ends.push((at += Buffer.byteLength(n) + 1))
  const resolve = (i: number, seq: number): LogRecord => ({ ...makeRecord({ msg: names[i]! }), seq })
  return {
    count: names.length, client, received: 1_700_000_000, bytes,
    lineEnd: (i) => ends[i]!, levelname: () => 'INFO', levelno: () => 20, frameBytes: () => 100,
    frames: { bytes: 100, resolve, hold() {}, letGo() {} },
  }
}

function setup(): { dispatcher: Dispatcher; file: FileSpy; counted: string[]; kept: Array<[string, number]> } {
  const file = new FileSpy()
  const counted: string[] = []
  const kept: Array<[string, number]> = []
  const counter = { record: (r: RecordSummary) => counted.push(`${r.client} ${r.levelname}`) }
  const keeper = {
    record: (r: LogRecord) => kept.push([r.msg, r.seq]),
    run: (r: RecordRun, firstSeq: number) => {
      for (let i = 0; i < r.count; i++) kept.push([r.frames.resolve(i, firstSeq + i).msg, firstSeq + i])
    },
  }
  const throttle = { pauseAll() {}, resumeAll() {} }
  return { dispatcher: new Dispatcher(file, [counter], [keeper], Infinity, throttle), file, counted, kept }
}

describe('Dispatcher: places in line', () => {
  it('releases reads and inline records in the order they arrived, whatever order the threads finish in', async () => {
    const { dispatcher, file, kept } = setup()
    dispatcher.accept(makeRecord({ msg: 'inline 1' }))
    const first = dispatcher.reserve()
    dispatcher.accept(makeRecord({ msg: 'inline 2' }))
    const second = dispatcher.reserve()
    dispatcher.accept(makeRecord({ msg: 'inline 3' }))
    assert.deepEqual(file.written, ['inline 1'], 'what arrived after a reserved read waits for it')
    assert.equal(dispatcher.waiting, 4)
    let settled = false
    void dispatcher.settled().then(() => (settled = true))

    dispatcher.fill(second, () => dispatcher.acceptRun(run('b', ['b1', 'b2'])))
    assert.deepEqual(file.written, ['inline 1'], 'the second read is done, but the first is not')
    dispatcher.fill(first, () => {
      dispatcher.acceptRun(run('a', ['a1']))
      dispatcher.accept(makeRecord({ msg: 'placeholder in a' })) // a refusal inside the read goes out in its place
      dispatcher.acceptRun(run('a', ['a2']))
    })
    assert.deepEqual(file.written, ['inline 1', 'a1', 'placeholder in a', 'a2', 'inline 2', 'b1', 'b2', 'inline 3'])
    assert.deepEqual(kept.map(([, seq]) => seq), [1, 2, 3, 4, 5, 6, 7, 8], 'numbered one by one in file order')
    assert.deepEqual(kept.map(([msg]) => msg), file.written)
    assert.equal(dispatcher.waiting, 0)
    await Promise.resolve()
    assert.ok(settled, 'settled() resolves once the line is empty')
    dispatcher.accept(makeRecord({ msg: 'after' }))
    assert.equal(file.written.at(-1), 'after', 'with nothing in line, a record goes straight out')
  })

  it("counts each of a run's records with its client and level, and keeps thousands waiting in order", () => {
    const { dispatcher, file, counted } = setup()
    const slot = dispatcher.reserve()
    for (let i = 0; i < 5000; i++) dispatcher.accept(makeRecord({ msg: `late ${i}` }))
    dispatcher.fill(slot, () => dispatcher.acceptRun(run('10.0.0.7', ['x', 'y'])))
    assert.deepEqual(counted.slice(0, 2), ['10.0.0.7 INFO', '10.0.0.7 INFO'])
    assert.equal(file.written.length, 5002)
    assert.deepEqual(file.written.slice(0, 3), ['x', 'y', 'late 0'])
    assert.equal(file.written.at(-1), 'late 4999')
  })

  it('switches the layout (inTurn) after what arrived before it, even when that waits behind a thread', () => {
    const { dispatcher, file } = setup()
    let layout = 'old'
    const writeWithLayout = file.write.bind(file)
    file.write = (r: LogRecord) => writeWithLayout({ ...r, msg: `${layout}:${r.msg}` })
    const slot = dispatcher.reserve()
    dispatcher.accept(makeRecord({ msg: 'read before the reload' }))
    dispatcher.inTurn(() => (layout = 'new'))
    dispatcher.accept(makeRecord({ msg: 'read after it' }))
    assert.equal(layout, 'old', 'not before the records ahead of it')
    dispatcher.fill(slot, () => dispatcher.accept(makeRecord({ msg: 'in the thread read' })))
    assert.deepEqual(file.written, ['old:in the thread read', 'old:read before the reload', 'new:read after it'])
    dispatcher.inTurn(() => (layout = 'newer'))
    assert.equal(layout, 'newer', 'at once when nothing waits')
  })

  it('pauses reading while too many records wait behind a thread, and resumes once half are out', () => {
    const file = new FileSpy()
    const calls: string[] = []
    const dispatcher = new Dispatcher(file, [], [], Infinity, { pauseAll: () => calls.push('pause'), resumeAll: () => calls.push('resume') })
    const slot = dispatcher.reserve()
    for (let i = 0; i < MAX_WAITING_RECORDS; i++) dispatcher.accept(makeRecord({ msg: String(i) }))
    assert.deepEqual(calls, [])
    dispatcher.accept(makeRecord({ msg: 'one too many' }))
    assert.deepEqual(calls, ['pause'])
    assert.equal(dispatcher.backpressure, true)
    dispatcher.fill(slot, () => {})
    assert.deepEqual(calls, ['pause', 'resume'])
    assert.equal(file.written.length, MAX_WAITING_RECORDS + 1)
  })

  it('counts the records of reads done before their turn among the waiting, and pauses past the limit', () => {
    const file = new FileSpy()
    const calls: string[] = []
    const dispatcher = new Dispatcher(file, [], [], Infinity, { pauseAll: () => calls.push('pause'), resumeAll: () => calls.push('resume') })
    const stalled = dispatcher.reserve() // a thread's read that is not back
    const perRead = 1000
    let released = 0
    for (let i = 0; i * perRead <= MAX_WAITING_RECORDS; i++) dispatcher.fill(dispatcher.reserve(), () => released++, perRead)
    assert.deepEqual(calls, ['pause'], 'reads decoded on the loop behind a stalled thread stop reading too')
    assert.equal(released, 0)
    dispatcher.fill(stalled, () => {})
    assert.equal(released, Math.floor(MAX_WAITING_RECORDS / perRead) + 1)
    assert.deepEqual(calls, ['pause', 'resume'])
    // A read filled in its turn is released at once and never counted.
    dispatcher.fill(dispatcher.reserve(), () => released++, MAX_WAITING_RECORDS * 2)
    assert.deepEqual(calls, ['pause', 'resume'])
  })

  it('takes runs only when every keeper takes them', () => {
    const { dispatcher } = setup()
    assert.equal(dispatcher.takesRuns, true)
    const file = new FileSpy()
    const forwarderLike = { record() {} }
    assert.equal(new Dispatcher(file, [], [forwarderLike], Infinity, { pauseAll() {}, resumeAll() {} }).takesRuns, false)
  })
})

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FormError, formToLogRecord } from '../../../src/http-input/form-record.js'
import { mergeMessage } from '../../../src/http-input/merge-message.js'
import { runPython } from '../../support/python.js'

/** What CPython's HTTPHandler sends for each record (urlencode(mapLogRecord(record))) and its getMessage(). */
function cpythonForms(): { body: string; message: string | null; created: number; lineno: number; levelno: number; thread: number }[] {
  const out = runPython(`import datetime, decimal, json, logging, urllib.parse
cases = [
    ("plain message", ()),
    ("user %s on %s owes %s", ("alice", datetime.date(2024, 1, 2), decimal.Decimal("1.50"))),
    ("%5.2f|%-6d|%x|%r|%c|%%", (3.14159, 42, 255, "q'uote", 65)),
    ("%(who)s has %(n)d", ({"who": "bob", "n": 3},)),
    ("bytes %r and None %s and bool %s", (b"\\x00\\xff'", None, True)),
    ("nested %s", ([1, (2, 3.5), {"k": {1, 2}}, -0.0, float("inf"), 10**30],)),
    ("not enough %s %s", ("one",)),
    ("when %s took %s", (datetime.datetime(2024, 5, 6, 7, 8, 9, 10), datetime.timedelta(days=2, seconds=3))),
    ("unicode %s %r", ("é😀\\u2028", "tab\\there\\n")),
]
for msg, args in cases:
    r = logging.LogRecord("app.form", logging.WARNING, "/srv/app.py", 17, msg, args, None, "fn")
    try:
        message = r.getMessage()
    except Exception:
        message = None
    print(json.dumps({"body": urllib.parse.urlencode(r.__dict__), "message": message, "created": r.created, "lineno": r.lineno, "levelno": r.levelno, "thread": r.thread}))
`)
  return out.toString().trim().split('\n').map((l) => JSON.parse(l))
}

describe('formToLogRecord()', () => {
  it("rebuilds CPython's records from HTTPHandler's form: message merged as getMessage() does, numbers as numbers", () => {
    const forms = cpythonForms()
    assert.equal(forms.length, 9)
    for (const f of forms) {
      const form = new URLSearchParams(f.body)
      const r = formToLogRecord(form, '10.0.0.7', 1000)
      const fallback = `${form.get('msg')} | args=${form.get('args')}`
      assert.equal(r.msg, f.message ?? fallback, f.body)
      assert.equal(r.args, null)
      assert.equal(r.levelno, f.levelno)
      assert.equal(r.levelname, 'WARNING')
      assert.equal(r.created, f.created)
      assert.equal(r.lineno, f.lineno)
      assert.equal(r.thread, f.thread)
      assert.equal(r.name, 'app.form')
      assert.equal(r.funcName, 'fn')
      assert.equal(r.client, '10.0.0.7')
      assert.equal(r.exc_text, null)
      assert.equal(r.stack_info, null)
      assert.equal(r.taskName, null) // 'None' is absent, not the text None
    }
  })

  it('keeps the exception the stock handler names, saying the traceback was not sent', () => {
    const body = runPython(`import logging, sys, urllib.parse
try:
    1 / 0
except ZeroDivisionError:
    r = logging.LogRecord("x", logging.ERROR, "p.py", 1, "boom", (), sys.exc_info())
print(urllib.parse.urlencode(r.__dict__))`).toString().trim()
    const r = formToLogRecord(new URLSearchParams(body), 'c', 0)
    assert.match(r.exc_text ?? '', /^ZeroDivisionError\('division by zero'\) \(no traceback: HTTPHandler sends only repr\(exc_info\)/)
  })

  it('refuses a form without msg, and reads hostile numbers as absent', () => {
    assert.throws(() => formToLogRecord(new URLSearchParams('name=x'), 'c', 0), FormError)
    const r = formToLogRecord(new URLSearchParams({ msg: 'm', levelno: '9'.repeat(100), lineno: '__import__("os")', created: 'nan', msecs: '1e999' }), 'c', 5)
    assert.equal(r.levelno, 0)
    assert.equal(r.lineno, 0)
    assert.equal(r.created, 5)
    assert.equal(r.msg, 'm')
  })

  it('keeps extra fields as the text the client sent, and cannot forge the server-owned ones', () => {
    const r = formToLogRecord(new URLSearchParams({ msg: 'm', request_id: 'abc', client: '1.2.3.4', seq: '7' }), '10.0.0.1', 0)
    assert.equal(r.extra.get('request_id'), 'abc')
    assert.equal(r.client, '10.0.0.1')
    assert.equal(r.extra.has('client'), false)
  })
})

describe('mergeMessage()', () => {
  it('leaves a message alone when there are no args, and writes msg | args=<repr> when they cannot be read or merged', () => {
    assert.equal(mergeMessage('100%', '()'), '100%')
    assert.equal(mergeMessage('100%', 'None'), '100%')
    assert.equal(mergeMessage('a %s', "('x'"), "a %s | args=('x'")
    assert.equal(mergeMessage('a %d', "('x',)"), "a %d | args=('x',)")
    assert.equal(mergeMessage('a %s %s', "('x',)"), "a %s %s | args=('x',)")
    assert.equal(mergeMessage('a %s', '(<Foo object at 0x1>,)'), 'a <Foo object at 0x1>')
  })

  it("merges a self-containing list as CPython prints it: repr writes `...` only there (Ellipsis is 'Ellipsis')", () => {
    const [args, message] = JSON.parse(runPython(`import json
a = [1]; a.append(a); d = {}; d['me'] = d
args = (a, d, Ellipsis)
print(json.dumps([str(args), '%s %s %s' % args]))`).toString()) as [string, string]
    assert.equal(mergeMessage('%s %s %s', args), message) // [1, [...]] {'me': {...}} Ellipsis
  })
})

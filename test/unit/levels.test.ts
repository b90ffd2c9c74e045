import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, it } from 'node:test'
import { CUSTOM_LEVEL_CLASS, LEVEL_NAMES, LEVEL_NUMBERS, levelClass, levelClassOfName, PAGE_LEVELS } from '../../src/levels.js'
import { repoRoot } from '../support/server.js'

describe('the level table', () => {
  it("is CPython's logging._nameToLevel and _levelToName", () => {
    assert.deepEqual(Object.fromEntries(LEVEL_NUMBERS), { CRITICAL: 50, FATAL: 50, ERROR: 40, WARNING: 30, WARN: 30, INFO: 20, DEBUG: 10, NOTSET: 0 })
    assert.deepEqual(Object.fromEntries(LEVEL_NAMES), { 50: 'CRITICAL', 40: 'ERROR', 30: 'WARNING', 20: 'INFO', 10: 'DEBUG', 0: 'NOTSET' })
  })

  it('gives the page a class per canonical level, and the custom class to the rest', () => {
    assert.deepEqual([10, 20, 30, 40, 50, 0, 25].map(levelClass), ['debug', 'info', 'warning', 'error', 'critical', 'custom', 'custom'].map((l) => `level-${l}`))
    assert.deepEqual(['DEBUG', 'CRITICAL', 'WARN', 'FATAL', 'NOTSET', 'NOTICE'].map(levelClassOfName), ['level-debug', 'level-critical', ...Array(4).fill(CUSTOM_LEVEL_CLASS)])
    assert.deepEqual(PAGE_LEVELS.map((l) => l.name), ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'])
  })

  it("matches the page's static level filter (index.html lists the options before any script runs)", () => {
    const html = readFileSync(path.join(repoRoot, 'src/web/static/index.html'), 'utf8')
    const select = /<select id="filter-level"[^>]*>([\s\S]*?)<\/select>/.exec(html)?.[1] ?? ''
    const options = [...select.matchAll(/<option value="(\d+)">([A-Z]+)<\/option>/g)].map((m) => ({ levelno: Number(m[1]), name: m[2] }))
    assert.deepEqual(options, PAGE_LEVELS.map(({ levelno, name }) => ({ levelno, name })))
  })
})

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseConfig } from '../../../src/config/load.js'
import { restartOnlyChanges } from '../../../src/config/reload.js'
import { RELOADABLE } from '../../../src/server.js'
import { ConfigError } from '../../../src/errors.js'
import { parseForwardUrl } from '../../../src/forward/target-url.js'

describe('parseForwardUrl()', () => {
  it('reads relp, tcp and udp URLs, IPv6 without brackets', () => {
    assert.deepEqual(parseForwardUrl('relp://127.0.0.1:2514'), { protocol: 'relp', host: '127.0.0.1', port: 2514 })
    assert.deepEqual(parseForwardUrl('tcp://[::1]:514'), { protocol: 'tcp', host: '::1', port: 514 })
    assert.deepEqual(parseForwardUrl('udp://logs.example.org:514/'), { protocol: 'udp', host: 'logs.example.org', port: 514 })
  })

  it('says what is wrong with anything else', () => {
    assert.match(parseForwardUrl('logs.example.org:514') as string, /must be a URL/)
    assert.match(parseForwardUrl('http://a:1') as string, /unknown protocol "http"/)
    assert.match(parseForwardUrl('tcp://a') as string, /names no port/)
    assert.match(parseForwardUrl('tcp://a:0') as string, /port must be/)
    assert.match(parseForwardUrl('tcp://a:514/x') as string, /no path/)
    assert.match(parseForwardUrl('tcp://u:p@a:514') as string, /user or password/)
  })
})

describe('the forward config key', () => {
  const problems = (yaml: string): string[] => {
    try {
      parseConfig(yaml, 'loggingserver.yaml')
    } catch (err) {
      assert.ok(err instanceof ConfigError)
      return [...err.problems]
    }
    assert.fail('expected a ConfigError')
  }

  it('defaults to no targets, and fills each target\'s defaults', () => {
    assert.deepEqual(parseConfig('', 'x.yaml').forward, [])
    assert.deepEqual(parseConfig('forward:\n  - url: relp://127.0.0.1:2514\n', 'x.yaml').forward, [
      { url: 'relp://127.0.0.1:2514', format: 'rfc5424', queue_bytes: 64 * 1024 * 1024, facility: 'user', max_message_bytes: 8192 },
    ])
  })

  it('names file, line and key of a bad URL or facility', () => {
    const found = problems('forward:\n  - url: relp://127.0.0.1:2514\n  - url: syslog://x:1\n  - url: tcp://h:514\n    facility: local9\n')
    assert.equal(found.length, 2, found.join('\n'))
    assert.match(found[0]!, /^loggingserver\.yaml:3: forward\.1\.url: unknown protocol "syslog"/)
    assert.match(found[1]!, /^loggingserver\.yaml:5: forward\.2\.facility: must be one of "kern", "user"/)
  })

  it('refuses a target listed twice (its metrics would collide), at the second one', () => {
    const found = problems('forward:\n  - url: relp://127.0.0.1:2514\n  - url: tcp://h:514\n  - url: relp://127.0.0.1:2514\n')
    assert.deepEqual(found, ['loggingserver.yaml:4: forward.2.url: relp://127.0.0.1:2514 is listed twice'])
  })

  it('changes only at a restart: a reload names it among the keys that wait', () => {
    const running = parseConfig('forward:\n  - url: tcp://127.0.0.1:514\n', 'x.yaml')
    const fresh = parseConfig('forward:\n  - url: tcp://127.0.0.1:514\n    queue_bytes: 1000\n', 'x.yaml')
    assert.deepEqual(restartOnlyChanges(running, fresh, RELOADABLE), ['forward'])
  })
})

import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, it } from 'node:test'
import { parseConfig, loadConfig } from '../../../src/config/load.js'
import { ConfigError } from '../../../src/errors.js'
import { repoRoot } from '../../support/server.js'

function problems(yaml: string): string[] {
  try {
    parseConfig(yaml, 'loggingserver.yaml')
  } catch (err) {
    assert.ok(err instanceof ConfigError)
    return [...err.problems]
  }
  assert.fail('expected a ConfigError')
}

describe('parseConfig()', () => {
  it('fills every default from an empty file', () => {
    const config = parseConfig('', 'x.yaml')
    assert.equal(config.log.port, 9020)
    assert.equal(config.web.port, 9021)
    assert.equal(config.log.max_frame_bytes, 1024 * 1024)
    assert.equal(config.web.recent_records, 300)
    assert.equal(config.file.path, path.resolve('var/log/loggingserver.log'))
  })

  it('names file, line and key of a bad log.allow entry', () => {
    assert.deepEqual(problems('log:\n  allow:\n    - 10.0.0.0/8\n    - 10.0.0.0/33\n    - example.com\n'), [
      'loggingserver.yaml:4: log.allow.1: "10.0.0.0/33": the prefix length must be a whole number from 0 to 32',
      'loggingserver.yaml:5: log.allow.2: "example.com" is not an IP address or CIDR (e.g. 10.0.0.0/8, 2001:db8::/32, 192.0.2.7)',
    ])
    assert.deepEqual(parseConfig('log:\n  allow: [127.0.0.2/32, "::1"]\n', 'x.yaml').log.allow, ['127.0.0.2/32', '::1'])
  })

  it('takes the Unix socket and UDP keys, and refuses a bad mode, an over-long path or a bad port', () => {
    const log = parseConfig('log:\n  port: null\n  unix_socket: /run/x/log.sock\n  udp_port: 9024\n', 'x.yaml').log
    assert.equal(log.unix_socket, '/run/x/log.sock')
    assert.equal(log.unix_socket_mode, '0660')
    assert.equal(log.udp_port, 9024)
    assert.deepEqual(parseConfig('log:\n  port: null\n  udp_port: 0\n', 'x.yaml').log.udp_port, 0)
    assert.deepEqual(problems(`log:\n  unix_socket_mode: "0990"\n  unix_socket: /${'a'.repeat(107)}\n  udp_port: 70000\n`), [
      'loggingserver.yaml:2: log.unix_socket_mode: must be an octal mode such as "0660"',
      'loggingserver.yaml:3: log.unix_socket: a Unix socket path is at most 107 bytes (sun_path)',
      'loggingserver.yaml:4: log.udp_port: must be at most 65535',
    ])
  })

  it("takes log.decode_threads as 'auto' or a count, and names the key of anything else", () => {
    assert.equal(parseConfig('', 'x.yaml').log.decode_threads, 'auto')
    assert.equal(parseConfig('log:\n  decode_threads: 0\n', 'x.yaml').log.decode_threads, 0)
    assert.equal(parseConfig('log:\n  decode_threads: 3\n', 'x.yaml').log.decode_threads, 3)
    const wrong: Array<[string, string]> = [
      ['-1', 'must be at least 0'],
      ['1.5', 'must be a whole number, not float'],
      ['65', 'must be at most 64'],
      ['many', "must be 'auto' or a whole number of threads from 0 to 64"],
      ['true', "must be 'auto' or a whole number of threads from 0 to 64"],
    ]
    for (const [bad, why] of wrong) assert.deepEqual(problems(`log:\n  decode_threads: ${bad}\n`), [`loggingserver.yaml:2: log.decode_threads: ${why}`], bad)
  })

  it('refuses log.port null without log.tls, and require_client_cert without ca', () => {
    assert.deepEqual(problems('log:\n  port: null\n'), ['loggingserver.yaml:2: log.port: log.port, log.tls, log.unix_socket and log.udp_port cannot all be off: nothing could send'])
    assert.deepEqual(problems('log:\n  tls:\n    cert: c.pem\n    key: k.pem\n    require_client_cert: true\n'), [
      'loggingserver.yaml:3: log.tls.ca: require_client_cert needs ca (the CA that signs client certificates)',
    ])
    assert.deepEqual(problems('log:\n  tls: {cert: c.pem, key: k.pem, verify: true}\n'), [
      'loggingserver.yaml:2: log.tls.verify: unknown key (expected one of: host, port, cert, key, ca, require_client_cert, max_version)',
    ])
  })

  it('checks web.http_handler_path: a path of its own, and sender users whenever the page has readers', () => {
    const hash = '$scrypt$ln=10,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$' + 'A'.repeat(43)
    assert.equal(parseConfig('web:\n  http_handler_path: /log\n', 'x.yaml').web.http_handler_path, '/log')
    assert.equal(parseConfig('web:\n  http_handler_path: /jsonlog\n', 'x.yaml').web.http_handler_path, '/jsonlog')
    assert.deepEqual(problems('web:\n  http_handler_path: /api/log\n'), ["loggingserver.yaml:2: web.http_handler_path: is one of the status page's own paths: choose another, such as /log"])
    assert.deepEqual(problems('web:\n  enabled: false\n  http_handler_path: /log\n'), ['loggingserver.yaml:3: web.http_handler_path: needs web.enabled: the HTTPHandler input is served by the status port'])
    assert.deepEqual(problems('web:\n  http_handler_path: log\n'), ['loggingserver.yaml:2: web.http_handler_path: must be a path such as /log (letters, digits, . _ ~ - between slashes)'])
    assert.deepEqual(problems(`web:\n  auth:\n    users: {alice: "${hash}"}\n  http_handler_path: /log\n`), [
      'loggingserver.yaml:4: web.http_handler_path: needs web.http_handler_auth when web.auth is set: senders have users of their own (readers cannot send, senders cannot read)',
    ])
    const both = parseConfig(`web:\n  auth:\n    users: {alice: "${hash}"}\n  http_handler_path: /log\n  http_handler_auth:\n    users: {app1: "${hash}"}\n`, 'x.yaml')
    assert.deepEqual(Object.keys(both.web.http_handler_auth?.users ?? {}), ['app1'])
  })

  it('takes log.port null with log.tls on, and makes the certificate paths absolute', () => {
    const config = parseConfig('log:\n  port: null\n  tls: {cert: c.pem, key: k.pem, ca: ca.pem}\n', 'x.yaml')
    assert.equal(config.log.port, null)
    assert.deepEqual(config.log.tls, { host: null, port: 9022, cert: path.resolve('c.pem'), key: path.resolve('k.pem'), ca: path.resolve('ca.pem'), require_client_cert: false, max_version: 'TLSv1.2' })
  })

  it('names file, line and key for a wrong type', () => {
    assert.deepEqual(problems('log:\n  host: 0.0.0.0\n  max_frame_bytes: lots\n'), [
      'loggingserver.yaml:3: log.max_frame_bytes: must be a number, not string',
    ])
  })

  it('reports every problem at once, each on its own line', () => {
    const found = problems('log:\n  port: 70000\nweb:\n  recent_records: -1\nfile:\n  when: hourly\n')
    assert.deepEqual(found, [
      'loggingserver.yaml:2: log.port: must be at most 65535',
      'loggingserver.yaml:4: web.recent_records: must be a positive number',
      'loggingserver.yaml:6: file.when: must be one of "S", "M", "H", "D", "midnight", "W0", "W1", "W2", "W3", "W4", "W5", "W6", not "hourly"',
    ])
  })

  it('rejects an unknown key on its own line and lists the known ones', () => {
    const [problem] = problems('web:\n  port: 9021\n  colour: red\n')
    assert.match(problem!, /^loggingserver\.yaml:3: web\.colour: unknown key \(expected one of: enabled, host, port, /)
  })

  it('checks log.max_partial_bytes against log.max_frame_bytes, at its line, and still lists log keys', () => {
    assert.deepEqual(problems('log:\n  max_frame_bytes: 2097152\n  max_partial_bytes: 1048576\n'), [
      'loggingserver.yaml:3: log.max_partial_bytes: must be at least log.max_frame_bytes',
    ])
    const unknown = problems('log:\n  max_partial: 1\n')
    assert.equal(unknown.length, 1)
    assert.ok(unknown[0]!.includes('max_partial_bytes'), unknown[0])
  })

  it('rejects an unknown top-level section', () => {
    assert.match(problems('\n\nlogging:\n  port: 1\n')[0]!, /^loggingserver\.yaml:3: logging: unknown key/)
  })

  it('reports YAML syntax errors with their line', () => {
    assert.match(problems('log:\n  port: 9020\n\thost: x\n')[0]!, /^loggingserver\.yaml:3: YAML syntax: Tabs are not allowed/)
  })

  describe('a mis-indented key: one message, on the line to fix', () => {
    const shipped = readFileSync(path.join(repoRoot, 'etc/loggingserver.yaml'), 'utf8')
    const lineOf = (text: string, needle: string): number => text.slice(0, text.indexOf(needle)).split('\n').length
    const broken = (from: string, to: string): { text: string; line: number } => {
      assert.ok(shipped.includes(`\n${from}\n`), from)
      const text = shipped.replace(`\n${from}\n`, `\n${to}\n`)
      return { text, line: lineOf(text, `\n${to}\n`) + 1 }
    }
    const only = (text: string): string => {
      const found = problems(text)
      assert.equal(found.length, 1, found.join('\n'))
      return found[0]!
    }

    it('the first key of a section indented deeper than the rest (the parser blames every other key)', () => {
      const { text, line } = broken('  path: /var/log/loggingserver/loggingserver.log', '   path: /var/log/loggingserver/loggingserver.log')
      assert.equal(only(text), `loggingserver.yaml:${line}: YAML syntax: "path" is indented 3 spaces where the keys after it have 2: line it up with them`)
    })

    it('a key in the middle indented less', () => {
      const { text, line } = broken('  style: text', ' style: text')
      assert.equal(only(text), `loggingserver.yaml:${line}: YAML syntax: "style" is indented 1 spaces where the keys around it have 2: line it up with them`)
    })

    it('a key indented deeper than the one above it (the parser blames the line above)', () => {
      assert.equal(only('log:\n  port: 9020\n  host: 0.0.0.0\n   max_frame_bytes: 100\n'),
        'loggingserver.yaml:4: YAML syntax: "max_frame_bytes" is indented 3 spaces, deeper than "host" on line 3 (2): line it up, or it is read as part of that value')
    })

    it('a key at column 0 inside a section', () => {
      const { text, line } = broken('  max_streams: 100', 'max_streams: 100')
      assert.match(only(text), new RegExp(`^loggingserver\\.yaml:${line}: YAML syntax: "max_streams" starts at column 0`))
    })
  })

  it('rejects a format string naming an unknown attribute, at the format line', () => {
    const [problem] = problems('file:\n  path: /tmp/x.log\n  format: "%(asctime)s %(nosuch)s"\n')
    assert.match(problem!, /^loggingserver\.yaml:3: file\.format: .*nosuch/)
  })

  it('freezes the result', () => {
    const config = parseConfig('', 'x.yaml')
    assert.throws(() => {
      ;(config.log as { port: number }).port = 1
    }, TypeError)
  })
})

describe('loadConfig()', () => {
  it('uses the built-in defaults when the default path does not exist', () => {
    const loaded = loadConfig(null, '/nonexistent/loggingserver.yaml')
    assert.equal(loaded.source, null)
    assert.equal(loaded.config.log.port, 9020)
  })

  it('fails with the path when an explicit --config does not exist', () => {
    assert.throws(() => loadConfig('/nonexistent/x.yaml'), (err: unknown) => err instanceof ConfigError && /^\/nonexistent\/x\.yaml: cannot read/.test(err.message))
  })

  it('ships etc/loggingserver.yaml documenting exactly the defaults (but the packaged file path)', () => {
    const shipped = parseConfig(readFileSync(path.join(repoRoot, 'etc/loggingserver.yaml'), 'utf8'), 'etc/loggingserver.yaml')
    const defaults = parseConfig('file:\n  path: /var/log/loggingserver/loggingserver.log\n', 'x.yaml')
    assert.deepEqual(shipped, defaults)
  })
})

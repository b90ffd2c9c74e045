// The README's "For Python developers" recipes (issue 14), each run as users would run it, with real CPython
// against the real server: dictConfig, Django's LOGGING, fileConfig INI, QueueHandler + QueueListener.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { repoRoot, startServer, tempDir, type RunningServer } from '../support/server.js'

const examples = path.join(repoRoot, 'examples')

/** Runs python3 with LOGHOST/LOGPORT pointing at the server, as the recipes read them; throws on failure. */
function runRecipe(server: RunningServer, args: string[]): string {
  const env = { ...process.env, LOGHOST: '127.0.0.1', LOGPORT: String(server.logPort), PYTHONPATH: examples }
  const r = spawnSync('python3', args, { cwd: examples, env, encoding: 'utf8', timeout: 30_000 })
  assert.equal(r.status, 0, `python3 ${args.join(' ')} exited with ${r.status}: ${r.stderr}`)
  return r.stderr
}

describe('the Python recipes in examples/', () => {
  let server: RunningServer
  before(async () => {
    server = await startServer('file:\n  format: "%(name)s %(levelname)s %(message)s"\n')
  })
  after(() => server.cleanup())

  it('dictconfig_recipe.py lands its records', () => {
    runRecipe(server, ['dictconfig_recipe.py'])
  })

  it("django_logging_settings.py's LOGGING works as Django applies it (dictConfig after Django's defaults)", () => {
    // Django's configure_logging(): dictConfig(DEFAULT_LOGGING) (a copy of its shape), then dictConfig(LOGGING).
    runRecipe(server, ['-c', String.raw`
import logging, logging.config
logging.config.dictConfig({"version": 1, "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django": {"handlers": ["console"], "level": "INFO"}}})
from django_logging_settings import LOGGING
logging.config.dictConfig(LOGGING)
logging.getLogger("django.request").error("hello from django %d", 0)
logging.getLogger("myapp.views").info("hello from django %d", 1)
`])
  })

  it('fileconfig_recipe.py (fileconfig_recipe.ini) lands its records', () => {
    runRecipe(server, ['fileconfig_recipe.py'])
  })

  it('queue_listener_recipe.py lands its records', () => {
    runRecipe(server, ['queue_listener_recipe.py'])
  })

  it('the central file holds every record of every recipe, once', async () => {
    assert.equal(await server.stop(), 0)
    const lines = readFileSync(server.file, 'utf8').trimEnd().split('\n')
    const count = (re: RegExp): number => lines.filter((l) => re.test(l)).length
    assert.deepEqual(
      ['dictconfig', 'fileconfig', 'queue listener'].map((r) => [r, count(new RegExp(`^billing INFO hello from ${r} [0-2]$`))]),
      [['dictconfig', 3], ['fileconfig', 3], ['queue listener', 3]],
    )
    assert.equal(count(/^django\.request ERROR hello from django 0$/), 1)
    assert.equal(count(/^myapp\.views INFO hello from django 1$/), 1)
  })
})

describe('examples/loggingtest.py', () => {
  let server: RunningServer
  before(async () => {
    server = await startServer('file:\n  format: "@ %(name)s"\n')
  })
  after(() => server.cleanup())

  it('--handler buffered (the README quick start) sends every record through BufferingSocketHandler', async () => {
    runRecipe(server, ['loggingtest.py', 'demo.buffered', '127.0.0.1', String(server.logPort), '--count', '8', '--handler', 'buffered'])
    runRecipe(server, ['loggingtest.py', 'demo.stock', '127.0.0.1', String(server.logPort), '--count', '8'])
    assert.equal(await server.stop(), 0)
    const lines = readFileSync(server.file, 'utf8').split('\n')
    assert.equal(lines.filter((l) => l === '@ demo.buffered').length, 8)
    assert.equal(lines.filter((l) => l === '@ demo.stock').length, 8)
  })
})

/** The fenced blocks of README's "For Python developers" section, with the log host pointed at `port`. */
function readmeBlocks(port: number): string[] {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8')
  const section = /\n## For Python developers\n([\s\S]*?)\n## /.exec(readme)?.[1]
  assert.ok(section, 'README has no "## For Python developers" section')
  return [...section.matchAll(/```(?:python|ini)\n([\s\S]*?)```/g)].map((m) =>
    m[1]!.replaceAll('"loghost"', '"127.0.0.1"').replaceAll("'loghost'", "'127.0.0.1'").replaceAll('9020', String(port)))
}

describe('README "For Python developers"', () => {
  let server: RunningServer
  before(async () => {
    server = await startServer('file:\n  format: "%(message)s"\n')
  })
  after(() => server.cleanup())

  it('every snippet but the untested 3.12 one runs as shown and its records land', async () => {
    const blocks = readmeBlocks(server.logPort)
    const find = (start: string): string => {
      const found = blocks.filter((b) => b.startsWith(start))
      assert.equal(found.length, 1, `one README block starting with ${start}`)
      return found[0]!
    }
    const dir = tempDir()
    try {
      const ini = path.join(dir, 'logging.ini')
      writeFileSync(ini, find('[loggers]'))
      const programs: Record<string, string> = {
        dictconfig: `import logging, logging.config\n${find('logging.config.dictConfig(')}`,
        django: `import logging, logging.config\n${find('LOGGING = {')}\nlogging.config.dictConfig(LOGGING)`,
        fileconfig: `import logging, logging.config\nlogging.config.fileConfig(${JSON.stringify(ini)})`,
        queue: `import logging, logging.handlers, queue\n${find('records = queue.SimpleQueue()')}`,
        buffering: `import logging\n${find('from loggingserver_handler import')}`,
      }
      for (const [name, program] of Object.entries(programs)) {
        const stop = name === 'queue' ? '\nlistener.stop()' : ''
        runRecipe(server, ['-c', `${program}\nlogging.getLogger().setLevel(logging.INFO)\nlogging.getLogger("readme").info("readme ${name}")${stop}\nlogging.shutdown()\n`])
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    assert.equal(await server.stop(), 0)
    const lines = readFileSync(server.file, 'utf8').trimEnd().split('\n')
    assert.deepEqual(lines, ['readme dictconfig', 'readme django', 'readme fileconfig', 'readme queue', 'readme buffering'])
  })
})

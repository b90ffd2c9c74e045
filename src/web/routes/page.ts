// The page itself: index.html, its script, and /loggingserver.css, which is the operator's file when
// web.css_file names one, else the packaged default, re-read on every request so edits apply on reload.
import type Router from '@koa/router'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Diagnostics } from '../../diagnostic-codes.js'
import { hiddenBySandbox } from '../../systemd/sandbox.js'
import { WEB_ASSET_DIR } from '../asset-dir.js'

/** Where the package installs the default stylesheet (packaging/nfpm.yaml). */
export const PACKAGED_CSS = '/usr/share/loggingserver/loggingserver.css'
/** systemd sets INVOCATION_ID for every unit it starts: only then can its sandbox be what hides a path. */
const UNDER_SYSTEMD = process.env['INVOCATION_ID'] !== undefined
const BUNDLED_CSS = fileURLToPath(new URL('static/loggingserver.css', WEB_ASSET_DIR))
const INDEX_HTML = new URL('static/index.html', WEB_ASSET_DIR)
const CLIENT_DIR = new URL('client/', WEB_ASSET_DIR)
/** The page's modules (page.js imports its siblings); nothing else under the client dir is served. */
const MODULE_NAME = /^[a-z][a-z-]{0,40}\.js$/

export interface PageOptions {
  cssFile: string | null
  packagedCss?: string
  /** An unreadable operator stylesheet is reported (once per distinct problem), and the default served. */
  diagnostics: Diagnostics
}

export function pageRoutes(router: Router, options: PageOptions): void {
  // Built once: they change only with the package, and a missing build should say so on first request.
  let html: Promise<Buffer> | null = null
  const scripts = new Map<string, Promise<Buffer>>()
  router.get('/', async (ctx) => {
    html ??= readFile(INDEX_HTML)
    ctx.type = 'text/html; charset=utf-8'
    ctx.set('Cache-Control', 'no-cache')
    ctx.body = await html
  })
  router.get('/js/:name', async (ctx) => {
    const name = ctx.params['name'] ?? ''
    if (!MODULE_NAME.test(name)) return
    let script = scripts.get(name)
    if (script === undefined) {
      script = readFile(new URL(name, CLIENT_DIR))
      scripts.set(name, script)
    }
    try {
      ctx.body = await script
    } catch (err) {
      scripts.delete(name)
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
      throw err
    }
    ctx.type = 'text/javascript; charset=utf-8'
    ctx.set('Cache-Control', 'no-cache')
  })

  // Browsers ask for it on every page; a 204 keeps 404s out of the console (CSP blocks nothing here).
  router.get('/favicon.ico', (ctx) => {
    ctx.status = 204
  })

  const reported = new Set<string>()
  const candidates = [options.cssFile, options.packagedCss ?? PACKAGED_CSS, BUNDLED_CSS]
  router.get('/loggingserver.css', async (ctx) => {
    ctx.type = 'text/css; charset=utf-8'
    ctx.set('Cache-Control', 'no-cache')
    for (const [i, file] of candidates.entries()) {
      if (file === null) continue
      try {
        ctx.body = await readFile(file)
        ctx.set('X-Stylesheet-Source', i === 0 ? 'css_file' : i === 1 ? 'packaged' : 'bundled')
        return
      } catch (err) {
        const e = err as NodeJS.ErrnoException
        // A missing packaged copy is normal in a source checkout; a broken operator file is worth a word.
        if (i === 0 && !reported.has(e.message)) {
          reported.add(e.message)
          const hint = UNDER_SYSTEMD ? hiddenBySandbox(path.resolve(file)) : null
          options.diagnostics.report('LS-WEB-CSS-UNREADABLE', `status page: web.css_file ${file} cannot be read (${e.code ?? e.message})${hint ? `: ${hint}` : ''}; serving the default stylesheet`)
        }
        if (i === candidates.length - 1) throw err
      }
    }
  })
}

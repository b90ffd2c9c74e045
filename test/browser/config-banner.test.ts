// Issue 12, item 1: the status page of a server running on the last valid configuration shows a banner naming
// the problem; a valid config shows none.
import assert from 'node:assert/strict'
import { rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import type { Browser } from 'playwright-core'
import { stringify } from 'yaml'
import { launchBrowser } from '../support/browser.js'
import { startServer, tempDir, type RunningServer } from '../support/server.js'

// The callback runs inside Chromium; tests compile without the DOM lib, so its one global is declared here.
declare const document: { getElementById(id: string): { textContent: string | null } | null }

describe('config banner in Chromium', () => {
  let browser: Browser | undefined
  const servers: RunningServer[] = []
  const state = tempDir('loggingserver-banner-')
  after(async () => {
    await browser?.close()
    servers.forEach((s) => s.cleanup())
    rmSync(state, { recursive: true, force: true })
  })

  it('shows the problem while the server runs on the last valid configuration, and nothing otherwise', async () => {
    writeFileSync(path.join(state, 'last-valid.yaml'), stringify({ log: { host: '127.0.0.1', port: 0 }, web: { host: '127.0.0.1', port: 0 }, file: { path: path.join(state, 'central.log') } }))
    // systemd's notify socket need not exist for the server to take the systemd path (sd_notify's errors are ignored).
    const env = { NOTIFY_SOCKET: path.join(state, 'absent.sock'), STATE_DIRECTORY: state }
    const broken = await startServer('web: {refresh_seconds: -5}', { env })
    servers.push(broken)
    const valid = await startServer('', { env: { NOTIFY_SOCKET: '', STATE_DIRECTORY: '' } })
    servers.push(valid)
    browser = await launchBrowser()
    const page = await browser.newPage()

    await page.goto(`http://127.0.0.1:${broken.webPort}/`)
    const banner = page.locator('#config-banner')
    await banner.waitFor({ state: 'visible', timeout: 5000 })
    assert.match((await banner.textContent()) ?? '', /Running on the last valid configuration \(.*last-valid\.yaml\): .*web\.refresh_seconds/)

    await page.goto(`http://127.0.0.1:${valid.webPort}/`)
    // Once the statistics are filled in, the status has been read and the banner decided.
    // A function, not a string: a string is eval()ed in the page, which its CSP (script-src 'self') refuses.
    await page.waitForFunction(() => document.getElementById('stat-records')?.textContent !== '–', null, { timeout: 5000 })
    assert.equal(await banner.isVisible(), false)
  })
})

// Launches Debian's Chromium through playwright-core for the browser tests. Not a test file: Node 20 runs
// only the *.test.js files the npm scripts list.
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { repoRoot } from './server.js'

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'

/** Where tests leave screenshots (gitignored). */
export const artifactsDir = path.join(repoRoot, 'test-artifacts')

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--disable-gpu'],
  })
}

export function artifactPath(name: string): string {
  mkdirSync(artifactsDir, { recursive: true })
  return path.join(artifactsDir, name)
}

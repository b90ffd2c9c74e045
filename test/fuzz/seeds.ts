// The fuzzer's seed corpus: genuine CPython pickles made by seeds.py at every start (see its header for why).
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { repoRoot } from '../support/server.js'

export interface Seed {
  name: string
  payload: Uint8Array
}

/** Seeds CPython writes only on request and its own plain Unpickler refuses too: out-of-band buffers without
 *  `buffers=`, EXT codes outside its copyreg registry, persistent ids without `persistent_load`. */
export const REFUSED_SEED = /^(proto5\.out_of_band|ext\.|persid\.)/

export function loadSeeds(): Seed[] {
  const script = path.join(repoRoot, 'test/fuzz/seeds.py')
  const r = spawnSync('python3', [script], { maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`python3 seeds.py exited with ${r.status}: ${r.stderr}`)
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [name, hex] = l.split('\t') as [string, string]
      return { name, payload: Buffer.from(hex, 'hex') }
    })
}

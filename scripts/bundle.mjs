// Build step: bundles the compiled server (dist/src/main.js and every module and npm dependency it imports)
// into one file, dist/src/loggingserver.js, which is what runs (npm start, the package, the tests).
// Why: under socket activation the first client waits for the process, and loading ~200 module files costs
// a third of the start; one file also means nothing is read late from a package tree an in-place upgrade is
// replacing. The native addons (sd-notify, our fd store) stay outside: a .node file cannot be bundled.
// Usage: node scripts/bundle.mjs [dist dir, default dist]
import { build } from 'esbuild'
import path from 'node:path'

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')

/** @param {string} dist the compiled tree (tsc's outDir) */
export async function bundle(dist = path.join(ROOT, 'dist')) {
  const result = await build({
    entryPoints: [path.join(dist, 'src/main.js')],
    outfile: path.join(dist, 'src/loggingserver.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['sd-notify', 'loggingserver-fd-store'],
    // CommonJS dependencies (koa, yaml, prom-client) call require() for Node's built-ins.
    banner: { js: "import { createRequire as loggingserverCreateRequire } from 'node:module'; const require = loggingserverCreateRequire(import.meta.url);" },
    // src/web/asset-dir.ts: the page's files are found from the bundle's place, not from web/routes/.
    define: { LOGGINGSERVER_BUNDLE: 'true' },
    legalComments: 'eof',
    metafile: true,
    logLevel: 'warning',
  })
  // The decode thread (src/decode-threads/worker.ts): a script of its own, which the server reads at start and
  // runs with `new Worker(text, { eval: true })` (an eval'd worker is CommonJS, so this bundle is too). Wrapped in
  // a function (iife): an eval'd script's top-level declarations are properties of the global object, and every
  // use of a module's function or constant was a global lookup (LoadGlobalIC: 5 % of the thread's samples).
  await build({
    entryPoints: [path.join(dist, 'src/decode-threads/worker.js')],
    outfile: path.join(dist, 'src/decode-worker.cjs'),
    bundle: true,
    platform: 'node',
    format: 'iife',
    target: 'node20',
    legalComments: 'eof',
    logLevel: 'warning',
  })
  return result.metafile
}

if (process.argv[1] === new URL(import.meta.url).pathname) await bundle(process.argv[2] ? path.resolve(process.argv[2]) : undefined)

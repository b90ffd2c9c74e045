// Where the page's files (static/, client/) are: dist/src/web/. Compiled by tsc this module sits there; in the
// one-file bundle (scripts/bundle.mjs, dist/src/loggingserver.js) import.meta.url is the bundle's, one level up,
// and esbuild defines LOGGINGSERVER_BUNDLE (typeof keeps the compiled tree from a ReferenceError).
declare const LOGGINGSERVER_BUNDLE: boolean | undefined

export const WEB_ASSET_DIR = new URL(typeof LOGGINGSERVER_BUNDLE === 'undefined' ? './' : './web/', import.meta.url)

// marp-core for Marp's process (marp-worker.mjs), loaded without its math engines. Plain JavaScript
// for the same reason as the worker: Node runs it as it is, from src/ and from an installed package.
import Module, { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

/**
 * What marp-core requires of MathJax and KaTeX when it loads: about 300 files and a third of the
 * process's start-up. ortug renders with `math: false`, so marp-core never calls them. A module
 * marp-core starts to require that is not listed here is loaded for real: slower, still correct
 * (tests/unit/marp-core.test.ts notices it).
 */
export const MATH_MODULES = [
  'katex',
  'katex/package.json',
  'mathjax-full/js/adaptors/liteAdaptor',
  'mathjax-full/js/handlers/html',
  'mathjax-full/js/input/tex',
  'mathjax-full/js/input/tex/AllPackages',
  'mathjax-full/js/mathjax',
  'mathjax-full/js/output/svg',
]

/**
 * marp-core's `Marp`, with MATH_MODULES as empty modules in this process's module cache. Node
 * documents `require.cache` as writable ("adding or replacing entries is also possible"): each
 * entry placed here first is what marp-core's require of that file returns. marp-cli, in the same
 * process, imports this same marp-core, loaded once.
 */
export function loadMarpCore() {
  const fromMarpCore = createRequire(require.resolve('@marp-team/marp-core'))
  for (const request of MATH_MODULES) {
    const filename = resolveOrUndefined(fromMarpCore, request)
    if (filename === undefined || require.cache[filename]) continue
    const empty = new Module(filename)
    empty.filename = filename
    empty.loaded = true
    require.cache[filename] = empty
  }
  return require('@marp-team/marp-core').Marp
}

function resolveOrUndefined(from, request) {
  try {
    return from.resolve(request)
  } catch {
    // Not installed: marp-core's own require fails as it would without this.
    return undefined
  }
}

// marp-core for Marp's process (marp-worker.mjs), loaded without its math engines. Plain JavaScript
// for the same reason as the worker: Node runs it as it is, from src/ and from an installed package.
import Module, { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

/**
 * What marp-core requires of MathJax and KaTeX when it loads: about 300 files and a third of the
 * process's start-up. ortug renders with `math: false`, so marp-core never calls them. A module
 * marp-core starts to require that is not listed here is loaded for real: slower, still correct
 * (tests/cli/marp-core.test.ts notices it).
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
  keepParsedThemes(fromMarpCore)
  return require('@marp-team/marp-core').Marp
}

/** Parsed themes kept for the process: marp-core's three and each build's own, a few per build. */
const KEPT_THEMES = 16

/**
 * Every Marp instance parses its themes' CSS through PostCSS as it is made: marp-core's three
 * built-in ones in its constructor, and marp-cli adds the theme set to a new instance for each
 * deck it converts (about a quarter of its time per deck, in a one-off `node --cpu-prof`).
 * Marpit freezes the Theme it parses, so one parse serves every instance that adds the same CSS
 * with the same parse options (the meta types, by name, and CSS nesting): those are the key.
 */
function keepParsedThemes(fromMarpCore) {
  const fromMarpit = createRequire(fromMarpCore.resolve('@marp-team/marpit'))
  const Theme = fromMarpit('./theme.js').default
  if (Theme.fromCSS.keepsParsed) return
  const parse = Theme.fromCSS.bind(Theme)
  const kept = keptUpTo(KEPT_THEMES)
  const fromCSS = (css, opts = {}) => {
    const metaTypes = Object.entries(opts.metaType ?? {}).map(([name, type]) => [name, type?.name ?? String(type)])
    return kept(JSON.stringify([css, metaTypes, opts.cssNesting ?? null]), () => parse(css, opts))
  }
  fromCSS.keepsParsed = true
  Theme.fromCSS = fromCSS
}

/** Packed styles kept per Marp instance: decks of a build in flight at once, each rendered again after a fit round. */
const KEPT_STYLES = 64

/**
 * Reuses `marp`'s packed CSS when a render's inputs to it are those of an earlier render. Marpit
 * packs the theme with the deck's own <style>s through PostCSS on every render (about 60 % of
 * it), and a build renders each deck again after each fit round with the same styles and
 * directives. Marpit's renderStyle reads the theme name, the deck's styles (lastStyles) and the
 * global directives (size among them); marp-core adds only what its options, fixed per
 * instance, decide. Those are the key.
 */
export function reuseStyles(marp) {
  const renderStyle = marp.renderStyle.bind(marp)
  const kept = keptUpTo(KEPT_STYLES)
  marp.renderStyle = (theme) => kept(JSON.stringify([theme, marp.lastStyles, marp.lastGlobalDirectives]), () => renderStyle(theme))
  return marp
}

/** A value per key, made on first use; past `limit` keys the oldest is dropped. */
function keptUpTo(limit) {
  const kept = new Map()
  return (key, make) => {
    let value = kept.get(key)
    if (value === undefined) {
      value = make()
      if (kept.size >= limit) kept.delete(kept.keys().next().value)
      kept.set(key, value)
    }
    return value
  }
}

function resolveOrUndefined(from, request) {
  try {
    return from.resolve(request)
  } catch {
    // Not installed: marp-core's own require fails as it would without this.
    return undefined
  }
}

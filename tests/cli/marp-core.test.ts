import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { MARP_OPTIONS } from '../../src/render/marp.ts'

// Marp's process loads marp-core without MathJax and KaTeX (src/render/marp-core.mjs): each
// check runs in a Node process of its own, as the worker does, since the module cache is per process.

const LOADER = fileURLToPath(new URL('../../src/render/marp-core.mjs', import.meta.url))
/** Runs an ES module script in a Node process of its own; it prints one JSON line, returned parsed. */
function inFreshProcess<T>(script: string): T {
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as T
}

const MARKDOWN = '# Judul $x^2$\n\nTeks `kode` dan :smile: 😀\n\n---\n\n- satu\n- dua\n\n```js\nconst a = 1\n```\n'

/** In a fresh process: marp-core loaded with or without the stubs, what is cached of the math engines, and a render. */
function probe(how: 'stubbed' | 'plain') {
  const script = `
    import { createRequire } from 'node:module'
    const require = createRequire(${JSON.stringify(LOADER)})
    const { loadMarpCore } = await import(${JSON.stringify(LOADER)})
    const Marp = ${JSON.stringify(how)} === 'stubbed' ? loadMarpCore() : require('@marp-team/marp-core').Marp
    const math = Object.entries(require.cache).filter(([file]) => /[\\\\/](mathjax-full|katex)[\\\\/]/.test(file))
    const { html, css } = new Marp(${JSON.stringify(MARP_OPTIONS)}).render(${JSON.stringify(MARKDOWN)})
    console.log(JSON.stringify({ math: math.map(([, m]) => Object.keys(m.exports).length), html, css }))
  `
  return inFreshProcess<{ math: number[]; html: string; css: string }>(script)
}

describe("Marp's process", () => {
  it('loads none of the math engines marp-core requires: each is an empty module', () => {
    const stubbed = probe('stubbed')
    expect(stubbed.math.length).toBeGreaterThan(0)
    expect(stubbed.math.every((keys) => keys === 0)).toBe(true)
  })

  it('renders exactly as marp-core loaded in full', () => {
    const stubbed = probe('stubbed')
    const plain = probe('plain')
    expect(plain.math.some((keys) => keys > 0)).toBe(true)
    expect(stubbed.html).toBe(plain.html)
    expect(stubbed.css).toBe(plain.css)
  })
})

// Decks that differ in each input of the packed CSS: their own <style>, the size, the theme, a
// global style directive; rendered in turns, as a build's fit rounds interleave decks.
const DECKS = [
  '# Satu\n\n<style>section { color: #123456; }</style>\n',
  '---\nsize: 4:3\n---\n\n# Dua\n',
  '---\ntheme: gaia\n---\n\n# Tiga\n',
  '---\nstyle: |\n  h1 { color: #654321; }\n---\n\n# Empat\n',
  '# Lima\n\n<style>section { color: #abcdef; }</style>\n\n---\n\nLagi\n',
]

/** In a fresh process: every deck rendered three times in turns, by one instance with reuseStyles and by a new instance each time. */
function probeReuse() {
  const script = `
    const { loadMarpCore, reuseStyles } = await import(${JSON.stringify(LOADER)})
    const Marp = loadMarpCore()
    const options = ${JSON.stringify(MARP_OPTIONS)}
    const reused = new Marp(options)
    let packs = 0
    const pack = reused.renderStyle.bind(reused)
    reused.renderStyle = (theme) => (packs++, pack(theme))
    reuseStyles(reused)
    const decks = ${JSON.stringify(DECKS)}
    const results = []
    for (let round = 0; round < 3; round++)
      for (const deck of decks) {
        const a = reused.render(deck)
        const b = new Marp(options).render(deck)
        results.push(a.css === b.css && a.html === b.html)
      }
    console.log(JSON.stringify({ packs, results, distinct: new Set(decks.map((d) => new Marp(options).render(d).css)).size }))
  `
  return inFreshProcess<{ packs: number; results: boolean[]; distinct: number }>(script)
}

describe("Marp's process keeps packed styles", () => {
  it('renders each deck again exactly as a new instance does, packing its styles once', () => {
    const { packs, results, distinct } = probeReuse()
    expect(distinct).toBe(DECKS.length)
    expect(results).toEqual(Array(DECKS.length * 3).fill(true))
    expect(packs).toBe(DECKS.length)
  })
})

const THEME = '/* @theme probe */\n@size wide 1280px 720px;\nsection { background: #fefefe; }\nsection { h1 { color: #0a3d62; } }\n'
const THEMED_DECK = '---\ntheme: probe\n---\n\n# Satu\n\n<style>h1 { font-size: 60px; }</style>\n\n---\n\n## Dua\n'

/**
 * In a fresh process, marp-core loaded with or without the kept themes: instances made in turns
 * with and without CSS nesting, each adding the same theme, as marp-cli makes one per deck.
 */
function probeThemes(how: 'kept' | 'plain') {
  const script = `
    import { createRequire } from 'node:module'
    const require = createRequire(${JSON.stringify(LOADER)})
    const fromMarpCore = createRequire(require.resolve('@marp-team/marp-core'))
    const Theme = createRequire(fromMarpCore.resolve('@marp-team/marpit'))('./theme.js').default
    let parses = 0
    const parse = Theme.fromCSS.bind(Theme)
    Theme.fromCSS = (css, opts) => (parses++, parse(css, opts))
    const { loadMarpCore } = await import(${JSON.stringify(LOADER)})
    const Marp = ${JSON.stringify(how)} === 'kept' ? loadMarpCore() : require('@marp-team/marp-core').Marp
    const renders = []
    for (let round = 0; round < 3; round++)
      for (const cssNesting of [true, false]) {
        const marp = new Marp({ ...${JSON.stringify(MARP_OPTIONS)}, cssNesting })
        marp.themeSet.add(${JSON.stringify(THEME)})
        renders.push(marp.render(${JSON.stringify(THEMED_DECK)}))
      }
    console.log(JSON.stringify({ parses, renders }))
  `
  return inFreshProcess<{ parses: number; renders: { html: string; css: string }[] }>(script)
}

describe("Marp's process keeps parsed themes", () => {
  it('parses each theme once per parse options, and renders exactly as new instances do', () => {
    const kept = probeThemes('kept')
    const plain = probeThemes('plain')
    // Four themes (marp-core's three and the deck's) in each of six instances, or once per CSS
    // nesting when kept; one more parse as marp-core loads, in both.
    expect(plain.parses).toBe(1 + 4 * 6)
    expect(kept.parses).toBe(1 + 4 * 2)
    expect(kept.renders).toEqual(plain.renders)
    expect(new Set(plain.renders.map((render) => render.css)).size).toBe(2)
  })
})

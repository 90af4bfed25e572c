// Marp in a process of its own that lives as long as a build (or a preview): ortug sends it
// marp-core renders (the slides the browser prints) and marp-cli conversions (HTML, PPTX) over
// IPC, so Node, marp-core and marp-cli start once, not once per deck or per conversion.
// Plain JavaScript so that Node runs it as it is, from src/ and from an installed package alike.
import Module, { createRequire } from 'node:module'

// ortug renders with `math: false`, yet marp-core loads MathJax (about 300 files) and KaTeX when
// it loads, which is a third of this process's start-up. Within this process only, those modules
// are empty: with math off, marp-core never calls them.
const MATH_MODULES = /^(mathjax-full|katex)(\/|$)/
const load = Module._load
Module._load = function loadWithoutMath(request, ...rest) {
  return MATH_MODULES.test(request) ? {} : load.call(this, request, ...rest)
}

const require = createRequire(import.meta.url)
const { Marp } = require('@marp-team/marp-core')

/** The last theme's Marp instance: adding a theme parses its CSS, so it is done once per theme. */
let cached

function render({ markdown, themeCss, options }) {
  if (options.math !== false) throw new Error('ortug renders with math off')
  const key = JSON.stringify([themeCss, options])
  if (cached?.key !== key) {
    const marp = new Marp(options)
    marp.themeSet.add(themeCss)
    cached = { key, marp }
  }
  const { html, css } = cached.marp.render(markdown)
  return { html, css }
}

async function convert({ argv, env }) {
  // Loaded on first use: the first renders need only marp-core.
  const { marpCli } = await import('@marp-team/marp-cli')
  // marp-cli's browser launcher (PPTX) reads its settings from the environment.
  Object.assign(process.env, env)
  return { code: await marpCli(argv) }
}

process.on('message', async (request) => {
  try {
    process.send({ id: request.id, ...(request.type === 'render' ? render(request) : await convert(request)) })
  } catch (error) {
    process.send({ id: request.id, code: 1, message: error instanceof Error ? error.message : String(error) })
  }
})
process.on('disconnect', () => process.exit(0))

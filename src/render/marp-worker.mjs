// Marp in a process of its own that lives as long as a build (or a preview): ortug sends it
// marp-core renders (the slides the browser prints) and marp-cli conversions (HTML) over IPC,
// so Node, marp-core and marp-cli start once, not once per deck or per conversion.
// Plain JavaScript so that Node runs it as it is, from src/ and from an installed package alike.
import { loadMarpCore, reuseStyles } from './marp-core.mjs'

const Marp = loadMarpCore()

/** The last theme's Marp instance: adding a theme parses its CSS, so it is done once per theme. */
let cached

function render({ markdown, themeCss, options }) {
  if (options.math !== false) throw new Error('ortug renders with math off')
  const key = JSON.stringify([themeCss, options])
  if (cached?.key !== key) {
    const marp = reuseStyles(new Marp(options))
    marp.themeSet.add(themeCss)
    cached = { key, marp }
  }
  const { html, css } = cached.marp.render(markdown)
  return { html, css }
}

// marp-cli is given everything on its command line and in its config file. HTML needs no
// browser, so it never starts one (had it to, --browser-path names it, not the environment).
async function convert({ argv }) {
  // Loaded on first use: the first renders need only marp-core.
  const { marpCli } = await import('@marp-team/marp-cli')
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

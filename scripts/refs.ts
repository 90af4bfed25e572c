import { rm } from 'node:fs/promises'
import { startMarpWorker } from '../src/render/marp.ts'
import { BROWSER_KINDS, findBrowser, kindDir, launchKind, renderReferences, writeImages } from '../tests/visual/render.ts'

// `npm run refs`: draws the visual references again (tests/visual/<kind>/), after a deliberate
// change of a layout, the theme or the handout. Every kind of browser found here gets a set;
// `npm run refs -- bundled` limits it to one kind. Review the changed PNGs before committing them.

const wanted = process.argv.slice(2)
const marp = startMarpWorker()
try {
  for (const kind of BROWSER_KINDS) {
    if (wanted.length > 0 && !wanted.includes(kind)) continue
    const choice = await findBrowser(kind)
    if (typeof choice === 'string') {
      console.log(`${kind}: skipped, ${choice}`)
      continue
    }
    const browser = await launchKind(choice)
    try {
      const images = await renderReferences(browser, marp)
      await rm(kindDir(kind), { recursive: true, force: true })
      await writeImages(kind, images, { browser: browser.version })
      console.log(`${kind}: ${images.size} references by ${browser.version} in ${kindDir(kind)}`)
    } finally {
      await browser.close()
    }
  }
} finally {
  marp.close()
}

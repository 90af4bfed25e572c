import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LaunchedBrowser, resolveBrowser } from '../../src/browser/launch.ts'
import { type MarpWorker, startMarpWorker } from '../../src/render/marp.ts'
import { ASPECTS, HANDOUT_LAYOUTS, LAYOUTS } from '../../src/shared/schema.ts'
import type { BrowserChoice } from '../../src/shared/types.ts'
import {
  type BrowserKind,
  diffRatio,
  fixtureStoryboard,
  kindDir,
  launchKind,
  PIXEL_TOLERANCE,
  REF_WIDTH,
  readStamp,
  renderReferences,
} from '../visual/render.ts'

// Every slide layout (16:9 and 4:3) and the first two pages of each handout layout, compared with
// the PNGs in tests/visual/<kind>/ drawn by the same browser build. After a deliberate change of a
// layout, the theme or the handout, `npm run refs` draws them again; review the PNGs in the diff.

const choice = await resolveBrowser().catch(() => undefined)
const kind: BrowserKind | undefined = choice && (choice.source === '@sparticuz/chromium' ? 'bundled' : 'installed')
const stamp = kind && (await readStamp(kind))

/** Why the comparison cannot run here, or undefined when it can. */
async function reasonToSkip(found: BrowserChoice | undefined): Promise<string | undefined> {
  if (!found || !kind) return 'no browser'
  if (!stamp) return `no references for the ${kind} browser in ${kindDir(kind)}: run npm run refs`
  return undefined
}
const skipReason = await reasonToSkip(choice)

/** "Chrome/156.0.8078.114" → "Chrome/156". */
function majorVersion(version: string | undefined): string | undefined {
  return version?.replace(/^([^/]*\/\d+)\..*$/, '$1')
}

describe('the fixture deck', () => {
  it('has a slide for every layout in LAYOUTS, so a new layout gets a reference', () => {
    const storyboard = fixtureStoryboard()
    for (const layout of LAYOUTS) expect(storyboard).toContain(`- layout: ${layout}\n`)
  })
})

describe.skipIf(!!skipReason)(`visual references (${skipReason ?? `${kind}: ${stamp?.browser}`})`, () => {
  let browser: LaunchedBrowser
  let marp: MarpWorker
  let images: Map<string, Uint8Array>
  let sameBuild = false

  beforeAll(async () => {
    marp = startMarpWorker()
    browser = await launchKind(choice as BrowserChoice)
    // References compare with the browser that drew them, across its patch releases (a distribution
    // updates those weekly); another major version draws text differently and skips (below).
    sameBuild = majorVersion(browser.version) === majorVersion(stamp?.browser)
    if (sameBuild) images = await renderReferences(browser, marp)
  })

  afterAll(async () => {
    marp?.close()
    await browser?.close()
  })

  const names = [
    ...ASPECTS.flatMap((aspect) => LAYOUTS.map((layout) => `${aspect.replace(':', 'x')}/${layout}`)),
    ...HANDOUT_LAYOUTS.flatMap((layout) => [`handout/${layout}-1`, `handout/${layout}-2`]),
  ]

  it('draws every layout in both aspects and every handout layout, small', ({ skip }) => {
    if (!sameBuild) skip(`references drawn by ${stamp?.browser}, this is ${browser.version}: run npm run refs`)
    expect([...images.keys()].sort()).toEqual([...names].sort())
    for (const [name, bytes] of images) {
      // PNG width: bytes 16–19 of the IHDR chunk.
      expect(Buffer.from(bytes).readUInt32BE(16), name).toBe(REF_WIDTH)
    }
  })

  it.for(names)('%s matches its reference', async (name, { skip }) => {
    if (!sameBuild) skip(`references drawn by ${stamp?.browser}, this is ${browser.version}: run npm run refs`)
    const file = path.join(kindDir(kind as BrowserKind), `${name}.png`)
    const reference = await readFile(file).catch(() => undefined)
    expect(reference, `${file} is missing: run npm run refs`).toBeDefined()
    const ratio = diffRatio(images.get(name) as Uint8Array, reference as Uint8Array)
    expect(ratio, `${name}: ${(ratio * 100).toFixed(2)} % of pixels differ from ${file}; if the change is deliberate, run npm run refs`).toBeLessThanOrEqual(
      PIXEL_TOLERANCE,
    )
  })

  it("fails when a layout's CSS changes (padding 20 px more)", async ({ skip }) => {
    if (!sameBuild) skip(`references drawn by ${stamp?.browser}, this is ${browser.version}: run npm run refs`)
    const altered = await renderReferences(browser, marp, 'section { padding-left: calc(84px + 20px); padding-top: calc(56px + 20px); }')
    const failing = [...altered].filter(([name, bytes]) => !name.startsWith('handout/') && diffRatio(bytes, images.get(name) as Uint8Array) > PIXEL_TOLERANCE)
    const slides = [...altered.keys()].filter((name) => !name.startsWith('handout/'))
    // Every slide layout pads its content; all of them must notice.
    expect(failing.map(([name]) => name).sort()).toEqual(slides.sort())
  })
})

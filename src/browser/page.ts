import type { Page } from 'puppeteer-core'
import type { MarpRender } from '../render/marp.ts'
import type { Theme } from '../render/theme.ts'
import { fail } from '../shared/error.ts'
import type { Measured, Overflow } from '../shared/types.ts'

// The pages the build's browser loads from marp-core's render: the deck to measure and print, the
// capture window's slides to take screenshots of; and what is measured and taken from them.

export const SLIDE_SIZES = { '16:9': { width: 1280, height: 720 }, '4:3': { width: 960, height: 720 } } as const

/** What the page of a deck needs besides marp-core's render, and what messages name. */
export interface PrintableDeck {
  aspect: keyof typeof SLIDE_SIZES
  lang: string
  /** For messages: "office / essay". */
  label: string
  slideTitles: string[]
  layouts: string[]
}

/**
 * A page that prints one slide per PDF page, from marp-core's render of the deck. It carries no
 * fonts: load it with loadIsolated and the theme's fonts, which the tab keeps from one load to the next.
 */
export function printableHtml(deck: PrintableDeck, rendered: MarpRender): string {
  return `<!DOCTYPE html><html lang="${deck.lang}"><head><meta charset="utf-8"><style>${printableCss(deck, rendered)}</style></head><body>${rendered.html}</body></html>`
}

/** `shownWidth` scales the slides (their SVG viewBox keeps the layout): thumbnails are drawn small. */
function printableCss(deck: PrintableDeck, rendered: MarpRender, shownWidth?: number): string {
  const size = SLIDE_SIZES[deck.aspect]
  const width = shownWidth ?? size.width
  const height = (size.height * width) / size.width
  return `${rendered.css}
@page { size: ${width}px ${height}px; margin: 0; }
html, body { margin: 0; padding: 0; background: #fff; }
div.marpit > svg { display: block; width: ${width}px; height: ${height}px; break-after: page; }
div.marpit > svg:last-child { break-after: auto; }
`
}

const captureReady = new WeakMap<Page, string>()

/**
 * Shows a deck (or its title slide) in the capture window to take screenshots of. The page keeps
 * its document from one deck to the next and only the deck's styles and slides are swapped. A thumbnail
 * is drawn at its own size (`shownWidth`): a full-size slide scaled down in the screenshot made
 * the browser raster 16 times the pixels.
 */
export async function showForCapture(
  page: Page,
  deck: PrintableDeck,
  theme: Pick<Theme, 'fonts'>,
  rendered: MarpRender,
  what: string,
  shownWidth?: number,
): Promise<void> {
  if (captureReady.get(page) !== theme.fonts) {
    await loadIsolated(page, '<!DOCTYPE html><html><head><meta charset="utf-8"><style id="deck"></style></head><body></body></html>', what, theme.fonts)
    captureReady.set(page, theme.fonts)
  }
  const blocked = await isolate(page)
  blocked.length = 0
  await page.evaluate(
    (lang, css, html) => {
      document.documentElement.lang = lang
      const deckStyle = document.getElementById('deck')
      if (!deckStyle) throw new Error('the deck page has no #deck style')
      deckStyle.textContent = css
      document.body.innerHTML = html
      // Fonts, then two frames: the screenshot shows the deck as laid out with its own fonts.
      return document.fonts.ready.then(() => new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))))
    },
    deck.lang,
    printableCss(deck, rendered, shownWidth),
    rendered.html,
  )
  reportBlocked(blocked, what)
}

const RE_SLIDE_SVG = /<svg[^>]*\sdata-marpit-svg/g

/** Each slide's `<svg>` of marp-core's render. */
export function splitSlides(html: string): string[] {
  const starts = [...html.matchAll(RE_SLIDE_SVG)].map((match) => match.index)
  // marp-core wraps the slides in one <div class="marpit">; each slide runs to the next one.
  const end = html.lastIndexOf('</div>')
  return starts.map((start, i) => html.slice(start, starts[i + 1] ?? end))
}

/**
 * Loads HTML into a page that may not fetch anything: only the page itself and data: URIs.
 * `fonts`, `@font-face` rules with data: URIs, are given to the page once and kept from one load
 * to the next (see keepFonts): the HTML need not carry them.
 */
export async function loadIsolated(page: Page, html: string, what: string, fonts?: string): Promise<void> {
  const blocked = await isolate(page)
  blocked.length = 0
  if (fonts !== undefined) await keepFonts(page, fonts)
  await page.setContent(html, { waitUntil: 'load' })
  const faces = await page.evaluate(() => document.fonts.ready.then(() => document.fonts.size))
  // A browser that replaces the document on setContent drops the kept fonts: they are given again (the page lays out anew).
  if (fonts !== undefined && faces < (keptFonts.get(page)?.faces ?? 0)) {
    keptFonts.delete(page)
    await keepFonts(page, fonts)
  }
  reportBlocked(blocked, what)
}

function reportBlocked(blocked: readonly string[], what: string): void {
  if (blocked.length > 0) {
    fail(
      'CONTENT',
      `${what} asks for ${blocked[0]}${blocked.length > 1 ? ` and ${blocked.length - 1} more` : ''}; outputs must be self-contained, so remove the reference from the template or theme`,
    )
  }
}

const keptFonts = new WeakMap<Page, { fonts: string; faces: number }>()

/**
 * Gives the page's document the `@font-face` rules of `fonts` as FontFace objects, decoded once:
 * unlike the rules of a style sheet, they stay in the document when puppeteer's setContent writes
 * the next page into it (document.open keeps the document and its FontFaceSet). Decoding the
 * inlined fonts with every load took half of a deck page's load time.
 */
async function keepFonts(page: Page, fonts: string): Promise<void> {
  if (keptFonts.get(page)?.fonts === fonts) return
  keptFonts.delete(page)
  const faces = await page.evaluate(async (css) => {
    document.fonts.clear()
    const sheet = new CSSStyleSheet()
    sheet.replaceSync(css)
    const faces = [...sheet.cssRules].flatMap((rule) => {
      if (!(rule instanceof CSSFontFaceRule)) return []
      // No named inner functions: tsx's keepNames would wrap them in __name(), which the page lacks.
      const { style } = rule
      const descriptors: FontFaceDescriptors = {
        style: style.getPropertyValue('font-style') || 'normal',
        weight: style.getPropertyValue('font-weight') || 'normal',
        display: 'block',
      }
      return [new FontFace(style.getPropertyValue('font-family').replace(/^["']|["']$/g, ''), style.getPropertyValue('src'), descriptors)]
    })
    await Promise.all(faces.map((face) => face.load()))
    for (const face of faces) document.fonts.add(face)
    return faces.length
  }, fonts)
  keptFonts.set(page, { fonts, faces })
}

const isolated = new WeakMap<Page, string[]>()

/** Blocks every request of the page but data: URIs, once per page; returns the list it records. */
async function isolate(page: Page): Promise<string[]> {
  const known = isolated.get(page)
  if (known) return known
  const blocked: string[] = []
  isolated.set(page, blocked)
  await page.setRequestInterception(true)
  page.on('request', (request) => {
    const url = request.url()
    if (url.startsWith('data:') || url === 'about:blank') void request.continue()
    else {
      blocked.push(url)
      void request.abort('blockedbyclient')
    }
  })
  return blocked
}

/**
 * Measures, in the browser, how far each slide's content crosses its content box, and how much
 * of the box's height its blocks take (their heights added up, without the space between them).
 */
export async function measureSlides(page: Page, deck: PrintableDeck): Promise<Measured> {
  const found = await page.evaluate(() => {
    const overflows: { index: number; pixels: number }[] = []
    const fills: number[] = []
    document.querySelectorAll('div.marpit > svg > foreignObject > section').forEach((section, index) => {
      const box = section.getBoundingClientRect()
      const style = getComputedStyle(section)
      const top = box.top + Number.parseFloat(style.paddingTop)
      const bottom = box.bottom - Number.parseFloat(style.paddingBottom)
      const right = box.right - Number.parseFloat(style.paddingRight) + 1
      let pixels = 0
      for (const el of section.querySelectorAll('*')) {
        if (el.closest('footer, header')) continue
        const rect = el.getBoundingClientRect()
        if (rect.width === 0 && rect.height === 0) continue
        pixels = Math.max(pixels, rect.bottom - bottom, rect.right - right, el.scrollWidth - el.clientWidth - 1)
      }
      if (pixels > 1) overflows.push({ index, pixels: Math.ceil(pixels) })
      // The heights of the content's blocks: a body centred by auto margins counts what it shows, not the space around it.
      let used = 0
      for (const el of section.children) {
        if (el.matches('footer, header') || getComputedStyle(el).position === 'absolute') continue
        used += el.getBoundingClientRect().height
      }
      fills.push(bottom > top ? Math.round((Math.min(used, bottom - top) / (bottom - top)) * 1000) / 1000 : 0)
    })
    return { overflows, fills }
  })
  return {
    overflows: found.overflows.map(({ index, pixels }) => ({
      slide: index + 1,
      layout: deck.layouts[index] ?? '?',
      title: deck.slideTitles[index] ?? '',
      pixels,
    })),
    fills: found.fills,
  }
}

/** Measures how far each slide's content crosses its content box. */
export async function measureOverflow(page: Page, deck: PrintableDeck): Promise<Overflow[]> {
  return (await measureSlides(page, deck)).overflows
}

export function formatOverflow(label: string, overflow: Overflow): string {
  return `${label} / slide ${overflow.slide} (${overflow.layout}, "${overflow.title}"): overflows by ${overflow.pixels} px`
}

/** Every slide of the loaded deck page as a PNG, at the slide's own size. */
export async function screenshotSlides(page: Page, count: number, aspect: keyof typeof SLIDE_SIZES): Promise<Uint8Array[]> {
  const { width, height } = SLIDE_SIZES[aspect]
  const images: Uint8Array[] = []
  for (let i = 0; i < count; i++) images.push(await page.screenshot({ type: 'png', clip: { x: 0, y: i * height, width, height } }))
  return images
}

/** All slides of the loaded deck page in a grid, one PNG, for review at a glance. */
export async function screenshotOverview(page: Page, aspect: keyof typeof SLIDE_SIZES): Promise<Uint8Array> {
  const { width, height } = SLIDE_SIZES[aspect]
  const columns = 4
  const cell = 360
  const style = `html,body{background:#d9d6cf!important;width:max-content}div.marpit{display:grid;grid-template-columns:repeat(${columns},${cell}px);gap:16px;padding:16px;width:max-content}
div.marpit>svg{width:${cell}px!important;height:${(cell * height) / width}px!important;box-shadow:0 1px 4px rgba(0,0,0,.3)}`
  const size = await page.evaluate((css) => {
    const tag = document.createElement('style')
    tag.id = 'ortug-overview'
    tag.textContent = css
    document.head.append(tag)
    const marpit = document.querySelector('div.marpit')
    if (!marpit) throw new Error('the deck page has no div.marpit')
    const grid = marpit.getBoundingClientRect()
    return { width: Math.ceil(grid.right), height: Math.ceil(grid.bottom) }
  }, style)
  try {
    // An explicit clip: a full-page capture can race the new layout and keep the old width.
    return await page.screenshot({ type: 'png', clip: { x: 0, y: 0, ...size }, captureBeyondViewport: true })
  } finally {
    await page.evaluate(() => document.getElementById('ortug-overview')?.remove())
  }
}

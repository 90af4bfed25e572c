import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { iconDataUri } from '../../shared/icons.ts'
import type { Deck } from '../../shared/types.ts'
import { qrCodeDataUri } from '../qr.ts'
import { parseWoffMetrics } from './font-metrics.ts'
import type { PptxImages } from './layouts.ts'
import type { PptxFonts } from './text-fit.ts'

// What a PowerPoint deck needs besides its slides: the widths of Calibri (from Carlito, its
// metric-compatible twin on npm) and its images as PNG. PowerPoint before 365 shows no SVG, and
// an SVG needs a PNG beside it anyway, so icons, the QR code and SVG logos are rasterized here
// (resvg as WebAssembly: no browser, no install script) at a resolution sharp on a projector.

const require = createRequire(import.meta.url)

/** The metric-compatible faces that stand in for Calibri while measuring. */
const FONT_FILES = { regular: 'carlito-latin-400-normal.woff', bold: 'carlito-latin-700-normal.woff' }

export function resolvePptxFontFiles(): string[] {
  return [FONT_FILES.regular, FONT_FILES.bold].map(resolveFontFile)
}

function resolveFontFile(file: string): string {
  return require.resolve(`@fontsource/carlito/files/${file}`)
}

let fonts: Promise<PptxFonts> | undefined

export function loadPptxFonts(): Promise<PptxFonts> {
  fonts ??= (async () => {
    const readMetrics = async (file: string) => parseWoffMetrics(await readFile(resolveFontFile(file)))
    const [regular, bold] = await Promise.all([readMetrics(FONT_FILES.regular), readMetrics(FONT_FILES.bold)])
    return { regular, bold }
  })()
  return fonts
}

/** Pixels on the long side of an icon and a QR code: sharp at full screen on a 4K projector. */
const ICON_PIXELS = 384
const QR_PIXELS = 768
const LOGO_PIXELS = 1024

/** The deck's logo, QR code and grid icons as PNG (or JPEG) data: URIs. */
export async function loadPptxImages(deck: Deck): Promise<PptxImages> {
  const website = deck.office.contact?.website
  const icons = new Map<string, string>()
  for (const slide of deck.slides) {
    if (slide.layout !== 'grid') continue
    for (const item of slide.fields.items) {
      if (item.icon && !icons.has(item.icon)) icons.set(item.icon, await rasterizeIcon(item.icon))
    }
  }
  return {
    logo: deck.office.logo ? await asBitmap(deck.office.logo) : undefined,
    qr: website ? await rasterize(qrCodeDataUri(website), QR_PIXELS) : undefined,
    icons,
  }
}

// --- internal ---

/** Icons are the same white drawing in every office's deck: rasterized once per process. */
const iconPngs = new Map<string, Promise<string>>()

function rasterizeIcon(name: string): Promise<string> {
  let png = iconPngs.get(name)
  if (!png) {
    png = rasterize(iconDataUri(name, '#ffffff'), ICON_PIXELS)
    iconPngs.set(name, png)
  }
  return png
}

const RE_SVG_URI = /^data:image\/svg\+xml;base64,/

async function asBitmap(uri: string): Promise<string> {
  return RE_SVG_URI.test(uri) ? rasterize(uri, LOGO_PIXELS) : uri
}

let resvg: Promise<typeof import('@resvg/resvg-wasm')> | undefined

async function loadResvg(): Promise<typeof import('@resvg/resvg-wasm')> {
  resvg ??= (async () => {
    const module = await import('@resvg/resvg-wasm')
    await module.initWasm(await readFile(require.resolve('@resvg/resvg-wasm/index_bg.wasm')))
    return module
  })()
  return resvg
}

async function rasterize(svgUri: string, pixels: number): Promise<string> {
  const { Resvg } = await loadResvg()
  const svg = Buffer.from(svgUri.replace(RE_SVG_URI, ''), 'base64').toString('utf8')
  // Text in an SVG logo would need fonts resvg does not have: ortug's logos are paths and images.
  const png = new Resvg(svg, { fitTo: { mode: 'width', value: pixels }, font: { loadSystemFonts: false } }).render().asPng()
  return `data:image/png;base64,${Buffer.from(png).toString('base64')}`
}

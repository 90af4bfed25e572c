import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { PNG } from 'pngjs'
import type { Page } from 'puppeteer-core'
import { type HandoutInput, handoutHtml, toHandoutSlide } from '../../src/browser/handout.ts'
import { type LaunchedBrowser, launchBrowser, resolveBrowser } from '../../src/browser/launch.ts'
import { loadIsolated, SLIDE_SIZES, splitSlides } from '../../src/browser/page.ts'
import { parseEssay } from '../../src/content/essay.ts'
import { readText } from '../../src/content/project.ts'
import { parseStoryboard } from '../../src/content/storyboard.ts'
import { loadProject } from '../../src/pipeline/project.ts'
import { planDeck } from '../../src/plan/plan.ts'
import { compileDeckTemplates } from '../../src/render/markdown.ts'
import type { MarpWorker } from '../../src/render/marp.ts'
import { loadFontFaceCss } from '../../src/render/theme.ts'
import { ASPECTS, HANDOUT_LAYOUTS, LAYOUTS } from '../../src/shared/schema.ts'
import type { Aspect, BrowserChoice } from '../../src/shared/types.ts'

// Visual references (tests/visual.test.ts, `npm run refs`): one small PNG per slide layout and
// aspect, and of the first two pages of each handout layout, drawn by one kind of browser. The
// fixture deck is made from LAYOUTS, so a new layout gets a reference without editing this file.

export const VISUAL_DIR = path.dirname(new URL(import.meta.url).pathname)
const REPO = path.resolve(VISUAL_DIR, '..', '..')
/** Small, so the repository stays light; large enough that a moved box shows. */
export const REF_WIDTH = 320
const PX_PER_MM = 96 / 25.4

/** A pixel differs when a channel differs by more than this (anti-aliasing stays below it). */
const CHANNEL_TOLERANCE = 48
/** An image matches when at most this share of its pixels differ. */
export const PIXEL_TOLERANCE = 0.002

export type BrowserKind = 'installed' | 'bundled'
export const BROWSER_KINDS: readonly BrowserKind[] = ['installed', 'bundled']

/** The browser of a kind, or why there is none. */
export async function findBrowser(kind: BrowserKind): Promise<BrowserChoice | string> {
  return resolveBrowser(undefined, { ...process.env, ORTUG_BROWSER: kind }).catch((error: Error) => `no ${kind} browser: ${error.message.split('\n')[0]}`)
}

/** What a reference set was drawn with: references only compare with the same browser build. */
export interface RefStamp {
  browser: string
}

export function kindDir(kind: BrowserKind): string {
  return path.join(VISUAL_DIR, kind)
}

export async function readStamp(kind: BrowserKind): Promise<RefStamp | undefined> {
  return readFile(path.join(kindDir(kind), 'browser.json'), 'utf8').then(
    (text) => JSON.parse(text) as RefStamp,
    () => undefined,
  )
}

export async function writeImages(kind: BrowserKind, images: ReadonlyMap<string, Uint8Array>, stamp: RefStamp): Promise<void> {
  for (const [name, bytes] of images) {
    const file = path.join(kindDir(kind), `${name}.png`)
    await mkdir(path.dirname(file), { recursive: true })
    await writeFile(file, bytes)
  }
  await writeFile(path.join(kindDir(kind), 'browser.json'), `${JSON.stringify(stamp, null, 2)}\n`)
}

/** The storyboard of the fixture deck: one slide per layout, each with every common field filled. */
export function fixtureStoryboard(): string {
  const slide = (layout: string) =>
    [
      `  - layout: ${layout}`,
      '    section: satu',
      `    title: Contoh tata letak ${layout}`,
      '    subtitle: Subjudul singkat untuk contoh',
      '    points: [Poin pertama yang pendek, Poin kedua sedikit lebih panjang dari yang pertama, Poin ketiga]',
      '    items: [{ term: A, text: Amanah dalam tugas, icon: shield }, { term: B, text: Berintegritas, icon: scale }, { term: C, text: Cermat bekerja, icon: search }]',
      '    columns: [{ title: Bukan kepada, points: [Individu, Kelompok] }, { title: Melainkan kepada, text: Konstitusi dan negara }]',
      '    quote: Integritas adalah melakukan hal yang benar, bahkan ketika tidak ada yang melihat.',
      '    question: Apa arti integritas bagi pekerjaan Anda sehari-hari?',
      '    text: Sebuah paragraf pendek yang menjelaskan isi slide ini dengan kalimat sederhana.',
      '    minutes: 5',
    ].join('\n')
  return `slides:\n${LAYOUTS.map(slide).join('\n')}\n`
}

const FIXTURE_ESSAY = `---
title: Contoh Visual
author: Penulis Contoh
---

## Bagian Satu {#satu}

Paragraf pertama bagian satu. Kalimat kedua menjelaskan lebih jauh.

## Bagian Dua {#dua}

Paragraf bagian dua, cukup pendek untuk satu slide.
`

/** Every layout's slide, and each handout layout's first two pages, as small PNGs by name. */
export async function renderReferences(browser: LaunchedBrowser, marp: MarpWorker, extraCss = ''): Promise<Map<string, Uint8Array>> {
  const project = await loadProject(REPO, { offices: ['kota-bandung'] })
  const entry = project.offices[0]
  if (!entry) throw new Error('kota-bandung did not load')
  const themeCss = `${await readText(project.themeFile)}\n${extraCss}`
  const fontCss = await loadFontFaceCss()
  const essay = parseEssay(FIXTURE_ESSAY, 'contoh-visual', 'contoh-visual.md')
  const storyboard = parseStoryboard(fixtureStoryboard(), 'contoh-visual.deck.yaml', essay)
  const renderMarkdown = compileDeckTemplates(entry.templates)
  const images = new Map<string, Uint8Array>()
  const page = await browser.browser.newPage()
  try {
    for (const aspect of ASPECTS) {
      const office = { ...entry.office, aspect, logo: undefined, session: undefined }
      const deck = planDeck(essay, storyboard, office)
      const rendered = await marp.render(renderMarkdown(deck), themeCss)
      const svgs = splitSlides(rendered.html)
      // Continuation slides are not references: the first slide of each layout is.
      const seen = new Set<string>()
      for (const [index, slide] of deck.slides.entries()) {
        if (seen.has(slide.layout)) continue
        seen.add(slide.layout)
        const html = slidePage(rendered.css, svgs[index] as string, aspect)
        images.set(`${aspect.replace(':', 'x')}/${slide.layout}`, await shoot(page, html, fontCss, SLIDE_SIZES[aspect].width, SLIDE_SIZES[aspect].height))
      }
      if (aspect !== '16:9') continue
      const template = entry.templates.handout
      for (const layout of HANDOUT_LAYOUTS) {
        const input: HandoutInput = {
          rendered,
          fontCss,
          template,
          aspect,
          lang: 'id',
          layout,
          paper: 'A4',
          office: { name: office.name },
          essay: { title: essay.meta.title, author: essay.meta.author },
          session: { date: 'Senin, 11 Januari 2027', venue: 'Aula Utama', trainers: ['Pelatih Satu'] },
          slides: deck.slides.map(toHandoutSlide),
          reading: essay.sections.map((s) => ({ heading: s.heading, paragraphs: s.paragraphs })),
          date: new Date('2027-01-04T00:00:00Z'),
        }
        const { html } = handoutHtml(input)
        const width = Math.ceil(210 * PX_PER_MM)
        const height = Math.ceil(297 * PX_PER_MM)
        await page.emulateMediaType('print')
        for (const sheet of [1, 2]) {
          images.set(`handout/${layout}-${sheet}`, await shoot(page, html, fontCss, width, height, sheet))
        }
        await page.emulateMediaType(undefined)
      }
    }
  } finally {
    await page.close()
  }
  return images
}

/** Share of pixels that differ, or 1 when the sizes differ. */
export function diffRatio(a: Uint8Array, b: Uint8Array): number {
  const one = PNG.sync.read(Buffer.from(a))
  const two = PNG.sync.read(Buffer.from(b))
  if (one.width !== two.width || one.height !== two.height) return 1
  let differ = 0
  for (let i = 0; i < one.data.length; i += 4) {
    for (let c = 0; c < 3; c++) {
      if (Math.abs((one.data[i + c] as number) - (two.data[i + c] as number)) > CHANNEL_TOLERANCE) {
        differ++
        break
      }
    }
  }
  return differ / (one.width * one.height)
}

export async function launchKind(choice: BrowserChoice): Promise<LaunchedBrowser> {
  return launchBrowser(choice, 120_000)
}

// --- internal ---

function slidePage(css: string, svg: string, aspect: Aspect): string {
  const { width, height } = SLIDE_SIZES[aspect]
  return `<!DOCTYPE html><html lang="id"><head><meta charset="utf-8"><style>${css.replace(/<\/(style)/gi, '<\\/$1')}</style>
<style>html, body { margin: 0; background: #fff; } div.marpit > svg { display: block; width: ${width}px; height: ${height}px; }</style></head>
<body><div class="marpit">${svg}</div></body></html>`
}

/** The page at its CSS size, in the theme's fonts (as the build gives them), drawn REF_WIDTH pixels wide; `sheet` picks the n-th `.sheet` of a handout. */
async function shoot(page: Page, html: string, fonts: string, width: number, height: number, sheet?: number): Promise<Uint8Array> {
  const scale = REF_WIDTH / width
  await page.setViewport({ width, height, deviceScaleFactor: scale })
  await loadIsolated(page, html, 'visual reference', fonts)
  const top = sheet ? await page.evaluate((n) => (document.querySelectorAll('.sheet')[n - 1] as HTMLElement | undefined)?.offsetTop ?? -1, sheet) : 0
  if (top < 0) throw new Error(`the handout has no page ${sheet}`)
  return page.screenshot({ type: 'png', clip: { x: 0, y: top, width, height }, captureBeyondViewport: true })
}

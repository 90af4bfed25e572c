import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { Page } from 'puppeteer-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type HandoutInput, handoutHtml, PAPER_SIZES, toHandoutSlide } from '../../src/browser/handout.ts'
import { type LaunchedBrowser, launchBrowser, resolveBrowser } from '../../src/browser/launch.ts'
import { loadIsolated } from '../../src/browser/page.ts'
import { readText } from '../../src/content/project.ts'
import { loadProject } from '../../src/pipeline/project.ts'
import { planDeck } from '../../src/plan/plan.ts'
import { compileDeckTemplates } from '../../src/render/markdown.ts'
import { type MarpWorker, startMarpWorker } from '../../src/render/marp.ts'
import { loadFontFaceCss } from '../../src/render/theme.ts'
import { HANDOUT_LAYOUTS } from '../../src/shared/schema.ts'
import { REPO } from '../helpers.ts'

// The handout page as the browser lays it out before printing (issue 23): its own CSS never
// reaches a slide, its reading text keeps a comfortable measure, and its text prints readably.

const TEMPLATE_FILE = path.join(REPO, 'templates', 'handout.hbs')
const PX_PER_MM = 96 / 25.4
/** Characters a line of reading text may hold (45–75 read comfortably; 80 is the ceiling). */
const MAX_LINE = 80
/** WCAG AA for normal text: what survives a photocopy. */
const MIN_CONTRAST = 4.5

let browser: LaunchedBrowser
let marp: MarpWorker
let page: Page
let base: HandoutInput

beforeAll(async () => {
  const project = await loadProject(REPO, { offices: ['kota-bandung'] })
  const { office, templates } = project.offices[0] ?? expect.unreachable('kota-bandung did not load')
  const { essay, storyboard } = project.essays[0] ?? expect.unreachable('the shipped essay did not load')
  const deck = planDeck(essay, storyboard, office)
  marp = startMarpWorker()
  base = {
    rendered: await marp.render(compileDeckTemplates(templates)(deck), await readText(project.themeFile)),
    fontCss: await loadFontFaceCss(),
    template: { file: TEMPLATE_FILE, text: await readFile(TEMPLATE_FILE, 'utf8') },
    aspect: office.aspect,
    lang: essay.meta.lang,
    layout: 'three-up',
    paper: 'A4',
    office: { name: office.name },
    essay: { title: essay.meta.title, author: essay.meta.author },
    session: { date: 'Senin, 11 Januari 2027', venue: 'Aula Utama' },
    slides: deck.slides.map(toHandoutSlide),
    reading: essay.sections.map((section) => ({ heading: section.heading, paragraphs: section.paragraphs })),
    date: new Date('2027-01-04T03:00:00Z'),
  }
  browser = await launchBrowser(await resolveBrowser(), 120_000)
  page = await browser.browser.newPage()
})

afterAll(async () => {
  marp?.close()
  await browser?.close()
})

/** Loads a layout's handout as it is measured before printing (print media, the paper's width). */
async function load(layout: HandoutInput['layout']): Promise<void> {
  const size = PAPER_SIZES.A4
  await page.emulateMediaType('print')
  await page.setViewport({ width: Math.ceil(size.width * PX_PER_MM), height: Math.ceil(size.height * PX_PER_MM) })
  await loadIsolated(page, handoutHtml({ ...base, layout }).html, `the ${layout} handout`, base.fontCss)
}

/** Every computed property of every element of every slide, one string per element. */
const SLIDE_STYLES = `(() => Array.from(document.querySelectorAll('foreignObject > section, foreignObject > section *'), (el) => {
  const style = getComputedStyle(el)
  return el.tagName + ' ' + Array.from(style, (name) => name + ':' + style.getPropertyValue(name)).join(';')
}))()`

describe.each(HANDOUT_LAYOUTS)('the %s handout', (layout) => {
  beforeAll(() => load(layout))

  it('styles no slide: every element of every slide computes the same without the handout page CSS', async () => {
    // The rules meant for slides on paper (light discussion slides, outlined panels) are their own block.
    await page.evaluate(() => document.querySelector('style[data-slide-print]')?.remove())
    const inHandout = (await page.evaluate(SLIDE_STYLES)) as string[]
    // Marp's CSS (and the fonts) is the first <style>; the rest is the handout page's.
    await page.evaluate(() => {
      for (const style of Array.from(document.querySelectorAll('style')).slice(1)) style.disabled = true
    })
    const alone = (await page.evaluate(SLIDE_STYLES)) as string[]
    expect(inHandout.length).toBeGreaterThan(100)
    expect(inHandout.length).toBe(alone.length)
    inHandout.forEach((style, i) => {
      if (style === alone[i]) return
      const a = new Set(style.split(';'))
      const differences = (alone[i] ?? '').split(';').filter((pair) => !a.has(pair))
      expect(differences, `${style.split(' ')[0]} #${i}`).toEqual([])
    })
  })
})

describe.each(HANDOUT_LAYOUTS)('reading text in the %s handout', (layout) => {
  beforeAll(() => load(layout))

  it(`holds at most ${MAX_LINE} characters a line`, async () => {
    const lines = (await page.evaluate(String.raw`(() => {
      const lengths = []
      for (const p of document.querySelectorAll('.reading > p, [data-flow] > p')) {
        const node = p.firstChild
        if (!node || node.nodeType !== Node.TEXT_NODE) continue
        // Words grouped by the line they sit on.
        const byLine = new Map()
        for (const match of node.textContent.matchAll(/\S+/g)) {
          const range = document.createRange()
          range.setStart(node, match.index)
          range.setEnd(node, match.index + match[0].length)
          const top = Math.round(range.getClientRects()[0]?.top ?? -1)
          byLine.set(top, (byLine.get(top) ?? 0) + match[0].length + 1)
        }
        for (const length of byLine.values()) lengths.push(length - 1)
      }
      return lengths
    })()`)) as number[]
    expect(lines.length).toBeGreaterThan(20)
    expect(Math.max(...lines)).toBeLessThanOrEqual(MAX_LINE)
    // The measure is used: lines are not needlessly short either.
    expect(Math.max(...lines)).toBeGreaterThanOrEqual(55)
  })
})

// The participants' handouts print every slide light; the trainer's copy keeps the title and closing slides in colour.
describe.each(HANDOUT_LAYOUTS.filter((layout) => layout !== 'trainer'))('print contrast in the %s handout', (layout) => {
  beforeAll(() => load(layout))

  it(`keeps every printed text at ${MIN_CONTRAST}:1 or more against what is behind it`, async () => {
    const low = (await page.evaluate(String.raw`(() => {
      // "rgb(r, g, b)", "rgba(r, g, b, a)" or, for color-mix(), "color(srgb r g b / a)" with channels 0–1.
      const parse = (color) => {
        const [r, g, b, a = 1] = color.match(/[\d.]+/g).map(Number)
        const scale = color.startsWith('color(') ? 255 : 1
        return { r: r * scale, g: g * scale, b: b * scale, a }
      }
      const luminance = ({ r, g, b }) => {
        const channel = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
      }
      const over = (top, bottom) => ({ r: top.r * top.a + bottom.r * (1 - top.a), g: top.g * top.a + bottom.g * (1 - top.a), b: top.b * top.a + bottom.b * (1 - top.a), a: 1 })
      // The first opaque background behind an element (the page is white).
      const backgroundOf = (el) => {
        const layers = []
        for (let box = el; box; box = box.parentElement) {
          const color = parse(getComputedStyle(box).backgroundColor)
          if (color.a > 0) layers.push(color)
          if (color.a === 1) break
        }
        return layers.reduceRight((below, layer) => over(layer, below), { r: 255, g: 255, b: 255, a: 1 })
      }
      const found = []
      for (const el of document.querySelectorAll('body *')) {
        const text = Array.from(el.childNodes).filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('').trim()
        if (!text || el.getClientRects().length === 0) continue
        const style = getComputedStyle(el)
        if (style.visibility === 'hidden' || Number(style.opacity) === 0) continue
        const background = backgroundOf(el)
        const color = over(parse(style.color), background)
        const [light, dark] = [luminance(color), luminance(background)].sort((a, b) => b - a)
        const ratio = (light + 0.05) / (dark + 0.05)
        if (ratio < ${MIN_CONTRAST}) found.push(text.slice(0, 40) + ' ' + ratio.toFixed(2) + ':1 (' + style.color + ')')
      }
      return found
    })()`)) as string[]
    expect(low).toEqual([])
  })
})

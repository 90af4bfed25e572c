import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Page } from 'puppeteer-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LaunchedBrowser, launchBrowser, resolveBrowser } from '../../src/browser/launch.ts'
import { finishHtmlDeck, loadPresenterAssets, planTimings } from '../../src/render/presenter.ts'
import { OrtugError } from '../../src/shared/error.ts'
import { type CliResult, makeProject, openRecording, removeProject, runExpecting } from '../helpers.ts'

// The HTML deck a trainer presents from: marp-cli's bespoke deck, localised and with the slide
// timers (src/render/presenter.ts, src/render/presenter-client.js).

describe('finishHtmlDeck', () => {
  const assets = { script: 'window.ortug = 1', css: '.ortug {}' }
  const deck = (sections: number) =>
    `<!DOCTYPE html><html><head><title>t</title></head><body><div>${'<svg><section id="x" class="points"><p>&lt;section&gt;</p></section></svg>'.repeat(sections)}</div><script>bespoke()</script></body></html>`

  it('sets each slide’s planned minutes and storyboard slide in order, leaving slides without minutes bare', () => {
    const html = finishHtmlDeck(deck(3), { assets, timings: [{ minutes: 4, source: 1 }, { source: 2 }, { minutes: 2.5, source: 3 }] })
    expect(html.match(/<section[^>]*>/g)).toEqual([
      '<section data-minutes="4" data-source="1" id="x" class="points">',
      '<section id="x" class="points">',
      '<section data-minutes="2.5" data-source="3" id="x" class="points">',
    ])
  })

  it('sets no minutes when the slide count differs from the plan, rather than shifting them', () => {
    const html = finishHtmlDeck(deck(3), {
      assets,
      timings: [
        { minutes: 4, source: 0 },
        { minutes: 5, source: 1 },
      ],
    })
    expect(html).not.toContain('data-minutes')
  })

  it('gives continuation pages their first page’s minutes, and slides without minutes none', () => {
    const slides = [{ source: 0 }, { minutes: 5, source: 1 }, { source: 1 }, { source: 1 }, { minutes: 3, source: 2 }, { source: 3 }]
    expect(planTimings(slides).map((timing) => timing.minutes)).toEqual([undefined, 5, 5, 5, 3, undefined])
  })

  it('puts the fonts and the style last in the head and the script after bespoke’s', () => {
    const html = finishHtmlDeck(deck(1), { assets, fontCss: '@font-face{font-family:x}' })
    expect(html).toContain('<style>@font-face{font-family:x}.ortug {}</style></head>')
    expect(html).toMatch(/<script>bespoke\(\)<\/script><script>window\.ortug = 1<\/script><\/body><\/html>$/)
  })

  it('refuses HTML without a head or a body', () => {
    expect(() => finishHtmlDeck('<html><body></body></html>', { assets })).toThrow(OrtugError)
  })

  it('reads the client script and style, which hold no closing tag that would end them early', async () => {
    const real = await loadPresenterAssets()
    expect(real.script).toContain('Tampilan penyaji')
    expect(real.css).toContain('--ortug-primary')
  })
})

const browserInUse = await resolveBrowser().catch(() => undefined)

const PRIMARY = '#175c36'
const ESSAY = `---
title: Presentasi Uji
author: Penulis Uji
lang: id
---

## Bagian Satu {#satu}

Kalimat pertama bagian satu. Kalimat kedua bagian satu.

## Bagian Dua {#dua}

Kalimat pertama bagian dua.
`
// Minutes no shipped storyboard uses, one of them not whole; the last points slide is too long
// for one slide, so the build splits it into continuation pages.
const STORYBOARD = `slides:
  - layout: title
  - layout: points
    section: satu
    title: Poin Pertama
    points: [Satu, Dua]
    minutes: 3
    notes: Tanyakan kepada peserta apa yang mereka ketahui.
  - layout: question
    section: satu
    title: Diskusi
    question: ${'Apa yang Anda pelajari dari bagian ini, dan bagaimana Anda akan menerapkannya dalam pekerjaan sehari-hari di kantor? '.repeat(2).trim()}
    minutes: 7
  - layout: points
    section: dua
    title: Poin Kedua
    points:
${Array.from({ length: 16 }, (_, i) => `      - Butir ${i + 1} yang cukup panjang agar daftar ini tidak muat pada satu slide saja`).join('\n')}
    minutes: 1.5
  - layout: closing
`
/** 22:39:42 in Jakarta (WIB, UTC+7). */
const FROZEN = Date.UTC(2026, 10, 28, 15, 39, 42)

/** Freezes the page's `Date.now` at 22:39:42 WIB; `window.advanceClock(ms)` moves it on. */
async function freezeClock(page: Page): Promise<void> {
  await page.emulateTimezone('Asia/Jakarta')
  await page.evaluateOnNewDocument((start: number) => {
    let now = start
    Date.now = () => now
    Object.assign(window, { advanceClock: (ms: number) => (now += ms) })
  }, FROZEN)
}

const advance = (page: Page, ms: number) => page.evaluate((by) => (window as unknown as { advanceClock(ms: number): void }).advanceClock(by), ms)
const textOf = (page: Page, selector: string) => page.$eval(selector, (element) => element.textContent ?? '')
const waitForText = (page: Page, selector: string, text: string) =>
  page.waitForFunction((s, t) => document.querySelector(s)?.textContent === t, { timeout: 30_000 }, selector, text)

describe.skipIf(!browserInUse)(`the HTML deck in the browser (${browserInUse?.headless ?? 'none'} mode)`, () => {
  let dir: string
  let url: string
  let build: CliResult
  let browser: LaunchedBrowser
  let html: string
  /** Slides in the built deck (the last points slide is split). */
  let pages: number

  beforeAll(async () => {
    dir = await makeProject({
      files: {
        'content/essays/presentasi-uji.md': ESSAY,
        'content/essays/presentasi-uji.deck.yaml': STORYBOARD,
        'content/offices/kota-uji.yaml': `name: KPU Kota Uji\nregion: Kota Uji\nlevel: kota\ncolors: { primary: "${PRIMARY}", accent: "#f4d35e" }\n`,
      },
    })
    build = await runExpecting(0, ['build', '--format', 'html', '--essay', 'presentasi-uji'], dir)
    url = pathToFileURL(path.join(dir, 'dist', 'kota-uji', 'presentasi-uji.html')).href
    html = await readFile(new URL(url), 'utf8')
    pages = (html.match(/<svg[^>]*data-marpit-svg/g) ?? []).length
    browser = await launchBrowser(browserInUse!, 60_000)
  })
  afterAll(async () => {
    await browser?.close()
    await removeProject(dir)
  })

  it('sets the planned minutes on the slides that have them, continuation pages included', async () => {
    expect(build.code).toBe(0)
    const timings = [...html.matchAll(/<section(?: data-minutes="([\d.]+)" data-source="(\d+)")?( data-cue="")? id=/g)].map((match) =>
      `${match.slice(1, 3).join(' ').trim()}${match[3] ? ' cue' : ''}`.trim(),
    )
    expect(timings).toHaveLength(pages)
    expect(pages).toBeGreaterThan(5)
    expect(timings).toEqual(['', '3 1 cue', '7 2', ...Array(pages - 4).fill('1.5 3'), ''])
  })

  it('presenter view: Indonesian labels, a 24-hour clock written as EYD writes time, the counter and the slide’s own countdown', async () => {
    const { page, requests, errors } = await openRecording(browser, `${url}?view=presenter`, freezeClock)
    try {
      expect(await page.title()).toBe('[Tampilan penyaji] - Presentasi Uji')
      await waitForText(page, '.ortug-clock', '22.39.42')
      expect(await page.$eval('.ortug-clock', (clock) => getComputedStyle(clock, '::before').content)).toBe('"Pukul "')
      expect(await textOf(page, '.bespoke-marp-presenter-info-page')).toBe(`Slide 1 dari ${pages}`)
      const titles = await page.$$eval('.bespoke-marp-presenter-container [title]', (elements) => elements.map((element) => element.getAttribute('title')))
      expect(titles).toEqual(expect.arrayContaining(['Slide sebelumnya', 'Slide berikutnya', 'Perbesar huruf catatan (+)', 'Jam sekarang']))
      const visible = await page.$eval('.bespoke-marp-presenter-info-container', (info) => info.textContent)
      expect(visible).not.toMatch(/Page|Previous|Next|AM|PM/)
      expect(await page.$eval('.bespoke-marp-presenter-info-timer', (timer) => getComputedStyle(timer, '::before').content)).toBe('"Waktu berjalan "')
      expect(await page.$eval('.bespoke-marp-presenter-next-container', (next) => getComputedStyle(next, '::before').content)).toBe('"Berikutnya"')
      // The title slide has no planned minutes: no countdown.
      expect(await page.$eval('.ortug-slide-timer', (timer) => (timer as HTMLElement).hidden)).toBe(true)

      await page.keyboard.press('ArrowRight')
      await page.waitForFunction(() => location.hash === '#2')
      await waitForText(page, '.bespoke-marp-presenter-info-page', `Slide 2 dari ${pages}`)
      await waitForText(page, '.ortug-slide-timer', 'Sisa waktu slide: 03:00')
      // The notes: in the deck's type at 20 px or more; the part as a heading (the info bar shows
      // the slide and its time, so the line that said them is gone); the cue set apart.
      const notes = await page.$eval('.bespoke-marp-note.active', (note) => ({
        paragraphs: [...note.children].map((p) => [p.className, p.textContent]),
        fontSize: Number.parseFloat(getComputedStyle(note.children[1] as Element).fontSize),
        fontFamily: getComputedStyle(note).fontFamily,
        cueWeight: getComputedStyle(note.children[1] as Element).fontWeight,
        textWeight: getComputedStyle(note.children[2] as Element).fontWeight,
      }))
      expect(notes.paragraphs.slice(0, 3)).toEqual([
        ['ortug-where', 'Bagian 1 dari 2 (rencana 10 menit)'],
        ['ortug-cue', 'Tanyakan kepada peserta apa yang mereka ketahui.'],
        ['', 'Kalimat pertama bagian satu. Kalimat kedua bagian satu.'],
      ])
      expect(notes.fontSize).toBeGreaterThanOrEqual(20)
      expect(notes.fontFamily).toMatch(/^"Source Sans 3"/)
      expect(notes.cueWeight).not.toBe(notes.textWeight)
      await advance(page, 72_000)
      await waitForText(page, '.ortug-slide-timer', 'Sisa waktu slide: 01:48')
      await waitForText(page, '.ortug-clock', '22.40.54')
      const calm = await page.$eval('.ortug-slide-timer', (timer) => getComputedStyle(timer).color)
      await advance(page, 153_000)
      await waitForText(page, '.ortug-slide-timer', 'Lewat waktu slide: +00:45')
      expect(await page.$eval('.ortug-slide-timer', (timer) => getComputedStyle(timer).color)).not.toBe(calm)

      // Another slide has its own minutes, which its continuation page goes on counting down;
      // coming back, the first slide goes on where it was.
      await page.keyboard.press('ArrowRight')
      await page.keyboard.press('ArrowRight')
      await page.waitForFunction(() => location.hash === '#4')
      await waitForText(page, '.ortug-slide-timer', 'Sisa waktu slide: 01:30')
      await advance(page, 30_000)
      await waitForText(page, '.ortug-slide-timer', 'Sisa waktu slide: 01:00')
      await page.keyboard.press('ArrowRight')
      await page.waitForFunction(() => location.hash === '#5')
      await waitForText(page, '.bespoke-marp-presenter-info-page', `Slide 5 dari ${pages}`)
      expect(await textOf(page, '.ortug-slide-timer')).toBe('Sisa waktu slide: 01:00')
      await page.keyboard.press('Home')
      await page.keyboard.press('ArrowRight')
      await page.waitForFunction(() => location.hash === '#2')
      await waitForText(page, '.ortug-slide-timer', 'Lewat waktu slide: +00:45')
      expect(requests).toEqual([])
      expect(errors).toEqual([])
    } finally {
      await page.close()
    }
  })

  it('audience view: the progress bar in the office’s accent, the counter, and one timer on a discussion slide: its minutes pill, started by a key', async () => {
    const { page, requests, errors } = await openRecording(browser, url, freezeClock)
    try {
      // The accent: the primary colour would vanish against every slide's top bar.
      const bar = await page.$eval('.bespoke-progress-bar', (element) => getComputedStyle(element).backgroundColor)
      expect(bar).toBe('rgb(244, 211, 94)')
      expect(await textOf(page, '[data-bespoke-marp-osc="page"]')).toBe(`Slide 1 dari ${pages}`)
      expect(await page.$eval('[data-bespoke-marp-osc="presenter"]', (button) => button.getAttribute('title'))).toBe('Buka tampilan penyaji (p)')

      // One timer on a discussion slide: its minutes pill, which counts down once the trainer starts it.
      const timer = 'section.question em.ortug-timer'
      const timers = () =>
        page.$eval('section.question', (section) =>
          [...section.querySelectorAll('*')]
            .filter((el) => el.children.length === 0 && /^(\d\d:\d\d|Waktu habis|[\d,]+ menit)$/.test(el.textContent ?? ''))
            .map((el) => el.textContent),
        )
      expect(await timers()).toEqual(['7 menit'])
      await page.keyboard.press('ArrowRight')
      await page.keyboard.press('ArrowRight')
      await page.waitForFunction(() => location.hash === '#3')
      await waitForText(page, '[data-bespoke-marp-osc="page"]', `Slide 3 dari ${pages}`)
      // Not started by showing the slide.
      await advance(page, 30_000)
      expect(await textOf(page, timer)).toBe('7 menit')
      await page.keyboard.press('t')
      await waitForText(page, timer, '07:00')
      await advance(page, 61_000)
      await waitForText(page, timer, '05:59')
      expect(await timers()).toEqual(['05:59'])
      expect(await page.$$('.ortug-discussion-timer')).toHaveLength(0)
      await advance(page, 360_000)
      await waitForText(page, timer, 'Waktu habis')
      // `t` again: back to the planned minutes.
      await page.keyboard.press('t')
      await waitForText(page, timer, '7 menit')

      await page.keyboard.press('ArrowLeft')
      await page.waitForFunction(() => location.hash === '#2')
      await waitForText(page, '[data-bespoke-marp-osc="page"]', `Slide 2 dari ${pages}`)
      expect(requests).toEqual([])
      expect(errors).toEqual([])
    } finally {
      await page.close()
    }
  })
})

import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LaunchedBrowser, launchBrowser, resolveBrowser } from '../../src/browser/launch.ts'
import { splitSentences } from '../../src/plan/text.ts'
import {
  htmlNotes,
  inThemeFontsOnly,
  openRecording,
  type PdfFacts,
  REPO,
  readPdf,
  removeProject,
  type runCli,
  runExpecting,
  seedParagraphs,
} from '../helpers.ts'

// The foundation end to end: the shipped content, every office, the real browser. (The decks' lack
// of network requests is checked here too, on this build's decks, instead of a build of its own.)

const OFFICES = (await readdir(path.join(REPO, 'content', 'offices')))
  .filter((f) => !f.startsWith('_') && f.endsWith('.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''))

describe('ortug build of the shipped content', () => {
  let out: string
  let result: Awaited<ReturnType<typeof runCli>>
  const pdfs = new Map<string, PdfFacts>()

  beforeAll(async () => {
    out = await mkdtemp(path.join(os.tmpdir(), 'ortug-dist-'))
    result = await runExpecting(0, ['build', '--out', out], REPO)
    for (const office of OFFICES) pdfs.set(office, await readPdf(path.join(out, office, 'ortug-kpu-jabar.pdf')))
  })
  afterAll(() => removeProject(out))

  it('exits 0 and writes md, html, pdf and the handout for all 28 offices', async () => {
    expect(result.stderr).not.toMatch(/error/)
    expect(result.code).toBe(0)
    expect(OFFICES).toHaveLength(28)
    for (const office of OFFICES) {
      expect((await readdir(path.join(out, office))).sort()).toEqual([
        'ortug-kpu-jabar-handout.pdf',
        'ortug-kpu-jabar.html',
        'ortug-kpu-jabar.md',
        'ortug-kpu-jabar.pdf',
      ])
    }
  })

  it('PDFs have one page per slide, the office name on the first page, metadata, outline and embedded fonts', async () => {
    for (const office of OFFICES) {
      const pdf = pdfs.get(office) as PdfFacts
      const markdown = await readFile(path.join(out, office, 'ortug-kpu-jabar.md'), 'utf8')
      const slides = markdown.split(/\n---\n/).length - 1
      expect(pdf.pages, office).toBe(slides)
      const name = /^name: (.*)$/m.exec(await readFile(path.join(REPO, 'content', 'offices', `${office}.yaml`), 'utf8'))?.[1]
      expect(pdf.text[0], office).toContain(name)
      expect(pdf.info.Title).toBe('Ortug KPU Jabar: Titik Awal Menumbuhkan Integritas dan Loyalitas')
      expect(pdf.info.Author).toBe('Ade Ayu Puspitasari')
      expect(pdf.lang).toBe('id')
      expect(pdf.outline).toBe(pdf.pages)
      expect(pdf.fontsEmbedded).toBe(true)
      // The theme's own fonts, kept by the tabs from one deck to the next, never a fallback.
      expect(inThemeFontsOnly(pdf), `${office}: ${pdf.fontNames}`).toBe(true)
      expect(pdf.sizes[0]).toEqual({ width: 960, height: 540 })
    }
  })

  it('HTML decks have every slide, the notes, and no remote resources', async () => {
    const paragraphs = await seedParagraphs()
    expect(paragraphs).toHaveLength(6)
    for (const office of OFFICES) {
      const html = await readFile(path.join(out, office, 'ortug-kpu-jabar.html'), 'utf8')
      const pdf = pdfs.get(office) as PdfFacts
      expect((html.match(/<svg[^>]*data-marpit-svg/g) ?? []).length).toBe(pdf.pages)
      expect(html).toContain('bespoke')
      expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i)
      expect(html).not.toMatch(/url\(\s*["']?(https?:)?\/\//i)
      expect(html).not.toMatch(/@import/)
      const notes = htmlNotes(html).join('\n')
      // Each sentence goes to the slide that says it: every sentence of the essay is in the notes.
      for (const sentence of paragraphs.flatMap((p) => splitSentences(p))) expect(notes, office).toContain(sentence)
    }
  })

  it('writes a manifest with every output and its hash, and a catalogue', async () => {
    const manifest = JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8'))
    expect(manifest.outputs).toHaveLength(28 * 4)
    for (const entry of manifest.outputs) {
      const bytes = await readFile(path.join(out, entry.path))
      expect(bytes.byteLength).toBe(entry.bytes)
      expect(entry.sha256).toMatch(/^[0-9a-f]{64}$/)
      expect(Object.keys(entry.inputs)).toContain('content/essays/ortug-kpu-jabar.md')
    }
    const index = await readFile(path.join(out, 'index.html'), 'utf8')
    for (const office of OFFICES) expect(index).toContain(`${office}/ortug-kpu-jabar.pdf`)
    expect((await readdir(out)).filter((f) => f.startsWith('.'))).toEqual(['.ortug-cache'])
  })

  describe('in the browser, from file://', () => {
    let browser: LaunchedBrowser
    beforeAll(async () => {
      browser = await launchBrowser(await resolveBrowser(), 60_000)
    })
    afterAll(() => browser.close())

    it('the catalogue lists every office with thumbnails and working links, and its search filters', async () => {
      const { page, requests, errors } = await openRecording(browser, pathToFileURL(path.join(out, 'index.html')).href)
      expect(await page.$$eval('.office', (cards) => cards.length)).toBe(28)
      const images = await page.$$eval('.office img', (imgs) => imgs.map((img) => (img as HTMLImageElement).naturalWidth))
      expect(images).toHaveLength(28)
      expect(images.every((width) => width > 0)).toBe(true)
      const links = await page.$$eval('.office a', (anchors) => anchors.map((a) => a.getAttribute('href') as string))
      expect(links).toHaveLength(28 * 4)
      for (const link of links) await expect(readFile(path.join(out, link))).resolves.toBeDefined()
      await page.type('input[type=search]', 'bogor')
      const visible = await page.$$eval('.office', (cards) => cards.filter((c) => !(c as HTMLElement).hidden).map((c) => c.querySelector('h2')?.textContent))
      expect(visible.sort()).toEqual(['KPU Kabupaten Bogor', 'KPU Kota Bogor'])
      expect(requests).toEqual([])
      expect(errors).toEqual([])
      await page.close()
    })

    // DESIGN.md: outputs are self-contained, no network requests when opened. A few decks, opened
    // from file:// and paged through.
    it('the recorder itself sees a request and a console error (a control for the tests below)', async () => {
      const file = path.join(out, 'kontrol.html')
      await writeFile(file, '<!DOCTYPE html><img src="http://example.com/x.png"><script>console.error("kontrol")</script>')
      try {
        const { page, requests, errors } = await openRecording(browser, pathToFileURL(file).href)
        await page.close()
        expect(requests).toEqual(['http://example.com/x.png'])
        expect(errors).toContain('kontrol')
      } finally {
        await rm(file)
      }
    })

    it.each(['provinsi-jawa-barat', 'kota-bandung', 'kabupaten-pangandaran'])(
      '%s: the deck and its presenter view, paged with the arrow keys, make no request and log no error',
      async (office) => {
        const url = pathToFileURL(path.join(out, office, 'ortug-kpu-jabar.html')).href
        for (const view of [url, `${url}?view=presenter`]) {
          const { page, requests, errors } = await openRecording(browser, view)
          try {
            const slides = await page.$$eval('svg[data-marpit-svg]', (svgs) => svgs.length)
            expect(slides).toBeGreaterThan(4)
            for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight')
            await page.waitForFunction(() => location.hash === '#5')
            await page.keyboard.press('End')
            await page.waitForFunction((last) => location.hash === `#${last}`, {}, slides)
            await page.keyboard.press('ArrowLeft')
            await page.waitForFunction((before) => location.hash === `#${before}`, {}, slides - 1)
            // Late requests (fonts, images of the slides just shown) have had their turn.
            await page.evaluate(() => document.fonts.ready.then(() => new Promise((resolve) => requestAnimationFrame(() => resolve(undefined)))))
            expect(requests, view).toEqual([])
            expect(errors, view).toEqual([])
          } finally {
            await page.close()
          }
        }
      },
    )

    it('a deck moves with the arrow keys, and its presenter view shows the notes and timing', async () => {
      const url = pathToFileURL(path.join(out, 'kota-bandung', 'ortug-kpu-jabar.html')).href
      const deck = await openRecording(browser, url)
      await deck.page.keyboard.press('ArrowRight')
      await deck.page.keyboard.press('ArrowRight')
      await deck.page.waitForFunction(() => location.hash === '#3')
      expect(deck.requests).toEqual([])
      expect(deck.errors).toEqual([])
      await deck.page.close()

      const presenter = await openRecording(browser, `${url}?view=presenter#3`)
      await presenter.page.waitForSelector('.bespoke-marp-note.active')
      const note = await presenter.page.$eval('.bespoke-marp-note.active', (el) => el.textContent ?? '')
      const [, , third] = htmlNotes(await readFile(path.join(out, 'kota-bandung', 'ortug-kpu-jabar.html'), 'utf8'))
      // The note opens with its part as a small heading; the slide number and minutes are the info bar's, not repeated here.
      expect(note.startsWith('Bagian 1 dari 6 (rencana 11 menit)')).toBe(true)
      expect(note).not.toContain('Slide 3 dari 18')
      expect(third?.split('\n').filter(Boolean).length).toBeGreaterThan(1)
      expect(note.replace(/\s+/g, ' ')).toContain(third?.split('\n').filter(Boolean).at(-1)?.trim())
      expect(await presenter.page.$('.bespoke-marp-presenter-info-timer')).not.toBeNull()
      expect(await presenter.page.$('.bespoke-marp-presenter-next-container')).not.toBeNull()
      expect(presenter.requests).toEqual([])
      expect(presenter.errors).toEqual([])
      await presenter.page.close()
    })
  })
})

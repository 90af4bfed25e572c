import { appendFile, cp, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LaunchedBrowser, launchBrowser, resolveBrowser } from '../../src/browser/launch.ts'
import { loadIsolated, measureOverflow, printableHtml } from '../../src/browser/page.ts'
import { parseEssay } from '../../src/content/essay.ts'
import { splitSentences } from '../../src/plan/text.ts'
import { type MarpWorker, startMarpWorker } from '../../src/render/marp.ts'
import { createTheme, loadFontFaceCss, type Theme } from '../../src/render/theme.ts'
import { sha256 } from '../../src/shared/hash.ts'
import { hashTree, makeProject, REPO, readPdf, removeProject, runCli } from '../helpers.ts'

const normalize = (text: string) => text.replace(/\s+/g, ' ').trim()
const count = (haystack: string, needle: string) => haystack.split(needle).length - 1

describe('fit: long content becomes continuation slides, nothing overflows, no text is lost', () => {
  let dir: string
  let out: string
  let result: Awaited<ReturnType<typeof runCli>>

  beforeAll(async () => {
    dir = await makeProject({ from: 'fit' })
    out = path.join(dir, 'dist')
    result = await runCli(['build', '--format', 'md,pdf'], dir)
  })
  afterAll(() => removeProject(dir))

  it('builds every deck, 16:9 and 4:3, with exit 0', () => {
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).not.toContain('error')
  })

  for (const office of ['kota-lebar', 'kota-sempit']) {
    it(`${office}: every sentence of the derived deck appears once on the slides and once in the notes`, async () => {
      const essay = parseEssay(await readFile(path.join(dir, 'content/essays/panjang.md'), 'utf8'), 'panjang', 'panjang.md')
      const pdf = await readPdf(path.join(out, office, 'panjang.pdf'))
      const slidesText = normalize(pdf.text.join(' '))
      const markdown = await readFile(path.join(out, office, 'panjang.md'), 'utf8')
      const notes = normalize([...markdown.matchAll(/<!--\n([\s\S]*?)\n-->/g)].map((m) => m[1]).join(' '))
      for (const section of essay.sections) {
        for (const sentence of section.paragraphs.flatMap((p) => splitSentences(p))) {
          expect(count(slidesText, sentence), sentence).toBe(1)
          expect(count(notes, sentence), sentence).toBe(1)
        }
      }
      // The 400-word paragraph needs continuation slides, and the agenda lists every section.
      expect(pdf.text.filter((t) => t.includes('Paragraf Panjang (lanjutan)')).length).toBeGreaterThan(0)
      for (const heading of ['Paragraf Panjang', 'Kalimat Panjang', 'Kata Panjang']) expect(pdf.text[1]).toContain(heading)
      expect(slidesText).toContain('Pertanggungjawabanketatausahaanpemiluxyz')
      expect(pdf.sizes[0]).toEqual(office === 'kota-sempit' ? { width: 720, height: 540 } : { width: 960, height: 540 })
    })

    it(`${office}: a list of 15 points and 12 acronym items are split at item boundaries, each item once`, async () => {
      const deck = await readFile(path.join(dir, 'content/essays/daftar.deck.yaml'), 'utf8')
      const points = [...deck.matchAll(/^ {6}- "(.*)"$/gm)].map((m) => m[1] as string)
      const items = [...deck.matchAll(/text: "(.*)" \}$/gm)].map((m) => m[1] as string)
      expect(points).toHaveLength(15)
      expect(items).toHaveLength(12)
      const pdf = await readPdf(path.join(out, office, 'daftar.pdf'))
      const text = normalize(pdf.text.join(' '))
      for (const item of [...points, ...items]) expect(count(text, item), item).toBe(1)
      expect(pdf.text.filter((t) => t.includes('Lima Belas Butir (lanjutan)')).length).toBeGreaterThan(0)
    })
  }

  it('remembers measured slides: a rebuild of unchanged slides needs no browser', async () => {
    // A "browser" that writes down each start: a rebuild whose slides are all measured never starts it.
    const fake = path.join(dir, 'fake-chrome.sh')
    const starts = path.join(dir, 'fake-chrome.starts')
    await writeFile(fake, `#!/bin/sh\necho "$@" >> '${starts}'\nexit 1\n`, { mode: 0o755 })
    const again = await runCli(['build', '--format', 'md,html', '--browser-path', fake], dir)
    expect(again.code, again.stderr).toBe(0)
    expect(await readFile(starts, 'utf8').catch(() => '')).not.toContain('headless')
    // The fake is a browser that fails: a build that needed one would have said so.
    const needing = await runCli(['build', '--format', 'pdf', '--force', '--browser-path', fake], dir)
    expect(needing.code).toBe(3)
    expect(await readFile(starts, 'utf8')).toContain('headless')
  })
})

describe('fit: a deck starts where its copy in another office ended (fit hints)', () => {
  it('a renamed office is measured once, at its final slides, and its deck is the one measuring from scratch gives', async () => {
    const dir = await makeProject({ offices: ['kota-bogor', 'kabupaten-garut'] })
    try {
      const build = async (...args: string[]) => {
        const result = await runCli(['build', '--format', 'md,pdf', ...args], dir)
        expect(result.code, result.stderr).toBe(0)
      }
      const measured = async (out = 'dist') => {
        const cache = JSON.parse(await readFile(path.join(dir, out, '.ortug-cache/fit.json'), 'utf8')) as { slides: object; hints: object }
        return { slides: Object.keys(cache.slides).length, hints: Object.keys(cache.hints).length }
      }
      await build()
      const before = await measured()
      expect(before.hints).toBe(1)
      const office = path.join(dir, 'content/offices/kota-bogor.yaml')
      await writeFile(office, (await readFile(office, 'utf8')).replace('name: KPU Kota Bogor', 'name: KPU Kota Bogor Raya'))
      await build()
      // The office's name is in every slide's footer, so each of its slides is new to the cache:
      // measured once, the deck adds as many as it has slides. Measured from scratch, its plain
      // plan's sparse slides (before larger type) would add more.
      const markdown = await readFile(path.join(dir, 'dist/kota-bogor/ortug-kpu-jabar.md'), 'utf8')
      const slides = (await readPdf(path.join(dir, 'dist/kota-bogor/ortug-kpu-jabar.pdf'))).pages
      expect(markdown).toContain('grow-')
      expect((await measured()).slides - before.slides).toBe(slides)
      // Rebuilt (its Markdown removed), the deck is fitted from the cache by its hint: no browser starts.
      const fake = path.join(dir, 'fake-chrome.sh')
      const starts = path.join(dir, 'fake-chrome.starts')
      await writeFile(fake, `#!/bin/sh\necho "$@" >> '${starts}'\nexit 1\n`, { mode: 0o755 })
      await rm(path.join(dir, 'dist/kota-bogor/ortug-kpu-jabar.md'))
      await build('--browser-path', fake)
      expect(await readFile(starts, 'utf8').catch(() => '')).not.toContain('headless')
      expect(await readFile(path.join(dir, 'dist/kota-bogor/ortug-kpu-jabar.md'), 'utf8')).toBe(markdown)
      await build('--force', '--office', 'kota-bogor', '--out', 'scratch')
      expect((await measured('scratch')).slides).toBeGreaterThan(slides)
      for (const file of ['ortug-kpu-jabar.md', 'ortug-kpu-jabar.pdf']) {
        const read = (out: string) => readFile(path.join(dir, out, 'kota-bogor', file))
        expect(sha256(await read('dist')), file).toBe(sha256(await read('scratch')))
      }
    } finally {
      await removeProject(dir)
    }
  })
})

describe('fit: HTML decks get the slides as repaired', () => {
  it('a deck the browser measured and split is converted to HTML again, with the same slides as its PDF', async () => {
    // Larger type in the theme: the planned slides overflow, so the fit check splits them after
    // the HTML conversion (which starts at once, from the planned slides) has begun.
    const dir = await makeProject({ from: 'fit' })
    try {
      await cp(path.join(REPO, 'templates'), path.join(dir, 'templates'), { recursive: true })
      await appendFile(path.join(dir, 'templates/theme/ortug.css'), '\nsection p, section li { font-size: 1.5em; }\n')
      const result = await runCli(['build', '--format', 'md,html,pdf', '--essay', 'daftar', '--office', 'kota-lebar'], dir)
      expect(result.code, result.stderr).toBe(0)
      expect(result.stderr).not.toContain('error')
      const fits = JSON.parse(await readFile(path.join(dir, 'dist/.ortug-cache/fit.json'), 'utf8')) as { slides: Record<string, number> }
      expect(Object.values(fits.slides).some((pixels) => pixels > 0)).toBe(true)
      const html = await readFile(path.join(dir, 'dist/kota-lebar/daftar.html'), 'utf8')
      const markdown = await readFile(path.join(dir, 'dist/kota-lebar/daftar.md'), 'utf8')
      const pdf = await readPdf(path.join(dir, 'dist/kota-lebar/daftar.pdf'))
      expect(html.match(/<svg[^>]*data-marpit-svg/g)?.length).toBe(pdf.pages)
      for (const title of markdown.match(/^# .*\(lanjutan\)$/gm) ?? []) expect(html).toContain(title.slice(2))
    } finally {
      await removeProject(dir)
    }
  })
})

describe('fit: a sentence longer than a slide, as circulars write them, in a derived deck', () => {
  it('is cut after its clauses into continuation slides that fit, its words in order; a quotation keeps its marks', async () => {
    const clauses = Array.from({ length: 60 }, (_, i) => `${['memperhatikan', 'menimbang', 'mengingat'][i % 3]} ketentuan butir ${i + 1} yang berlaku`)
    const sentence = `Sehubungan dengan ${clauses.join(', ')}, maka pegawai wajib bersikap netral.`
    const law = 'UU Nomor 7 Tahun 2017, Pasal 3: "Penyelenggara Pemilu harus memenuhi prinsip: a. mandiri; b. jujur; c. adil; dan k. efisien."'
    const dir = await makeProject({
      from: 'fit',
      files: {
        'content/essays/edaran.md': `---\ntitle: Surat Edaran\nauthor: Sekretariat\n---\n\n## Latar Belakang {#latar}\n\n${sentence}\n\n## Dasar {#dasar}\n\n> ${law}\n`,
      },
    })
    try {
      const result = await runCli(['build', '--essay', 'edaran', '--office', 'kota-lebar,kota-sempit', '--format', 'md,pdf'], dir)
      expect(result.code, result.stderr).toBe(0)
      for (const office of ['kota-lebar', 'kota-sempit']) {
        const pdf = await readPdf(path.join(dir, 'dist', office, 'edaran.pdf'))
        const pages = pdf.text.filter((text) => text.startsWith('Latar Belakang'))
        expect(pages.length).toBeGreaterThanOrEqual(3)
        expect(pages.slice(1).every((text) => text.startsWith('Latar Belakang (lanjutan) …'))).toBe(true)
        // Every clause on the slides, in the essay's order.
        const text = normalize(pages.join(' '))
        let from = 0
        for (const clause of sentence.split(/(?<=,)\s+/)) {
          const at = text.indexOf(clause, from)
          expect(at, clause).toBeGreaterThanOrEqual(0)
          from = at + clause.length
        }
        // The quotation is one sentence, its source the slide's title, the author's marks inside kept.
        expect(normalize(pdf.text.join(' '))).toContain('“Penyelenggara Pemilu harus memenuhi prinsip: a. mandiri; b. jujur; c. adil; dan k. efisien.”')
        expect(pdf.text.some((page) => page.startsWith('UU Nomor 7 Tahun 2017, Pasal 3'))).toBe(true)
      }
    } finally {
      await removeProject(dir)
    }
  })
})

describe('fit: what cannot fit fails with a report, and nothing is written', () => {
  it('a single word too long even for the smallest type', async () => {
    const word = 'Pertanggungjawabanketatausahaan'.repeat(120)
    const dir = await makeProject({
      from: 'fit',
      files: { 'content/essays/mustahil.md': `---\ntitle: Mustahil\nauthor: Penulis Contoh\n---\n\n## Satu Kalimat {#satu}\n\n${word}.\n` },
    })
    try {
      await writeFile(path.join(dir, 'keep.txt'), 'x')
      const before = await hashTree(path.join(dir, 'dist'))
      const result = await runCli(['build', '--essay', 'mustahil', '--office', 'kota-lebar', '--format', 'md'], dir)
      expect(result.code).toBe(1)
      expect(result.stderr).toMatch(/kota-lebar \/ mustahil \/ slide 3 \(text, "Satu Kalimat"\): overflows by \d+ px/)
      // What to do, in files the maintainer has: a derived deck has no storyboard yet.
      expect(result.stderr).toContain(
        'Shorten the text in content/essays/mustahil.md, or write a storyboard that splits it into more slides (ortug storyboard mustahil writes the derived one as content/essays/mustahil.deck.yaml to edit).',
      )
      expect(await hashTree(path.join(dir, 'dist'))).toEqual(before)
      const check = await runCli(['check', '--essay', 'mustahil', '--office', 'kota-lebar'], dir)
      expect(check.code).toBe(1)
      expect(check.stderr).toMatch(/slide 3 \(text, "Satu Kalimat"\): overflows by \d+ px/)
    } finally {
      await removeProject(dir)
    }
  })
})

describe('fit: a new essay with only sections builds for every office', () => {
  it('derives its deck (statements, lists, contrasts, reading text only where nothing fits); zero overflow for all 28 offices', async () => {
    const dir = await makeProject({ offices: [] })
    try {
      await import('node:fs/promises').then(({ cp }) => cp(path.join(REPO, 'content/offices'), path.join(dir, 'content/offices'), { recursive: true }))
      const essay = (await readFile(path.join(REPO, 'content/essays/ortug-kpu-jabar.md'), 'utf8')).replace('title: "Ortug', 'title: "Turunan')
      await writeFile(path.join(dir, 'content/essays/esai-baru.md'), essay)
      const result = await runCli(['check', '--essay', 'esai-baru'], dir)
      expect(result.stderr).not.toContain('overflows')
      expect(result.code).toBe(0)
      expect(result.stderr).toContain('28 office(s), 28 deck(s) checked')
    } finally {
      await removeProject(dir)
    }
  })
})

describe('overflow measurement', () => {
  let browser: LaunchedBrowser
  let theme: Theme
  let marp: MarpWorker
  beforeAll(async () => {
    marp = startMarpWorker()
    browser = await launchBrowser(await resolveBrowser(), 60_000)
    theme = createTheme(await readFile(path.join(REPO, 'templates/theme/ortug.css'), 'utf8'), await loadFontFaceCss(), sha256)
  })
  afterAll(async () => {
    marp.close()
    await browser.close()
  })

  it('reports the slide that overflows, and not the one that fits', async () => {
    const long = Array.from({ length: 30 }, (_, i) => `- Butir nomor ${i + 1}`).join('\n')
    const markdown = `---\nmarp: true\ntheme: ortug\nsize: "16:9"\n---\n\n# Muat\n\n- Satu butir saja\n\n---\n\n# Tidak muat\n\n${long}\n`
    const page = await browser.browser.newPage()
    const deck = { aspect: '16:9' as const, lang: 'id', label: 'uji', slideTitles: ['Muat', 'Tidak muat'], layouts: ['points', 'points'] }
    await loadIsolated(page, printableHtml(deck, await marp.render(markdown, theme.css)), 'uji', theme.fonts)
    const overflows = await measureOverflow(page, deck)
    await page.close()
    expect(overflows.map((o) => o.slide)).toEqual([2])
    expect(overflows[0]?.pixels).toBeGreaterThan(500)
  })
})

describe('Indonesian sentence splitting', () => {
  it.each([
    [
      'Rapat dipimpin Dr. Siti di Jl. Merdeka No. 7 bersama 1.500 peserta, dll. Semua hadir.',
      ['Rapat dipimpin Dr. Siti di Jl. Merdeka No. 7 bersama 1.500 peserta, dll. Semua hadir.'],
    ],
    ['Ini satu. Ini dua! Apakah tiga? Ya.', ['Ini satu.', 'Ini dua!', 'Apakah tiga?', 'Ya.']],
    ['Gelar S.H. dan M.Si. tidak memutus kalimat. Kalimat baru.', ['Gelar S.H. dan M.Si. tidak memutus kalimat.', 'Kalimat baru.']],
    ['Pasal 1. Ketentuan umum berlaku.', ['Pasal 1.', 'Ketentuan umum berlaku.']],
  ])('%s', (text, expected) => {
    expect(splitSentences(text)).toEqual(expected)
  })
})

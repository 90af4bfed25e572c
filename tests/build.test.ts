import { mkdtemp, readdir, readFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { htmlNotes, type PdfFacts, REPO, readPdf, removeProject, runCli, seedParagraphs } from './helpers.ts'

// The foundation end to end: the shipped content, every office, the real browser.

const OFFICES = (await readdir(path.join(REPO, 'content', 'offices')))
  .filter((f) => !f.startsWith('_') && f.endsWith('.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''))

describe('ortug build of the shipped content', () => {
  let out: string
  let result: Awaited<ReturnType<typeof runCli>>
  const pdfs = new Map<string, PdfFacts>()

  beforeAll(async () => {
    out = await mkdtemp(path.join(os.tmpdir(), 'ortug-dist-'))
    result = await runCli(['build', '--out', out], REPO)
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
      for (const paragraph of paragraphs) expect(notes, office).toContain(paragraph)
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
})

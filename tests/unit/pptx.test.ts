import { XMLValidator } from 'fast-xml-parser'
import { beforeAll, describe, expect, it } from 'vitest'
import { planDeck } from '../../src/plan/plan.ts'
import { notesText } from '../../src/render/markdown.ts'
import { loadPptxFonts, loadPptxImages } from '../../src/render/pptx/assets.ts'
import { MASTERS } from '../../src/render/pptx/layouts.ts'
import { BLANK_LAYOUT, renderPptx } from '../../src/render/pptx/package.ts'
import { NEUTRALS } from '../../src/render/pptx/shapes.ts'
import { measureHeight } from '../../src/render/pptx/text-fit.ts'
import type { Deck, Essay, Office, Storyboard } from '../../src/shared/types.ts'
import { readPptx } from '../pptx-helpers.ts'
import { makeOffice } from '../unit-helpers.ts'

// The native PowerPoint deck (src/render/pptx/), from a planned deck with every layout, read
// back with an independent unzip and XML parser.

/** A section of one paragraph, as the essay reader makes it. */
function section(id: string, heading: string, text: string): Essay['sections'][number] {
  return { id, heading, line: 1, paragraphs: [text], blocks: [{ kind: 'paragraph', text, line: 1 }] }
}

const ESSAY: Essay = {
  slug: 'uji',
  file: 'uji.md',
  meta: { title: 'Judul Esai Uji', author: 'Penulis Uji', lang: 'id' },
  sections: [
    section('satu', 'Bagian Satu', 'Kalimat pertama bagian satu. Kalimat kedua bagian satu yang lebih panjang sedikit.'),
    section('dua', 'Bagian Dua', 'Integritas bukan sekadar kata. Ia dijalankan setiap hari.'),
  ],
}

const STORYBOARD: Storyboard = {
  derived: false,
  dividers: true,
  slides: [
    { layout: 'title' },
    { layout: 'agenda' },
    { layout: 'points', section: 'satu', title: 'Poin Utama', subtitle: 'Anak judul', points: ['Poin pertama', 'Poin kedua yang panjang'] },
    { layout: 'text', section: 'satu', title: 'Bacaan' },
    {
      layout: 'acronym',
      section: 'satu',
      title: 'Akronim',
      items: [
        { term: 'B', text: 'Berani' },
        { term: 'A', text: 'Adil' },
      ],
    },
    {
      layout: 'contrast',
      section: 'dua',
      title: 'Kontras',
      columns: [
        { title: 'Bukan', points: ['Kata'] },
        { title: 'Melainkan', text: 'Perbuatan sehari-hari' },
      ],
    },
    {
      layout: 'pillars',
      section: 'dua',
      title: 'Pilar',
      columns: [
        { title: 'Satu', text: 'Pertama' },
        { title: 'Dua', text: 'Kedua' },
        { title: 'Tiga', text: 'Ketiga' },
      ],
    },
    {
      layout: 'grid',
      section: 'dua',
      title: 'Kisi',
      items: [{ icon: 'users', text: 'Orang' }, { icon: 'shield-check', text: 'Aman' }, { text: 'Tanpa ikon' }],
    },
    { layout: 'statement', section: 'dua', text: 'Satu kalimat besar.' },
    { layout: 'quote', section: 'dua', quote: 'Integritas dijalankan setiap hari.' },
    { layout: 'question', section: 'dua', question: 'Apa arti integritas bagi Anda?', minutes: 10 },
    { layout: 'closing' },
  ],
}

async function build(office: Office, essay = ESSAY): Promise<{ deck: Deck; bytes: Uint8Array }> {
  const deck = planDeck(essay, STORYBOARD, office)
  const [fonts, images] = await Promise.all([loadPptxFonts(), loadPptxImages(deck)])
  return { deck, bytes: await renderPptx({ deck, fonts, images, date: new Date('2027-01-11T00:00:00Z') }) }
}

const OFFICE = makeOffice({
  colors: { primary: '#1d4e89', accent: '#f2c14e' },
  contact: { email: 'info@example.org', website: 'https://example.org' },
  session: { date: '2027-01-11', venue: 'Aula Uji', trainers: ['Pelatih Satu'] },
})

describe('the PowerPoint deck', () => {
  // The first deck also loads the fonts and compiles resvg's WebAssembly: a cold start, done once.
  beforeAll(() => build(OFFICE), 120_000)

  it('has one slide per planned slide, each on its named layout of one master', async () => {
    const { deck, bytes } = await build(OFFICE)
    const pptx = readPptx(bytes)
    expect(pptx.slides).toHaveLength(deck.slides.length)
    expect(pptx.masters).toBe(1)
    expect(pptx.layoutNames.sort()).toEqual([...Object.values(MASTERS), BLANK_LAYOUT].sort())
    const expected = { title: MASTERS.title, closing: MASTERS.closing, section: MASTERS.divider, question: MASTERS.discussion }
    deck.slides.forEach((slide, i) => {
      expect(pptx.slides[i]?.layoutName).toBe(expected[slide.layout as keyof typeof expected] ?? MASTERS.content)
    })
    expect(new Set(deck.slides.map((s) => s.layout)).size).toBe(13)
  })

  it('writes each slide’s planned fields as its text, with the footer on content slides', async () => {
    const { deck, bytes } = await build(OFFICE)
    const pptx = readPptx(bytes)
    deck.slides.forEach((slide, i) => {
      const texts = pptx.slides[i]?.texts ?? []
      const planned = plannedTexts(slide.fields)
      for (const text of planned) expect(texts.join('\n'), `slide ${i + 1} (${slide.layout})`).toContain(text)
    })
    const title = pptx.slides[0]?.texts ?? []
    expect(title).toEqual(
      expect.arrayContaining(['Judul Esai Uji', 'Penulis Uji', 'KPU Kota Uji', 'Senin, 11 Januari 2027 · Aula Uji', 'Pemateri: Pelatih Satu']),
    )
    expect(pptx.slides[2]?.texts).toContain('KPU Kota Uji · Bagian Satu')
    expect(pptx.slides.at(-1)?.texts).toEqual(expect.arrayContaining(['info@example.org', 'https://example.org']))
  })

  it('carries the HTML deck’s notes, sentence for sentence', async () => {
    const { deck, bytes } = await build(OFFICE)
    const pptx = readPptx(bytes)
    deck.slides.forEach((slide, i) => {
      expect(pptx.slides[i]?.notes.split('\n').filter(Boolean)).toEqual(notesText(slide, i, deck.slides.length).split('\n').filter(Boolean))
    })
    expect(pptx.slides.map((s) => s.notes).join(' ')).toContain('Kalimat kedua bagian satu yang lebih panjang sedikit.')
  })

  it('uses only the office’s two colours and the theme’s neutrals', async () => {
    const pptx = readPptx((await build(OFFICE)).bytes)
    expect([...pptx.colors].sort()).toEqual(expect.arrayContaining(['1D4E89', 'F2C14E']))
    for (const color of pptx.colors) expect(['1D4E89', 'F2C14E', ...Object.values(NEUTRALS)]).toContain(color)
  })

  it('is 13.333 × 7.5 in for 16:9 and 10 × 7.5 in for 4:3', async () => {
    const wide = readPptx((await build(OFFICE)).bytes).size
    const narrow = readPptx((await build(makeOffice({ aspect: '4:3' }))).bytes).size
    expect([wide.w, wide.h, narrow.w, narrow.h].map((inches) => inches.toFixed(2))).toEqual(['13.33', '7.50', '10.00', '7.50'])
  })

  it('states title, author, subject and language in its properties; the same inputs make the same bytes', async () => {
    const first = await build(OFFICE)
    const { core } = readPptx(first.bytes)
    expect(core).toMatchObject({
      'dc:title': 'Judul Esai Uji',
      'dc:creator': 'Penulis Uji',
      'dc:subject': 'Judul Esai Uji — KPU Kota Uji',
      'dc:language': 'id',
    })
    expect(core['dcterms:created']).toBe('2027-01-11T00:00:00Z')
    expect(Buffer.from((await build(OFFICE)).bytes).equals(Buffer.from(first.bytes))).toBe(true)
  })

  it('has the logo, the QR code and the icons as PNG images; no autofit anywhere', async () => {
    const pptx = readPptx((await build(OFFICE)).bytes)
    const media = [...pptx.files.keys()].filter((f) => f.startsWith('ppt/media/'))
    expect(media.length).toBeGreaterThanOrEqual(3)
    for (const file of media) expect(file).toMatch(/\.png$/)
    for (const slide of pptx.slides) for (const box of slide.boxes) expect(box.autofit, `${slide.file} ${box.name}`).toBe(false)
  })

  it('sizes every text box to hold its text at Calibri’s widths (Carlito)', async () => {
    const fonts = await loadPptxFonts()
    const long = 'Kalimat yang sangat panjang sekali untuk menguji pembungkusan baris pada kotak teks PowerPoint. '.repeat(3)
    const essay: Essay = { ...ESSAY, sections: ESSAY.sections.map((s) => section(s.id, s.heading, long)) }
    for (const aspect of ['16:9', '4:3'] as const) {
      // A long office name too: the footer (office · part) stays on its line in smaller type.
      const name = 'KPU Kabupaten Contoh dengan Nama yang Sangat Panjang Sekali untuk Kaki Slide'
      const pptx = readPptx((await build(makeOffice({ aspect, name }), essay)).bytes)
      for (const slide of pptx.slides) {
        for (const box of slide.boxes) {
          const size = box.paragraphs[0]?.runs[0]?.size ?? 18
          const bold = box.paragraphs.every((p) => p.runs.every((r) => r.bold))
          const list = box.paragraphs.some((p) => p.bullet) ? ('bullet' as const) : undefined
          const spec = {
            paragraphs: box.paragraphs.map((p) => p.runs.map((r) => ({ text: r.text, bold: r.bold }))),
            size,
            min: size,
            bold,
            list,
            color: '000000',
            lineSpacing: box.paragraphs[0]?.lineSpacing,
            paragraphGap: (box.paragraphs[0]?.spaceAfter ?? 0) / size,
          }
          expect(measureHeight(spec, box.w, size, fonts), `${aspect} ${slide.file} ${box.name}`).toBeLessThanOrEqual(box.h + 1e-6)
          expect(box.x + box.w, `${aspect} ${slide.file} ${box.name}`).toBeLessThanOrEqual(pptx.size.w)
          expect(box.y + box.h, `${aspect} ${slide.file} ${box.name}`).toBeLessThanOrEqual(pptx.size.h)
        }
      }
    }
  })
})

describe('hostile text stays text in the PowerPoint deck', () => {
  const hostile = 'KPU <script>alert(1)</script> & "Uji" \'x\' ]]> &amp; {{title}} <a:t>x</a:t>'
  it('escapes office and essay strings: well-formed XML, the same text read back, no relationship or link added', async () => {
    const office = makeOffice({ name: hostile, session: { venue: '<p:sp/>', trainers: ['<Relationship Target="http://example.com" TargetMode="External"/>'] } })
    const essay: Essay = {
      ...ESSAY,
      meta: { ...ESSAY.meta, title: `Judul ${hostile}`, subtitle: 'Anak\u0007judul\u0000', author: '</dc:creator><dc:creator>x' },
    }
    const pptx = readPptx((await build(office, essay)).bytes)
    expect(pptx.slides[0]?.texts).toEqual(
      expect.arrayContaining([`Judul ${hostile}`, hostile, 'Pemateri: <Relationship Target="http://example.com" TargetMode="External"/>']),
    )
    expect(pptx.core['dc:creator']).toBe('</dc:creator><dc:creator>x')
    const app = new TextDecoder().decode(pptx.files.get('docProps/app.xml'))
    expect(app).toContain(
      '<Company>KPU &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Uji&quot; &apos;x&apos; ]]&gt; &amp;amp; {{title}} &lt;a:t&gt;x&lt;/a:t&gt;</Company>',
    )
    // A character XML cannot hold (content checks refuse them) is dropped, never written.
    expect(pptx.slides[0]?.texts).toContain('Anakjudul')
    expect(pptx.slides[2]?.texts).toContain(`${hostile} · Bagian Satu`)
    for (const [name, data] of pptx.files) {
      const text = new TextDecoder().decode(data)
      if (/\.(xml|rels)$/.test(name)) expect(XMLValidator.validate(text), name).toBe(true)
      if (name.endsWith('.rels')) expect(text, name).not.toMatch(/TargetMode="External"|http:\/\/example\.com|hyperlink|vbaProject/)
      expect(name).not.toMatch(/vbaProject|activeX|embeddings/)
    }
  })
})

/** The strings a slide's fields put on it (continuation marks and quote marks included). */
function plannedTexts(fields: Record<string, unknown>): string[] {
  const texts: string[] = []
  for (const key of ['title', 'subtitle', 'quote', 'question', 'text']) if (typeof fields[key] === 'string' && fields[key]) texts.push(fields[key] as string)
  for (const point of (fields.points ?? []) as string[]) texts.push(point)
  for (const item of (fields.items ?? []) as { term?: string; text?: string }[]) {
    if (item.term) texts.push(item.term)
    if (item.text) texts.push(item.text)
  }
  for (const column of (fields.columns ?? []) as { title: string; text?: string | null; points?: string[] | null }[]) {
    texts.push(column.title)
    if (column.text) texts.push(column.text)
    for (const point of column.points ?? []) texts.push(point)
  }
  return texts
}

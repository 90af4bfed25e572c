import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type HandoutInput, handoutHtml, LEFT_OUT_OF_HANDOUT, renderHandout, toHandoutSlide } from '../../src/browser/handout.ts'
import { type LaunchedBrowser, launchBrowser, resolveBrowser } from '../../src/browser/launch.ts'
import { parseEssay } from '../../src/content/essay.ts'
import { readText } from '../../src/content/project.ts'
import { parseStoryboard } from '../../src/content/storyboard.ts'
import { loadProject } from '../../src/pipeline/project.ts'
import { planDeck } from '../../src/plan/plan.ts'
import { splitSentences } from '../../src/plan/text.ts'
import { compileDeckTemplates, formatDateIndonesian } from '../../src/render/markdown.ts'
import { type MarpWorker, startMarpWorker } from '../../src/render/marp.ts'
import { loadFontFaceCss } from '../../src/render/theme.ts'
import { OrtugError } from '../../src/shared/error.ts'
import { HANDOUT_LAYOUTS, PAPERS } from '../../src/shared/schema.ts'
import type { Essay, Office, Storyboard } from '../../src/shared/types.ts'
import { FIXTURES, inThemeFontsOnly, type PdfFacts, REPO, readPdf } from '../helpers.ts'

// Handouts of the shipped essay for one office, every layout on both papers, in one real browser.

const TEMPLATE_FILE = path.join(REPO, 'templates', 'handout.hbs')
const LONG_NOTES = path.join(FIXTURES, 'handout-long-notes')
const PAGE_POINTS = { A4: { width: 595.28, height: 841.89 }, F4: { width: 609.45, height: 935.43 } }
const PER_PAGE = { 'three-up': 3, 'six-up': 6 } as const
/**
 * Issue 13: the shipped 18-slide deck on A4 (F4 is longer paper, so at most as many). Issue 23 set
 * the reading text in 10.5 pt on a 124 mm column (it was 9.5 pt on 180 mm): six-up takes a page more.
 */
const MAX_PAGES = { 'three-up': 7, 'six-up': 5 } as const
const DATE = new Date('2027-01-04T03:00:00Z')
const SESSION = { date: formatDateIndonesian('2027-01-11'), venue: 'Aula Utama', trainers: ['Pelatih Satu', 'Pelatih Dua'] }
const HOSTILE = '<script>alert(1)</script> & "x"'

const collapse = (text: string) => text.replace(/\s+/g, ' ').trim()

let browser: LaunchedBrowser
let out: string
let shipped: HandoutInput
let paragraphs: string[]
let long: HandoutInput
let compile: (essay: Essay, storyboard: Storyboard, officeChanges?: Partial<Office>) => Promise<HandoutInput>
let trainer: HandoutInput
let cues: string[]
let marp: MarpWorker

beforeAll(async () => {
  const project = await loadProject(REPO, { offices: ['kota-bandung'] })
  const { office, templates } = project.offices[0] ?? expect.unreachable('kota-bandung did not load')
  const renderMarkdown = compileDeckTemplates(templates)
  const themeCss = await readText(project.themeFile)
  const fontCss = await loadFontFaceCss()
  const template = { file: TEMPLATE_FILE, text: await readFile(TEMPLATE_FILE, 'utf8') }
  marp = startMarpWorker()
  compile = async (essay, storyboard, officeChanges = {}) => {
    const deck = planDeck(essay, storyboard, { ...office, ...officeChanges })
    return {
      rendered: await marp.render(renderMarkdown(deck), themeCss),
      fontCss,
      template,
      aspect: office.aspect,
      lang: essay.meta.lang,
      layout: 'three-up',
      paper: 'A4',
      office: { name: office.name },
      essay: { title: essay.meta.title, author: essay.meta.author },
      slides: deck.slides.map(toHandoutSlide),
      reading: essay.sections.map((section) => ({ heading: section.heading, paragraphs: section.paragraphs })),
      date: DATE,
    }
  }
  const { essay, storyboard } = project.essays[0] ?? expect.unreachable('the shipped essay did not load')
  shipped = { ...(await compile(essay, storyboard)), session: SESSION }
  paragraphs = essay.sections.flatMap((s) => s.paragraphs)
  // The storyboard's notes are the trainer's cues.
  cues = storyboard.slides.flatMap((slide) => (slide.notes ? [slide.notes] : []))
  const session = { ...office.session, start: '08:00' }
  trainer = { ...(await compile(essay, storyboard, { session })), session: SESSION, layout: 'trainer' }

  const longFile = path.join(LONG_NOTES, 'catatan-panjang.md')
  const longEssay = parseEssay(await readText(longFile), 'catatan-panjang', longFile)
  const longStoryboardFile = path.join(LONG_NOTES, 'catatan-panjang.deck.yaml')
  long = { ...(await compile(longEssay, parseStoryboard(await readText(longStoryboardFile), longStoryboardFile, longEssay))), layout: 'notes' }

  out = await mkdtemp(path.join(os.tmpdir(), 'ortug-handout-'))
  browser = await launchBrowser(await resolveBrowser(), 120_000)
})

afterAll(async () => {
  marp?.close()
  await browser?.close()
  if (out) await rm(out, { recursive: true, force: true })
})

/** The slides a handout prints, with their deck numbers. */
/** The heading a slide shows for its outline entry: "Diskusi 1: question" shows "Diskusi 1", "Kutipan: words …" the quote. */
function shownTitle(title: string): string {
  return title.startsWith('Diskusi ') ? (title.split(': ')[0] ?? '') : title.replace(/^Kutipan: /, '').replace(/ …$/, '')
}

function printedSlides(input: HandoutInput) {
  return input.slides
    .map((slide, index) => ({ ...slide, number: index + 1 }))
    .filter((slide) => input.layout === 'trainer' || !LEFT_OUT_OF_HANDOUT.has(slide.layout ?? '') || (input.layout === 'notes' && slide.notes.length > 0))
}

async function render(input: HandoutInput, name: string): Promise<PdfFacts> {
  const file = path.join(out, `${name}.pdf`)
  await writeFile(file, await renderHandout(browser.browser, input))
  return readPdf(file)
}

/** The text between each page's header and footer, checking both are there. */
function pageBodies(pdf: PdfFacts, input: HandoutInput): string[] {
  return pdf.text.map((text, index) => {
    const header = collapse(`${input.office.name} ${input.essay.title}`)
    const footer = collapse(`${input.session?.date ?? ''} ${index + 1} / ${pdf.pages}`)
    expect(text.startsWith(header), `page ${index + 1} header`).toBe(true)
    expect(text.endsWith(footer), `page ${index + 1} footer`).toBe(true)
    return text
      .slice(header.length, text.length - footer.length)
      .replace(/^ ?(Slide \d+|Bacaan) \(lanjutan\)/, '')
      .replace(/ CATATAN ?$/, '')
      .trim()
  })
}

function catchError(run: () => unknown): OrtugError {
  try {
    run()
  } catch (error) {
    if (error instanceof OrtugError) return error
    throw error
  }
  return expect.unreachable('no error was thrown')
}

/** Each part occurs in text after the previous one; a line broken after a hyphen extracts as "- ". */
function expectInOrder(text: string, parts: readonly string[]): void {
  const normalize = (value: string) => collapse(value).replace(/- /g, '-')
  const haystack = normalize(text)
  let from = 0
  for (const part of parts.map(normalize)) {
    const at = haystack.indexOf(part, from)
    expect(at, `"${part.slice(0, 60)}…" in order`).toBeGreaterThanOrEqual(0)
    from = at + part.length
  }
}

/** The handouts for participants: the essay, never the trainer's cues. */
const PARTICIPANT_LAYOUTS = HANDOUT_LAYOUTS.filter((layout) => layout !== 'trainer')

describe.each(PARTICIPANT_LAYOUTS.flatMap((layout) => PAPERS.map((paper) => ({ layout, paper }))))('$layout handout on $paper', ({ layout, paper }) => {
  let pdf: PdfFacts
  let input: HandoutInput
  beforeAll(async () => {
    input = { ...shipped, layout, paper }
    pdf = await render(input, `${layout}-${paper}`)
  })

  it("has the paper size, the page count, embedded fonts, metadata and the deck's date", () => {
    for (const size of pdf.sizes) {
      expect(Math.abs(size.width - PAGE_POINTS[paper].width)).toBeLessThanOrEqual(1)
      expect(Math.abs(size.height - PAGE_POINTS[paper].height)).toBeLessThanOrEqual(1)
    }
    const printed = printedSlides(input).length
    // Notes: the first page holds the cover block and the first slide.
    if (layout === 'notes') expect(pdf.pages).toBeGreaterThanOrEqual(printed)
    else {
      expect(shipped.slides).toHaveLength(18)
      expect(pdf.pages).toBeGreaterThanOrEqual(1 + Math.ceil(printed / PER_PAGE[layout]))
      expect(pdf.pages).toBeLessThanOrEqual(MAX_PAGES[layout])
    }
    expect(pdf.pages).toBeGreaterThanOrEqual(handoutHtml(input).pages)
    expect(pdf.fontsEmbedded).toBe(true)
    expect(inThemeFontsOnly(pdf), String(pdf.fontNames)).toBe(true)
    expect(pdf.info.Title).toBe(shipped.essay.title)
    expect(pdf.info.Subject).toBe(shipped.office.name)
    expect(pdf.info.CreationDate).toBe('D:20270104030000Z')
    expect(pdf.info.ModDate).toBe('D:20270104030000Z')
    expect(pdf.outline).toBe(pdf.pages)
  })

  it('has a header and a numbered, dated footer on every page, and the cover block and agenda on the first page', () => {
    const bodies = pageBodies(pdf, input)
    for (const part of [shipped.essay.title, shipped.essay.author, shipped.office.name, SESSION.date, SESSION.venue, 'Pelatih Satu, Pelatih Dua']) {
      expect(bodies[0]).toContain(part)
    }
    const agenda = shipped.slides.flatMap((slide) => (slide.layout === 'agenda' ? (slide.items ?? []) : []))
    expect(agenda.length).toBeGreaterThan(0)
    expectInOrder(bodies[0] as string, ['AGENDA', ...agenda.map((item) => item.term)])
  })

  it('prints the slides as text on the last pages, and leaves out the title, agenda and closing slides', () => {
    const printed = printedSlides(input)
    const left = shipped.slides.filter((slide) => !printed.some((p) => p.title === slide.title))
    // The notes layout keeps a slide that carries essay text in its notes (the agenda may).
    expect(left.map((slide) => slide.layout)).toEqual(expect.arrayContaining(layout === 'notes' ? ['title', 'closing'] : ['title', 'agenda', 'closing']))
    const perPage = layout === 'notes' ? 1 : PER_PAGE[layout]
    const firstSlidePage = pdf.pages - Math.ceil(printed.length / perPage)
    printed.forEach((slide, index) => {
      const page = layout === 'notes' ? undefined : pdf.text[firstSlidePage + Math.floor(index / perPage)]
      // The outline entry of a discussion ("Diskusi 1: question") shows as its heading, that of a quote as the quote.
      const shown = shownTitle(slide.title)
      expect(page ?? pdf.text.join(' '), `slide ${slide.number}`).toContain(collapse(`Slide ${slide.number}`))
      expect(page ?? pdf.text.join(' '), `slide ${slide.number}`).toContain(collapse(shown))
    })
    const closing = shipped.slides.find((slide) => slide.layout === 'closing') ?? expect.unreachable('no closing slide')
    expect(pdf.text.join(' ')).not.toContain(collapse(closing.title))
  })

  it('prints every essay sentence once and in order, ragged right', () => {
    const text = pageBodies(pdf, input).join(' ')
    // The reading text keeps whole paragraphs; the notes layout prints each sentence with the slide that says it.
    expectInOrder(text, layout === 'notes' ? paragraphs.flatMap((p) => splitSentences(p)) : paragraphs)
    const first = splitSentences(paragraphs[0] as string)[0] as string
    expect(text.split(collapse(first).slice(0, 60))).toHaveLength(2)
    expect(handoutHtml(input).html).not.toMatch(/text-align(-last)?:\s*justify/)
    if (layout === 'notes') {
      const questions = shipped.slides.flatMap((s) => (s.question ? [s.question] : []))
      expect(questions.length).toBeGreaterThan(0)
      expectInOrder(text, questions)
    } else expect(pdf.text[0]).toContain('BACAAN')
  })

  it("prints none of the trainer's cues (the storyboard's notes), and says it is the participants'", () => {
    const text = collapse(pdf.text.join(' '))
    expect(cues.length).toBeGreaterThan(3)
    for (const cue of cues) expect(text, cue).not.toContain(collapse(cue).slice(0, 50))
    expect(pdf.text[0]).toContain('BAHAN PESERTA')
  })
})

describe('the trainer handout', () => {
  let pdf: PdfFacts
  beforeAll(async () => {
    pdf = await render(trainer, 'trainer')
  })

  it('prints every slide with its cue, its essay text, its minutes and its clock time, in order', () => {
    expect(pdf.text[0]).toContain('BAHAN PELATIH')
    expect(pdf.text[0]).not.toContain('Nama peserta')
    const text = pageBodies(pdf, trainer).join(' ')
    const parts = trainer.slides.flatMap((slide, index) => [
      `Slide ${index + 1}${slide.minutes ? ` · ${slide.minutes} menit` : ''}${slide.clock ? ` · pukul ${slide.clock}` : ''}`,
      ...(slide.cue ? [slide.cue] : []),
      ...slide.notes,
    ])
    expect(trainer.slides.slice(0, 2).map((slide) => slide.clock)).toEqual(['08.00', '08.00–08.02'])
    expect(cues.length).toBeGreaterThan(3)
    expectInOrder(text, parts)
    expect(pdf.outline).toBe(pdf.pages)
  })
})

describe('a reading text longer than the first page', () => {
  it('continues on the next pages before the slides, without losing a word', async () => {
    const input: HandoutInput = { ...long, layout: 'six-up' }
    const pdf = await render(input, 'long-reading')
    const text = pageBodies(pdf, input).join(' ')
    expectInOrder(
      text,
      input.reading.flatMap((section) => section.paragraphs),
    )
    expect(pdf.text[1]).toContain('Bacaan (lanjutan)')
    expect(pdf.text.at(-1)).toContain(collapse(shownTitle(printedSlides(input).at(-1)?.title ?? '')))
  })
})

describe('a part of the reading text whose first paragraph is longer than a page', () => {
  const words = ['integritas', 'loyalitas', 'netralitas', 'pelayanan', 'publik', 'kepercayaan', 'lembaga']
  const paragraph = (count: number, seed: number) =>
    `${Array.from({ length: count }, (_, i) => `${words[(i * 3 + seed) % words.length]}${i % 11 === 10 ? ',' : ''}`).join(' ')}.`
  it.each(['three-up', 'six-up'] as const)('%s: the paragraph runs on over the next pages, its heading beside its start', async (layout) => {
    const reading = [
      { heading: 'Besar', paragraphs: [paragraph(900, 1)] },
      { heading: 'Kedua', paragraphs: [paragraph(120, 2), paragraph(400, 3)] },
    ]
    const input: HandoutInput = { ...long, layout, reading }
    const pdf = await render(input, `long-paragraph-${layout}`)
    expectInOrder(
      pageBodies(pdf, input).join(' '),
      reading.flatMap((section) => section.paragraphs),
    )
    // The first page holds the heading and the paragraph's first words, not a gap.
    expect(collapse(pdf.text[0] ?? '')).toContain(`Besar ${reading[0]?.paragraphs[0]?.split(' ').slice(0, 20).join(' ')}`)
    expect(pdf.text.filter((text) => text.includes('Bacaan (lanjutan)')).length).toBeGreaterThanOrEqual(2)
  })
})

describe('notes that do not fit one page', () => {
  it('continue on the next pages without the slide and without losing a word', async () => {
    const notes = long.slides.flatMap((s) => s.notes)
    expect(notes.join(' ').split(/\s+/).length).toBeGreaterThan(1400)
    const pdf = await render(long, 'long-notes')
    // The title and closing slides are left out: the cover with slide 2, its continuations, slide 3.
    expect(printedSlides(long).map((slide) => slide.number)).toEqual([2, 3])
    expect(pdf.pages).toBeGreaterThan(2)
    const continued = pdf.text.flatMap((text, index) => (text.includes('Slide 2 (lanjutan)') ? [index] : []))
    expect(continued.length).toBeGreaterThanOrEqual(1)
    expect(continued[0]).toBe(1)
    expect(pdf.text[0]).toContain('Catatan Panjang')
    // The slide itself (its points) is printed once.
    expect(pdf.text.join(' ').split('Catatan sekitar 1500 kata')).toHaveLength(2)
    expectInOrder(pageBodies(pdf, long).join(' '), notes)
  })
})

describe('office text is data', () => {
  it('shows a hostile office name literally in every header', async () => {
    const input: HandoutInput = { ...shipped, office: { name: HOSTILE }, session: { ...SESSION, trainers: [HOSTILE] } }
    const { html } = handoutHtml(input)
    expect(html).not.toContain('<script>alert(1)')
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;')
    const pdf = await render(input, 'hostile')
    for (const text of pdf.text) expect(text.startsWith(HOSTILE)).toBe(true)
    pageBodies(pdf, input)
  })

  it('refuses a template that prints a value unescaped, naming the file and line', () => {
    const template = { file: 'templates/offices/x/handout.hbs', text: '<html>\n<body>{{{office.name}}}</body></html>' }
    const error = catchError(() => handoutHtml({ ...shipped, template }))
    expect(error.message).toMatch(/may not use "\{\{\{ \}\}\}"/)
    expect(error.location).toEqual({ file: template.file, line: 2, column: 7 })
  })

  it('reports a field the template reads but the handout does not have', () => {
    const template = { file: 'templates/offices/x/handout.hbs', text: '<p>{{office.phone}}</p>' }
    expect(() => handoutHtml({ ...shipped, template })).toThrow(/template templates\/offices\/x\/handout\.hbs failed for .*"phone" not defined/)
  })

  it('refuses slides that do not match the Markdown', () => {
    expect(() => handoutHtml({ ...shipped, slides: shipped.slides.slice(1) })).toThrow(/the Markdown has \d+ slides but \d+ slides were planned/)
  })
})

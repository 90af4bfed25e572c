import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LaunchedBrowser, launchBrowser, resolveBrowser } from '../src/browser.ts'
import { loadProject, readText } from '../src/content.ts'
import { OrtugError } from '../src/error.ts'
import { parseEssay } from '../src/essay.ts'
import { type HandoutInput, handoutHtml, renderHandout } from '../src/handout.ts'
import { compileDeckTemplates, formatDateIndonesian } from '../src/markdown.ts'
import { type MarpWorker, startMarpWorker } from '../src/marp.ts'
import { planDeck } from '../src/plan.ts'
import { HANDOUT_LAYOUTS, PAPERS } from '../src/schema.ts'
import { parseStoryboard } from '../src/storyboard.ts'
import { splitSentences } from '../src/text.ts'
import { loadFontFaceCss } from '../src/theme.ts'
import type { Deck, Essay, Storyboard } from '../src/types.ts'
import { FIXTURES, type PdfFacts, REPO, readPdf } from './helpers.ts'

// Handouts of the shipped essay for one office, every layout on both papers, in one real browser.

const TEMPLATE_FILE = path.join(REPO, 'templates', 'handout.hbs')
const LONG_NOTES = path.join(FIXTURES, 'handout-long-notes')
const PAGE_POINTS = { A4: { width: 595.28, height: 841.89 }, F4: { width: 609.45, height: 935.43 } }
const PER_PAGE = { 'three-up': 3, 'six-up': 6 } as const
const SESSION = { date: formatDateIndonesian('2027-01-11'), venue: 'Aula Utama', trainers: ['Pelatih Satu', 'Pelatih Dua'] }
const HOSTILE = '<script>alert(1)</script> & "x"'

const collapse = (text: string) => text.replace(/\s+/g, ' ').trim()

let browser: LaunchedBrowser
let out: string
let shipped: HandoutInput
let paragraphs: string[]
let long: HandoutInput
let compile: (essay: Essay, storyboard: Storyboard) => Promise<HandoutInput>
let marp: MarpWorker

beforeAll(async () => {
  const project = await loadProject(REPO, { offices: ['kota-bandung'] })
  const { office, templates } = project.offices[0] ?? expect.unreachable('kota-bandung did not load')
  const renderMarkdown = compileDeckTemplates(templates)
  const themeCss = await readText(project.themeFile)
  const fontCss = await loadFontFaceCss()
  const template = { file: TEMPLATE_FILE, text: await readFile(TEMPLATE_FILE, 'utf8') }
  marp = startMarpWorker()
  compile = async (essay, storyboard) => {
    const deck = planDeck(essay, storyboard, office)
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
      slides: handoutSlides(deck),
    }
  }
  const { essay, storyboard } = project.essays[0] ?? expect.unreachable('the shipped essay did not load')
  shipped = { ...(await compile(essay, storyboard)), session: SESSION }
  paragraphs = essay.sections.flatMap((s) => s.paragraphs)

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

/** What the integrator passes per slide: title, the notes, and a question slide's question. */
function handoutSlides(deck: Deck): HandoutInput['slides'] {
  return deck.slides.map((slide) => ({
    title: slide.title,
    notes: slide.notes,
    question: typeof slide.fields.question === 'string' ? slide.fields.question : undefined,
    minutes: slide.minutes,
  }))
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
      .replace(/^ ?Slide \d+ \(lanjutan\)/, '')
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

describe.each(HANDOUT_LAYOUTS.flatMap((layout) => PAPERS.map((paper) => ({ layout, paper }))))('$layout handout on $paper', ({ layout, paper }) => {
  let pdf: PdfFacts
  let input: HandoutInput
  beforeAll(async () => {
    input = { ...shipped, layout, paper }
    pdf = await render(input, `${layout}-${paper}`)
  })

  it('has the paper size, the page count, embedded fonts and metadata', () => {
    for (const size of pdf.sizes) {
      expect(Math.abs(size.width - PAGE_POINTS[paper].width)).toBeLessThanOrEqual(1)
      expect(Math.abs(size.height - PAGE_POINTS[paper].height)).toBeLessThanOrEqual(1)
    }
    const slides = shipped.slides.length
    if (layout === 'notes') expect(pdf.pages).toBeGreaterThanOrEqual(1 + slides)
    else {
      expect(pdf.pages).toBe(1 + Math.ceil(slides / PER_PAGE[layout]))
      expect(handoutHtml(input).pages).toBe(pdf.pages)
    }
    expect(pdf.fontsEmbedded).toBe(true)
    expect(pdf.info.Title).toBe(shipped.essay.title)
    expect(pdf.info.Subject).toBe(shipped.office.name)
    expect(pdf.outline).toBe(pdf.pages)
  })

  it('has a header and a numbered, dated footer on every page, and a cover', () => {
    const bodies = pageBodies(pdf, input)
    for (const part of [shipped.essay.title, shipped.essay.author, shipped.office.name, SESSION.date, SESSION.venue, 'Pelatih Satu, Pelatih Dua']) {
      expect(bodies[0]).toContain(part)
    }
  })

  it('keeps the slides as text, each on its page', () => {
    const perPage = layout === 'notes' ? 1 : PER_PAGE[layout]
    shipped.slides.forEach((slide, index) => {
      const page = layout === 'notes' ? undefined : pdf.text[1 + Math.floor(index / perPage)]
      // The outline entry of a discussion ("Diskusi 1: question") shows as its heading, that of a quote as the quote.
      const shown = slide.question ? (slide.title.split(': ')[0] ?? '') : slide.title.replace(/^Kutipan: /, '').replace(/ …$/, '')
      expect(page ?? pdf.text.join(' '), `slide ${index + 1}`).toContain(collapse(shown))
    })
  })

  if (layout === 'notes') {
    it('prints every essay paragraph and discussion question in order', () => {
      const text = pageBodies(pdf, input).join(' ')
      // Each sentence is printed with the slide that says it.
      expectInOrder(
        text,
        paragraphs.flatMap((p) => splitSentences(p)),
      )
      const questions = shipped.slides.flatMap((s) => (s.question ? [s.question] : []))
      expect(questions.length).toBeGreaterThan(0)
      expectInOrder(text, questions)
    })
  }
})

describe('notes that do not fit one page', () => {
  it('continue on the next pages without the slide and without losing a word', async () => {
    const notes = long.slides.flatMap((s) => s.notes)
    expect(notes.join(' ').split(/\s+/).length).toBeGreaterThan(1400)
    const pdf = await render(long, 'long-notes')
    expect(pdf.pages).toBeGreaterThan(1 + long.slides.length)
    const continued = pdf.text.flatMap((text, index) => (text.includes('Slide 2 (lanjutan)') ? [index] : []))
    expect(continued.length).toBeGreaterThanOrEqual(1)
    expect(continued[0]).toBe(3)
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

import Handlebars from 'handlebars'
import type { Browser, Page } from 'puppeteer-core'
import { z } from 'zod'
import { formatMinutes } from '../plan/plan.ts'
import type { MarpRender } from '../render/marp.ts'
import { fail } from '../shared/error.ts'
import { profiler } from '../shared/profile.ts'
import type { Aspect, HandoutLayout, Paper, Slide, TemplateSource } from '../shared/types.ts'
import { Pagination, paginateScript } from './handout-paginate.ts'
import { fillTemplate } from './handout-template.ts'
import { loadIsolated, SLIDE_SIZES, splitSlides } from './page.ts'

// The handout PDF: the deck's slides as Marp inline SVG (vector, text kept) placed on A4 or F4
// pages by a Handlebars template (templates/handout.hbs), printed in the build's browser.
// Paper is spent on what a participant reads: the first page holds the cover block, the agenda
// and (three-up, six-up) the essay's reading text; the slides follow. Participants read the
// essay, never the trainer's cues (a storyboard's `notes:`); the trainer layout ("Bahan pelatih")
// prints every slide with its cue, the essay text it carries, its minutes and its planned time.

/** Portrait paper, in millimetres. F4 is the Indonesian folio. */
export const PAPER_SIZES = {
  A4: { width: 210, height: 297 },
  F4: { width: 215, height: 330 },
} as const satisfies Record<Paper, { width: number; height: number }>

export const SLIDES_PER_PAGE = { 'three-up': 3, 'six-up': 6, notes: 1, trainer: 1 } as const satisfies Record<HandoutLayout, number>

/**
 * Slides a handout leaves out: the first page already says what they say (title, office, session,
 * agenda, parts), and the title and closing slides are full of the office's colour, which would
 * cost ink on every copy. Captions keep the deck's slide numbers, so the gaps are visible.
 */
export const LEFT_OUT_OF_HANDOUT: ReadonlySet<string> = new Set(['title', 'agenda', 'section', 'divider', 'closing'])

/** Ruled note lines offered to every note area; the template shows as many as fit. */
const RULED_LINES = 40
const PX_PER_MM = 96 / 25.4

/** An agenda slide's entries as the plan writes them (plan.ts). */
const AgendaItems = z.array(z.object({ term: z.string(), text: z.string().nullish() }))

export interface HandoutSlide {
  title: string
  /** The slide's layout: some are left out of the handout (LEFT_OUT_OF_HANDOUT). */
  layout?: string
  /** An agenda slide's entries, printed as the first page's agenda. */
  items?: { term: string; text?: string | null }[]
  /** The essay's sentences the slide says, verbatim (without the trainer's cue). */
  notes: string[]
  /** The storyboard's cue for the trainer: printed in the trainer layout only. */
  cue?: string
  question?: string
  minutes?: number
  /** Planned time of day, "08.32–08.37", when the session has a start time. */
  clock?: string
}

export interface HandoutInput {
  /** marp-core's render of the deck's Markdown (as written to dist/<office>/<slug>.md) with the theme. */
  rendered: MarpRender
  /** `@font-face` rules given to the handout's page (loadIsolated), outside Marp's CSS processing and the template. */
  fontCss?: string
  /** templates/handout.hbs or an office's override. */
  template: TemplateSource
  aspect: Aspect
  lang: string
  layout: HandoutLayout
  paper: Paper
  office: { name: string }
  essay: { title: string; author: string }
  /** `date` already formatted for reading, e.g. "Senin, 11 Januari 2027". */
  session?: { date?: string; venue?: string; trainers?: string[] }
  /** One entry per Marp slide, same order. */
  slides: HandoutSlide[]
  /** The essay's sections, verbatim: the reading text of the three-up and six-up handouts (notes prints it per slide). */
  reading: { heading: string; paragraphs: string[] }[]
  /** CreationDate and ModDate of the PDF (see resolveSourceDate in pdf.ts). */
  date: Date
}

/** What the handout needs of a planned slide. */
export function toHandoutSlide(slide: Slide): HandoutSlide {
  const items = slide.layout === 'agenda' ? AgendaItems.safeParse(slide.fields.items).data : undefined
  // The plan puts the cue first among the speaker notes (the presenter view shows both).
  const essayNotes = slide.cue && slide.notes[0] === slide.cue ? slide.notes.slice(1) : slide.notes
  return {
    title: slide.title,
    layout: slide.layout,
    items,
    notes: essayNotes,
    cue: slide.cue,
    question: typeof slide.fields.question === 'string' ? slide.fields.question : undefined,
    minutes: slide.minutes,
    clock: slide.clock,
  }
}

/**
 * Fills the handout template. Pure. `pages` is the count of sheets before pagination: the reading
 * text and long notes continue on extra pages that only the browser can measure (renderHandout
 * adds them, then checks the PDF against its own count).
 */
export function handoutHtml(input: HandoutInput): { html: string; pages: number } {
  const what = describeHandout(input)

  // 1. Each slide's <svg> is cut out of the deck's render to be placed on its own.
  const { html, css } = input.rendered
  const svgs = splitSlides(html)
  if (svgs.length !== input.slides.length) {
    fail('CONTENT', `${what}: the Markdown has ${svgs.length} slides but ${input.slides.length} slides were planned; render the handout from the same deck`)
  }

  // 2. Slides onto pages: the first page, then groups of 1, 3 or 6.
  const pages = planPages(input, svgs)
  const agenda = input.slides.flatMap((slide) => (slide.layout === 'agenda' ? (slide.items ?? []) : []))
  const reading = isPerSlide(input.layout) ? [] : input.reading.filter((section) => section.paragraphs.length > 0)

  // 3. The template (handout-template.ts): only Marp's output arrives pre-rendered (SafeString).
  const size = PAPER_SIZES[input.paper]
  const slideSize = SLIDE_SIZES[input.aspect]
  const view = {
    lang: input.lang,
    layout: input.layout,
    layoutIs: {
      threeUp: input.layout === 'three-up',
      sixUp: input.layout === 'six-up',
      notes: input.layout === 'notes',
      trainer: input.layout === 'trainer',
      perSlide: isPerSlide(input.layout),
    },
    paper: { name: input.paper, width: `${size.width}mm`, height: `${size.height}mm` },
    slideSize,
    css: new Handlebars.SafeString(css.replace(/<\/(style)/gi, '<\\/$1')),
    office: { name: input.office.name },
    essay: { title: input.essay.title, author: input.essay.author },
    session: {
      date: input.session?.date || null,
      venue: input.session?.venue || null,
      trainers: input.session?.trainers?.join(', ') || null,
    },
    slideCount: input.slides.length,
    printedCount: input.slides.filter((slide) => isPrinted(slide, input.layout)).length,
    agenda: agenda.map((item) => ({ term: item.term, text: item.text || null })),
    reading: reading.length > 0 ? reading.map((section) => ({ heading: section.heading || null, paragraphs: section.paragraphs })) : null,
    pageCount: pages.length,
    rules: Array.from({ length: RULED_LINES }, () => ''),
    pages,
  }
  return { html: fillTemplate(input.template, view, what), pages: pages.length }
}

/**
 * Prints the handout in the shared browser: opens a page, loads the HTML with every request
 * blocked, lets long notes continue on new pages, numbers the pages, prints, closes the page.
 * The PDF gets title, author, office, language and one bookmark per page.
 */
export async function renderHandout(browser: Browser, input: HandoutInput, reuse?: Page): Promise<Uint8Array> {
  const what = describeHandout(input)
  const endLayout = profiler().start('handout layout', what)
  const { html } = handoutHtml(input)
  const size = PAPER_SIZES[input.paper]
  // A page the caller lends (a build reuses its pages) stays open for the caller.
  const page = reuse ?? (await browser.newPage())
  try {
    // Measure under print rules at the paper's width, so the layout is the one that gets printed.
    await page.emulateMediaType('print')
    await page.setViewport({ width: Math.ceil(size.width * PX_PER_MM), height: Math.ceil(size.height * PX_PER_MM) })
    await loadIsolated(page, html, `${what}: the handout template ${input.template.file}`, input.fontCss)
    const layout = Pagination.parse(await page.evaluate(await paginateScript()))
    if (layout.overflowing.length > 0) {
      fail(
        'CONTENT',
        `${what}: content does not fit on handout page ${layout.overflowing.join(', ')} of ${layout.titles.length} (${input.template.file}); shorten the text or make the template's boxes larger`,
      )
    }
    endLayout()
    await profiler().page('handout', what, { width: `${size.width}mm`, height: `${size.height}mm` }, () => page.content())
    const endPrint = profiler().start('handout print', what)
    const pdf = await page.pdf({
      width: `${size.width}mm`,
      height: `${size.height}mm`,
      margin: { top: 0, right: 0, bottom: 0, left: 0 },
      printBackground: true,
      tagged: true,
    })
    endPrint()
    const { finalizePdf } = await import('./pdf.ts')
    const endFinishing = profiler().start('PDF finishing', what)
    const finished = await finalizePdf(
      pdf,
      {
        title: input.essay.title,
        author: input.essay.author,
        subject: input.office.name,
        lang: input.lang,
        outline: layout.titles,
        expectedPages: layout.titles.length,
        date: input.date,
      },
      `${what}: the handout`,
    )
    endFinishing()
    return finished
  } finally {
    if (!reuse) await page.close().catch(() => undefined)
  }
}

// --- internal ---

/** The first page, then one page per group of slides; the last page keeps empty cells so its slides have the same size. */
function planPages(input: HandoutInput, svgs: readonly string[]) {
  const numbered = input.slides.map((slide, index) => ({
    number: index + 1,
    title: slide.title,
    svg: new Handlebars.SafeString(`<div class="marpit">${svgs[index]}</div>`),
    notes: slide.notes,
    cue: input.layout === 'trainer' ? (slide.cue ?? null) : null,
    question: slide.question ?? null,
    minutes: slide.minutes ? formatMinutes(slide.minutes) : null,
    clock: slide.clock ?? null,
  }))
  const slides = numbered.filter((_, index) => {
    const slide = input.slides[index]
    return slide !== undefined && isPrinted(slide, input.layout)
  })
  const perPage = SLIDES_PER_PAGE[input.layout]
  const groups: (typeof slides)[] = []
  for (let i = 0; i < slides.length; i += perPage) groups.push(slides.slice(i, i + perPage))
  const perSlide = isPerSlide(input.layout)
  const pages = groups.map((group, index) => ({
    number: index + 2,
    cover: false,
    title: perSlide ? `Slide ${group[0]?.number}` : `Slide ${group[0]?.number}${group.length > 1 ? `–${group.at(-1)?.number}` : ''}`,
    continuedTitle: perSlide ? `Slide ${group[0]?.number} (lanjutan)` : null,
    grid: perSlide
      ? null
      : {
          first: group[0]?.number,
          last: group.length > 1 ? group.at(-1)?.number : null,
          cells: Array.from({ length: perPage }, (_, i) => ({ slide: group[i] ?? null })),
        },
    notes: perSlide ? { slide: group[0] } : null,
  }))
  const reading = !perSlide && input.reading.some((section) => section.paragraphs.length > 0)
  const cover = { number: 1, cover: true, title: 'Sampul', continuedTitle: reading ? 'Bacaan (lanjutan)' : null, grid: null, notes: null }
  // A layout of one slide a page has no reading text on its first page: the first slide and its notes fill it.
  const [first, ...rest] = pages
  if (perSlide && first) return [{ ...first, ...cover, notes: first.notes }, ...rest.map((page) => ({ ...page, number: page.number - 1 }))]
  return [cover, ...pages]
}

/**
 * Whether a slide is on the handout: the trainer's has every slide (each is something to say); a
 * left-out slide still is in the notes layout when it carries essay text (a derived deck's divider
 * holds its section's text).
 */
function isPrinted(slide: HandoutSlide, layout: HandoutLayout): boolean {
  if (layout === 'trainer') return true
  return !LEFT_OUT_OF_HANDOUT.has(slide.layout ?? '') || (layout === 'notes' && slide.notes.length > 0)
}

/** Layouts of one slide a page, its text running on over further pages. */
function isPerSlide(layout: HandoutLayout): boolean {
  return layout === 'notes' || layout === 'trainer'
}

function describeHandout(input: HandoutInput): string {
  return `${input.office.name} / ${input.essay.title}`
}

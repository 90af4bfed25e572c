import Handlebars from 'handlebars'
import type { Browser, Page } from 'puppeteer-core'
import type { MarpRender } from '../render/marp.ts'
import { fail, OrtugError } from '../shared/error.ts'
import type { Aspect, HandoutLayout, Paper, Slide, TemplateSource } from '../shared/types.ts'
import { loadIsolated, SLIDE_SIZES, splitSlides } from './page.ts'

// The handout PDF: the deck's slides as Marp inline SVG (vector, text kept) placed on A4 or F4
// pages by a Handlebars template (templates/handout.hbs), printed in the build's browser.
// Paper is spent on what a participant reads: the first page holds the cover block, the agenda
// and (three-up, six-up) the essay's reading text; the slides follow.

/** Portrait paper, in millimetres. F4 is the Indonesian folio. */
export const PAPER_SIZES = {
  A4: { width: 210, height: 297 },
  F4: { width: 215, height: 330 },
} as const satisfies Record<Paper, { width: number; height: number }>

export const SLIDES_PER_PAGE = { 'three-up': 3, 'six-up': 6, notes: 1 } as const satisfies Record<HandoutLayout, number>

/**
 * Slides a handout leaves out: the first page already says what they say (title, office, session,
 * agenda, parts), and the title and closing slides are full of the office's colour, which would
 * cost ink on every copy. Captions keep the deck's slide numbers, so the gaps are visible.
 */
export const LEFT_OUT_OF_HANDOUT: ReadonlySet<string> = new Set(['title', 'agenda', 'section', 'divider', 'closing'])

/** Ruled note lines offered to every note area; the template shows as many as fit. */
const RULED_LINES = 40
const PX_PER_MM = 96 / 25.4

export interface HandoutSlide {
  title: string
  /** The slide's layout: some are left out of the handout (LEFT_OUT_OF_HANDOUT). */
  layout?: string
  /** An agenda slide's entries, printed as the first page's agenda. */
  items?: { term: string; text?: string | null }[]
  /** Speaker notes: the section's essay paragraphs, verbatim. */
  notes: string[]
  question?: string
  minutes?: number
}

export interface HandoutInput {
  /** marp-core's render of the deck's Markdown (as written to dist/<office>/<slug>.md) with the theme. */
  rendered: MarpRender
  /** `@font-face` rules added to the page as they are, outside Marp's CSS processing. */
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
  const items = slide.layout === 'agenda' && Array.isArray(slide.fields.items) ? (slide.fields.items as HandoutSlide['items']) : undefined
  return {
    title: slide.title,
    layout: slide.layout,
    items,
    notes: slide.notes,
    question: typeof slide.fields.question === 'string' ? slide.fields.question : undefined,
    minutes: slide.minutes,
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
  const reading = input.layout === 'notes' ? [] : input.reading.filter((section) => section.paragraphs.length > 0)

  // 3. The template: strict, HTML-escaped; only Marp's output arrives pre-rendered (SafeString).
  const size = PAPER_SIZES[input.paper]
  const slideSize = SLIDE_SIZES[input.aspect]
  const view = {
    lang: input.lang,
    layout: input.layout,
    layoutIs: { threeUp: input.layout === 'three-up', sixUp: input.layout === 'six-up', notes: input.layout === 'notes' },
    paper: { name: input.paper, width: `${size.width}mm`, height: `${size.height}mm` },
    slideSize,
    css: new Handlebars.SafeString(`${input.fontCss ?? ''}${css}`.replace(/<\/(style)/gi, '<\\/$1')),
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
  const { html } = handoutHtml(input)
  const what = describeHandout(input)
  const size = PAPER_SIZES[input.paper]
  // A page the caller lends (a build reuses its pages) stays open for the caller.
  const page = reuse ?? (await browser.newPage())
  try {
    // Measure under print rules at the paper's width, so the layout is the one that gets printed.
    await page.emulateMediaType('print')
    await page.setViewport({ width: Math.ceil(size.width * PX_PER_MM), height: Math.ceil(size.height * PX_PER_MM) })
    await loadIsolated(page, html, `${what}: the handout template ${input.template.file}`)
    const layout = (await page.evaluate(PAGINATE)) as Pagination
    if (layout.overflowing.length > 0) {
      fail(
        'CONTENT',
        `${what}: content does not fit on handout page ${layout.overflowing.join(', ')} of ${layout.titles.length} (${input.template.file}); shorten the text or make the template's boxes larger`,
      )
    }
    const pdf = await page.pdf({
      width: `${size.width}mm`,
      height: `${size.height}mm`,
      margin: { top: 0, right: 0, bottom: 0, left: 0 },
      printBackground: true,
      tagged: true,
    })
    const { finalizePdf } = await import('./pdf.ts')
    return await finalizePdf(
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
    question: slide.question ?? null,
    minutes: slide.minutes ?? null,
  }))
  const slides = numbered.filter((_, index) => isPrinted(input.slides[index] as HandoutSlide, input.layout))
  const perPage = SLIDES_PER_PAGE[input.layout]
  const groups: (typeof slides)[] = []
  for (let i = 0; i < slides.length; i += perPage) groups.push(slides.slice(i, i + perPage))
  const pages = groups.map((group, index) => ({
    number: index + 2,
    cover: false,
    title: input.layout === 'notes' ? `Slide ${group[0]?.number}` : `Slide ${group[0]?.number}${group.length > 1 ? `–${group.at(-1)?.number}` : ''}`,
    continuedTitle: input.layout === 'notes' ? `Slide ${group[0]?.number} (lanjutan)` : null,
    grid:
      input.layout === 'notes'
        ? null
        : {
            first: group[0]?.number,
            last: group.length > 1 ? group.at(-1)?.number : null,
            cells: Array.from({ length: perPage }, (_, i) => ({ slide: group[i] ?? null })),
          },
    notes: input.layout === 'notes' ? { slide: group[0] } : null,
  }))
  const reading = input.layout !== 'notes' && input.reading.some((section) => section.paragraphs.length > 0)
  const cover = { number: 1, cover: true, title: 'Sampul', continuedTitle: reading ? 'Bacaan (lanjutan)' : null, grid: null, notes: null }
  // The notes layout has no reading text on its first page: the first slide and its notes fill it.
  const [first, ...rest] = pages
  if (input.layout === 'notes' && first) return [{ ...first, ...cover, notes: first.notes }, ...rest.map((page) => ({ ...page, number: page.number - 1 }))]
  return [cover, ...pages]
}

interface Pagination {
  /** The outline entry of each page, in order. */
  titles: string[]
  /** 1-based pages with content outside its box. */
  overflowing: number[]
}

/**
 * Runs in the page after fonts load. Sheets (`.sheet`) are fixed pages; a `[data-flow]` box whose
 * content does not fit continues on a copy of its sheet inserted after it (without the
 * `[data-first-only]` parts, with class `continued`), splitting a plain-text paragraph between
 * words and a list between items; a sheet may hold several such boxes (the agenda, then the
 * reading text), and what follows the first that overflows moves with it. Boxes left empty are
 * hidden. Then every `[data-page-number]` / `[data-page-count]` is filled in.
 *
 * A string, not a function: tsx/esbuild's keepNames wraps inner functions in `__name()`, which
 * does not exist in the page (https://github.com/privatenumber/tsx/issues/113).
 */
const PAGINATE = String.raw`(() => {
  // Print and screen layout can differ by a fraction of a pixel: keep a little room.
  const SLACK = 2
  const bottomOf = (el) => el.getBoundingClientRect().bottom
  const isPlainText = (el) => el.childNodes.length === 1 && el.firstChild.nodeType === Node.TEXT_NODE
  const isHeading = (el) => /^H[1-6]$/.test(el.tagName)

  // Keeps in el the words that end above limit; returns a copy holding the rest, or null if none fits.
  const splitWords = (el, limit) => {
    const text = el.textContent
    const words = text.match(/\S+\s*/g) || []
    let lo = 0
    let hi = words.length - 1
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2)
      el.textContent = words.slice(0, mid).join('').trimEnd()
      if (bottomOf(el) <= limit) lo = mid
      else hi = mid - 1
    }
    if (lo === 0) {
      el.textContent = text
      return null
    }
    el.textContent = words.slice(0, lo).join('').trimEnd()
    el.classList.add('split')
    const rest = el.cloneNode(false)
    rest.classList.remove('split')
    rest.classList.add('split-rest')
    rest.textContent = words.slice(lo).join('')
    return rest
  }

  // Keeps in a list the items that fit above limit; returns a list holding the rest (numbered on), or null if none fits.
  const splitList = (el, limit) => {
    const items = Array.from(el.children)
    let lo = 0
    let hi = items.length - 1
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2)
      el.replaceChildren(...items.slice(0, mid))
      if (bottomOf(el) <= limit) lo = mid
      else hi = mid - 1
    }
    el.replaceChildren(...items.slice(0, lo))
    if (lo === 0) {
      el.replaceChildren(...items)
      return null
    }
    el.classList.add('split')
    const rest = el.cloneNode(false)
    rest.classList.remove('split')
    rest.classList.add('split-rest')
    if (el.tagName === 'OL') rest.setAttribute('start', String(el.start + lo))
    rest.replaceChildren(...items.slice(lo))
    return rest
  }
  const isList = (el) => el.tagName === 'OL' || el.tagName === 'UL'

  // What of a [data-flow] box goes to the next sheet: its children from the first that does not fit
  // (that one split between words or list items when it can), or null when everything fits.
  const overflowOf = (flow) => {
    const limit = bottomOf(flow) - SLACK
    const children = Array.from(flow.children)
    let first = children.findIndex((child) => bottomOf(child) > limit)
    if (first < 0) return null
    const straddling = children[first]
    const starts = straddling.getBoundingClientRect().top < limit
    const rest = starts && isPlainText(straddling) ? splitWords(straddling, limit) : starts && isList(straddling) ? splitList(straddling, limit) : null
    if (rest) return { moving: [rest, ...children.slice(first + 1)], whole: false }
    // A heading goes with the text it introduces.
    while (first > 0 && isHeading(children[first - 1])) first--
    return { moving: children.slice(first), whole: first === 0 }
  }

  const overflowing = []
  for (let sheet = document.querySelector('.sheet'); sheet; sheet = sheet.nextElementSibling) {
    if (!sheet.classList.contains('sheet')) continue
    // A sheet may have several boxes (the first page: the agenda, then the reading text): the first
    // that overflows continues on a copy of the sheet, followed by all of every later box.
    const flows = Array.from(sheet.querySelectorAll('[data-flow]'))
    let cut = -1
    let overflow = null
    for (const [index, flow] of flows.entries()) {
      if (flow.hidden || flow.children.length === 0) continue
      overflow = overflowOf(flow)
      if (overflow) {
        cut = index
        break
      }
    }
    if (!overflow) continue
    // Something that fits no page even alone and cannot be split stays (and is reported below).
    const before = flows.slice(0, cut).some((flow) => !flow.hidden && flow.children.length > 0)
    if (overflow.whole && !before && sheet.classList.contains('continued')) continue
    const next = sheet.cloneNode(true)
    next.classList.add('continued')
    for (const el of next.querySelectorAll('[data-first-only]')) el.remove()
    if (next.dataset.continuedTitle) next.dataset.title = next.dataset.continuedTitle
    Array.from(next.querySelectorAll('[data-flow]')).forEach((box, index) => {
      box.replaceChildren(...(index < cut ? [] : index === cut ? overflow.moving : Array.from(flows[index].children)))
      box.hidden = box.children.length === 0
    })
    for (const flow of flows) flow.hidden = flow.children.length === 0
    sheet.after(next)
  }

  const sheets = Array.from(document.querySelectorAll('.sheet'))
  sheets.forEach((sheet, index) => {
    for (const el of sheet.querySelectorAll('[data-page-number]')) el.textContent = String(index + 1)
    for (const el of sheet.querySelectorAll('[data-page-count]')) el.textContent = String(sheets.length)
  })
  // Every element must lie inside the nearest box that clips it (or the page).
  const clipOf = (el, sheet) => {
    for (let box = el.parentElement; box && box !== sheet; box = box.parentElement) {
      const style = getComputedStyle(box)
      if (style.overflowX !== 'visible' || style.overflowY !== 'visible') return box
    }
    return sheet
  }
  sheets.forEach((sheet, index) => {
    for (const el of sheet.querySelectorAll('*')) {
      // Slides are scaled into their box; ruled lines are cut off on purpose.
      if (el.closest('.marpit, [data-fill]')) continue
      const rect = el.getBoundingClientRect()
      if (rect.width === 0 && rect.height === 0) continue
      const box = clipOf(el, sheet).getBoundingClientRect()
      if (rect.bottom > box.bottom + 0.5 || rect.right > box.right + 0.5 || rect.top < box.top - 0.5 || rect.left < box.left - 0.5) {
        overflowing.push(index + 1)
        break
      }
    }
  })
  return { titles: sheets.map((sheet, index) => sheet.dataset.title || String(index + 1)), overflowing }
})()`

function fillTemplate(source: TemplateSource, view: object, what: string): string {
  const where = (loc?: hbs.AST.SourceLocation) => (loc ? { file: source.file, line: loc.start.line, column: loc.start.column + 1 } : { file: source.file })
  try {
    const ast = Handlebars.parse(source.text)
    const raw = findRawOutput(ast)
    if (raw) {
      fail(
        'CONTENT',
        'the handout template may not use "{{{ }}}" or "{{& }}": office and essay text must stay text; write {{...}} (slides and styles arrive ready to insert)',
        { location: where(raw.loc) },
      )
    }
    return Handlebars.create().compile(ast, { strict: true, knownHelpersOnly: true })(view)
  } catch (error) {
    if (error instanceof OrtugError) throw error
    fail('CONTENT', `template ${source.file} failed for ${what}: ${(error as Error).message}`, { location: where(), cause: error })
  }
}

/** The first mustache that would print its value without HTML escaping. */
function findRawOutput(ast: hbs.AST.Program): hbs.AST.MustacheStatement | undefined {
  let found: hbs.AST.MustacheStatement | undefined
  const visitor = new Handlebars.Visitor()
  visitor.MustacheStatement = function (this: Handlebars.Visitor, node) {
    found ??= node.escaped ? undefined : node
    Handlebars.Visitor.prototype.MustacheStatement.call(this, node)
  }
  visitor.accept(ast)
  return found
}

/** Whether a slide is on the handout: a left-out slide still is in the notes layout when it carries notes (a derived deck's divider holds its section's text). */
function isPrinted(slide: HandoutSlide, layout: HandoutLayout): boolean {
  return !LEFT_OUT_OF_HANDOUT.has(slide.layout ?? '') || (layout === 'notes' && slide.notes.length > 0)
}

function describeHandout(input: HandoutInput): string {
  return `${input.office.name} / ${input.essay.title}`
}

import type { AcronymItem, Aspect, ContentPage, Essay, LayoutName, Section, Slide, SlideContent, StoryboardSlide } from '../shared/types.ts'
import { type AgendaEntry, formatMinutes } from './schedule.ts'
import { packItems, packText, splitSentences } from './text.ts'

// A storyboard slide's words, split into the pages of its layout: what each page's template shows.

/**
 * How much fits one slide, by aspect: characters of reading text, "lines" of points (a point
 * takes one line per `pointLine` characters, plus the gap below it), rows of acronym or agenda
 * items, letters of an acronym band and cells of a grid. Estimated from the theme's type sizes
 * (about half an em per character) to fill a slide; the browser fit check (fit.ts) measures every
 * slide and shrinks the budget of one that overflows.
 */
export const BUDGETS: Record<Aspect, { text: number; quote: number; pointLine: number; pointLines: number; rows: number; band: number; cells: number }> = {
  '16:9': { text: 650, quote: 300, pointLine: 62, pointLines: 11, rows: 7, band: 8, cells: 8 },
  '4:3': { text: 450, quote: 210, pointLine: 46, pointLines: 11, rows: 7, band: 8, cells: 6 },
}
/** The longest word an acronym's band holds under a letter; longer ones make rows. */
const BAND_WORD = 26
/** A point's gap below it, in lines. */
const POINT_GAP = 0.35
/**
 * Denser type holds about 1.7 times the text (reading type 31 → 24 px, quotes 42 → 30 px): a
 * sentence up to 1.5 budgets keeps a page of its own, for the fit check to try denser type; a
 * longer one, or one denser type did not fit, is cut (packText).
 */
const DENSE_ROOM = 1.5

const CONTINUED = ' (lanjutan)'

/** Every field a template may name, empty: a layout fills in its own. */
const BLANK = {
  title: null,
  subtitle: null,
  points: null,
  items: null,
  columns: null,
  quote: null,
  attribution: null,
  question: null,
  text: null,
  band: false as const,
}

export type Budget = (typeof BUDGETS)[Aspect]

export function scaleBudget(budget: Budget, scale: number): Budget {
  if (scale === 1) return budget
  const at = (n: number) => Math.max(1, Math.floor(n * scale))
  return {
    text: at(budget.text),
    quote: at(budget.quote),
    pointLine: budget.pointLine,
    pointLines: at(budget.pointLines),
    rows: at(budget.rows),
    band: at(budget.band),
    cells: at(budget.cells),
  }
}

/** What a storyboard slide's pages are made from. */
export interface Expansion {
  slide: StoryboardSlide
  section: Section | undefined
  essay: Essay
  agenda: readonly AgendaEntry[]
  budget: Budget
  /** Denser type was measured not to fit and the budget made smaller (fit.ts): a sentence longer than the budget is cut. */
  cutSentences: boolean
  part: Slide['part']
  /** The number of this discussion slide in the deck (1-based). */
  discussion: number
  /** The agenda's subtitle: the session's span. */
  sessionSpan: string | null
}

/** The pages of one storyboard slide, in order: one, or more when its words exceed the budget. */
export function expandSlide(expansion: Expansion): ContentPage[] {
  const layout = expansion.slide.layout
  switch (layout) {
    case 'title':
      return pagesOf(layout, [titleContent(expansion)])
    case 'agenda':
      return pagesOf(layout, agendaContents(expansion))
    case 'section':
      return pagesOf(layout, [sectionContent(expansion)])
    case 'points':
      return pagesOf(layout, pointsContents(expansion))
    case 'acronym':
      return pagesOf(layout, acronymContents(expansion))
    case 'grid':
      return pagesOf(layout, gridContents(expansion))
    case 'contrast':
    case 'pillars':
      return pagesOf(layout, [columnsContent(expansion)])
    case 'statement':
      return pagesOf(layout, [statementContent(expansion)])
    case 'quote':
      return pagesOf(layout, quoteContents(expansion))
    case 'question':
      return pagesOf(layout, questionContents(expansion))
    case 'text':
      return pagesOf(layout, textContents(expansion))
    case 'closing':
      return pagesOf(layout, [{ ...BLANK, title: expansion.slide.title ?? 'Terima kasih', subtitle: expansion.slide.subtitle ?? null }])
  }
}

function pagesOf<L extends LayoutName>(layout: L, contents: readonly SlideContent<L>[]): ContentPage<L>[] {
  return contents.map((content) => ({ layout, content }))
}

/** The slide's title, else its section's heading; and its subtitle. */
function heading({ slide, section }: Expansion): { title: string | null; subtitle: string | null } {
  return { title: slide.title ?? section?.heading ?? null, subtitle: slide.subtitle ?? null }
}

/** Pages after the first say they continue the first one. */
function continued<T extends { title: string | null }>(pages: T[]): T[] {
  return pages.map((page, i) => (i > 0 && typeof page.title === 'string' ? { ...page, title: page.title + CONTINUED } : page))
}

function titleContent({ slide, essay }: Expansion): SlideContent<'title'> {
  return { ...BLANK, title: slide.title ?? essay.meta.title, subtitle: slide.subtitle ?? essay.meta.subtitle ?? null }
}

function agendaContents({ slide, agenda, budget, sessionSpan }: Expansion): SlideContent<'agenda'>[] {
  return continued(
    packItems(
      agenda.map((entry, index) => ({ entry, number: index + 1 })),
      () => 1,
      budget.rows,
    ).map((entries) => ({
      ...BLANK,
      title: slide.title ?? 'Agenda',
      subtitle: slide.subtitle ?? sessionSpan,
      items: entries.map(({ entry, number }) => ({
        number,
        term: entry.heading,
        text: [entry.clock, entry.minutes ? `${formatMinutes(entry.minutes)} menit` : null, entry.discussions > 0 ? 'diskusi' : null]
          .filter(Boolean)
          .join(' · '),
      })),
    })),
  )
}

function sectionContent(expansion: Expansion): SlideContent<'section'> {
  const { slide, section, part } = expansion
  const { title, subtitle } = heading(expansion)
  const partLine = part
    ? [`Bagian ${part.index} dari ${part.total}`, part.minutes ? `${formatMinutes(part.minutes)} menit` : null].filter(Boolean).join(' · ')
    : null
  return { ...BLANK, title: title ?? slide.text ?? '', subtitle: subtitle ?? partLine, text: slide.title || section ? (slide.text ?? null) : null }
}

function pointsContents(expansion: Expansion): SlideContent<'points'>[] {
  const { slide, budget } = expansion
  const weighPoint = (point: string) => Math.ceil(point.length / budget.pointLine) + POINT_GAP
  return continued(packItems(slide.points ?? [], weighPoint, budget.pointLines).map((points) => ({ ...BLANK, ...heading(expansion), points })))
}

function acronymContents(expansion: Expansion): SlideContent<'acronym'>[] {
  const { slide, budget } = expansion
  const items = slide.items ?? []
  // Short words under their letters fit a band; longer ones read better as rows.
  const band = items.every((item) => item.text.length <= BAND_WORD) && items.length <= budget.band
  const pages = packItems<AcronymItem>(items, () => 1, band ? budget.band : budget.rows)
  return continued(pages.map((page) => ({ ...BLANK, ...heading(expansion), items: page, band })))
}

function gridContents(expansion: Expansion): SlideContent<'grid'>[] {
  const { slide, budget } = expansion
  return continued(packItems<AcronymItem>(slide.items ?? [], () => 1, budget.cells).map((items) => ({ ...BLANK, ...heading(expansion), items })))
}

function columnsContent(expansion: Expansion): SlideContent<'contrast' | 'pillars'> {
  const columns = expansion.slide.columns?.map((c) => ({ title: c.title, text: c.text ?? null, points: c.points ?? null })) ?? []
  return { ...BLANK, ...heading(expansion), columns }
}

function statementContent({ slide }: Expansion): SlideContent<'statement'> {
  return { ...BLANK, title: slide.title ?? null, text: oneLine(slide.text ?? '') }
}

function quoteContents({ slide, essay, budget, cutSentences }: Expansion): SlideContent<'quote'>[] {
  return packText(splitSentences(unquoted(oneLine(slide.quote ?? ''))), budget.quote, sentenceRoom(budget.quote, cutSentences)).map((quote, i, all) => ({
    ...BLANK,
    title: slide.title ?? null,
    quote: quoteMarks(quote, i > 0, i < all.length - 1),
    attribution: slide.subtitle ?? essay.meta.author,
  }))
}

function questionContents({ slide, budget, cutSentences, discussion }: Expansion): SlideContent<'question'>[] {
  return packText(splitSentences(oneLine(slide.question ?? '')), budget.quote, sentenceRoom(budget.quote, cutSentences)).map((question) => ({
    ...BLANK,
    title: !slide.title || slide.title === 'Diskusi' ? `Diskusi ${discussion}` : slide.title,
    question,
  }))
}

function textContents(expansion: Expansion): SlideContent<'text'>[] {
  const { slide, section, budget, cutSentences } = expansion
  const source = slide.text ?? section?.paragraphs.join('\n') ?? ''
  const paragraphs = source.split('\n').flatMap((p) => splitSentences(p))
  return continued(packText(paragraphs, budget.text, sentenceRoom(budget.text, cutSentences)).map((text) => ({ ...BLANK, ...heading(expansion), text })))
}

/** The longest sentence a page keeps whole (DENSE_ROOM). */
function sentenceRoom(budget: number, cutSentences: boolean): number {
  return cutSentences ? budget : Math.floor(budget * DENSE_ROOM)
}

/**
 * A page of a quotation in marks; one that goes on from the page before, or starts mid-sentence
 * (lower case), begins with "…", and one that goes on to the next ends with it.
 */
function quoteMarks(quote: string, after: boolean, before: boolean): string {
  const opened = !quote.startsWith('…') && (after || /^\p{Ll}/u.test(quote)) ? `… ${quote}` : quote
  return `“${before && !opened.endsWith('…') ? `${opened} …` : opened}”`
}

/** The quotation without the author's own marks around the whole of it (the slide adds its own); marks inside stay. */
function unquoted(quote: string): string {
  const text = quote.trim()
  const inner = text.slice(1, -1)
  const straight = text.startsWith('"') && text.endsWith('"') && !inner.includes('"')
  const curly = text.startsWith('“') && text.endsWith('”') && !/[“”]/.test(inner)
  return text.length > 1 && (straight || curly) ? inner.trim() : text
}

export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ')
}

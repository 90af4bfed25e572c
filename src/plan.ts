import { packItems, packText, splitSentences } from './text.ts'
import type { AcronymItem, Aspect, Deck, Essay, Office, Section, Slide, Storyboard, StoryboardSlide } from './types.ts'

/**
 * How much fits one slide, by aspect: characters of reading text, "lines" of points (a point
 * takes one line per `pointLine` characters, plus the gap below it) and rows of acronym or agenda
 * items. Estimated from the theme's type sizes (about half an em per character) to fill a slide;
 * the browser fit check (fit.ts) measures every slide and shrinks the budget of one that overflows.
 */
export const BUDGETS: Record<Aspect, { text: number; quote: number; pointLine: number; pointLines: number; rows: number }> = {
  '16:9': { text: 650, quote: 300, pointLine: 62, pointLines: 11, rows: 7 },
  '4:3': { text: 450, quote: 210, pointLine: 46, pointLines: 11, rows: 7 },
}
/** A point's gap below it, in lines. */
const POINT_GAP = 0.35

const CONTINUED = ' (lanjutan)'

const EMPTY_FIELDS = {
  title: null,
  subtitle: null,
  points: null,
  items: null,
  quote: null,
  attribution: null,
  question: null,
  text: null,
  minutes: null,
  continued: false,
  dense: false,
}

/** Set by the fit check (fit.ts) for a storyboard slide that overflowed: a smaller budget, then denser type. */
export interface Tuning {
  /** Multiplies the slide's budget (1 = the default). */
  scale: number
  /** Use the theme's smaller type (class "dense"). */
  dense: boolean
}

/** Essay × Storyboard × Office → the slides of one deck. Pure. */
export function planDeck(essay: Essay, storyboard: Storyboard, office: Office, tuning: ReadonlyMap<number, Tuning> = new Map()): Deck {
  const storyboardSlides = applyOfficeChanges(storyboard.slides, office, essay)
  const sectionsById = new Map(essay.sections.map((s) => [s.id, s]))
  const agenda = planAgenda(storyboardSlides, sectionsById)
  const notedSections = new Set<string>()
  const slides: Slide[] = []

  storyboardSlides.forEach((source, sourceIndex) => {
    const section = source.section ? sectionsById.get(source.section) : undefined
    const notes = planNotes(source, section, notedSections)
    const tune = tuning.get(sourceIndex) ?? { scale: 1, dense: false }
    const pages = expandSlide(source, section, essay, agenda, scaleBudget(BUDGETS[office.aspect], tune.scale))
    pages.forEach((fields, page) => {
      const title = String(fields.title ?? fields.question ?? fields.quote ?? source.layout)
      slides.push({
        layout: source.layout,
        section: source.section,
        source: sourceIndex,
        title: title.slice(0, 120),
        fields: { ...EMPTY_FIELDS, ...fields, continued: page > 0, dense: tune.dense, minutes: page === 0 ? (source.minutes ?? null) : null },
        units: countUnits(fields),
        notes: page === 0 ? notes : [],
        minutes: page === 0 ? source.minutes : undefined,
        part: planPart(source, agenda, sectionsById),
      })
    })
  })
  return { office, essay, slides }
}

/** Sentences or items on a slide: a slide with one cannot be split further. */
function countUnits(fields: Fields): number {
  const list = fields.points ?? fields.items
  if (Array.isArray(list)) return list.length
  const text = fields.text ?? fields.quote ?? fields.question
  return typeof text === 'string' ? splitSentences(text).length : 1
}

type Budget = (typeof BUDGETS)[Aspect]

function scaleBudget(budget: Budget, scale: number): Budget {
  if (scale === 1) return budget
  const at = (n: number) => Math.max(1, Math.floor(n * scale))
  return { text: at(budget.text), quote: at(budget.quote), pointLine: budget.pointLine, pointLines: at(budget.pointLines), rows: at(budget.rows) }
}

/** Drops slides bound to excluded sections and inserts extra slides after their section. */
function applyOfficeChanges(slides: readonly StoryboardSlide[], office: Office, essay: Essay): StoryboardSlide[] {
  const excluded = new Set(office.slides.exclude)
  const kept = slides.filter((slide) => !(slide.section && excluded.has(slide.section)))
  for (const { after, ...extra } of office.slides.extra) {
    if (!essay.sections.some((s) => s.id === after) || excluded.has(after)) continue
    const lastBound = kept.findLastIndex((slide) => slide.section === after)
    // A section with no slide of its own: place the extra slide before the closing slides.
    const at = lastBound >= 0 ? lastBound + 1 : kept.findIndex((s) => s.layout === 'closing')
    kept.splice(at >= 0 ? at : kept.length, 0, extra)
  }
  return kept
}

interface AgendaEntry {
  id: string
  heading: string
  minutes: number | null
}

function planPart(slide: StoryboardSlide, agenda: readonly AgendaEntry[], sections: Map<string, Section>): Slide['part'] {
  const index = agenda.findIndex((entry) => entry.id === slide.section && sections.has(entry.id))
  return index < 0 ? undefined : { index: index + 1, total: agenda.length, minutes: agenda[index]?.minutes ?? null }
}

/** The sections the deck covers, in order of their first slide, with their planned minutes. */
function planAgenda(slides: readonly StoryboardSlide[], sections: Map<string, Section>): AgendaEntry[] {
  const entries = new Map<string, AgendaEntry>()
  for (const slide of slides) {
    const section = slide.section ? sections.get(slide.section) : undefined
    if (!section) continue
    const entry = entries.get(section.id) ?? { id: section.id, heading: section.heading, minutes: null }
    if (slide.minutes) entry.minutes = (entry.minutes ?? 0) + slide.minutes
    entries.set(section.id, entry)
  }
  return [...entries.values()]
}

/** The author's paragraphs go to the first slide bound to their section, so each appears once. */
function planNotes(slide: StoryboardSlide, section: Section | undefined, noted: Set<string>): string[] {
  if (slide.notes) return [slide.notes]
  if (!section || noted.has(section.id)) return []
  noted.add(section.id)
  return section.paragraphs
}

type Fields = Partial<Record<keyof typeof EMPTY_FIELDS, unknown>>

function expandSlide(slide: StoryboardSlide, section: Section | undefined, essay: Essay, agenda: AgendaEntry[], budget: (typeof BUDGETS)[Aspect]): Fields[] {
  const title = slide.title ?? section?.heading ?? null
  const subtitle = slide.subtitle ?? null
  const continued = (fields: Fields[]) => fields.map((f, i) => (i > 0 && typeof f.title === 'string' ? { ...f, title: f.title + CONTINUED } : f))
  const weighPoint = (point: string) => Math.ceil(point.length / budget.pointLine) + POINT_GAP

  switch (slide.layout) {
    case 'title':
      return [{ title: slide.title ?? essay.meta.title, subtitle: slide.subtitle ?? essay.meta.subtitle ?? null }]
    case 'agenda':
      return continued(
        packItems(agenda, () => 1, budget.rows).map((items) => ({
          title: slide.title ?? 'Agenda',
          subtitle,
          items: items.map((entry) => ({ term: entry.heading, text: entry.minutes ? `${entry.minutes} menit` : '' })),
        })),
      )
    case 'section':
      return [{ title: title ?? slide.text ?? '', subtitle, text: slide.title || section ? (slide.text ?? null) : null }]
    case 'points':
      return continued(packItems(slide.points ?? [], weighPoint, budget.pointLines).map((points) => ({ title, subtitle, points })))
    case 'acronym':
      return continued(packItems<AcronymItem>(slide.items ?? [], () => 1, budget.rows).map((items) => ({ title, subtitle, items })))
    case 'quote':
      return packText(splitSentences(oneLine(slide.quote ?? '')), budget.quote).map((quote, i, all) => ({
        title: slide.title ?? null,
        quote: i > 0 ? `… ${quote}` : i < all.length - 1 ? `${quote} …` : quote,
        attribution: essay.meta.author,
      }))
    case 'question':
      return packText(splitSentences(oneLine(slide.question ?? '')), budget.quote).map((question) => ({ title: slide.title ?? 'Diskusi', question }))
    case 'text': {
      const source = slide.text ?? section?.paragraphs.join('\n') ?? ''
      const paragraphs = source.split('\n').flatMap((p) => splitSentences(p))
      return continued(packText(paragraphs, budget.text).map((text) => ({ title, subtitle, text })))
    }
    case 'closing':
      return [{ title: slide.title ?? 'Terima kasih', subtitle }]
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ')
}

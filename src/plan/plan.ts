import type { AcronymItem, Aspect, Deck, Essay, Office, Section, Slide, Storyboard, StoryboardSlide } from '../shared/types.ts'
import { assignSentences, joinNote, type NoteSentence, sectionSentences } from './notes.ts'
import { packItems, packText, splitSentences } from './text.ts'

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

const CONTINUED = ' (lanjutan)'
/** Layouts whose slides only lead into others: they take an essay sentence only when their section has no other slide. */
const LEAD_IN = new Set(['section', 'question'])

const EMPTY_FIELDS = {
  title: null,
  subtitle: null,
  points: null,
  items: null,
  columns: null,
  quote: null,
  attribution: null,
  question: null,
  text: null,
  minutes: null,
  part: null,
  band: false,
  continued: false,
  dense: false,
  grow: 0,
  balanced: false,
}

/** Set by the fit check (fit.ts) for a storyboard slide: a smaller budget, denser type, or larger type on a sparse page. */
export interface Tuning {
  /** Multiplies the slide's budget (1 = the default). */
  scale: number
  /** Use the theme's smaller type (class "dense"). */
  dense: boolean
  /** Per page: 0, or the step of larger type and vertical centring of a sparse page (class "balanced"). */
  grow?: readonly number[]
  /** Per page: centred vertically (a sparse page, whatever the step of its layout's type). */
  balanced?: readonly boolean[]
}

/** Essay × Storyboard × Office → the slides of one deck. Pure. */
export function planDeck(essay: Essay, storyboard: Storyboard, office: Office, tuning: ReadonlyMap<number, Tuning> = new Map()): Deck {
  const sectionsById = new Map(essay.sections.map((s) => [s.id, s]))
  const changed = applyOfficeChanges(storyboard.slides, office, essay)
  const storyboardSlides = storyboard.dividers ? addDividers(changed, sectionsById) : changed
  const agenda = planAgenda(storyboardSlides, sectionsById, office.session?.start)
  const slides: Slide[] = []
  let discussions = 0

  storyboardSlides.forEach((source, sourceIndex) => {
    const section = source.section ? sectionsById.get(source.section) : undefined
    const tune = tuning.get(sourceIndex) ?? { scale: 1, dense: false }
    const part = planPart(source, agenda, sectionsById)
    if (source.layout === 'question') discussions++
    const pages = expandSlide(source, section, essay, agenda, scaleBudget(BUDGETS[office.aspect], tune.scale), part, discussions)
    pages.forEach((fields, page) => {
      slides.push({
        layout: source.layout,
        section: source.section,
        source: sourceIndex,
        title: outlineTitle(source, fields).slice(0, 120),
        fields: {
          ...EMPTY_FIELDS,
          ...fields,
          continued: page > 0,
          dense: tune.dense,
          grow: tune.grow?.[page] ?? 0,
          balanced: tune.balanced?.[page] ?? false,
          minutes: page === 0 ? (source.minutes ?? null) : null,
          part: part ? { ...part, heading: agenda[part.index - 1]?.heading ?? '' } : null,
        },
        units: countUnits(fields),
        notes: page === 0 && source.notes ? [source.notes] : [],
        minutes: page === 0 ? source.minutes : undefined,
        part,
      })
    })
  })
  distributeNotes(slides, sectionsById)
  return { office, essay, slides }
}

/** The PDF outline entry: distinct for every slide ("Diskusi 2: Apa arti …"). */
function outlineTitle(source: StoryboardSlide, fields: Fields): string {
  if (source.layout === 'question') return `${fields.title}: ${String(fields.question ?? '')}`
  if (source.layout === 'quote' && !source.title) return `Kutipan: ${firstWords(oneLine(source.quote ?? ''), 6)}`
  if (source.layout === 'statement' && !source.title) return String(fields.text ?? 'Pernyataan')
  return String(fields.title ?? fields.question ?? fields.quote ?? source.layout)
}

function firstWords(text: string, count: number): string {
  const words = text.split(/\s+/)
  return words.length > count ? `${words.slice(0, count).join(' ')} …` : text
}

/** Each sentence of a section goes to the slide that says it (see notes.ts), after the slide's own notes. */
function distributeNotes(slides: Slide[], sections: Map<string, Section>): void {
  for (const section of sections.values()) {
    const bound = slides.filter((s) => s.section === section.id)
    if (bound.length === 0) continue
    const saying = bound.filter((s) => !LEAD_IN.has(s.layout))
    const slots = saying.length > 0 ? saying : bound.slice(0, 1)
    const sentences: NoteSentence[] = sectionSentences(section.blocks)
    const assigned = assignSentences(
      sentences.map((s) => s.text),
      slots.map((s) => slideText(s.fields)),
    )
    slots.forEach((slide, i) => {
      slide.notes.push(...joinNote((assigned[i] ?? []).map((index) => sentences[index] as NoteSentence)))
    })
  }
}

/** Everything a slide shows, as one text. */
function slideText(fields: Record<string, unknown>): string {
  const parts: string[] = []
  const add = (value: unknown): void => {
    if (typeof value === 'string') parts.push(value)
    else if (Array.isArray(value)) value.forEach(add)
    else if (value && typeof value === 'object') Object.values(value).forEach(add)
  }
  for (const key of ['title', 'subtitle', 'points', 'items', 'columns', 'quote', 'question', 'text']) add(fields[key])
  return parts.join(' ')
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

/** A divider before the first slide of each section that has no divider of its own. */
function addDividers(slides: readonly StoryboardSlide[], sections: Map<string, Section>): StoryboardSlide[] {
  const seen = new Set<string>()
  return slides.flatMap((slide) => {
    const id = slide.section
    if (!id || !sections.has(id) || seen.has(id)) return [slide]
    seen.add(id)
    return slide.layout === 'section' ? [slide] : [{ layout: 'section', section: id }, slide]
  })
}

interface AgendaEntry {
  id: string
  heading: string
  minutes: number | null
  /** "08:42–09:03" when the session has a start time and every slide before has minutes. */
  clock: string | null
}

function planPart(slide: StoryboardSlide, agenda: readonly AgendaEntry[], sections: Map<string, Section>): Slide['part'] {
  const index = agenda.findIndex((entry) => entry.id === slide.section && sections.has(entry.id))
  return index < 0 ? undefined : { index: index + 1, total: agenda.length, minutes: agenda[index]?.minutes ?? null }
}

/**
 * The sections the deck covers, in order of their first slide, with their planned minutes and,
 * from the session's start time, their clock times (the slides' minutes in order).
 */
function planAgenda(slides: readonly StoryboardSlide[], sections: Map<string, Section>, start?: string): AgendaEntry[] {
  const entries = new Map<string, AgendaEntry & { from: number; to: number }>()
  let clock = start ? Number(start.slice(0, 2)) * 60 + Number(start.slice(3, 5)) : Number.NaN
  for (const slide of slides) {
    const section = slide.section ? sections.get(slide.section) : undefined
    const from = clock
    clock += slide.minutes ?? 0
    if (!section) continue
    const entry = entries.get(section.id) ?? { id: section.id, heading: section.heading, minutes: null, clock: null, from, to: from }
    if (slide.minutes) entry.minutes = (entry.minutes ?? 0) + slide.minutes
    entry.to = clock
    entries.set(section.id, entry)
  }
  return [...entries.values()].map(({ from, to, ...entry }) => ({
    ...entry,
    clock: Number.isFinite(from) && entry.minutes ? `${formatClock(from)}–${formatClock(to)}` : null,
  }))
}

/** Minutes since midnight → "08:05" (24-hour, as WIB is written). */
export function formatClock(minutes: number): string {
  const whole = Math.round(minutes) % (24 * 60)
  return `${String(Math.floor(whole / 60)).padStart(2, '0')}:${String(whole % 60).padStart(2, '0')}`
}

type Fields = Partial<Record<keyof typeof EMPTY_FIELDS, unknown>>

function expandSlide(
  slide: StoryboardSlide,
  section: Section | undefined,
  essay: Essay,
  agenda: AgendaEntry[],
  budget: Budget,
  part: Slide['part'],
  discussion: number,
): Fields[] {
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
          items: items.map((entry) => ({
            term: entry.heading,
            text: [entry.clock, entry.minutes ? `${entry.minutes} menit` : null].filter(Boolean).join(' · '),
          })),
        })),
      )
    case 'section': {
      const partLine = part ? [`Bagian ${part.index} dari ${part.total}`, part.minutes ? `${part.minutes} menit` : null].filter(Boolean).join(' · ') : null
      return [{ title: title ?? slide.text ?? '', subtitle: subtitle ?? partLine, text: slide.title || section ? (slide.text ?? null) : null }]
    }
    case 'points':
      return continued(packItems(slide.points ?? [], weighPoint, budget.pointLines).map((points) => ({ title, subtitle, points })))
    case 'acronym': {
      const items = slide.items ?? []
      // Short words under their letters fit a band; longer ones read better as rows.
      const band = items.every((item) => item.text.length <= BAND_WORD) && items.length <= budget.band
      return continued(packItems<AcronymItem>(items, () => 1, band ? budget.band : budget.rows).map((page) => ({ title, subtitle, items: page, band })))
    }
    case 'grid':
      return continued(packItems<AcronymItem>(slide.items ?? [], () => 1, budget.cells).map((items) => ({ title, subtitle, items })))
    case 'contrast':
    case 'pillars':
      return [{ title, subtitle, columns: slide.columns?.map((c) => ({ title: c.title, text: c.text ?? null, points: c.points ?? null })) ?? [] }]
    case 'statement':
      return [{ title: slide.title ?? null, text: oneLine(slide.text ?? '') }]
    case 'quote':
      return packText(splitSentences(oneLine(slide.quote ?? '')), budget.quote).map((quote, i, all) => ({
        title: slide.title ?? null,
        quote: quoteMarks(i > 0 ? `… ${quote}` : i < all.length - 1 ? `${quote} …` : quote),
        attribution: slide.subtitle ?? essay.meta.author,
      }))
    case 'question':
      return packText(splitSentences(oneLine(slide.question ?? '')), budget.quote).map((question) => ({
        title: !slide.title || slide.title === 'Diskusi' ? `Diskusi ${discussion}` : slide.title,
        question,
      }))
    case 'text': {
      const source = slide.text ?? section?.paragraphs.join('\n') ?? ''
      const paragraphs = source.split('\n').flatMap((p) => splitSentences(p))
      return continued(packText(paragraphs, budget.text).map((text) => ({ title, subtitle, text })))
    }
    case 'closing':
      return [{ title: slide.title ?? 'Terima kasih', subtitle }]
  }
}

/** A quotation in marks; one that starts mid-sentence (lower case) begins with "…". */
function quoteMarks(quote: string): string {
  const trimmed = quote.replace(/^["“]|["”]$/g, '')
  const opened = /^\p{Ll}/u.test(trimmed) ? `… ${trimmed}` : trimmed
  return `“${opened}”`
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ')
}

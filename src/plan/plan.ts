import type { ContentPage, Deck, Essay, LayoutName, Office, PageState, Section, Slide, SlideBase, Storyboard, StoryboardSlide } from '../shared/types.ts'
import { assignSentences, joinNote, type NoteSentence, sectionSentences } from './notes.ts'
import { BUDGETS, expandSlide, oneLine, scaleBudget } from './pages.ts'
import { type AgendaEntry, formatMinutes, planAgenda, planPart, planSessionSpan, planStartTimes } from './schedule.ts'
import { splitSentences } from './text.ts'

export { BUDGETS } from './pages.ts'
export { formatClock, formatMinutes } from './schedule.ts'

/** Layouts whose slides only lead into others: they take an essay sentence only when their section has no other slide. */
const LEAD_IN = new Set(['section', 'question'])

/** Set by the fit check (fit.ts) for a storyboard slide: a smaller budget, denser type, or larger type on a sparse page. */
export interface Tuning {
  /** Multiplies the slide's budget (1 = the default). */
  scale: number
  /** Use the theme's smaller type (class "dense"). */
  dense: boolean
  /** Cut a sentence longer than the budget (else one up to 1.5 budgets keeps a page): set only once denser type did not fit it. */
  cut?: boolean
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
  const starts = planStartTimes(storyboardSlides, office.session?.start)
  const sessionSpan = planSessionSpan(storyboardSlides, office.session?.start)
  let discussions = 0
  const slides = storyboardSlides.flatMap((source, sourceIndex) => {
    const section = source.section ? sectionsById.get(source.section) : undefined
    const tune = tuning.get(sourceIndex) ?? { scale: 1, dense: false }
    const part = planPart(source, agenda, sectionsById)
    if (source.layout === 'question') discussions++
    const budget = scaleBudget(BUDGETS[office.aspect], tune.scale)
    const pages = expandSlide({
      slide: source,
      section,
      essay,
      agenda,
      budget,
      cutSentences: tune.cut === true,
      part,
      discussion: discussions,
      sessionSpan,
    })
    const first: FirstPage = { source, index: sourceIndex, clock: starts[sourceIndex], part }
    return pages.map((page, index) => planSlide(page, index === 0 ? first : { ...first, clock: undefined }, pageState(first, agenda, tune, index)))
  })
  distributeNotes(slides, sectionsById)
  return { office, essay, slides }
}

/** A storyboard slide and what its first page carries. */
interface FirstPage {
  source: StoryboardSlide
  index: number
  clock: string | undefined
  part: Slide['part']
}

/** One page of a storyboard slide as a slide of the deck; minutes, cue and clock on its first page only. */
function planSlide(page: ContentPage, first: FirstPage, state: PageState): Slide {
  const { source } = first
  const opening = !state.continued
  return slideOf(page, state, {
    section: source.section,
    source: first.index,
    title: outlineTitle(source, page).slice(0, 120),
    units: countUnits(page.content),
    notes: opening && source.notes ? [source.notes] : [],
    cue: opening ? source.notes : undefined,
    minutes: opening ? source.minutes : undefined,
    clock: opening ? first.clock : undefined,
    part: first.part,
  })
}

/** The page's content and state as the fields of its layout's template. */
function slideOf<L extends LayoutName>(page: ContentPage<L>, state: PageState, base: SlideBase): Slide<L> {
  return { ...base, layout: page.layout, fields: { ...page.content, ...state } }
}

function pageState({ source, part }: FirstPage, agenda: readonly AgendaEntry[], tune: Tuning, page: number): PageState {
  return {
    continued: page > 0,
    dense: tune.dense,
    grow: tune.grow?.[page] ?? 0,
    balanced: tune.balanced?.[page] ?? false,
    minutes: page === 0 && source.minutes ? formatMinutes(source.minutes) : null,
    part: part ? { ...part, heading: agenda[part.index - 1]?.heading ?? '' } : null,
  }
}

/** The PDF outline entry: distinct for every slide ("Diskusi 2: Apa arti …"). */
function outlineTitle(source: StoryboardSlide, { layout, content }: ContentPage): string {
  if (layout === 'question') return `${content.title}: ${content.question}`
  if (layout === 'quote' && !source.title) return `Kutipan: ${firstWords(oneLine(source.quote ?? ''), 6)}`
  if (layout === 'statement' && !source.title) return content.text
  return content.title ?? content.question ?? content.quote ?? source.layout
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
      slide.notes.push(...joinNote((assigned[i] ?? []).flatMap((index) => sentences[index] ?? [])))
    })
  }
}

/** Everything a slide shows, as one text. */
function slideText(fields: Slide['fields']): string {
  const parts: string[] = []
  const add = (value: unknown): void => {
    if (typeof value === 'string') parts.push(value)
    else if (Array.isArray(value)) value.forEach(add)
    else if (value && typeof value === 'object') Object.values(value).forEach(add)
  }
  for (const value of [fields.title, fields.subtitle, fields.points, fields.items, fields.columns, fields.quote, fields.question, fields.text]) add(value)
  return parts.join(' ')
}

/** Sentences or items on a slide: a slide with one cannot be split further. */
function countUnits(content: ContentPage['content']): number {
  const list = content.points ?? content.items
  if (list) return list.length
  const text = content.text ?? content.quote ?? content.question
  return typeof text === 'string' ? splitSentences(text).length : 1
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

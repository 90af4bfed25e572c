import type { Essay, EssayBlock, Section, Storyboard, StoryboardSlide } from '../shared/types.ts'
import { capitalize, type Enumeration, findContrast, findEnumeration, findQuotation, MAX_TITLE_WORDS, type Quotation, trimItem } from './constructions.ts'
import { chooseKeySentence, isStatement, MAX_STATEMENT_WORDS } from './key-sentence.ts'
import { splitSentences } from './text.ts'
import { countWords } from './words.ts'

// Derived decks: the storyboard of an essay that has none. The rules (README, "Derived decks"):
// per section, in the essay's order, its own lists become points, its blockquotes quotes, a
// sentence that holds a list, a true contrast or a quotation becomes a grid or points, a contrast
// or a quote, and its key sentence (key-sentence.ts) a statement. A section with nothing of that
// kind gets one reading slide of its most central sentence. A divider comes before a section only
// when it has two slides or more. Every sentence reaches the notes of the slide that carries it
// (plan.ts, notes.ts).

/** The word target of a slide's visible text; an essay's own list may be longer (it is the author's structure). */
export const MAX_SLIDE_WORDS = 40
/** Grid cells hold a few words each; longer items are points. */
const MAX_GRID_ITEMS = 6
const MAX_GRID_ITEM_WORDS = 5

/** Where a derived deck is weak: a storyboard written by hand would help there. */
export interface WeakSpot {
  section: string
  message: string
}

export interface Derivation {
  storyboard: Storyboard
  weakSpots: WeakSpot[]
}

/** A slide and the position, in the section, of what it carries (slides follow the essay's order). */
interface Carrier {
  at: number
  slide: StoryboardSlide
  /** Points of the essay's own list: exempt from the word target. */
  ownList?: boolean
}

interface SentenceAt {
  text: string
  at: number
  /** Already carried by a slide of its own (a list's lead, a contrast, an enumeration, a quotation). */
  carried: boolean
}

/** The storyboard of an essay without one: title, agenda, each section's slides, closing. */
export function deriveStoryboard(essay: Essay): Storyboard {
  return deriveDeck(essay).storyboard
}

/** The derived storyboard with its weak spots (for `ortug check`). */
export function deriveDeck(essay: Essay): Derivation {
  const slides: StoryboardSlide[] = [{ layout: 'title' }, { layout: 'agenda' }]
  const weakSpots: WeakSpot[] = []
  for (const section of essay.sections) {
    const derived = deriveSection(section, essay.meta.author)
    slides.push(...derived.slides)
    weakSpots.push(...derived.weakSpots)
  }
  slides.push({ layout: 'closing' })
  return { storyboard: { slides, derived: true }, weakSpots }
}

function deriveSection(section: Section, author: string): { slides: StoryboardSlide[]; weakSpots: WeakSpot[] } {
  const { carriers, sentences } = readCarriers(section, author)
  const weakSpots: WeakSpot[] = []
  const texts = sentences.map((s) => s.text)
  const key = chooseKeySentence(texts, section.heading, (i) => !sentences[i]?.carried && isStatement(texts[i] ?? ''))
  const keySentence = sentences[key]
  if (keySentence) carriers.push({ at: keySentence.at, slide: { layout: 'statement', section: section.id, text: keySentence.text } })
  else if (sentences.length > 0) {
    weakSpots.push({
      section: section.id,
      message: `no key sentence found (none of ${MAX_STATEMENT_WORDS} words or fewer that stands alone): a storyboard could state the section's point`,
    })
  }
  if (carriers.length === 0 && sentences.length > 0) {
    // Nothing better fits: one reading slide of the most central sentence.
    const central = sentences[chooseKeySentence(texts, section.heading, () => true)]
    if (central) carriers.push({ at: central.at, slide: { layout: 'text', section: section.id, title: section.heading, text: central.text } })
  }
  carriers.sort((a, b) => a.at - b.at)
  for (const carrier of carriers) {
    const words = visibleWords(carrier.slide)
    if (words > MAX_SLIDE_WORDS && !carrier.ownList) {
      weakSpots.push({ section: section.id, message: `a ${carrier.slide.layout} slide shows ${words} words (target: at most ${MAX_SLIDE_WORDS})` })
    }
  }
  const slides = carriers.map((c) => c.slide)
  // A divider only introduces several slides, and never repeats the title of the slide after it.
  const divider = slides.length >= 2 && slides[0]?.title !== section.heading
  if (slides.length === 0 || divider) slides.unshift({ layout: 'section', section: section.id })
  return { slides, weakSpots }
}

/** The slides a section's blocks carry by their structure, and its paragraphs' sentences. */
function readCarriers(section: Section, author: string): { carriers: Carrier[]; sentences: SentenceAt[] } {
  const carriers: Carrier[] = []
  const sentences: SentenceAt[] = []
  let at = 0
  let subheading: string | undefined
  const titleOr = (lead: string) => lead || subheading || section.heading
  section.blocks.forEach((block, index) => {
    if (block.kind === 'subheading') subheading = block.text
    // A blockquote that holds a quotation and words about it: the quotation is what the slide quotes.
    else if (block.kind === 'quote') carriers.push({ at, slide: quoteSlide(section, findQuotation(block.text) ?? { quote: block.text, lead: '' }, author) })
    else if (block.kind === 'list') {
      const lead = listLead(section.blocks[index - 1], sentences.at(-1))
      carriers.push({ at, ownList: true, slide: { layout: 'points', section: section.id, title: titleOr(lead), points: block.items.map(listPoint) } })
    } else {
      for (const text of splitSentences(block.text)) {
        const slide = sentenceSlide(text, section, titleOr, author)
        sentences.push({ text, at, carried: slide !== undefined })
        if (slide) carriers.push({ at, slide })
        at++
      }
    }
    at++
  })
  return { carriers, sentences }
}

/** The sentence before a list that announces it ("Tugas itu meliputi:") is the list's title; it is then carried. */
function listLead(before: EssayBlock | undefined, last: SentenceAt | undefined): string {
  if (before?.kind !== 'paragraph' || !last || !last.text.endsWith(':')) return ''
  const lead = last.text.slice(0, -1).trim()
  if (countWords(lead) > MAX_TITLE_WORDS) return ''
  last.carried = true
  return lead
}

/** A list item as a point: the item, without the list's glue (trimItem), never empty. */
function listPoint(item: string): string {
  return capitalize(trimItem(item) || item)
}

function sentenceSlide(text: string, section: Section, titleOr: (lead: string) => string, author: string): StoryboardSlide | undefined {
  const list = findEnumeration(text)
  if (list) return enumerationSlide(list, section, titleOr)
  const contrast = findContrast(text)
  if (contrast) {
    return {
      layout: 'contrast',
      section: section.id,
      title: titleOr(contrast.lead),
      columns: [
        { title: 'Bukan', text: capitalize(contrast.left) },
        { title: contrast.conjunction, text: capitalize(contrast.right) },
      ],
    }
  }
  const quotation = findQuotation(text)
  return quotation ? quoteSlide(section, quotation, author) : undefined
}

function enumerationSlide(list: Enumeration, section: Section, titleOr: (lead: string) => string): StoryboardSlide {
  const items = list.items.map(capitalize)
  const grid = items.length >= 3 && items.length <= MAX_GRID_ITEMS && items.every((i) => countWords(i) <= MAX_GRID_ITEM_WORDS)
  const title = titleOr(list.lead)
  return grid
    ? { layout: 'grid', section: section.id, title, items: items.map((text) => ({ text })) }
    : { layout: 'points', section: section.id, title, points: items }
}

/** A quotation is someone's words the author cites: the slide says who cited it, never that the author said it. */
function quoteSlide(section: Section, { quote, lead }: Quotation, author: string): StoryboardSlide {
  return { layout: 'quote', section: section.id, ...(lead ? { title: lead } : {}), quote, subtitle: `Dikutip oleh ${author}` }
}

/** The words a storyboard slide shows (title, text, points, items, columns, quote). */
export function visibleWords(slide: StoryboardSlide): number {
  const parts = [
    slide.title,
    slide.subtitle,
    slide.text,
    slide.quote,
    slide.question,
    ...(slide.points ?? []),
    ...(slide.items ?? []).map((i) => `${i.term ?? ''} ${i.text}`),
    ...(slide.columns ?? []).flatMap((c) => [c.title, c.text ?? '', ...(c.points ?? [])]),
  ]
  return parts.reduce((sum, part) => sum + countWords(part ?? ''), 0)
}

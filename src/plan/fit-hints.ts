import { sha256 } from '../shared/hash.ts'
import type { Deck, Measured } from '../shared/types.ts'
import { splitDeckMarkdown } from './deck-markdown.ts'
import type { Tuning } from './plan.ts'

// Where a deck's fit loop may start: the tuning another office's copy of the same deck ended with.
// Offices share an essay and a storyboard, and their decks differ in what only names the office
// (footer, header, colours, the title and closing slides), which does not move the slides that
// larger type and splitting change. A deck started from that tuning is measured once instead of
// twice or more; the first measurement must equal the one the hint was made from, or the loop
// starts again from the plain plan, so every deck ends where measuring from scratch would. Hints
// are kept in the fit cache (output/fit-cache.ts): an office renamed starts from its old fit.

/** What one deck's fit loop ended with, for the slides whose tuning the loop can change by itself. */
export interface FitHint {
  /** Storyboard slide (source) → its tuning; only sources of slides in `slides`. */
  tuning: ReadonlyMap<number, Tuning>
  /** The fit loop's caps on larger type (fit.ts). */
  caps: ReadonlyMap<string, number>
  /** The deck's slides the hint covers, by index, and their measures at the end (fill, overflow in px). */
  slides: readonly { index: number; fill: number; overflow: number }[]
}

/** Hints by key (hintKey). */
export type FitHints = Map<string, FitHint>

/**
 * A deck's hint key: the theme, the front matter and each slide that is not one of `fixedLayouts`
 * (title, closing and other slides larger type never changes), with its storyboard slide, all
 * without what only names the office: footer, header and description directives, colour values.
 */
export function hintKey(deck: Deck, markdown: string, themeHash: string, fixedLayouts: ReadonlySet<string>): string {
  const { frontMatter, slides } = splitDeckMarkdown(markdown)
  const changeable = changeableSlides(deck, fixedLayouts).map((i) => `${deck.slides[i]?.source}\0${withoutOfficeNames(slides[i] ?? '')}`)
  return sha256([themeHash, withoutOfficeNames(frontMatter).replace(/#[0-9a-fA-F]{3,8}\b/g, '#'), ...changeable].join('\0\0'))
}

/** The hint a deck's finished fit loop makes: the tuning of its changeable slides and their measures. */
export function makeHint(
  deck: Deck,
  tuning: ReadonlyMap<number, Tuning>,
  caps: ReadonlyMap<string, number>,
  measured: Measured,
  fixedLayouts: ReadonlySet<string>,
): FitHint {
  const indices = changeableSlides(deck, fixedLayouts)
  const sources = new Set(indices.map((index) => deck.slides[index]?.source))
  return {
    tuning: new Map([...tuning].filter(([source]) => sources.has(source))),
    caps: new Map(caps),
    slides: indices.map((index) => ({ index, fill: measured.fills[index] ?? 0, overflow: measured.overflows.find((o) => o.slide === index + 1)?.pixels ?? 0 })),
  }
}

/** Whether a deck started from `hint` measured as the deck the hint came from: the same slides in the same places, the same measures. */
export function matchesHint(hint: FitHint, deck: Deck, measured: Measured, fixedLayouts: ReadonlySet<string>): boolean {
  const indices = changeableSlides(deck, fixedLayouts)
  if (indices.length !== hint.slides.length) return false
  return hint.slides.every(
    (expected, i) =>
      indices[i] === expected.index &&
      measured.fills[expected.index] === expected.fill &&
      (measured.overflows.find((o) => o.slide === expected.index + 1)?.pixels ?? 0) === expected.overflow,
  )
}

/** The indices of the deck's slides whose layout is not one of `fixedLayouts`. */
function changeableSlides(deck: Deck, fixedLayouts: ReadonlySet<string>): number[] {
  return deck.slides.flatMap((slide, index) => (fixedLayouts.has(slide.layout) ? [] : [index]))
}

function withoutOfficeNames(markdown: string): string {
  return markdown.replace(/^(\s*(?:<!--\s*)?_?(?:footer|header|description)\s*:).*$/gm, '$1')
}

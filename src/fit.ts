import { sha256 } from './output.ts'
import type { Tuning } from './plan.ts'
import type { Overflow } from './render.ts'
import type { Deck } from './types.ts'

// Making every slide fit: per-slide results cached by content, and the repair steps applied to a
// storyboard slide that overflows (smaller budget, so more continuation slides; then denser type).

/** Rounds of measure → repair before a deck is reported as not fitting. */
export const MAX_FIT_ROUNDS = 8
/** Layouts whose content can be split across continuation slides. */
const SPLITTABLE = new Set(['agenda', 'points', 'acronym', 'quote', 'question', 'text'])
const SCALES = [1, 0.85, 0.7, 0.55, 0.4, 0.25]

export interface FitCache {
  version: 1
  /** Slide key → pixels of overflow measured (0: fits). */
  slides: Record<string, number>
}

export function emptyFitCache(): FitCache {
  return { version: 1, slides: {} }
}

/** Accepts only a well-formed cache; anything else (corrupt, foreign) is ignored. */
export function parseFitCache(text: string | undefined): FitCache {
  try {
    const parsed = JSON.parse(text ?? '') as FitCache
    if (parsed?.version !== 1 || typeof parsed.slides !== 'object' || parsed.slides === null) return emptyFitCache()
    const slides: Record<string, number> = {}
    for (const [key, value] of Object.entries(parsed.slides)) if (/^[0-9a-f]{64}$/.test(key) && typeof value === 'number') slides[key] = value
    return { version: 1, slides }
  } catch {
    return emptyFitCache()
  }
}

/**
 * One key per slide: the theme, the deck's front matter (size, footer, style) and the slide's own
 * Markdown. A slide renders the same wherever these are the same.
 */
export function slideKeys(markdown: string, themeHash: string): string[] {
  const match = /^---\n[\s\S]*?\n---\n/.exec(markdown)
  const frontMatter = match?.[0] ?? ''
  const body = markdown.slice(frontMatter.length)
  return body.split(/\n---\n/).map((slide) => sha256(`${themeHash}\0${frontMatter}\0${slide.trim()}`))
}

/** The overflows of a deck whose every slide is in the cache, or undefined when one must be measured. */
export function cachedOverflows(keys: readonly string[], cache: FitCache, deck: Deck): Overflow[] | undefined {
  if (!keys.every((key) => typeof cache.slides[key] === 'number')) return undefined
  return keys.flatMap((key, i) => {
    const pixels = cache.slides[key] as number
    const slide = deck.slides[i]
    return pixels > 0 ? [{ slide: i + 1, layout: slide?.layout ?? '?', title: slide?.title ?? '', pixels }] : []
  })
}

export function recordFit(cache: FitCache, keys: readonly string[], overflows: readonly Overflow[]): void {
  keys.forEach((key, i) => {
    cache.slides[key] = overflows.find((o) => o.slide === i + 1)?.pixels ?? 0
  })
}

/**
 * The next tuning after `overflows`: an overflowing storyboard slide first gets a smaller budget
 * (split into more continuation slides), and once its budget is smallest, the denser type.
 * Returns undefined when nothing is left to try.
 */
export function repairTuning(tuning: ReadonlyMap<number, Tuning>, deck: Deck, overflows: readonly Overflow[]): Map<number, Tuning> | undefined {
  const next = new Map(tuning)
  let changed = false
  for (const overflow of overflows) {
    const slide = deck.slides[overflow.slide - 1]
    if (!slide) continue
    const current = next.get(slide.source) ?? { scale: 1, dense: false }
    const smaller = SCALES.find((s) => s < current.scale)
    if (SPLITTABLE.has(slide.layout) && slide.units > 1 && smaller !== undefined) next.set(slide.source, { ...current, scale: smaller })
    else if (!current.dense) next.set(slide.source, { ...current, dense: true })
    else continue
    changed = true
  }
  return changed ? next : undefined
}

/** A deck's slides as they stand in the fit loop: the plan, its Markdown, and the repairs so far. */
export interface FitState {
  deck: Deck
  markdown: string
  tuning: ReadonlyMap<number, Tuning>
  /** Repairs applied so far (at most MAX_FIT_ROUNDS). */
  repairs: number
}

/**
 * Looks up (or, with `measure`, measures) how far the deck's slides overflow and repairs the plan
 * (`replan` with the new tuning) until it fits or nothing is left to try. Returns the overflows of
 * the final plan, or undefined when a slide is not in the cache and there is no `measure`.
 */
export async function fitSlides(
  state: FitState,
  replan: (tuning: ReadonlyMap<number, Tuning>) => Pick<FitState, 'deck' | 'markdown'>,
  cache: FitCache,
  themeHash: string,
  measure?: () => Promise<Overflow[]>,
): Promise<Overflow[] | undefined> {
  for (;;) {
    const keys = slideKeys(state.markdown, themeHash)
    let overflows = cachedOverflows(keys, cache, state.deck)
    if (!overflows) {
      if (!measure) return undefined
      overflows = await measure()
      recordFit(cache, keys, overflows)
    }
    const tuning = overflows.length > 0 && state.repairs < MAX_FIT_ROUNDS ? repairTuning(state.tuning, state.deck, overflows) : undefined
    if (!tuning) return overflows
    Object.assign(state, { ...replan(tuning), tuning, repairs: state.repairs + 1 })
  }
}

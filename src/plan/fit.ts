import { sha256 } from '../shared/hash.ts'
import type { Aspect, Deck, Measured, Overflow } from '../shared/types.ts'
import { splitDeckMarkdown } from './deck-markdown.ts'
import { type FitHint, type FitHints, hintKey, makeHint, matchesHint } from './fit-hints.ts'
import { BUDGETS, scaleBudget } from './pages.ts'
import type { Tuning } from './plan.ts'

// Making every slide fit: per-slide results cached by content, and the repair steps applied to a
// storyboard slide that overflows (smaller budget, so more continuation slides; then denser type).

/** Rounds of measure → repair before a deck is reported as not fitting. */
export const MAX_FIT_ROUNDS = 12
/** Layouts whose content can be split across continuation slides. */
const SPLITTABLE = new Set(['agenda', 'points', 'acronym', 'quote', 'question', 'text'])
export const SCALES = [1, 0.85, 0.7, 0.55, 0.4, 0.25]
/**
 * A slide whose content spans less than this share of its content box is sparse: it is balanced
 * (its body centred below the title, larger type). A little over half: a slide just past half still looks top-heavy.
 */
export const SPARSE = 0.6
/** What a balanced slide aims at. */
const FILL_TARGET = 0.66
/**
 * The zoom of each step of larger type (grow-N in the theme); index 0: none. It applies to the
 * body only (titles keep one size per layout) and stops at 1.4×: beyond, a sparse slide's type
 * looks out of scale beside its neighbours.
 */
export const GROW_ZOOM = [1, 1.2, 1.4] as const
/** Layouts meant to be sparse: they are never balanced (a discussion slide centres its question itself). */
export const SPARSE_LAYOUTS = new Set(['title', 'section', 'statement', 'closing', 'question'])

export interface FitCache {
  version: 1
  /** Slide key → pixels of overflow measured (0: fits). */
  slides: Record<string, number>
  /** Slide key → the share of its content box the slide's content spans. */
  fills?: Record<string, number>
  /** Hint key → where a deck like one already fitted starts its fit loop (fit-hints.ts). */
  hints?: FitHints
}

export function emptyFitCache(): FitCache {
  return { version: 1, slides: {} }
}

/**
 * One key per slide: the theme, the deck's front matter (size, footer, style) and the slide's own
 * Markdown. A slide renders the same wherever these are the same.
 */
export function slideKeys(markdown: string, themeHash: string): string[] {
  const { frontMatter, slides } = splitDeckMarkdown(markdown)
  return slides.map((slide) => sha256(`${themeHash}\0${frontMatter}\0${slide.trim()}`))
}

/** The overflows of a deck whose every slide is in the cache, or undefined when one must be measured. */
export function cachedOverflows(keys: readonly string[], cache: FitCache, deck: Deck): Overflow[] | undefined {
  const measured = keys.map((key) => cache.slides[key])
  if (!measured.every((pixels) => typeof pixels === 'number')) return undefined
  return measured.flatMap((pixels, i) => {
    const slide = deck.slides[i]
    return pixels > 0 ? [{ slide: i + 1, layout: slide?.layout ?? '?', title: slide?.title ?? '', pixels }] : []
  })
}

/** Overflows and fills of a deck whose every slide is in the cache, or undefined when one must be measured. */
export function cachedMeasures(keys: readonly string[], cache: FitCache, deck: Deck): Measured | undefined {
  const fills = cache.fills ?? {}
  const overflows = cachedOverflows(keys, cache, deck)
  const measured = keys.map((key) => fills[key])
  if (!overflows || !measured.every((fill) => typeof fill === 'number')) return undefined
  return { overflows, fills: measured }
}

/** Stores each slide's overflow (0 when it fits) and, when given, its fill. */
export function recordFit(cache: FitCache, keys: readonly string[], overflows: readonly Overflow[], fills?: readonly number[]): void {
  keys.forEach((key, i) => {
    cache.slides[key] = overflows.find((o) => o.slide === i + 1)?.pixels ?? 0
  })
  if (!fills) return
  cache.fills ??= {}
  const fillsByKey = cache.fills
  keys.forEach((key, i) => {
    fillsByKey[key] = fills[i] ?? 0
  })
}

/** The page of its storyboard slide that a deck slide is (0: the first). */
function pageOf(deck: Deck, index: number): number {
  const source = deck.slides[index]?.source
  return index - deck.slides.findIndex((s) => s.source === source)
}

function withGrow(tuning: Tuning, page: number, grow: number, balanced = grow > 0): Tuning {
  const list = [...(tuning.grow ?? [])]
  while (list.length <= page) list.push(0)
  list[page] = grow
  const centred = [...(tuning.balanced ?? [])]
  while (centred.length <= page) centred.push(false)
  centred[page] = balanced
  return { ...tuning, grow: list, balanced: centred }
}

/**
 * The next tuning for sparse slides: a slide (not a title, divider, statement or closing slide)
 * whose content spans less than SPARSE of its content box wants the step of larger type that
 * should bring it past the target, up to `caps` (steps that overflowed before). Every slide of a
 * layout then takes the smallest step any of them wants, so that a layout's type is the same size
 * across the deck (a points slide never has larger type than the one before it); a sparse page is
 * centred (balanced) whatever its step. Undefined: nothing to do.
 */
export function growTuning(
  tuning: ReadonlyMap<number, Tuning>,
  deck: Deck,
  fills: readonly number[],
  caps: ReadonlyMap<string, number>,
): Map<number, Tuning> | undefined {
  const wanted = deck.slides.map((_, i) => wantedGrow(tuning, deck, i, fills[i] ?? 1, caps))
  const byLayout = new Map<string, number>()
  deck.slides.forEach((slide, i) => {
    byLayout.set(slide.layout, Math.min(byLayout.get(slide.layout) ?? Number.POSITIVE_INFINITY, wanted[i] ?? 0))
  })
  const next = new Map(tuning)
  let changed = false
  deck.slides.forEach((slide, i) => {
    const current = next.get(slide.source) ?? { scale: 1, dense: false }
    const page = pageOf(deck, i)
    const step = byLayout.get(slide.layout) ?? 0
    // A sparse page is centred even when its layout keeps the normal size: never top-heavy.
    const balanced = step > 0 || (!SPARSE_LAYOUTS.has(slide.layout) && (fills[i] ?? 1) < SPARSE)
    if (step === (current.grow?.[page] ?? 0) && balanced === (current.balanced?.[page] ?? false)) return
    next.set(slide.source, withGrow(current, page, step, balanced))
    changed = true
  })
  return changed ? next : undefined
}

/** The step of larger type one slide wants: its current one unless it is sparse, then one that should reach the target. */
function wantedGrow(tuning: ReadonlyMap<number, Tuning>, deck: Deck, index: number, fill: number, caps: ReadonlyMap<string, number>): number {
  const slide = deck.slides[index]
  if (!slide || SPARSE_LAYOUTS.has(slide.layout) || slide.fields.dense) return 0
  const page = pageOf(deck, index)
  const grow = tuning.get(slide.source)?.grow?.[page] ?? 0
  if (fill >= SPARSE) return grow
  const cap = caps.get(`${slide.source}:${page}`) ?? GROW_ZOOM.length - 1
  const base = fill / (GROW_ZOOM[grow] ?? 1)
  let wanted = GROW_ZOOM.findIndex((zoom) => base * zoom >= FILL_TARGET)
  if (wanted < 0) wanted = GROW_ZOOM.length - 1
  return Math.min(Math.max(wanted, grow + 1), cap)
}

/**
 * The next tuning after `overflows`: an overflowing storyboard slide first gets a smaller budget
 * (split into more continuation slides), and once its budget is smallest, the denser type.
 * Returns undefined when nothing is left to try.
 */
export function repairTuning(
  tuning: ReadonlyMap<number, Tuning>,
  deck: Deck,
  overflows: readonly Overflow[],
  caps?: Map<string, number>,
): Map<number, Tuning> | undefined {
  const next = new Map(tuning)
  let changed = false
  for (const overflow of overflows) {
    const slide = deck.slides[overflow.slide - 1]
    if (!slide) continue
    const current = next.get(slide.source) ?? { scale: 1, dense: false }
    const page = pageOf(deck, overflow.slide - 1)
    const grow = current.grow?.[page] ?? 0
    const smaller = SCALES.find((s) => s < current.scale)
    const splittable = SPLITTABLE.has(slide.layout) && smaller !== undefined
    // Larger type made it overflow: one step back, and never that step again.
    if (grow > 0) {
      caps?.set(`${slide.source}:${page}`, grow - 1)
      next.set(slide.source, withGrow(current, page, grow - 1))
    } else if (splittable && slide.units > 1) next.set(slide.source, repaged(current, smaller))
    else if (!current.dense) next.set(slide.source, { ...current, dense: true })
    else {
      // One sentence that denser type does not fit: cut (packText), then cut finer.
      const scale = cuttingScale(deck.office.aspect, slide, current)
      if (scale === undefined) continue
      next.set(slide.source, repaged(current, scale, true))
    }
    changed = true
  }
  return changed ? next : undefined
}

/** The tuning at another budget: its pages change, so no page keeps a step of larger type. */
function repaged(current: Tuning, scale: number, cut = current.cut): Tuning {
  return { scale, dense: current.dense, ...(cut && { cut }) }
}

/**
 * The budget to cut a page of one sentence at: the largest (the current one too, before the first
 * cut) shorter than the sentence, so that the cut changes the page; undefined when none is, or
 * the page is not one sentence that can be cut between its words.
 */
function cuttingScale(aspect: Aspect, slide: Deck['slides'][number], current: Tuning): number | undefined {
  const words = slide.fields.text ?? slide.fields.quote ?? slide.fields.question
  if (!SPLITTABLE.has(slide.layout) || slide.units > 1 || typeof words !== 'string' || !/\S\s+\S/.test(words)) return undefined
  const field = slide.fields.text === undefined ? 'quote' : 'text'
  return SCALES.find((scale) => (current.cut ? scale < current.scale : scale <= current.scale) && scaleBudget(BUDGETS[aspect], scale)[field] < words.length)
}

/** A deck's slides as they stand in the fit loop: the plan, its Markdown, and the repairs so far. */
export interface FitState {
  deck: Deck
  markdown: string
  tuning: ReadonlyMap<number, Tuning>
  /** Repairs applied so far (at most MAX_FIT_ROUNDS). */
  repairs: number
  /** "source:page" → the largest step of larger type that did not overflow. */
  growCaps?: Map<string, number>
  /** The deck's hint key and first plan, until its first measurement; the hint it started from (fit-hints.ts). */
  hint?: { key: string; initial?: Pick<FitState, 'deck' | 'markdown'>; started?: FitHint; measured: boolean; rejected?: boolean }
}

type Replan = (tuning: ReadonlyMap<number, Tuning>) => Pick<FitState, 'deck' | 'markdown'>

/** Starts a deck not yet measured from the tuning a deck like it ended with (the cache's hint for its key), if there is one; true if it did. */
export function startFromHint(state: FitState, replan: Replan, cache: FitCache, themeHash: string): boolean {
  const hint = hintOf(state, themeHash)
  const found = cache.hints?.get(hint.key)
  if (!found || hint.measured || hint.started) return false
  const tuning = new Map(found.tuning)
  Object.assign(state, replan(tuning), { tuning, growCaps: new Map(found.caps) })
  hint.started = found
  return true
}

/**
 * Looks up (or, with `measure`, measures) how far the deck's slides overflow and how much of
 * their content box they use, and repairs the plan (`replan` with the new tuning): overflowing
 * slides are split or get denser type, sparse ones larger type, until nothing is left to do.
 * Returns the overflows of the final plan, or undefined when a slide is not in the cache and there
 * is no `measure`.
 */
export async function fitSlides(
  state: FitState,
  replan: Replan,
  cache: FitCache,
  themeHash: string,
  measure?: () => Promise<Measured>,
): Promise<Overflow[] | undefined> {
  state.growCaps ??= new Map()
  const hint = hintOf(state, themeHash)
  for (;;) {
    const keys = slideKeys(state.markdown, themeHash)
    let measured = cachedMeasures(keys, cache, state.deck)
    if (!measured) {
      if (!measure) return undefined
      measured = await measure()
      recordFit(cache, keys, measured.overflows, measured.fills)
    }
    if (!hint.measured) {
      hint.measured = true
      const { initial } = hint
      hint.initial = undefined
      // A hint that measured otherwise than the deck it came from: this deck starts over from its plain plan.
      if (hint.started && initial && !matchesHint(hint.started, state.deck, measured, SPARSE_LAYOUTS)) {
        Object.assign(state, { ...initial, tuning: new Map(), growCaps: new Map() })
        hint.rejected = true
        continue
      }
    }
    const { overflows, fills } = measured
    const rounds = state.repairs < MAX_FIT_ROUNDS
    const tuning = !rounds
      ? undefined
      : overflows.length > 0
        ? repairTuning(state.tuning, state.deck, overflows, state.growCaps)
        : growTuning(state.tuning, state.deck, fills, state.growCaps)
    if (!tuning) {
      // Only a loop that ended by itself, every slide fitting, makes a hint; it replaces one this
      // deck found wrong (a hint from the build before, measured in another browser, say).
      if (rounds && overflows.length === 0) {
        cache.hints ??= new Map()
        if (!cache.hints.has(hint.key) || hint.rejected) cache.hints.set(hint.key, makeHint(state.deck, state.tuning, state.growCaps, measured, SPARSE_LAYOUTS))
      }
      return overflows
    }
    Object.assign(state, { ...replan(tuning), tuning, repairs: state.repairs + 1 })
  }
}

/** The deck's hint state, made from its first plan the first time it is asked for. */
function hintOf(state: FitState, themeHash: string): NonNullable<FitState['hint']> {
  state.hint ??= {
    key: hintKey(state.deck, state.markdown, themeHash, SPARSE_LAYOUTS),
    initial: { deck: state.deck, markdown: state.markdown },
    measured: false,
  }
  return state.hint
}

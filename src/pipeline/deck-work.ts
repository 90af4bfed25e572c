import type { Page } from 'puppeteer-core'
import * as render from '../browser/page.ts'
import type { BrowserPages } from '../browser/pages.ts'
import type { FitCache, FitState } from '../plan/fit.ts'
import type { MarpRender, MarpWorker } from '../render/marp.ts'
import type { Theme } from '../render/theme.ts'
import { fail, OrtugError } from '../shared/error.ts'
import type { DeckOutputs } from '../shared/formats.ts'
import { profiler } from '../shared/profile.ts'
import type { Deferred } from '../shared/tasks.ts'
import type { Overflow } from '../shared/types.ts'
import type { DeckJob } from './jobs.ts'

// A deck on its way through the browser, and what its steps share: the print context, the try
// under way, marp-core's render of its slides as they stand.

export const WAITING_FOR_MARP = 'waiting for Marp'

/** What printing a deck needs: the build's browser, Marp's process, the theme and the fit cache. */
export interface PrintContext {
  browser: BrowserPages
  marp: MarpWorker
  theme: Theme
  fitCache: FitCache
  timeoutMs: number
  warn(message: string): void
  /** False once the deck's office failed or the run is stopping: its screenshots are not taken. */
  isWanted(work: DeckWork): boolean
  signal?: AbortSignal
}

/** A deck on its way: its slides as they stand (the fit check may replan them) and what is being done. */
export interface DeckWork {
  job: DeckJob
  /** "office / essay", for messages. */
  label: string
  slides: FitState
  /** Settles when the slides are final (after the fit check), so HTML can start early. */
  fitted: Deferred
  /** The current try at the deck in the browser (a deck that fails for the browser is tried again alone). */
  attempt: Attempt
  /** marp-core's render of `slides.markdown`, requested once. */
  rendered?: { markdown: string; render: Promise<MarpRender> }
}

/** One try at a deck's browser work: what it is doing now, and the tabs it holds. */
export interface Attempt {
  /** What the deck's work is doing now (several things at once: the handout prints beside the PDF). */
  steps: Set<string>
  pages: Set<Page>
  /** Set once the try has failed or timed out: its work still under way stops at its next step. */
  abandoned: boolean
}

/** What the browser made of a deck. */
export type Printed = Pick<DeckOutputs, 'pdf' | 'handout' | 'slideImages' | 'overview'> & {
  /** The title slide, small, for the catalogue: taken in the capture window while other decks print. */
  thumbnail?: Promise<Uint8Array | undefined>
}

export function newAttempt(): Attempt {
  return { steps: new Set(), pages: new Set(), abandoned: false }
}

/** Runs one step of a try, remembered while it runs so a timeout can say where it stuck. */
export async function inAttempt<T>(attempt: Attempt, name: string, run: () => Promise<T>): Promise<T> {
  if (attempt.abandoned) throw new OrtugError('ENVIRONMENT', `given up before ${name}`)
  attempt.steps.add(name)
  try {
    const result = await run()
    if (attempt.abandoned) throw new OrtugError('ENVIRONMENT', `given up during ${name}`)
    return result
  } finally {
    attempt.steps.delete(name)
  }
}

export function describeSteps(steps: ReadonlySet<string>): string {
  return steps.size > 0 ? `while ${[...steps].join(' and ')}` : 'between steps'
}

/** marp-core's render of the deck's current Markdown, requested once. */
export function renderDeck(work: DeckWork, { marp, theme }: Pick<PrintContext, 'marp' | 'theme'>): Promise<MarpRender> {
  const { markdown } = work.slides
  if (work.rendered?.markdown !== markdown) {
    // Timed from the request: Marp's process renders one deck at a time, so this counts its queue too.
    const render = profiler().time('marp render', work.label, () => marp.render(markdown, theme.css))
    work.rendered = { markdown, render }
    // A render lost with Marp's process (restarted for another deck) is asked for again next time.
    render.catch(() => {
      if (work.rendered?.render === render) work.rendered = undefined
    })
  }
  return work.rendered.render
}

export function toPrintable({ job, slides, label }: DeckWork): render.PrintableDeck {
  return {
    aspect: job.office.aspect,
    lang: job.essay.meta.lang,
    label,
    slideTitles: slides.deck.slides.map((s) => s.title),
    layouts: slides.deck.slides.map((s) => s.layout),
  }
}

/** Fails the deck when slides still overflow after every repair. */
export function verifyFits(work: DeckWork, overflows: readonly Overflow[] | undefined): void {
  if (!overflows || overflows.length === 0) return
  fail(
    'CONTENT',
    `slides do not fit even after splitting and the smallest type:\n${overflows.map((o) => `  ${render.formatOverflow(work.label, o)}`).join('\n')}\n${fitAdvice(work.job)}`,
  )
}

/** What to change, in the files the maintainer has: the essay, the office file's extra slides, the storyboard. */
function fitAdvice({ essay, office, storyboard }: DeckJob): string {
  const extra = office.slides.extra.length > 0 ? ` (or, for a slide the office adds, its slides.extra in ${office.file})` : ''
  const deckFile = essay.file.replace(/\.md$/, '.deck.yaml')
  const split = storyboard.derived
    ? `or write a storyboard that splits it into more slides (ortug storyboard ${essay.slug} writes the derived one as ${deckFile} to edit)`
    : `or split it into more slides in ${deckFile}`
  return `Shorten the text in ${essay.file}${extra}, ${split}.`
}
